"""A Telegram bot on loopback: the real PTB Application behind the real webhook endpoint,
talking to a fake Bot API that records every call. Tests read like transcripts:
`await tg.say("/start cold_call")` returns the texts the bot sent back.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.engine.trainer import Trainer
from bot.harness.telegram_fake import Call, FakeBotApi, TelegramUser
from bot.harness.telegram_load import LoopbackBot, loopback_bot


class Transcript:
    def __init__(self, bot: LoopbackBot, http: aiohttp.ClientSession, db_path: Path) -> None:
        self.bot = bot
        self.api: FakeBotApi = bot.api
        self.http = http
        self.db_path = db_path
        self.ana = TelegramUser(42, "Ana")
        self._update_ids = itertools.count(1)

    def next_id(self) -> int:
        return next(self._update_ids)

    async def post(self, update: dict[str, Any], secret: str | None = None) -> int:
        return await self.bot.post(self.http, update, secret)

    async def deliver(self, update: dict[str, Any]) -> list[Call]:
        """Post one update; the sendMessage calls it caused, in order."""
        before = len(self.api.sent())
        assert await self.post(update) == 200
        await self.bot.bot.worker.join()
        return self.api.sent()[before:]

    async def say(self, text: str, user: TelegramUser | None = None) -> list[str]:
        user = user or self.ana
        sent = await self.deliver(user.message(self.next_id(), text))
        return [call.params["text"] for call in sent]

    def rows(self, sql: str) -> list[tuple]:
        with sqlite3.connect(self.db_path) as db:
            return db.execute(sql).fetchall()

    def learner_turns(self) -> list[str]:
        return [
            r[0] for r in self.rows("SELECT text FROM turns WHERE role = 'learner' ORDER BY id")
        ]


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
async def tg(trainer: Trainer, db_path: Path) -> AsyncIterator[Transcript]:
    async with loopback_bot(trainer, trainer.store) as bot, aiohttp.ClientSession() as http:
        yield Transcript(bot, http, db_path)

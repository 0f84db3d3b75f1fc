"""Load test: N concurrent chats through the real webhook on loopback.

Everything runs in one process: a fake Bot API, the webhook endpoint with the real PTB
Application and Trainer (on the given SQLite file), and N simulated learners posting
updates as Telegram would. A turn's latency runs from the webhook POST (answered once the
update is in the inbox) until the reply reaches the (fake) Bot API.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import aiohttp

from bot.adapters.telegram.app import TelegramBot, build_bot
from bot.adapters.telegram.settings import DEFAULT_MAX_RATE, TelegramSettings
from bot.adapters.telegram.webhook import SECRET_HEADER, start_webhook
from bot.engine.trainer import Trainer
from bot.harness.figures import percentile
from bot.harness.telegram_fake import FakeBotApi, TelegramUser
from bot.storage.base import QueueStore

LOOPBACK_TOKEN = "1234567:LOOPBACK-TEST-TOKEN"
WEBHOOK_PATH = "/telegram/webhook"
LINES = (
    "Hi, this is Sam from Kestrel. I'm calling because sales leaders tell us forecasting "
    "eats their Mondays. Do you have a minute?",
    "Can I ask you a couple of questions about how your team forecasts today?",
    "How do you build the forecast today, and who is involved?",
    "What happens when the forecast misses by a wide margin?",
    "What does that cost you in a quarter?",
    "Would a meeting next Tuesday at 10am work to look at this properly?",
)


@dataclass
class LoopbackBot:
    """A running bot behind its webhook, talking to a fake Bot API."""

    api: FakeBotApi
    bot: TelegramBot
    url: str
    secret: str

    async def post(
        self, http: aiohttp.ClientSession, update: dict[str, Any], secret: str | None = None
    ) -> int:
        """POST an update as Telegram does; returns the HTTP status."""
        token = self.secret if secret is None else secret
        headers = {SECRET_HEADER: token} if token else {}
        async with http.post(self.url, json=update, headers=headers) as response:
            await response.read()
            return response.status


@asynccontextmanager
async def loopback_bot(
    trainer: Trainer, store: QueueStore, max_rate: int = DEFAULT_MAX_RATE
) -> AsyncIterator[LoopbackBot]:
    api = FakeBotApi()
    await api.start()
    secret = secrets.token_urlsafe(24)
    settings = TelegramSettings(
        LOOPBACK_TOKEN,
        f"https://loopback.invalid{WEBHOOK_PATH}",
        secret,
        api_url=api.url,
        max_rate=max_rate,
    )
    bot = build_bot(settings, trainer, store)
    application = bot.application
    try:
        async with application:
            await application.start()
            await bot.worker.start()
            runner = await start_webhook(bot, secret, WEBHOOK_PATH, "127.0.0.1", 0)
            host, port = runner.addresses[0][:2]
            try:
                yield LoopbackBot(api, bot, f"http://{host}:{port}{WEBHOOK_PATH}", secret)
            finally:
                await runner.cleanup()
                await bot.worker.close()
                await application.stop()
    finally:
        await api.stop()


def _more_than(counts: Counter[int], key: int, seen: int) -> bool:
    return counts[key] > seen


@dataclass(frozen=True)
class LoadResult:
    chats: int
    turns: int
    seconds: float
    latencies: tuple[float, ...]
    failures: int

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def summary(self) -> str:
        return (
            f"chats={self.chats} turns={self.turns} failures={self.failures} "
            f"p50={percentile(self.latencies, 50) * 1000:.1f}ms "
            f"p99={percentile(self.latencies, 99) * 1000:.1f}ms "
            f"turns/s={self.turns_per_second:.1f}"
        )


async def run_load(
    trainer: Trainer,
    store: QueueStore,
    chats: int,
    turns: int,
    scenario: str,
    max_rate: int = 0,
) -> LoadResult:
    """Each chat starts `scenario`, then sends `turns` replies one after another.

    By default the bot's own cap on messages per second is off, so the figures measure this
    stack; a real bot is held to Telegram's flood limit (about 30 messages/s) on top."""
    update_ids = itertools.count(1)
    latencies: list[float] = []
    statuses: list[int] = []

    async def one_chat(bot: LoopbackBot, http: aiohttp.ClientSession, n: int) -> None:
        user = TelegramUser(500_000 + n, f"Rep{n}")
        texts = [f"/start {scenario}", *itertools.islice(itertools.cycle(LINES), turns)]
        chat = user.chat["id"]
        for text in texts:
            started = time.perf_counter()
            answered = bot.api.sent_to[chat]
            statuses.append(await bot.post(http, user.message(next(update_ids), text)))
            await bot.api.wait_for(partial(_more_than, bot.api.sent_to, chat, answered))
            latencies.append(time.perf_counter() - started)

    async with (
        loopback_bot(trainer, store, max_rate) as bot,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http,
    ):
        started = time.perf_counter()
        await asyncio.gather(*(one_chat(bot, http, n) for n in range(chats)))
        seconds = time.perf_counter() - started
    failures = sum(status != 200 for status in statuses)
    return LoadResult(chats, len(latencies), seconds, tuple(latencies), failures)

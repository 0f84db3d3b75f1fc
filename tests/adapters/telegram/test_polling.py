"""Long polling: updates come from getUpdates on the fake Bot API."""

from __future__ import annotations

import asyncio

import pytest

from bot.adapters.telegram.app import build_bot
from bot.adapters.telegram.serve import run
from bot.adapters.telegram.settings import TelegramSettings
from bot.harness.telegram_fake import FakeBotApi, TelegramUser

pytestmark = pytest.mark.anyio


async def wait_for_texts(api: FakeBotApi, count: int) -> list[str]:
    for _ in range(200):
        if len(api.texts()) >= count:
            return api.texts()
        await asyncio.sleep(0.02)
    raise AssertionError(f"expected {count} messages, got {api.texts()}")


async def test_polling_plays_updates_in_order_and_announces_commands(trainer):
    api = FakeBotApi()
    await api.start()
    settings = TelegramSettings("1234567:POLLING", api_url=api.url)
    stop = asyncio.Event()
    bot = asyncio.create_task(run(build_bot(settings, trainer, trainer.store), settings, stop))
    ana = TelegramUser(42)
    try:
        api.push_update(ana.message(1, "/start cold_call"))
        api.push_update(ana.message(2, "/hint"))
        texts = await wait_for_texts(api, 4)
    finally:
        stop.set()
        await asyncio.wait_for(bot, 10)
        await api.stop()
    assert texts[0].startswith("<b>Cold call a VP of Sales</b>")
    assert texts[3].startswith("💡 ")
    [commands] = api.calls_to("setMyCommands")
    assert {
        "command": "hint",
        "description": "a hint for this moment; ask again for a more specific one",
    } in commands.params["commands"]
    assert api.calls_to("deleteWebhook")  # polling and a webhook exclude each other

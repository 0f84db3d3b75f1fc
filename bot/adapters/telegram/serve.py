"""Run the bot by long polling or behind a webhook until told to stop.

SIGTERM or Ctrl-C stops taking updates, finishes the turn in hand, flushes the outbox
and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.adapters.telegram.app import ALLOWED_UPDATES, TelegramBot, bot_commands, build_bot
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.webhook import start_webhook
from bot.engine.trainer import Trainer
from bot.storage.base import QueueStore

log = logging.getLogger(__name__)


def serve(settings: TelegramSettings, trainer: Trainer, store: QueueStore) -> None:
    """Blocking entry point: run until SIGINT or SIGTERM."""
    asyncio.run(_serve_until_signal(build_bot(settings, trainer, store), settings))


async def _serve_until_signal(bot: TelegramBot, settings: TelegramSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run(bot, settings, stop)


async def run(bot: TelegramBot, settings: TelegramSettings, stop: asyncio.Event) -> None:
    """Initialise (getMe), announce the command menu, receive updates until `stop` is set."""
    application = bot.application
    async with application:
        await application.bot.set_my_commands(bot_commands())
        await application.start()
        await bot.worker.start()
        try:
            if settings.mode == "webhook":
                await _webhook(bot, settings, stop)
            else:
                await _polling(bot, stop)
        finally:
            await bot.worker.close()
            await application.stop()


async def _polling(bot: TelegramBot, stop: asyncio.Event) -> None:
    updater = bot.application.updater
    assert updater is not None
    await updater.start_polling(allowed_updates=ALLOWED_UPDATES)
    log.info("telegram: polling as @%s", bot.application.bot.username)
    await stop.wait()
    await updater.stop()


async def _webhook(bot: TelegramBot, settings: TelegramSettings, stop: asyncio.Event) -> None:
    runner = await start_webhook(
        bot,
        settings.webhook_secret or "",
        settings.webhook_path,
        settings.listen_host,
        settings.listen_port,
    )
    try:
        await bot.application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        log.info("telegram: webhook for @%s on %s", bot.application.bot.username, runner.addresses)
        await stop.wait()
    finally:
        await runner.cleanup()

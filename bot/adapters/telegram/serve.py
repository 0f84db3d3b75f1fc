"""Run the bot by long polling or behind a webhook until told to stop."""

from __future__ import annotations

import asyncio
import logging
import signal

from telegram.ext import Application

from bot.adapters.telegram.app import ALLOWED_UPDATES, bot_commands, build_application
from bot.adapters.telegram.settings import TelegramSettings
from bot.adapters.telegram.webhook import start_webhook
from bot.engine.trainer import Trainer

log = logging.getLogger(__name__)


def serve(settings: TelegramSettings, trainer: Trainer) -> None:
    """Blocking entry point: run until SIGINT or SIGTERM."""
    asyncio.run(_serve_until_signal(build_application(settings, trainer), settings))


async def _serve_until_signal(application: Application, settings: TelegramSettings) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await run(application, settings, stop)


async def run(application: Application, settings: TelegramSettings, stop: asyncio.Event) -> None:
    """Initialise (getMe), announce the command menu, receive updates until `stop` is set."""
    async with application:
        await application.bot.set_my_commands(bot_commands())
        await application.start()
        if settings.mode == "webhook":
            await _webhook(application, settings, stop)
        else:
            await _polling(application, stop)
        await application.stop()


async def _polling(application: Application, stop: asyncio.Event) -> None:
    await application.updater.start_polling(allowed_updates=ALLOWED_UPDATES)
    log.info("telegram: polling as @%s", application.bot.username)
    await stop.wait()
    await application.updater.stop()


async def _webhook(
    application: Application, settings: TelegramSettings, stop: asyncio.Event
) -> None:
    runner = await start_webhook(
        application,
        settings.webhook_secret or "",
        settings.webhook_path,
        settings.listen_host,
        settings.listen_port,
    )
    try:
        await application.bot.set_webhook(
            settings.webhook_url,
            secret_token=settings.webhook_secret,
            allowed_updates=ALLOWED_UPDATES,
        )
        log.info("telegram: webhook for @%s on %s", application.bot.username, runner.addresses)
        await stop.wait()
    finally:
        await runner.cleanup()

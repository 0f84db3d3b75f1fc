"""The webhook endpoint: check Telegram's secret token, store the update, then answer 200.

The 200 is sent only after the update's message is in the inbox, so an update interrupted
by a crash is redelivered by Telegram, and the inbox's key (chat and message id) keeps that
redelivery from playing a second turn or sending a second reply. A wrong or missing secret
gets 403 before the body is read, so nothing is stored; an update that could not be stored
gets 503, so Telegram sends it again.
"""

from __future__ import annotations

import hmac
import json
from functools import partial

from aiohttp import web
from telegram import Update

from bot.adapters.health import healthz
from bot.adapters.telegram.app import TelegramBot

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024


def webhook_app(bot: TelegramBot, secret: str, path: str) -> web.Application:
    if not secret:
        raise ValueError("a webhook needs a secret token")
    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, partial(receive, bot, secret.encode()))
    app.router.add_get("/healthz", healthz(bot.worker))
    return app


async def receive(bot: TelegramBot, secret: bytes, request: web.Request) -> web.Response:
    given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
    if not hmac.compare_digest(given, secret):
        return web.Response(status=403, text="forbidden")
    application = bot.application
    try:
        update = Update.de_json(json.loads(await request.read()), application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return web.Response(status=400, text="not a Telegram update")
    if update is None:
        return web.Response(status=400, text="not a Telegram update")
    await application.update_processor.process_update(update, application.process_update(update))
    if update.update_id in bot.handlers.failed:
        bot.handlers.failed.discard(update.update_id)
        return web.Response(status=503, text="not stored; send it again")
    return web.Response(text="ok")


async def start_webhook(
    bot: TelegramBot, secret: str, path: str, host: str, port: int
) -> web.AppRunner:
    """Serve the endpoint; `runner.addresses` tells the bound port when `port` is 0."""
    runner = web.AppRunner(webhook_app(bot, secret, path), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner

"""The webhook endpoint: check Telegram's secret token, then handle the update in order.

The 200 is sent only after the update was handled (turn committed, reply sent), so an
update interrupted by a crash is redelivered by Telegram, and the engine's idempotency key
keeps that redelivery from playing a second turn. A wrong or missing secret gets 403
before the body is read, so nothing is stored.
"""

from __future__ import annotations

import hmac
import json
from functools import partial

from aiohttp import web
from telegram import Update
from telegram.ext import Application

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024


def webhook_app(application: Application, secret: str, path: str) -> web.Application:
    if not secret:
        raise ValueError("a webhook needs a secret token")
    app = web.Application(client_max_size=MAX_BODY)
    app.router.add_post(path, partial(receive, application, secret.encode()))
    app.router.add_get("/healthz", healthz)
    return app


async def receive(application: Application, secret: bytes, request: web.Request) -> web.Response:
    given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
    if not hmac.compare_digest(given, secret):
        return web.Response(status=403, text="forbidden")
    try:
        update = Update.de_json(json.loads(await request.read()), application.bot)
    except (ValueError, TypeError, KeyError, AttributeError):
        return web.Response(status=400, text="not a Telegram update")
    await application.update_processor.process_update(update, application.process_update(update))
    return web.Response(text="ok")


async def healthz(request: web.Request) -> web.Response:
    return web.Response(text="ok")


async def start_webhook(
    application: Application, secret: str, path: str, host: str, port: int
) -> web.AppRunner:
    """Serve the endpoint; `runner.addresses` tells the bound port when `port` is 0."""
    runner = web.AppRunner(webhook_app(application, secret, path), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    return runner

"""Transports: Socket Mode (no public URL needed) and HTTP on aiohttp via Bolt's own adapter.

Both run the same Bolt app, with one pooled HTTP session for Web API calls (made inside
the event loop). On shutdown they wait for turns already acknowledged to be answered, so
a restart does not drop a learner's reply.
"""

from __future__ import annotations

import asyncio

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_server import AsyncSlackAppServer

from bot.adapters.slack.app import Practice, build_app
from bot.adapters.slack.settings import SlackSettings
from bot.engine.trainer import Trainer


def serve(settings: SlackSettings, trainer: Trainer) -> None:
    """Run until interrupted, in the mode the settings name."""
    practice = Practice(trainer)
    try:
        if settings.mode == "socket":
            asyncio.run(run_socket_mode(settings, practice))
        else:
            web_app = http_app(settings, practice)
            web.run_app(web_app, host=settings.host, port=settings.port, print=None)
    finally:
        practice.close()


async def http_app(settings: SlackSettings, practice: Practice) -> web.Application:
    """Bolt's aiohttp server app (POST settings.path), plus GET /healthz."""
    session = aiohttp.ClientSession()
    app = build_app(settings, practice, session)
    web_app = AsyncSlackAppServer(port=settings.port, path=settings.path, app=app).web_app
    web_app.router.add_get("/healthz", _healthz)

    async def drain(_: web.Application) -> None:
        await practice.join()

    async def close(_: web.Application) -> None:
        await session.close()

    web_app.on_shutdown.append(drain)
    web_app.on_cleanup.append(close)
    return web_app


async def _healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok")


async def connect_socket_mode(
    settings: SlackSettings, practice: Practice
) -> AsyncSocketModeHandler:
    """Open the Socket Mode connection (apps.connections.open, then the websocket)."""
    app = build_app(settings, practice, aiohttp.ClientSession())
    handler = AsyncSocketModeHandler(app, settings.app_token)
    await handler.connect_async()
    return handler


async def disconnect_socket_mode(handler: AsyncSocketModeHandler, practice: Practice) -> None:
    await handler.close_async()
    await practice.join()
    if handler.app.client.session is not None:
        await handler.app.client.session.close()


async def run_socket_mode(settings: SlackSettings, practice: Practice) -> None:
    handler = await connect_socket_mode(settings, practice)
    try:
        await asyncio.Event().wait()  # until cancelled (Ctrl-C)
    finally:
        await disconnect_socket_mode(handler, practice)

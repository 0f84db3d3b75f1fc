"""Transports: Socket Mode (no public URL needed) and HTTP on aiohttp via Bolt's own adapter.

Both run the same Bolt app. On shutdown they wait for turns already acknowledged to be
answered, so a deploy does not drop a learner's reply.
"""

from __future__ import annotations

import asyncio

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_bolt.async_app import AsyncApp

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
            app = build_app(settings, practice)
            web_app = http_app(app, practice, settings.path)
            web.run_app(web_app, host=settings.host, port=settings.port, print=None)
    finally:
        practice.close()


def http_app(app: AsyncApp, practice: Practice, path: str) -> web.Application:
    """Bolt's aiohttp server app (POST `path`), plus GET /healthz for load balancers."""
    web_app = AsyncSlackAppServer(port=0, path=path, app=app).web_app
    web_app.router.add_get("/healthz", _healthz)

    async def drain(_: web.Application) -> None:
        await practice.join()

    web_app.on_shutdown.append(drain)
    return web_app


async def _healthz(_: web.Request) -> web.Response:
    return web.Response(text="ok")


async def connect_socket_mode(settings: SlackSettings, practice: Practice) -> AsyncSocketModeHandler:
    """Open the Socket Mode connection (apps.connections.open, then the websocket)."""
    handler = AsyncSocketModeHandler(build_app(settings, practice), settings.app_token)
    await handler.connect_async()
    return handler


async def run_socket_mode(settings: SlackSettings, practice: Practice) -> None:
    handler = await connect_socket_mode(settings, practice)
    try:
        await asyncio.Event().wait()  # until cancelled (Ctrl-C)
    finally:
        await handler.close_async()
        await practice.join()

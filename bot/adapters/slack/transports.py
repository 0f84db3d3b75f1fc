"""Transports: Socket Mode (no public URL needed) and HTTP on aiohttp via Bolt's own adapter.

Both run the same Bolt app and one `DeliveryWorker`, with one pooled HTTP session for Web
API calls (made inside the event loop). SIGTERM or Ctrl-C stops taking messages, finishes
the turn in hand, flushes the outbox and exits 0.
"""

from __future__ import annotations

import asyncio
import signal

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_server import AsyncSlackAppServer
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.health import healthz
from bot.adapters.slack.app import SlackSurface, build_app, web_client
from bot.adapters.slack.settings import SlackSettings
from bot.delivery import DeliveryWorker
from bot.engine.trainer import Trainer
from bot.storage.base import QueueStore

WORKER = web.AppKey("worker", DeliveryWorker)


def serve(settings: SlackSettings, trainer: Trainer, store: QueueStore) -> None:
    """Run until SIGTERM or Ctrl-C, in the mode the settings name."""
    if settings.mode == "socket":
        asyncio.run(run_socket_mode(settings, trainer, store))
    else:
        web_app = http_app(settings, trainer, store)
        web.run_app(web_app, host=settings.host, port=settings.port, print=None)


async def http_app(settings: SlackSettings, trainer: Trainer, store: QueueStore) -> web.Application:
    """Bolt's aiohttp server app (POST settings.path), plus GET /healthz."""
    session = aiohttp.ClientSession()
    client = web_client(settings, session)
    worker = DeliveryWorker(trainer, store, SlackSurface(trainer, client))
    app = build_app(settings, worker, client)
    web_app = AsyncSlackAppServer(port=settings.port, path=settings.path, app=app).web_app
    web_app.router.add_get("/healthz", healthz(worker))
    web_app[WORKER] = worker

    async def start(_: web.Application) -> None:
        await worker.start()

    async def drain(_: web.Application) -> None:
        await worker.close()

    async def close(_: web.Application) -> None:
        await session.close()

    web_app.on_startup.append(start)
    web_app.on_shutdown.append(drain)
    web_app.on_cleanup.append(close)
    return web_app


async def connect_socket_mode(
    settings: SlackSettings, worker: DeliveryWorker, client: AsyncWebClient
) -> AsyncSocketModeHandler:
    """Open the Socket Mode connection (apps.connections.open, then the websocket)."""
    handler = AsyncSocketModeHandler(build_app(settings, worker, client), settings.app_token)
    await worker.start()
    await handler.connect_async()
    return handler


async def disconnect_socket_mode(handler: AsyncSocketModeHandler, worker: DeliveryWorker) -> None:
    await handler.close_async()
    await worker.close()
    if handler.app.client.session is not None:
        await handler.app.client.session.close()


async def run_socket_mode(settings: SlackSettings, trainer: Trainer, store: QueueStore) -> None:
    client = web_client(settings, aiohttp.ClientSession())
    worker = DeliveryWorker(trainer, store, SlackSurface(trainer, client))
    handler = await connect_socket_mode(settings, worker, client)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await disconnect_socket_mode(handler, worker)

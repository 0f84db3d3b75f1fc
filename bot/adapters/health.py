"""GET /healthz for the HTTP servers of every surface: liveness plus the delivery backlog."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from bot.delivery import DeliveryWorker


def healthz(worker: DeliveryWorker) -> Callable[[web.Request], Awaitable[web.Response]]:
    """200 with the inbox and outbox backlog as JSON; 503 once the worker is shutting down."""

    async def handler(_: web.Request) -> web.Response:
        backlog = (await worker.backlog()).as_dict()
        status = 503 if worker.closing else 200
        return web.json_response({"ok": status == 200, **backlog}, status=status)

    return handler

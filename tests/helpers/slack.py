"""The Slack test world: a fake Slack on loopback and the real Bolt app over real HTTP.

`slack.say("U1", "Hi Dana")` signs a message.im event, POSTs it to the app's HTTP
endpoint, waits until the app has answered, and returns the Web API calls it made.
The app, its aiohttp server and the fake Slack run on one event loop in a background
thread; tests stay synchronous.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx
from aiohttp import web

from bot.adapters.slack.settings import SlackSettings
from bot.adapters.slack.transports import WORKER, http_app
from bot.delivery import DeliveryWorker
from bot.engine.trainer import Trainer
from bot.harness.slack_fake import Call, FakeSlack, Payload, Sender, dm_channel, encode
from bot.storage.sqlite import SqliteStore

SECRET = "test-signing-secret"
T = TypeVar("T")


class Loop:
    """An event loop in a background thread that tests hand coroutines to."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 15) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)
        self.loop.close()


@dataclass
class Response:
    status: int
    body: str
    seconds: float


class SlackWorld:
    """The app as Slack sees it: signed requests in, Web API calls out."""

    def __init__(self, loop: Loop, fake: FakeSlack, trainer: Trainer) -> None:
        self.loop = loop
        self.fake = fake
        self.trainer = trainer
        self.sender = Sender(SECRET, team_id=fake.team_id)
        self.settings = SlackSettings(
            bot_token="xoxb-test", mode="http", signing_secret=SECRET, api_url=fake.api_url
        )
        self.worker: DeliveryWorker | None = None
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        web_app = await http_app(self.settings, self.trainer, self.trainer.store)
        self.worker = web_app[WORKER]
        self._runner = web.AppRunner(web_app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/slack/events"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- raw delivery --------------------------------------------------------------------

    def post(self, payload: Payload, *, retry: int = 0, **sign: Any) -> Response:
        """Deliver one signed request; `secret=` or `timestamp=` forge a bad signature."""
        body, content_type = encode(payload)
        sender = Sender(sign.pop("secret", SECRET), self.fake.team_id)
        headers = sender.headers(body, content_type, retry=retry, **sign)
        response = httpx.post(self.url, content=body.encode(), headers=headers, timeout=10)
        return Response(response.status_code, response.text, response.elapsed.total_seconds())

    def settle(self) -> None:
        """Wait until every acknowledged request has been answered."""
        assert self.worker is not None
        self.loop.run(self.worker.join())

    def deliver(self, payload: Payload, retry: int = 0) -> list[Call]:
        """Post, check the acknowledgement, wait, and return the calls the app made."""
        before = len(self.fake.calls)
        response = self.post(payload, retry=retry)
        assert response.status == 200, response.body
        self.settle()
        return self.fake.calls[before:]

    # --- what a learner does ---------------------------------------------------------------

    def say(self, user: str, text: str, thread_ts: str | None = None) -> list[Call]:
        return self.deliver(self.sender.event(self.sender.dm(user, text, thread_ts)))

    def command(self, user: str, text: str, channel: str | None = None) -> list[Call]:
        url = self.fake.response_url()
        return self.deliver(self.sender.command(user, text, channel, response_url=url))

    def click(self, user: str, action_id: str, value: str) -> list[Call]:
        return self.deliver(self.sender.click(user, action_id, value, dm_channel(user)))

    def open_home(self, user: str, tab: str = "home") -> list[Call]:
        return self.deliver(self.sender.event(self.sender.home_opened(user, tab)))


def posted(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "chat.postMessage"]


def count(store: SqliteStore, table: str) -> int:
    return store.count(table)

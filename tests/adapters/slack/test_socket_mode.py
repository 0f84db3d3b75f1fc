"""Socket Mode: the same app over a websocket served by the fake Slack on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.adapters.slack.app import SlackSurface, web_client
from bot.adapters.slack.settings import SlackSettings
from bot.adapters.slack.transports import connect_socket_mode, disconnect_socket_mode
from bot.delivery import DeliveryWorker
from bot.engine.trainer import Trainer
from bot.harness.slack_fake import Call, FakeSlack, Payload, Sender, dm_channel
from bot.storage.sqlite import SqliteStore
from tests.helpers.slack import Loop, count

REPLY = "Hi Dana, this is Sam from Kestrel. Could I ask you a couple of quick questions?"


class SocketWorld:
    def __init__(self, loop: Loop, fake: FakeSlack, trainer: Trainer) -> None:
        self.loop, self.fake = loop, fake
        self.sender = Sender("unused-in-socket-mode", fake.team_id)
        self.settings = SlackSettings(
            bot_token="xoxb-test", mode="socket", app_token="xapp-test", api_url=fake.api_url
        )
        self.trainer = trainer

    async def connect(self) -> None:
        client = web_client(self.settings, None)
        self.worker = DeliveryWorker(
            self.trainer, self.trainer.store, SlackSurface(self.trainer, client)
        )
        self.handler = await connect_socket_mode(self.settings, self.worker, client)
        await self.fake.wait_for(lambda: bool(self.fake.of("socket.connected")))

    async def close(self) -> None:
        await disconnect_socket_mode(self.handler, self.worker)

    def push(self, kind: str, payload: Payload, retry: int = 0) -> list[Call]:
        """Send one envelope, wait for its ack and the answer; return the calls made."""
        return self.loop.run(self._push(kind, payload, retry))

    async def _push(self, kind: str, payload: Payload, retry: int) -> list[Call]:
        before = len(self.fake.calls)
        envelope_id = await self.fake.send_envelope(kind, payload, retry_attempt=retry)
        await self.fake.wait_for(lambda: envelope_id in self.fake.socket_acks)
        await self.worker.join()
        return [c for c in self.fake.calls[before:] if c.method == "chat.postMessage"]


@pytest.fixture
def socket(loop: Loop, fake: FakeSlack, trainer: Trainer) -> Iterator[SocketWorld]:
    world = SocketWorld(loop, fake, trainer)
    loop.run(world.connect())
    yield world
    loop.run(world.close())


def test_socket_mode_connects_with_the_app_token(socket: SocketWorld) -> None:
    (opened,) = socket.fake.of("apps.connections.open")
    assert opened.method == "apps.connections.open"


def test_a_practice_over_socket_mode(socket: SocketWorld, store: SqliteStore) -> None:
    start = socket.push("slash_commands", socket.sender.command("U1", "start cold_call"))
    assert start[0].channel == dm_channel("U1") and start[0].thread_ts is None

    event = socket.sender.event(socket.sender.dm("U1", REPLY, thread_ts=start[0].ts))
    answer = socket.push("events_api", event)
    assert answer and all(c.thread_ts == start[0].ts for c in answer)
    turns = count(store, "turns")

    assert socket.push("events_api", event, retry=1) == []  # redelivered envelope
    assert count(store, "turns") == turns


def test_a_button_over_socket_mode(socket: SocketWorld) -> None:
    click = socket.sender.click("U1", "start:cold_call:easy", "cold_call easy", dm_channel("U1"))
    calls = socket.push("interactive", click)
    assert "*Level*\neasy" in calls[0].shows()


def test_bot_messages_over_socket_mode_are_acked_and_ignored(socket: SocketWorld) -> None:
    event = socket.sender.event(socket.sender.dm("U1", "hello", bot_id="BBOT"))
    assert socket.push("events_api", event) == []

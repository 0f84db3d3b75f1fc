"""The Slack surface: Bolt listeners that turn Slack payloads into engine turns and back.

Each listener only translates the payload into a `Turn` (an engine `Inbound` and where the
answer goes), hands it to `Practice` and acknowledges. `Practice` plays the turn off the
acknowledgement path, so Slack gets its answer within 3 seconds however slow storage is.

Where answers go: practice lives in the learner's direct messages with the app. A reply
that starts a session posts the briefing as a new top-level message and everything after
it in that message's thread. Other answers go where the learner wrote: in the thread they
replied in, or top-level. That keeps one thread per session without storing any Slack
timestamps of our own: the engine's database stays the only system of record.

Redelivery: Slack retries an event whose acknowledgement it did not see. The engine's
idempotency on `Inbound.message_id` (the event id) guarantees no second turn; the
in-memory `Claims` below also keeps a retry that reaches this process from posting the
same answer twice. After a restart a retry re-posts the stored answer (at least once).
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakValueDictionary

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.blocks import START_ACTION, home_view, render, unescape
from bot.adapters.slack.settings import SlackSettings
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Reply, Scorecard

log = logging.getLogger(__name__)
T = TypeVar("T")
Payload = dict[str, Any]
SORRY = "Sorry, something went wrong on my side. Your practice is saved; try again in a moment."
ELSEWHERE = "Your practice is in our direct messages."


@dataclass(frozen=True)
class Destination:
    channel: str  # a DM channel id, or a user id (Slack posts to the app's DM with them)
    thread_ts: str | None = None
    response_url: str | None = None  # slash commands: where to say the answer is in the DM
    origin_channel: str | None = None


@dataclass(frozen=True)
class Turn:
    inbound: Inbound
    to: Destination
    user_id: str  # the Slack user, for their App Home


# --- Slack payload → Turn -------------------------------------------------------------------


def learner(team_id: str, user_id: str, name: str = "") -> Learner:
    """Slack user ids are unique per workspace, so the team is part of the identity."""
    return Learner("slack", f"{team_id}:{user_id}", name)


def message_turn(body: Payload, event: Payload) -> Turn | None:
    """A learner's DM, or None for bots, edits, deletions, joins and non-DM channels."""
    if event.get("subtype") or event.get("bot_id") or event.get("channel_type") != "im":
        return None
    user, text = event.get("user"), event.get("text")
    if not user or text is None:
        return None
    team = body.get("team_id") or event.get("team") or ""
    message_id = body.get("event_id") or f"{event['channel']}:{event['ts']}"
    inbound = Inbound(learner(team, user), unescape(text), f"event:{message_id}")
    return Turn(inbound, Destination(event["channel"], event.get("thread_ts")), user)


def command_turn(command: Payload) -> Turn:
    """`/roleplay hint` → engine text `/hint`; a bare `/roleplay` shows the scenario picker."""
    words = unescape(command.get("text") or "").strip().lstrip("/")
    text = "/" + (words or "scenarios")
    user = command["user_id"]
    who = learner(command.get("team_id", ""), user, command.get("user_name", ""))
    to = Destination(
        user, response_url=command.get("response_url"), origin_channel=command.get("channel_id")
    )
    return Turn(Inbound(who, text, f"command:{command['trigger_id']}"), to, user)


def start_turn(body: Payload, action: Payload) -> Turn:
    """A Start button from a picker (in a DM, an ephemeral message or the Home tab)."""
    user = body["user"]
    team = user.get("team_id") or (body.get("team") or {}).get("id", "")
    value = " ".join(str(action.get("value", "")).split())
    inbound = Inbound(learner(team, user["id"]), f"/start {value}", f"action:{body['trigger_id']}")
    return Turn(inbound, Destination(user["id"]), user["id"])


# --- Reply → Slack calls ---------------------------------------------------------------------


async def post_reply(client: AsyncWebClient, reply: Reply, to: Destination) -> None:
    """Post each part in order; a briefing opens the thread the rest of the reply goes in."""
    channel, thread = to.channel, to.thread_ts
    for message in render(reply):
        response = await client.chat_postMessage(
            channel=channel,
            text=message.text,
            blocks=list(message.blocks) or None,
            thread_ts=None if message.starts_thread else thread,
            unfurl_links=False,
            unfurl_media=False,
        )
        channel = response["channel"]  # a user id resolves to the DM channel
        if message.starts_thread:
            thread = response["ts"]
    if to.response_url and to.origin_channel != channel:
        await AsyncWebhookClient(to.response_url).send(text=ELSEWHERE, response_type="ephemeral")


class Claims:
    """Delivery ids being answered or answered by this process (a droppable cache)."""

    def __init__(self, size: int = 10_000) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def claim(self, message_id: str) -> bool:
        if message_id in self._ids:
            return False
        self._ids[message_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True

    def release(self, message_id: str) -> None:
        self._ids.pop(message_id, None)


class Practice:
    """Plays turns in background tasks: one at a time per learner, storage in a thread pool."""

    def __init__(self, trainer: Trainer, workers: int = 1) -> None:
        self.trainer = trainer
        self.executor = ThreadPoolExecutor(workers, thread_name_prefix="roleplay-turn")
        self.claims = Claims()
        self.tasks: set[asyncio.Task[None]] = set()
        self._locks: WeakValueDictionary[str, asyncio.Lock] = WeakValueDictionary()

    def accept(self, turn: Turn, client: AsyncWebClient) -> bool:
        """Start answering unless this delivery is already being answered here."""
        key = _claim_key(turn.inbound)
        if key and not self.claims.claim(key):
            log.info("ignoring redelivered %s", key)
            return False
        self.spawn(self._play(turn, client))
        return True

    def spawn(self, coro: Coroutine[Any, Any, None]) -> None:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def join(self) -> None:
        """Wait until every accepted turn has been answered (tests, graceful shutdown)."""
        while self.tasks:
            await asyncio.gather(*list(self.tasks), return_exceptions=True)

    def close(self) -> None:
        self.executor.shutdown(wait=True)

    async def _play(self, turn: Turn, client: AsyncWebClient) -> None:
        try:
            async with self._lock(turn.inbound.learner):
                reply = await self._run(self.trainer.handle, turn.inbound)
                await post_reply(client, reply, turn.to)
        except Exception:
            log.exception("could not answer %s", turn.inbound.message_id)
            self.claims.release(_claim_key(turn.inbound))  # let a retry try again
            await _apologise(client, turn.to)
            return
        if reply.ended:  # a new scorecard: refresh the Home tab
            await self.publish_home(client, turn.inbound.learner, turn.user_id)

    async def publish_home(self, client: AsyncWebClient, who: Learner, user_id: str) -> None:
        try:
            view = await self._run(self._home, who)
            await client.views_publish(user_id=user_id, view=view)
        except Exception:
            log.exception("could not publish the Home tab of %s", who.user_id)

    def _home(self, who: Learner) -> dict[str, Any]:
        progress = self.trainer.progress(who)
        cards = self.trainer.handle(Inbound(who, "/score")).of_type(Scorecard)
        return home_view(progress, cards[0] if cards else None, self.trainer.scenarios())

    def _lock(self, who: Learner) -> asyncio.Lock:
        lock = self._locks.get(who.user_id)
        if lock is None:
            lock = self._locks[who.user_id] = asyncio.Lock()
        return lock

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)


def _claim_key(inbound: Inbound) -> str:
    """Like the engine, idempotency is per learner: (learner, delivery id)."""
    return f"{inbound.learner.user_id} {inbound.message_id}" if inbound.message_id else ""


async def _apologise(client: AsyncWebClient, to: Destination) -> None:
    try:
        await client.chat_postMessage(channel=to.channel, text=SORRY, thread_ts=to.thread_ts)
    except Exception:
        log.exception("could not tell the learner about the error")


# --- the Bolt app ----------------------------------------------------------------------------


def build_app(
    settings: SlackSettings, practice: Practice, session: aiohttp.ClientSession | None = None
) -> AsyncApp:
    """The Bolt app. Listeners run before the response (`process_before_response`) but
    only translate and hand over, so the acknowledgement is immediate and the background
    task is registered before Slack hears back. Pass a `session` (made inside the event
    loop) to reuse Web API connections; without one, every call opens a connection."""
    client = AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        session=session,
        retry_handlers=retry_handlers(),
    )
    app = AsyncApp(
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=True,
        request_verification_enabled=True,
    )
    register(app, practice)
    return app


def retry_handlers() -> list[AsyncRetryHandler]:
    """slack_sdk's defaults (connection errors) plus waiting out a 429 "ratelimited": the
    turn is already stored, so a reply given up on is a reply the learner never sees."""
    return [*async_default_handlers(), AsyncRateLimitErrorRetryHandler(max_retry_count=5)]


def register(app: AsyncApp, practice: Practice) -> None:
    @app.event("message")
    async def on_message(body: Payload, event: Payload, client: AsyncWebClient) -> None:
        turn = message_turn(body, event)
        if turn is not None:
            practice.accept(turn, client)

    @app.command("/roleplay")
    async def on_command(ack: Any, command: Payload, client: AsyncWebClient) -> None:
        practice.accept(command_turn(command), client)
        await ack()

    @app.action(START_ACTION)
    async def on_start(ack: Any, body: Payload, action: Payload, client: AsyncWebClient) -> None:
        practice.accept(start_turn(body, action), client)
        await ack()

    @app.event("app_home_opened")
    async def on_home(body: Payload, event: Payload, client: AsyncWebClient) -> None:
        if event.get("tab") == "home":
            who = learner(body.get("team_id", ""), event["user"])
            practice.spawn(practice.publish_home(client, who, event["user"]))

    @app.error
    async def on_error(error: Exception, body: Payload) -> None:
        log.error("Slack request failed: %s (%s)", error, body.get("type"), exc_info=error)

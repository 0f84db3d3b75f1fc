"""The Slack surface: Bolt listeners that turn Slack payloads into inbox messages and back.

Each listener only translates the payload into an engine `Inbound` plus where the answer
goes, hands it to the shared `DeliveryWorker` (which stores it in the inbox) and only then
acknowledges, so a message Slack has been told we received is already on disk. The worker
plays the turn and sends the answer through `SlackSurface`.

Where answers go: practice lives in the learner's direct messages with the app. A reply
that starts a session posts the briefing as a new top-level message and everything after
it in that message's thread. Other answers go where the learner wrote: in the thread they
replied in, or top-level. The thread's timestamp is kept with the sent briefing in the
outbox, so a reply resumed after a crash still lands in its thread.

Redelivery: Slack retries an event whose acknowledgement it did not see; the inbox is keyed
on the event id, so a retry stores nothing new and sends nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncRateLimitErrorRetryHandler,
    async_default_handlers,
)
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.adapters.slack.blocks import DISPUTE_ACTION, START_ACTION, home_view, render
from bot.adapters.slack.blocks import unescape as unescape
from bot.adapters.slack.settings import SlackSettings
from bot.delivery import DeliveryWorker, PermanentError
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Reply, Scorecard
from bot.storage.base import OutboxItem

log = logging.getLogger(__name__)
Payload = dict[str, Any]
PLATFORM = "slack"
ELSEWHERE = "Your practice is in our direct messages."
METADATA_EVENT = "roleplay_reply"  # every post carries its outbox id, to find it after a crash
RECENT = 50
# Errors after which sending the same message again can never succeed.
PERMANENT = {
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "account_inactive",
    "user_not_found",
    "invalid_blocks",
    "msg_too_long",
    "no_text",
    "invalid_auth",
    "not_authed",
    "token_revoked",
}


@dataclass(frozen=True)
class Destination:
    team: str
    user: str  # the Slack user: their DM (a user id posts there) and their App Home
    channel: str  # a DM channel id, or the user id
    thread_ts: str | None = None
    response_url: str | None = None  # slash commands: where to say the answer is in the DM
    origin_channel: str | None = None


@dataclass(frozen=True)
class Incoming:
    inbound: Inbound
    to: Destination


# --- Slack payload → Incoming -------------------------------------------------------------------


def learner(team_id: str, user_id: str, name: str = "") -> Learner:
    """Slack user ids are unique per workspace, so the team is part of the identity."""
    return Learner(PLATFORM, f"{team_id}:{user_id}", name)


def message_turn(body: Payload, event: Payload) -> Incoming | None:
    """A learner's DM, or None for bots, edits, deletions, joins and non-DM channels."""
    if event.get("subtype") or event.get("bot_id") or event.get("channel_type") != "im":
        return None
    user, text = event.get("user"), event.get("text")
    if not user or text is None:
        return None
    team = body.get("team_id") or event.get("team") or ""
    message_id = body.get("event_id") or f"{event['channel']}:{event['ts']}"
    inbound = Inbound(learner(team, user), unescape(text), f"event:{message_id}")
    return Incoming(inbound, Destination(team, user, event["channel"], event.get("thread_ts")))


def command_turn(command: Payload) -> Incoming:
    """`/roleplay hint` → engine text `/hint`; a bare `/roleplay` shows the scenario picker."""
    words = unescape(command.get("text") or "").strip().lstrip("/")
    text = "/" + (words or "scenarios")
    user = command["user_id"]
    team = command.get("team_id", "")
    who = learner(team, user, command.get("user_name", ""))
    to = Destination(
        team,
        user,
        user,
        response_url=command.get("response_url"),
        origin_channel=command.get("channel_id"),
    )
    return Incoming(Inbound(who, text, f"command:{command['trigger_id']}"), to)


def start_turn(body: Payload, action: Payload) -> Incoming:
    """A Start button from a picker (in a DM, an ephemeral message or the Home tab)."""
    team, user = clicker(body)
    value = " ".join(str(action.get("value", "")).split())
    inbound = Inbound(learner(team, user), f"/start {value}", f"action:{body['trigger_id']}")
    return Incoming(inbound, Destination(team, user, user))


def clicker(body: Payload) -> tuple[str, str]:
    """(team, user) of whoever clicked a button."""
    user = body["user"]
    return user.get("team_id") or (body.get("team") or {}).get("id", ""), user["id"]


def dispute_turn(body: Payload) -> Incoming:
    """The Dispute button under a reply's feedback: contests that learner's last turn."""
    team, user = clicker(body)
    thread = (body.get("message") or {}).get("thread_ts")
    channel = (body.get("channel") or {}).get("id") or user
    inbound = Inbound(learner(team, user), "/dispute", f"action:{body['trigger_id']}")
    return Incoming(inbound, Destination(team, user, channel, thread_ts=thread))


# --- Reply → outbox → Slack calls -----------------------------------------------------------


class SlackSurface:
    """Renders replies as Slack calls for the outbox and makes those calls."""

    platform = PLATFORM
    max_in_flight = 0  # a resent post is first looked up by its metadata, so none is doubled

    def __init__(self, trainer: Trainer, client: AsyncWebClient) -> None:
        self.trainer = trainer
        self.client = client

    def direct(self, user_id: str) -> dict[str, Any]:
        team, _, user = user_id.partition(":")
        return asdict(Destination(team, user, user))  # a user id posts to the app's DM

    def render(self, reply: Reply, destination: Mapping[str, Any]) -> list[Payload]:
        to = Destination(**destination)
        calls: list[Payload] = [{"call": "post", **asdict(message)} for message in render(reply)]
        if to.response_url and not (to.origin_channel or "").startswith("D"):
            calls.append({"call": "respond", "text": ELSEWHERE})
        cards = reply.of_type(Scorecard)
        if reply.ended and cards:
            calls.append({"call": "home", "view": self.home(to, cards[-1])})
        return calls

    def home(self, to: Destination, card: Scorecard | None) -> Payload:
        """The App Home view (calls the engine: run it where engine calls run)."""
        who = learner(to.team, to.user)
        return home_view(
            self.trainer.progress(who),
            card,
            self.trainer.scenarios(),
            self.trainer.assignments(who),
            self.trainer.team_summaries(who),
        )

    async def send(self, item: OutboxItem, earlier: Sequence[OutboxItem]) -> str:
        to, call = Destination(**item.destination), item.payload
        try:
            if call["call"] == "respond":
                assert to.response_url
                await AsyncWebhookClient(to.response_url).send(
                    text=call["text"], response_type="ephemeral"
                )
                return "respond"
            if call["call"] == "home":
                await self.client.views_publish(user_id=to.user, view=call["view"])
                return "home"
            if item.attempts > 1:  # a crash may have hit between posting and marking it sent
                found = await self._posted_before(to, item, earlier)
                if found:
                    return found
            return await self._post(to, item, earlier)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in PERMANENT:
                raise PermanentError(error) from exc
            raise

    async def _post(self, to: Destination, item: OutboxItem, earlier: Sequence[OutboxItem]) -> str:
        call = item.payload
        channel, thread = _placement(to, item, earlier)
        response = await self.client.chat_postMessage(
            channel=channel,
            text=call["text"],
            blocks=list(call["blocks"]) or None,
            thread_ts=thread,
            unfurl_links=False,
            unfurl_media=False,
            metadata={"event_type": METADATA_EVENT, "event_payload": {"outbox_id": item.id}},
        )
        return f"{response['channel']} {response['ts']}"

    async def _posted_before(
        self, to: Destination, item: OutboxItem, earlier: Sequence[OutboxItem]
    ) -> str | None:
        """The message this outbox row already became, found by the metadata we post with."""
        channel, thread = _placement(to, item, earlier)
        if channel.startswith("U"):
            opened = await self.client.conversations_open(users=channel)
            channel = opened["channel"]["id"]
        if thread:
            found = await self.client.conversations_replies(
                channel=channel, ts=thread, include_all_metadata=True, limit=RECENT
            )
        else:
            found = await self.client.conversations_history(
                channel=channel, include_all_metadata=True, limit=RECENT
            )
        for message in found.get("messages") or []:
            payload = (message.get("metadata") or {}).get("event_payload") or {}
            if payload.get("outbox_id") == item.id:
                return f"{channel} {message['ts']}"
        return None


def _placement(
    to: Destination, item: OutboxItem, earlier: Sequence[OutboxItem]
) -> tuple[str, str | None]:
    """(channel, thread) of a post: the reply so far knows its DM and the thread it opened."""
    channel, thread = to.channel, to.thread_ts
    for sent in earlier:
        if sent.payload.get("call") == "post" and sent.platform_id:
            channel, ts = sent.platform_id.split(" ", 1)
            if sent.payload.get("starts_thread"):
                thread = ts
    return channel, None if item.payload.get("starts_thread") else thread


# --- the Bolt app ----------------------------------------------------------------------------


def web_client(settings: SlackSettings, session: aiohttp.ClientSession | None) -> AsyncWebClient:
    """Pass a `session` (made inside the event loop) to reuse Web API connections."""
    return AsyncWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        session=session,
        retry_handlers=retry_handlers(),
    )


def build_app(settings: SlackSettings, worker: DeliveryWorker, client: AsyncWebClient) -> AsyncApp:
    """The Bolt app. Listeners run before the response (`process_before_response`): they
    store the message in the inbox, so Slack's 200 means the message is on disk."""
    app = AsyncApp(
        client=client,
        signing_secret=settings.signing_secret,
        process_before_response=True,
        request_verification_enabled=True,
    )
    register(app, worker)
    return app


def retry_handlers() -> list[AsyncRetryHandler]:
    """slack_sdk's defaults (connection errors) plus waiting out a 429 "ratelimited": the
    turn is already stored, so a reply given up on is a reply the learner never sees."""
    return [*async_default_handlers(), AsyncRateLimitErrorRetryHandler(max_retry_count=5)]


async def accept(worker: DeliveryWorker, turn: Incoming) -> None:
    await worker.accept(turn.inbound, asdict(turn.to))


def register(app: AsyncApp, worker: DeliveryWorker) -> None:
    @app.event("message")
    async def on_message(body: Payload, event: Payload) -> None:
        turn = message_turn(body, event)
        if turn is not None:
            await accept(worker, turn)

    @app.command("/roleplay")
    async def on_command(ack: Any, command: Payload) -> None:
        await accept(worker, command_turn(command))
        await ack()

    @app.action(START_ACTION)
    async def on_start(ack: Any, body: Payload, action: Payload) -> None:
        await accept(worker, start_turn(body, action))
        await ack()

    @app.action(DISPUTE_ACTION)
    async def on_dispute(ack: Any, body: Payload) -> None:
        await accept(worker, dispute_turn(body))
        await ack()

    @app.event("app_home_opened")
    async def on_home(body: Payload, event: Payload, client: AsyncWebClient) -> None:
        if event.get("tab") == "home":
            await publish_home(worker, client, body.get("team_id", ""), event["user"])

    @app.error
    async def on_error(error: Exception, body: Payload) -> None:
        log.error("Slack request failed: %s (%s)", error, body.get("type"), exc_info=error)


async def publish_home(
    worker: DeliveryWorker, client: AsyncWebClient, team_id: str, user: str
) -> None:
    """The Home tab on opening it: progress and the last scorecard (a read, not a turn)."""
    who = learner(team_id, user)

    def view() -> Payload:
        cards = worker.trainer.handle(Inbound(who, "/score")).of_type(Scorecard)
        surface = SlackSurface(worker.trainer, client)
        return surface.home(Destination(team_id, user, user), cards[0] if cards else None)

    try:
        await client.views_publish(user_id=user, view=await worker.call_engine(view))
    except Exception:
        log.exception("could not publish the Home tab of %s", user)

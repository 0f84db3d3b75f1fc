"""A stand-in for Slack on loopback: the Web API the app calls, and what Slack sends it.

`FakeSlack` answers the Web API methods the app uses (recording every call), a
`response_url`, and a Socket Mode websocket. The payload builders below produce the
bodies and signed headers Slack would send. `roleplay slack-load` and the tests use both;
nothing here is imported by the running app.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode

from aiohttp import WSMsgType, web
from slack_sdk.signature import SignatureVerifier

Payload = dict[str, Any]
BOT_USER = "UBOT"
BOT_ID = "BBOT"


@dataclass(frozen=True)
class Call:
    method: str  # Web API method, or "response_url"
    params: Payload

    @property
    def channel(self) -> str:
        return self.params.get("channel", "")

    @property
    def text(self) -> str:
        return self.params.get("text", "")

    @property
    def blocks(self) -> list[Payload]:
        return self.params.get("blocks") or []

    @property
    def thread_ts(self) -> str | None:
        return self.params.get("thread_ts")

    @property
    def ts(self) -> str:
        return self.params.get("ts", "")

    def shows(self) -> str:
        """Every piece of text a user would read in this message, joined by newlines."""
        return "\n".join([self.text, *_texts(self.blocks), *_texts(self.params.get("view"))])


def _texts(node: Any) -> list[str]:
    """Every string under a "text" key, depth first."""
    if isinstance(node, list):
        return [t for item in node for t in _texts(item)]
    if not isinstance(node, dict):
        return []
    found: list[str] = []
    for key, value in node.items():
        if key == "text" and isinstance(value, str):
            found.append(value)
        else:
            found.extend(_texts(value))
    return found


def _resolve(channel: str) -> str:
    """Posting to a user id posts in the app's DM with them, as on Slack."""
    return dm_channel(channel) if channel.startswith("U") else channel


def dm_channel(user_id: str) -> str:
    """The fake's id of the app's DM with a user."""
    return f"D{user_id}"


@dataclass
class FakeSlack:
    team_id: str = "T1"
    calls: list[Call] = field(default_factory=list)
    posted_in: Counter[str] = field(default_factory=Counter)  # chat.postMessage per channel
    socket_acks: dict[str, Payload] = field(default_factory=dict)
    refused: list[Call] = field(default_factory=list)  # posts answered with 429
    _limits: dict[str, int] = field(default_factory=dict)  # channel -> Retry-After seconds
    port: int = 0
    _ts: itertools.count = field(default_factory=lambda: itertools.count(1))
    _sockets: list[web.WebSocketResponse] = field(default_factory=list)
    _runner: web.AppRunner | None = None
    _changed: asyncio.Condition | None = None

    # --- lifecycle ---------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeSlack:
        app = web.Application()
        app.router.add_post("/api/{method}", self._api)
        app.router.add_get("/api/{method}", self._api)
        app.router.add_post("/respond/{token}", self._respond)
        app.router.add_get("/socket", self._socket)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._changed = asyncio.Condition()
        return self

    async def stop(self) -> None:
        for ws in list(self._sockets):
            await ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self) -> str:
        return f"{self.url}/respond/{uuid.uuid4().hex}"

    # --- what the app did ----------------------------------------------------------------

    def of(self, method: str, channel: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if c.method == method and (channel is None or c.channel == channel)
        ]

    def posts(self, channel: str | None = None) -> list[Call]:
        return self.of("chat.postMessage", channel)

    def rate_limit(self, channel: str, retry_after: int = 1) -> None:
        """Refuse the next chat.postMessage to `channel` with 429, as Slack's rate limits do."""
        self._limits[channel] = retry_after

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def _record(self, call: Call) -> None:
        self.calls.append(call)
        assert self._changed is not None
        async with self._changed:
            self._changed.notify_all()

    # --- Web API -----------------------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await _params(request)
        if method == "chat.postMessage":
            retry_after = self._limits.pop(_resolve(params.get("channel", "")), None)
            if retry_after is not None:
                self.refused.append(Call(method, params))
                refusal = {"ok": False, "error": "ratelimited"}
                headers = {"Retry-After": str(retry_after)}
                return web.json_response(refusal, status=429, headers=headers)
        answer = self._answer(method, params)
        if method == "chat.postMessage":
            params = {**params, "channel": answer["channel"], "ts": answer["ts"]}
            self.posted_in[answer["channel"]] += 1
        await self._record(Call(method, params))
        return web.json_response(answer)

    def _answer(self, method: str, params: Payload) -> Payload:
        if method == "auth.test":
            return {"ok": True, "user_id": BOT_USER, "bot_id": BOT_ID, "team_id": self.team_id}
        if method == "chat.postMessage":
            channel = _resolve(params.get("channel", ""))
            return {"ok": True, "channel": channel, "ts": self.next_ts()}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": self.next_ts()}
        if method == "views.publish":
            return {"ok": True, "view": params.get("view", {})}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": _resolve(params.get("users", ""))}}
        if method in ("conversations.history", "conversations.replies"):
            return {"ok": True, "messages": self._messages(method, params)}
        if method == "apps.connections.open":
            return {"ok": True, "url": f"ws://127.0.0.1:{self.port}/socket"}
        return {"ok": False, "error": "unknown_method"}

    def _messages(self, method: str, params: Payload) -> list[Payload]:
        """Newest first, as Slack lists them: the channel's top level, or one thread."""
        channel, thread = params.get("channel", ""), params.get("ts")
        posts = [c for c in self.posts(channel) if c.thread_ts == thread or c.ts == thread]
        if method == "conversations.history":
            posts = [c for c in self.posts(channel) if not c.thread_ts]
        limit = int(params.get("limit", 100))
        keep_metadata = params.get("include_all_metadata") in ("1", "true", "True")
        return [
            {"ts": c.ts, "text": c.text}
            | (
                {"metadata": c.params["metadata"]}
                if keep_metadata and "metadata" in c.params
                else {}
            )
            for c in reversed(posts)
        ][:limit]

    def next_ts(self) -> str:
        n = next(self._ts)
        return f"{1_700_000_000 + n}.{n:06d}"

    async def _respond(self, request: web.Request) -> web.Response:
        await self._record(Call("response_url", await request.json()))
        return web.Response(text="ok")

    # --- Socket Mode -------------------------------------------------------------------------

    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._sockets.append(ws)
        await ws.send_json({"type": "hello", "num_connections": 1})
        await self._record(Call("socket.connected", {}))
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                ack = json.loads(message.data)
                self.socket_acks[ack["envelope_id"]] = ack
                await self._record(Call("socket.ack", ack))
        self._sockets.remove(ws)
        return ws

    async def send_envelope(
        self, kind: str, payload: Payload, retry_attempt: int = 0, retry_reason: str = ""
    ) -> str:
        """Push one envelope to the connected app; its ack arrives in `socket_acks`."""
        envelope_id = uuid.uuid4().hex
        envelope: Payload = {"envelope_id": envelope_id, "type": kind, "payload": payload}
        if kind == "events_api":
            envelope |= {"retry_attempt": retry_attempt, "retry_reason": retry_reason}
        await self._sockets[-1].send_json(envelope)
        return envelope_id


async def _params(request: web.Request) -> Payload:
    """slack_sdk sends JSON for some methods and form fields (JSON inside) for others."""
    if request.method == "GET":
        return dict(request.query)
    if request.content_type == "application/json":
        return await request.json()
    form = dict(parse_qsl(await request.text()))
    for key in ("blocks", "view", "attachments"):
        if key in form:
            form[key] = json.loads(form[key])
    return form


# --- what Slack sends ----------------------------------------------------------------------


class Sender:
    """Builds Slack's requests, with a fresh id per delivery unless one is given."""

    def __init__(self, signing_secret: str, team_id: str = "T1") -> None:
        self.verifier = SignatureVerifier(signing_secret)
        self.team_id = team_id
        self._n = itertools.count(1)

    def headers(
        self, body: str, content_type: str, timestamp: int | None = None, retry: int = 0
    ) -> dict[str, str]:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        headers: dict[str, str] = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": self.verifier.generate_signature(timestamp=ts, body=body) or "",
        }
        if retry:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return headers

    def event(self, event: Payload, event_id: str | None = None) -> Payload:
        return {
            "type": "event_callback",
            "team_id": self.team_id,
            "api_app_id": "A1",
            "event": event,
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:12].upper()}",
            "event_time": int(time.time()),
        }

    def dm(self, user: str, text: str, thread_ts: str | None = None, **extra: Any) -> Payload:
        """A message.im event: `user` wrote `text` in the app's DM."""
        event = {
            "type": "message",
            "channel_type": "im",
            "channel": dm_channel(user),
            "user": user,
            "text": text,
            "ts": f"{time.time():.6f}",
            **extra,
        }
        if thread_ts:
            event["thread_ts"] = thread_ts
        return event

    def home_opened(self, user: str, tab: str = "home") -> Payload:
        return {"type": "app_home_opened", "user": user, "channel": dm_channel(user), "tab": tab}

    def command(
        self, user: str, text: str, channel: str | None = None, response_url: str = ""
    ) -> Payload:
        return {
            "command": "/roleplay",
            "text": text,
            "team_id": self.team_id,
            "user_id": user,
            "user_name": user.lower(),
            "channel_id": channel or dm_channel(user),
            "trigger_id": f"{next(self._n)}.{uuid.uuid4().hex}",
            "response_url": response_url,
        }

    def click(self, user: str, action_id: str, value: str, channel: str | None = None) -> Payload:
        body: Payload = {
            "type": "block_actions",
            "team": {"id": self.team_id},
            "user": {"id": user, "team_id": self.team_id},
            "trigger_id": f"{next(self._n)}.{uuid.uuid4().hex}",
            "actions": [{"type": "button", "action_id": action_id, "value": value}],
        }
        if channel:
            body["channel"] = {"id": channel}
        return body


def form_body(payload: Payload) -> str:
    """Slash commands arrive as form fields; interactivity as one JSON `payload` field."""
    if "command" in payload:
        return urlencode(payload)
    return urlencode({"payload": json.dumps(payload)})


FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def encode(payload: Payload) -> tuple[str, str]:
    """(body, content type) of a payload built by `Sender`."""
    if payload.get("type") == "event_callback":
        return json.dumps(payload), JSON
    return form_body(payload), FORM

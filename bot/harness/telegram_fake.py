"""A fake Telegram on loopback: a Bot API server that records calls, and updates shaped
exactly as Telegram sends them. Used by the tests and by `roleplay telegram-load`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

BOT_USER = {
    "id": 7000000001,
    "is_bot": True,
    "first_name": "Roleplay Trainer",
    "username": "roleplay_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}
POLL_WAIT = 0.5  # longest a getUpdates long poll waits here, whatever timeout is asked


@dataclass(frozen=True)
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class Hold:
    """Parks the next sendMessage to one chat until `release` is set."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


class FakeBotApi:
    """Answers the Bot API methods the bot uses, in the shapes Telegram returns."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.refused: list[Call] = []  # sends answered with 429
        self.url = ""
        self._updates: list[dict[str, Any]] = []
        self._new_update = asyncio.Event()
        self._holds: dict[int, Hold] = {}
        self._floods: dict[int, int] = {}  # chat id -> seconds to ask the next send to wait
        self._message_ids = itertools.count(10_000)
        self.sent_to: Counter[int] = Counter()  # sendMessage calls per chat
        self._changed: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> FakeBotApi:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._answer)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        bound_host, bound_port = self._runner.addresses[0][:2]
        self.url = f"http://{bound_host}:{bound_port}"
        self._changed = asyncio.Condition()
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- what tests use -------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> None:
        """Queue an update for the next getUpdates (long polling)."""
        self._updates.append(update)
        self._new_update.set()

    def hold(self, chat_id: int) -> Hold:
        self._holds[chat_id] = hold = Hold()
        return hold

    def rate_limit(self, chat_id: int, retry_after: int = 1) -> None:
        """Refuse the next sendMessage to one chat as Telegram's flood control does (429)."""
        self._floods[chat_id] = retry_after

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls_to("sendMessage") if chat_id in (None, c.params["chat_id"])]

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [c.params["text"] for c in self.sent(chat_id)]

    # --- the server -----------------------------------------------------------------

    async def _answer(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = {k: _decode(k, v) for k, v in (await request.post()).items()}
        if method == "getUpdates":
            return _ok(await self._get_updates(params))
        if method == "sendMessage":
            retry_after = self._floods.pop(params["chat_id"], None)
            if retry_after is not None:
                self.refused.append(Call(method, params))
                return _too_many_requests(retry_after)
            await self._maybe_hold(params["chat_id"])
        result = self._result(method, params)
        if method == "sendMessage":
            params = {**params, "message_id": result["message_id"]}
            self.sent_to[params["chat_id"]] += 1
        self.calls.append(Call(method, params))
        if self._changed is not None:
            async with self._changed:
                self._changed.notify_all()
        return _ok(result)

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 30.0) -> None:
        """Wait until `predicate()` holds, re-checked after every call the fake answers."""
        assert self._changed is not None
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset", 0))
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            wait = min(float(params.get("timeout", 0)), POLL_WAIT)
            try:
                await asyncio.wait_for(self._new_update.wait(), wait)
            except TimeoutError:
                return []
        return list(self._updates)

    async def _maybe_hold(self, chat_id: int) -> None:
        hold = self._holds.pop(chat_id, None)
        if hold is not None:
            hold.reached.set()
            await hold.release.wait()

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "sendMessage":
            return self._message(params["chat_id"], next(self._message_ids), params)
        if method == "editMessageReplyMarkup":
            return self._message(params["chat_id"], params["message_id"], params)
        return True

    def _message(self, chat_id: int, message_id: int, params: dict[str, Any]) -> dict[str, Any]:
        chat_type = "private" if chat_id > 0 else "supergroup"
        message = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": chat_type},
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "text": params.get("text", ""),
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message


STRING_FIELDS = frozenset({"text", "caption", "callback_query_id", "url", "secret_token"})


def _decode(key: str, value: Any) -> Any:
    """PTB form-encodes each field; strings are sent as they are, other values as JSON."""
    if not isinstance(value, str) or key in STRING_FIELDS:
        return value
    if value[:1] in "{[" or value in ("true", "false") or value.lstrip("-").isdigit():
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _too_many_requests(retry_after: int) -> web.Response:
    body = {
        "ok": False,
        "error_code": 429,
        "description": f"Too Many Requests: retry after {retry_after}",
        "parameters": {"retry_after": retry_after},
    }
    return web.json_response(body, status=429)


class TelegramUser:
    """Makes the updates Telegram sends when this person writes to the bot."""

    def __init__(self, user_id: int, first_name: str = "Ana", chat: dict | None = None) -> None:
        self.user = {
            "id": user_id,
            "is_bot": False,
            "first_name": first_name,
            "language_code": "en",
        }
        self.chat = chat or {"id": user_id, "first_name": first_name, "type": "private"}
        self._message_ids = itertools.count(1)

    def message(self, update_id: int, text: str) -> dict[str, Any]:
        """A text message; a leading /command gets its bot_command entity as Telegram adds."""
        body: dict[str, Any] = {"text": text}
        command = text.split()[0] if text.startswith("/") and text.strip() else ""
        if command:
            body["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._update(update_id, body)

    def sticker(self, update_id: int) -> dict[str, Any]:
        return self._update(
            update_id,
            {
                "sticker": {
                    "file_id": "CAACAgIAAxkBAAIB",
                    "file_unique_id": "AgADBQADwDZPEw",
                    "type": "regular",
                    "width": 512,
                    "height": 512,
                    "is_animated": False,
                    "is_video": False,
                    "emoji": "👍",
                }
            },
        )

    def photo(self, update_id: int) -> dict[str, Any]:
        sizes = [
            {
                "file_id": f"AgACAgIAAxkBAAIC{w}",
                "file_unique_id": f"AQAD{w}",
                "width": w,
                "height": w,
                "file_size": w * 40,
            }
            for w in (90, 320, 800)
        ]
        return self._update(update_id, {"photo": sizes, "caption": "my notes"})

    def voice(self, update_id: int) -> dict[str, Any]:
        return self._update(
            update_id,
            {
                "voice": {
                    "file_id": "AwACAgIAAxkBAAID",
                    "file_unique_id": "AgADVgAD",
                    "duration": 3,
                    "mime_type": "audio/ogg",
                    "file_size": 9000,
                }
            },
        )

    def tap(self, update_id: int, data: str, on_message: int = 10_000) -> dict[str, Any]:
        """A tap on an inline button under one of the bot's messages."""
        message = {
            "message_id": on_message,
            "date": int(time.time()),
            "chat": self.chat,
            "from": {k: BOT_USER[k] for k in ("id", "is_bot", "first_name", "username")},
            "text": "Scenarios",
        }
        return {
            "update_id": update_id,
            "callback_query": {
                "id": f"{self.user['id']}{update_id}",
                "from": self.user,
                "message": message,
                "chat_instance": "-4213",
                "data": data,
            },
        }

    def _update(self, update_id: int, body: dict[str, Any]) -> dict[str, Any]:
        message = {
            "message_id": next(self._message_ids),
            "from": self.user,
            "chat": self.chat,
            "date": int(time.time()),
            **body,
        }
        return {"update_id": update_id, "message": message}

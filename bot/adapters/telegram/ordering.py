"""Per-chat ordering with concurrency across chats.

PTB either processes one update at a time (ordered but slow) or all concurrently (fast but
two quick messages in one chat may be applied out of order). This processor runs updates
concurrently and queues those of one chat behind one `asyncio.Lock`, which wakes waiters
in arrival order. A lock is dropped once nobody holds or waits for it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

DEFAULT_CONCURRENCY = 256


def chat_key(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_chat is not None:
        return update.effective_chat.id
    return None


class ChatOrderedProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int = DEFAULT_CONCURRENCY) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = chat_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._users[key] -= 1
            if not self._users[key]:
                del self._users[key], self._locks[key]

    @property
    def active_chats(self) -> int:
        return len(self._locks)

    async def initialize(self) -> None:
        """Nothing to set up: locks are made on first use."""

    async def shutdown(self) -> None:
        """Nothing to free: locks go with their last user."""

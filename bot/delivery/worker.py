"""The delivery worker: inbox → engine turn → outbox → platform, one learner at a time.

Every surface runs one `DeliveryWorker` in its event loop. `accept` stores a platform's
message in the inbox (the adapter acknowledges the platform only after it returns); a drain
task per learner then plays that learner's pending messages in arrival order and sends the
outbox in order. Engine calls run on one thread and queue bookkeeping on another, so
neither blocks the event loop or the other.

The database is the only state that matters: a sweep on start-up and every few seconds
picks up whatever a crashed process (or another worker on the same file) left behind. Each
turn is claimed inside its own write transaction, so two workers never play one message;
each outbound message is claimed before it is sent, so only a message in flight at the
moment of a crash can go twice.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

from bot.delivery.reminders import queue_reminders
from bot.delivery.surface import PermanentError, Surface
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Notice, Reply
from bot.storage.base import Backlog, InboxItem, OutboxItem, QueueStore

log = logging.getLogger(__name__)
T = TypeVar("T")

SORRY = "Sorry, something went wrong on my side. Your practice is saved; try again in a moment."
SWEEP_SECONDS = 2.0
REMIND_SECONDS = 60.0
LEASE_SECONDS = 30.0  # a claim older than this is taken to belong to a dead worker
GIVE_UP_SECONDS = 15 * 60  # a message not delivered by then is marked failed
SEND_TIMEOUT = 60.0
TURN_ATTEMPTS = 3


class Closing(Exception):
    """The worker is shutting down and takes no new messages (answer the platform 503)."""


class DeliveryWorker:
    def __init__(
        self,
        trainer: Trainer,
        store: QueueStore,
        surface: Surface,
        *,
        sweep_seconds: float = SWEEP_SECONDS,
        lease_seconds: float = LEASE_SECONDS,
        give_up_seconds: float = GIVE_UP_SECONDS,
    ) -> None:
        self.trainer = trainer
        self.store = store
        self.surface = surface
        self.platform = surface.platform
        self.sweep_seconds = sweep_seconds
        self.lease_seconds = lease_seconds
        self.give_up_seconds = give_up_seconds
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._engine = ThreadPoolExecutor(1, thread_name_prefix="roleplay-turn")
        self._queue = ThreadPoolExecutor(1, thread_name_prefix="roleplay-queue")
        # Two writes skip the queue: the inbox insert a platform's acknowledgement waits for,
        # and the "sent" mark (a message sent but not yet marked is what a crash doubles).
        self._inbox = ThreadPoolExecutor(1, thread_name_prefix="roleplay-inbox")
        self._marks = ThreadPoolExecutor(1, thread_name_prefix="roleplay-sent")
        self._drains: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._sweeper: asyncio.Task[None] | None = None
        self._in_flight = asyncio.Semaphore(surface.max_in_flight or 1_000_000)
        self._closing = False
        self._reminded_at = 0.0

    # --- lifecycle -------------------------------------------------------------------

    async def start(self) -> None:
        """Free what dead workers of this host had claimed, then sweep now and on a timer."""
        await self._run_queue(self._release_dead_claims)
        await self.sweep()
        self._sweeper = asyncio.create_task(self._sweep_forever())

    async def close(self, timeout: float = 20.0) -> None:
        """Take nothing new, finish the turns in hand and flush the outbox (bounded)."""
        self._closing = True
        if self._sweeper is not None:
            self._sweeper.cancel()
        deadline = time.monotonic() + timeout
        await self.sweep(force=True)
        while self._drains and time.monotonic() < deadline:
            await asyncio.wait(list(self._drains.values()), timeout=deadline - time.monotonic())
        for executor in (self._engine, self._queue, self._inbox, self._marks):
            executor.shutdown(wait=True)

    @property
    def closing(self) -> bool:
        return self._closing

    async def join(self) -> None:
        """Wait until every accepted message has been played and its answer sent."""
        while self._drains:
            await asyncio.gather(*list(self._drains.values()), return_exceptions=True)

    async def backlog(self) -> Backlog:
        return await self._run_queue(self.store.backlog, self.platform)

    # --- in ----------------------------------------------------------------------------

    async def accept(self, inbound: Inbound, destination: Mapping[str, Any]) -> bool:
        """Store a platform's message durably; False if this delivery was stored before.

        Acknowledge the platform only after this returns: from then on the message is on
        disk and will be played, here or by the next worker to start."""
        if self._closing:
            raise Closing()
        who = inbound.learner
        new = await asyncio.get_running_loop().run_in_executor(
            self._inbox,
            self.store.receive,
            self.platform,
            who.user_id,
            who.name,
            inbound.message_id or f"local:{uuid.uuid4().hex}",
            inbound.text,
            dict(destination),
        )
        self.kick(who.user_id)
        return new

    def kick(self, user_id: str) -> None:
        """Make sure a drain task is (or will again be) working on this learner."""
        if user_id in self._drains:
            self._again.add(user_id)
            return
        task = asyncio.create_task(self._drain(user_id))
        self._drains[user_id] = task
        task.add_done_callback(lambda _: self._drains.pop(user_id, None))

    async def sweep(self, force: bool = False) -> None:
        """Kick every learner with a pending message in or a due message out."""
        if self._closing and not force:
            return
        now = time.time()
        due = await self._run_queue(
            self.store.due_learners, self.platform, now, now - self.lease_seconds
        )
        if not self._closing and time.monotonic() - self._reminded_at >= REMIND_SECONDS:
            self._reminded_at = time.monotonic()
            due += await self._run_queue(self.queue_reminders)
        for user_id in dict.fromkeys(due):
            self.kick(user_id)

    def queue_reminders(self) -> list[str]:
        today = datetime.now(UTC).date()
        return queue_reminders(self.store, self.platform, self.surface.direct, today)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.sweep_seconds)
            try:
                await self.sweep()
            except Exception:
                log.exception("sweep failed; trying again in %.0f s", self.sweep_seconds)

    # --- a learner's queue ---------------------------------------------------------------

    async def _drain(self, user_id: str) -> None:
        try:
            while True:
                self._again.discard(user_id)
                played = await self.call_engine(self.play_next, user_id)
                await self._deliver(user_id)
                if not played and user_id not in self._again:
                    return
        except Exception:
            log.exception("delivery for %s stopped; the next sweep resumes it", user_id)

    def play_next(self, user_id: str) -> bool:
        """Play the learner's oldest pending message; its answer joins the outbox in the same
        transaction. True if a message was taken off the inbox."""
        item: InboxItem | None = None
        early = self.store.next_inbox(self.platform, user_id)  # a read: no lock held yet
        prepared = self.trainer.prepare(_inbound(early)) if early else None
        try:
            with self.store.transaction():
                item = self.store.next_inbox(self.platform, user_id)
                if item is None:
                    return False
                ready = prepared if early is not None and early.id == item.id else None
                reply = self.trainer.handle(_inbound(item), ready)
                self.store.enqueue(item, self.surface.render(reply, item.destination))
                self.store.finish_inbox(item.id, "done")
            return True
        except Exception as exc:
            if item is None:
                raise
            log.exception("turn %s failed", item.message_id)
            return self._failed_turn(item, exc)

    def _failed_turn(self, item: InboxItem, exc: Exception) -> bool:
        """Try a failing turn a few times (the next sweep retries), then apologise."""
        if self.store.count_attempt(item.id, repr(exc)) < TURN_ATTEMPTS:
            return False
        apology = Reply((Notice(SORRY, "error"),))
        with self.store.transaction():
            self.store.finish_inbox(item.id, "failed", repr(exc))
            self.store.enqueue(item, self.surface.render(apology, item.destination))
        return True

    async def _deliver(self, user_id: str) -> None:
        """Send the learner's due messages in order; stop at one that must wait."""
        while True:
            now = time.time()
            item = await self._run_queue(
                self.store.claim_outbox,
                self.platform,
                user_id,
                self.worker_id,
                now,
                now - self.lease_seconds,
            )
            if item is None:
                return
            if not await self._send(item, now):
                return

    async def _send(self, item: OutboxItem, now: float) -> bool:
        earlier = await self._run_queue(self.store.delivered_before, item) if item.position else []
        try:
            async with self._in_flight:
                send = self.surface.send(item, earlier)
                platform_id = await asyncio.wait_for(send, SEND_TIMEOUT)
        except PermanentError as exc:
            log.error("message %s cannot be delivered: %s", item.id, exc)
            await self._run_queue(self.store.mark_failed, item.id, str(exc))
            return True
        except Exception as exc:
            if now - item.created_at > self.give_up_seconds:
                log.error("message %s not delivered in time, giving up: %r", item.id, exc)
                await self._run_queue(self.store.mark_failed, item.id, repr(exc))
                return True
            wait = min(60.0, 2.0 ** min(item.attempts, 6))
            log.warning("message %s not sent (%r); again in %.0f s", item.id, exc, wait)
            await self._run_queue(self.store.mark_retry, item.id, repr(exc), now + wait)
            return False
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(
            self._marks, self.store.mark_sent, item.id, platform_id, time.time()
        )
        return True

    # --- helpers -------------------------------------------------------------------------

    def _release_dead_claims(self) -> None:
        host = socket.gethostname()
        for worker in self.store.claimers():
            name, _, rest = worker.partition(":")
            pid = rest.partition(":")[0]
            if name == host and pid.isdigit() and worker != self.worker_id and not _alive(int(pid)):
                self.store.release_claims(worker)

    async def call_engine(self, fn: Callable[..., T], *args: Any) -> T:
        """Run `fn` on the engine thread (the one thread that plays turns)."""
        return await asyncio.get_running_loop().run_in_executor(self._engine, fn, *args)

    async def _run_queue(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._queue, fn, *args)


def _inbound(item: InboxItem) -> Inbound:
    return Inbound(Learner(item.platform, item.user_id, item.name), item.text, item.message_id)


def _alive(pid: int) -> bool:
    """Whether another process with this id runs here (our own id: an earlier incarnation)."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""`roleplay crash-test`: kill the real bot process at random moments and count what was lost.

This process plays the platform: a fake Web API (Slack) or Bot API (Telegram) on loopback,
and N learners who each start a scenario and send replies one at a time, as signed Slack
events or Telegram webhook updates. Platform retry rules are emulated: a delivery that got
no 200 (refused connection, reset, 5xx) is sent again, with the same event or update id,
until it gets one; a delivery that got its 200 is never sent again.

The bot runs as `roleplay slack --mode http` or `roleplay telegram` (webhook) in child
processes on one database file. At random moments one of them gets SIGKILL, the database's
integrity is checked, and it is started again. At the end every worker gets SIGTERM and
must exit 0 after draining. Then the database and the fake's record are compared:

- lost turns: messages acknowledged with 200 that were never played;
- replies missing: answers of played turns that never reached the fake platform;
- duplicate replies: messages the fake received more than once (a message in flight at
  the instant of a kill may go twice: its send happened, its "sent" mark did not).
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

import aiohttp

from bot.harness.slack_fake import FakeSlack, Sender, dm_channel, encode
from bot.harness.telegram_fake import FakeBotApi, TelegramUser

REPLIES = (
    "Hi, this is Sam from Kestrel. I'm calling because sales leaders tell us forecasting eats"
    " their Mondays. Could I ask a couple of quick questions?",
    "How do your managers put the forecast together each week?",
    "What's the hardest part of getting that number right?",
    "When the forecast misses, what does that do to your hiring plans?",
    "If you could trust the number, what would that be worth to you?",
    "Would Thursday at 2pm work for 20 minutes with your numbers?",
)
UP_SECONDS = 60.0
ANSWER_SECONDS = 30.0
DRAIN_SECONDS = 120.0


@dataclass
class CrashReport:
    surface: str
    workers: int
    learners: int
    kills: int = 0
    turns_sent: int = 0
    turns_stored: int = 0
    lost_turns: int = 0
    replies_missing: int = 0
    duplicate_replies: int = 0
    integrity: str = "ok"
    clean_exits: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def lines(self) -> list[str]:
        return [
            f"surface            {self.surface} ({self.workers} worker(s),"
            f" {self.learners} learners)",
            f"kills              {self.kills} (SIGKILL), integrity after each: {self.integrity}",
            f"turns sent         {self.turns_sent} acknowledged messages",
            f"turns stored       {self.turns_stored}",
            f"lost turns         {self.lost_turns}",
            f"replies missing    {self.replies_missing}",
            f"duplicate replies  {self.duplicate_replies}",
            f"clean exits        {self.clean_exits} of {self.workers} on SIGTERM",
            f"time               {self.seconds:.1f} s",
        ]


class Platform(Protocol):
    name: str

    def command(self, port: int) -> list[str]: ...

    def env(self, port: int) -> dict[str, str]: ...

    def delivery(self, learner: int, n: int, text: str) -> tuple[str, dict[str, str], bytes]:
        """(path, headers, body) of one delivery; the same call again is a redelivery."""
        ...

    def answers(self, learner: int) -> int: ...

    def received(self) -> Counter[str]:
        """Platform id of every message the fake received, counted."""
        ...


def _roleplay(*args: str) -> list[str]:
    return [sys.executable, "-c", "from bot.cli import main; main()", *args]


class SlackPlatform:
    name = "slack"

    def __init__(self, fake: FakeSlack, db: Path) -> None:
        self.fake, self.db = fake, db
        self.secret = secrets.token_hex(16)
        self.sender = Sender(self.secret, fake.team_id)
        self._events: dict[tuple[int, int], dict[str, Any]] = {}

    def command(self, port: int) -> list[str]:
        return _roleplay("slack", "--mode", "http", "--db", str(self.db))

    def env(self, port: int) -> dict[str, str]:
        return {
            "SLACK_BOT_TOKEN": "xoxb-crash-test",
            "SLACK_SIGNING_SECRET": self.secret,
            "SLACK_API_URL": self.fake.api_url,
            "SLACK_HOST": "127.0.0.1",
            "SLACK_PORT": str(port),
        }

    def delivery(self, learner: int, n: int, text: str) -> tuple[str, dict[str, str], bytes]:
        event = self._events.setdefault(
            (learner, n), self.sender.event(self.sender.dm(_slack_user(learner), text))
        )
        body, content_type = encode(event)
        return "/slack/events", self.sender.headers(body, content_type), body.encode()

    def answers(self, learner: int) -> int:
        return self.fake.posted_in[dm_channel(_slack_user(learner))]

    def received(self) -> Counter[str]:
        return Counter(f"{c.channel} {c.ts}" for c in self.fake.posts())


def _slack_user(learner: int) -> str:
    return f"U{learner:05d}"


class TelegramPlatform:
    name = "telegram"
    path = "/telegram/webhook"

    def __init__(self, fake: FakeBotApi, db: Path) -> None:
        self.fake, self.db = fake, db
        self.secret = secrets.token_urlsafe(24)
        self._ids: dict[tuple[int, int], int] = {}

    def command(self, port: int) -> list[str]:
        return _roleplay("telegram", "--db", str(self.db))

    def env(self, port: int) -> dict[str, str]:
        return {
            "TELEGRAM_BOT_TOKEN": "1234567:CRASH-TEST",
            "TELEGRAM_WEBHOOK_URL": f"https://crash.invalid{self.path}",
            "TELEGRAM_WEBHOOK_SECRET": self.secret,
            "TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            "TELEGRAM_API_URL": self.fake.url,
            "TELEGRAM_MAX_MESSAGES_PER_SECOND": "0",
        }

    def delivery(self, learner: int, n: int, text: str) -> tuple[str, dict[str, str], bytes]:
        update_id = self._ids.setdefault((learner, n), len(self._ids) + 1)
        update = TelegramUser(_tg_chat(learner), f"Rep{learner}").message(update_id, text)
        update["message"]["message_id"] = n + 1
        headers = {
            "X-Telegram-Bot-Api-Secret-Token": self.secret,
            "Content-Type": "application/json",
        }
        return self.path, headers, json.dumps(update).encode()

    def answers(self, learner: int) -> int:
        return len(self.fake.sent(_tg_chat(learner)))

    def received(self) -> Counter[str]:
        return Counter(f"{c.params['chat_id']} {c.params['message_id']}" for c in self.fake.sent())


def _tg_chat(learner: int) -> int:
    return 700_000 + learner


class Worker:
    """One bot process and the port it listens on; restarted after every kill."""

    def __init__(self, platform: Platform, log: Path) -> None:
        self.platform = platform
        self.port = _free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = {**os.environ, **self.platform.env(self.port), "PYTHONUNBUFFERED": "1"}
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.platform.command(self.port), env=env, stdout=out, stderr=out
            )

    async def wait_up(self, http: aiohttp.ClientSession) -> None:
        deadline = time.monotonic() + UP_SECONDS
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"the bot exited with {self.process.returncode}: see {self.log}")
            try:
                async with http.get(self.url + "/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the bot did not come up in {UP_SECONDS:.0f} s: see {self.log}")

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    async def stop(self) -> int:
        assert self.process is not None
        self.process.send_signal(signal.SIGTERM)
        while self.process.poll() is None:
            await asyncio.sleep(0.05)
        return self.process.returncode


async def run_crash_test(
    surface: str,
    workdir: Path,
    *,
    learners: int = 40,
    kills: int = 25,
    workers: int = 1,
    replies: int = len(REPLIES),
    seed: int = 1,
    scenario: str = "cold_call",
) -> CrashReport:
    """Run the whole test in `workdir` (database and bot logs stay there to read)."""
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)  # resets from kills
    rng = random.Random(seed)
    db = workdir / "crash.db"
    report = CrashReport(surface, workers, learners)
    started = time.monotonic()
    fake: FakeSlack | FakeBotApi
    platform: Platform
    if surface == "slack":
        fake = await FakeSlack().start()
        platform = SlackPlatform(fake, db)
    else:
        fake = await FakeBotApi().start()
        platform = TelegramPlatform(fake, db)
    pool = [Worker(platform, workdir / f"bot-{surface}-{n}.log") for n in range(workers)]
    acked: list[tuple[int, int]] = []
    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector) as http:
        for worker in pool:
            worker.start()
        await asyncio.gather(*(w.wait_up(http) for w in pool))
        texts = [f"/start {scenario}", *REPLIES[:replies]]

        async def learner(n: int) -> None:
            for i, text in enumerate(texts):
                before = platform.answers(n)
                await _deliver(http, pool, rng, platform.delivery(n, i, text))
                acked.append((n, i))
                deadline = time.monotonic() + ANSWER_SECONDS
                while platform.answers(n) == before and time.monotonic() < deadline:
                    await asyncio.sleep(0.02)

        async def killer() -> None:
            for _ in range(kills):
                await asyncio.sleep(rng.uniform(0.2, 1.2))
                victim = rng.choice(pool)
                victim.kill()
                report.kills += 1
                check = _integrity(db)
                if check != "ok":
                    report.integrity = check
                victim.start()
                await victim.wait_up(http)

        await asyncio.gather(killer(), *(learner(n) for n in range(learners)))
        await _drained(http, pool[0])
        codes = await asyncio.gather(*(w.stop() for w in pool))
        report.clean_exits = sum(code == 0 for code in codes)
    await fake.stop()
    _tally(report, db, platform, set(acked))
    report.seconds = time.monotonic() - started
    return report


async def _deliver(
    http: aiohttp.ClientSession,
    pool: list[Worker],
    rng: random.Random,
    delivery: tuple[str, dict[str, str], bytes],
) -> None:
    """Send until a 200 comes back, to any live worker (as a load balancer would)."""
    path, headers, body = delivery
    while True:
        worker = rng.choice(pool)
        try:
            async with http.post(worker.url + path, data=body, headers=headers) as response:
                await response.read()
                if response.status == 200:
                    return
        except (TimeoutError, aiohttp.ClientError):
            pass
        await asyncio.sleep(0.1)


async def _drained(http: aiohttp.ClientSession, worker: Worker) -> None:
    """Wait until the inbox and outbox hold nothing left to do."""
    deadline = time.monotonic() + DRAIN_SECONDS
    while time.monotonic() < deadline:
        async with http.get(worker.url + "/healthz") as response:
            backlog = await response.json()
        if backlog["inbox_pending"] == 0 and backlog["outbox_pending"] == 0:
            return
        await asyncio.sleep(0.2)


def _integrity(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
    return str(result)


def _tally(report: CrashReport, db: Path, platform: Platform, acked: set[tuple[int, int]]) -> None:
    report.turns_sent = len(acked)
    with sqlite3.connect(db) as conn:
        done = conn.execute(
            "SELECT COUNT(*) FROM inbox WHERE platform = ? AND status = 'done'", (platform.name,)
        ).fetchone()[0]
        rows = conn.execute(
            "SELECT status, platform_id, payload FROM outbox WHERE platform = ?", (platform.name,)
        ).fetchall()
    report.turns_stored = done
    report.lost_turns = len(acked) - done
    received = platform.received()
    delivered = {pid for status, pid, payload in rows if status == "sent"}
    messages = [
        (status, pid)
        for status, pid, payload in rows
        if json.loads(payload).get("call", "post") == "post"
    ]
    report.replies_missing = sum(
        1 for status, pid in messages if status != "sent" or received[pid] == 0
    )
    report.duplicate_replies = sum(n - 1 for pid, n in received.items() if n > 1) + sum(
        n for pid, n in received.items() if pid not in delivered
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])

"""`roleplay slack-load`: simulated learners practise at once through the HTTP endpoint.

The app runs as in production (`transports.serve`, Bolt's aiohttp server) in a child
process; this process plays Slack: a fake Web API the app posts to, and N learners that
each start a scenario and reply in its thread, sending their next reply as soon as the
previous answer appears. One warm-up request runs first (the app's first request calls
auth.test and opens its database connection), as on a server that is already up.
Requests are signed like Slack's. Everything is on loopback.
Acknowledgement latency is measured by the learners, so it includes their own
scheduling delay on a busy event loop: the figures are on the pessimistic side.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from bot.adapters.slack.settings import SlackSettings
from bot.adapters.slack.transports import serve
from bot.content.library import load_library
from bot.engine.trainer import Trainer
from bot.harness.figures import percentile
from bot.harness.slack_fake import FakeSlack, Payload, Sender, dm_channel, encode
from bot.storage.sqlite import SqliteStore

SECRET = "load-test-signing-secret"
PATH = "/slack/events"
DEFAULT_REPLIES = (
    "Hi, this is Sam from Kestrel. I'm calling because we help sales leaders trust their"
    " forecast. Could I ask you a couple of quick questions to see if it's relevant?",
    "How do your managers put the forecast together each week?",
    "What's the hardest part of getting that number right?",
    "When the forecast misses, what does it do to your hiring plans?",
    "If you could trust the number, what would that be worth to you?",
    "Teams like yours cut forecast misses in half within a quarter, so you could keep"
    " your hiring plan.",
    "I understand. Would a 20-minute call with your numbers be more useful?",
    "Would Thursday at 2pm work for 20 minutes?",
)


@dataclass(frozen=True)
class LoadReport:
    learners: int
    turns: int
    seconds: float
    ack_ms: tuple[float, ...]  # every acknowledgement, sorted
    answer_ms: tuple[float, ...]  # request sent → first message of the answer posted, sorted
    failures: int

    @property
    def turns_per_second(self) -> float:
        return self.turns / self.seconds if self.seconds else 0.0

    def lines(self) -> list[str]:
        return [
            f"learners            {self.learners}",
            f"turns               {self.turns} in {self.seconds:.2f} s"
            f" ({self.turns_per_second:.0f} turns/s)",
            f"ack latency         p50 {percentile(self.ack_ms, 50):.1f} ms"
            f"  p99 {percentile(self.ack_ms, 99):.1f} ms  max {max(self.ack_ms, default=0):.1f} ms",
            f"answer latency      p50 {percentile(self.answer_ms, 50):.1f} ms"
            f"  p99 {percentile(self.answer_ms, 99):.1f} ms",
            f"non-200 answers     {self.failures}",
        ]


@dataclass
class Tally:
    acks: list[float]
    answers: list[float]
    failures: int = 0


class SimulatedRep:
    """One simulated rep: starts the scenario, then replies in its thread."""

    def __init__(self, n: int, http: aiohttp.ClientSession, url: str, fake: FakeSlack) -> None:
        self.user = f"ULOAD{n:04d}" if n >= 0 else "UWARMUP"
        self.channel = dm_channel(self.user)
        self.http, self.url, self.fake = http, url, fake
        self.sender = Sender(SECRET, fake.team_id)

    async def practise(self, scenario: str, replies: Sequence[str], tally: Tally) -> None:
        await self.send(self.sender.command(self.user, f"start {scenario}"), tally)
        parent = next(c.ts for c in reversed(self.fake.posts(self.channel)) if c.blocks)
        for reply in replies:
            event = self.sender.event(self.sender.dm(self.user, reply, thread_ts=parent))
            await self.send(event, tally)

    async def send(self, payload: Payload, tally: Tally) -> None:
        body, content_type = encode(payload)
        headers = self.sender.headers(body, content_type)
        before = self.fake.posted_in[self.channel]
        start = time.perf_counter()
        async with self.http.post(self.url, data=body.encode(), headers=headers) as response:
            await response.read()
            tally.acks.append((time.perf_counter() - start) * 1000)
            if response.status != 200:
                tally.failures += 1
                return
        await self.fake.wait_for(lambda: self.fake.posted_in[self.channel] > before, timeout=60)
        tally.answers.append((time.perf_counter() - start) * 1000)


async def run_load(
    content_root: Path | None,
    db_path: Path,
    learners: int = 50,
    replies: Sequence[str] = DEFAULT_REPLIES,
    scenario: str | None = None,
) -> LoadReport:
    scenario = scenario or _default_scenario(content_root)
    fake = await FakeSlack().start()
    settings = SlackSettings(
        bot_token="xoxb-load",
        mode="http",
        signing_secret=SECRET,
        host="127.0.0.1",
        port=_free_port(),
        path=PATH,
        api_url=fake.api_url,
    )
    app = multiprocessing.get_context("spawn").Process(
        target=_serve, args=(settings, content_root, db_path), daemon=True
    )
    app.start()
    tally = Tally([], [])
    expected = learners * (1 + len(replies))
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            base = f"http://127.0.0.1:{settings.port}"
            await _wait_until_up(http, base + "/healthz")
            warm = SimulatedRep(-1, http, base + PATH, fake)  # first auth.test, thread, connection
            await warm.send(warm.sender.command(warm.user, "help"), Tally([], []))
            start = time.perf_counter()
            reps = [SimulatedRep(n, http, base + PATH, fake) for n in range(learners)]
            await asyncio.gather(*(r.practise(scenario, replies, tally) for r in reps))
            seconds = time.perf_counter() - start
    finally:
        app.terminate()  # the app drains its last answers, so keep the fake Slack serving
        await asyncio.to_thread(app.join, 30)
        await fake.stop()
    return LoadReport(
        learners,
        expected,
        seconds,
        tuple(sorted(tally.acks)),
        tuple(sorted(tally.answers)),
        tally.failures,
    )


def _default_scenario(content_root: Path | None) -> str:
    ids = list(load_library(content_root).scenarios)
    return "cold_call" if "cold_call" in ids else ids[0]


def _serve(settings: SlackSettings, content_root: Path | None, db_path: Path) -> None:
    """The child process: the app exactly as `roleplay slack` runs it."""
    store = SqliteStore(db_path)
    serve(settings, Trainer(load_library(content_root), store), store)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _wait_until_up(http: aiohttp.ClientSession, url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            async with http.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            if time.monotonic() > deadline:
                raise
        await asyncio.sleep(0.1)

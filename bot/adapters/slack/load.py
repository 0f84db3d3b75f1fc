"""`roleplay slack-load`: simulated learners practise at once through the HTTP endpoint.

Everything runs on loopback in this process: the fake Slack Web API, the real Bolt app
on Bolt's aiohttp server, and N learners that each start a scenario and reply in its
thread, sending their next reply as soon as the previous answer appears. Requests are
signed like Slack's. The figures include the load generator sharing the process (and
its CPU) with the app, so they are on the pessimistic side.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import aiohttp
from aiohttp import web

from bot.adapters.slack.app import Practice, build_app
from bot.adapters.slack.fake import FakeSlack, Payload, Sender, dm_channel, encode
from bot.adapters.slack.settings import SlackSettings
from bot.adapters.slack.transports import http_app
from bot.engine.trainer import Trainer

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


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile of sorted `values` (0 when empty)."""
    if not values:
        return 0.0
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


@dataclass
class Tally:
    acks: list[float]
    answers: list[float]
    failures: int = 0


class Learner:
    """One simulated rep: starts the scenario, then replies in its thread."""

    def __init__(self, n: int, http: aiohttp.ClientSession, url: str, fake: FakeSlack) -> None:
        self.user = f"ULOAD{n:04d}"
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
    trainer: Trainer,
    learners: int = 50,
    replies: Sequence[str] = DEFAULT_REPLIES,
    scenario: str | None = None,
) -> LoadReport:
    scenario = scenario or _default_scenario(trainer)
    fake = await FakeSlack().start()
    settings = SlackSettings(
        bot_token="xoxb-load", mode="http", signing_secret=SECRET, api_url=fake.api_url
    )
    practice = Practice(trainer)
    runner = web.AppRunner(http_app(build_app(settings, practice), practice, PATH), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}{PATH}"  # type: ignore[union-attr]
    tally = Tally([], [])
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            start = time.perf_counter()
            reps = [Learner(n, http, url, fake) for n in range(learners)]
            await asyncio.gather(*(r.practise(scenario, replies, tally) for r in reps))
            await practice.join()
            seconds = time.perf_counter() - start
    finally:
        await runner.cleanup()
        await fake.stop()
        practice.close()
    return LoadReport(
        learners,
        learners * (1 + len(replies)),
        seconds,
        tuple(sorted(tally.acks)),
        tuple(sorted(tally.answers)),
        tally.failures,
    )


def _default_scenario(trainer: Trainer) -> str:
    ids = [info.id for info in trainer.scenarios().scenarios]
    return "cold_call" if "cold_call" in ids else ids[0]

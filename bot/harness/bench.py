"""Per-turn latency and throughput of the engine, with and without storage.

Replies are built from a pool of sentences into 1 to 8 sentence replies, mostly one to three
sentences as in chat, capped at 90 words. Latencies are also reported per length bucket
(<=20, 21-50, >50 words). Figures are printed, never asserted.
"""

from __future__ import annotations

import random
import resource
import statistics
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.library import load_library
from bot.delivery import DeliveryWorker
from bot.engine.cast import Cast
from bot.engine.conversation import Conversation
from bot.engine.trainer import Trainer
from bot.engine.turn import opening_lines, play_turn
from bot.harness.figures import percentile
from bot.messages import Inbound, Learner, PersonaLine, Reply
from bot.scoring.detect import Detector, default_detector
from bot.scoring.learned import LearnedDetector, cached_model
from bot.storage.base import OutboxItem
from bot.storage.sqlite import SqliteStore

SENTENCES = (
    "Hi, this is Sam from Kestrel.",
    "I'm calling because we help sales leaders trust their forecast.",
    "Could I ask you a couple of quick questions?",
    "What CRM are you on today?",
    "How do your managers build the forecast each week?",
    "What's the hardest part of getting that number right?",
    "When the forecast misses, what does that do to hiring?",
    "If you could trust the number, what would that be worth?",
    "Teams like yours cut forecast misses in half within a quarter.",
    "I hear you, that's a fair concern.",
    "Would Thursday at 2pm work for 20 minutes?",
    "We have dashboards, AI scoring, 40 integrations and SSO.",
    "So what I'm hearing is the data is there but nobody trusts it.",
    "If we can agree on terms today, are we your final choice?",
    "ok",
)


@dataclass(frozen=True)
class Figures:
    label: str
    turns: int
    seconds: float
    latencies_ms: list[float]

    @property
    def p50(self) -> float:
        return percentile(self.latencies_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.latencies_ms, 99)

    @property
    def per_second(self) -> float:
        return self.turns / self.seconds


# sentences per reply: chat replies are mostly one to three sentences, a few run longer
SENTENCE_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8)
SENTENCE_WEIGHTS = (30, 30, 20, 8, 5, 3, 2, 2)
MAX_WORDS = 90
BUCKETS = ((0, 20, "<=20 words"), (21, 50, "21-50 words"), (51, 10_000, ">50 words"))


def replies(count: int, seed: int = 7) -> list[str]:
    """Replies of 1-8 pooled sentences, mostly short, each at most ``MAX_WORDS`` words."""
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        k = rng.choices(SENTENCE_COUNTS, SENTENCE_WEIGHTS)[0]
        words = " ".join(rng.choices(SENTENCES, k=k)).split()
        out.append(" ".join(words[:MAX_WORDS]))
    return out


def by_length(figures: Figures, texts: list[str]) -> list[Figures]:
    """The same measurement split by reply length, so long replies are not hidden."""
    out = []
    for low, high, name in BUCKETS:
        lat = [
            ms
            for ms, t in zip(figures.latencies_ms, texts, strict=True)
            if low <= len(t.split()) <= high
        ]
        if len(lat) >= 2:
            label = f"  {name} (n={len(lat)})"
            out.append(Figures(label, len(lat), sum(lat) / 1000, lat))
    return out


def _timed(label: str, texts: list[str], step: Callable[[str], object]) -> Figures:
    latencies = []
    start = time.perf_counter()
    for text in texts:
        t0 = time.perf_counter()
        step(text)
        latencies.append((time.perf_counter() - t0) * 1000)
    return Figures(label, len(texts), time.perf_counter() - start, latencies)


def in_process(
    cast: Cast, texts: list[str], detector: Detector, label: str = "scoring + transition"
) -> Figures:
    """Scoring plus transition, no storage: each reply answers the buyer's last line, as in
    a session; a conversation restarts when it ends."""
    c = Conversation(cast.flow.initial, 0, "normal")
    buyer = _last_line(opening_lines(cast, c, 0), "")

    def step(text: str) -> None:
        nonlocal c, buyer
        if cast.state(c.state).terminal:
            c = Conversation(cast.flow.initial, 0, "normal")
            buyer = _last_line(opening_lines(cast, c, 0), "")
        result = play_turn(cast, c, detector.detect(text, buyer), (1, 1))
        buyer = _last_line(result.lines, buyer)

    return _timed(label, texts, step)


def _last_line(lines: Sequence[PersonaLine], otherwise: str) -> str:
    return lines[-1].text if lines else otherwise


def with_storage(trainer: Trainer, scenario: str, texts: list[str], learners: int) -> Figures:
    """Full `Trainer.handle` with a committed SQLite transaction per turn."""
    people = [Learner("bench", f"rep{i}") for i in range(learners)]
    for person in people:
        trainer.handle(Inbound(person, f"/start {scenario}"))
    counter = iter(range(len(texts)))

    def step(text: str) -> None:
        person = people[next(counter) % learners]
        reply = trainer.handle(Inbound(person, text))
        if reply.ended:
            trainer.handle(Inbound(person, f"/start {scenario}"))

    return _timed("turn with storage", texts, step)


def model_alone() -> Detector:
    """The learned model without the rules' outputs as features: what scoring costs when
    the rule detector is left out of the turn (the product keeps it: it is more accurate)."""
    return LearnedDetector(cached_model(variant="model"), None)


def validate_ms(root: Path | None, rounds: int = 5) -> float:
    load_library(root)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        load_library(root)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


class UnknownScenario(Exception):
    """The scenario asked for is not in the library."""


class _BenchSurface:
    """Every reply part as one outbound message, sent nowhere: measures the queues alone."""

    platform = "bench"
    max_in_flight = 0

    def direct(self, user_id: str) -> dict[str, Any]:
        return {"user": user_id}

    def render(self, reply: Reply, destination: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [{"part": type(part).__name__} for part in reply.parts]

    async def send(self, item: OutboxItem, earlier: Sequence[OutboxItem]) -> str:
        return str(item.id)


def through_queues(
    trainer: Trainer, store: SqliteStore, scenario: str, texts: list[str], learners: int
) -> Figures:
    """A turn as a chat surface plays it: inbox insert, turn plus outbox in one transaction,
    then each outbound message claimed and marked sent (the network send itself left out)."""
    worker = DeliveryWorker(trainer, store, _BenchSurface())
    people = [f"rep{i}" for i in range(learners)]
    numbers = iter(range(len(texts) * 2 + learners))

    def play(user: str, text: str) -> bool:
        store.receive("bench", user, "", f"m{next(numbers)}", text, {})
        worker.play_next(user)
        ended = False
        while (item := store.claim_outbox("bench", user, "bench", time.time(), 0)) is not None:
            store.mark_sent(item.id, str(item.id), time.time())
            ended = ended or item.payload["part"] == "Scorecard"
        return ended

    for person in people:
        play(person, f"/start {scenario}")
    counter = iter(range(len(texts)))

    def step(text: str) -> None:
        person = people[next(counter) % learners]
        if play(person, text):
            play(person, f"/start {scenario}")

    return _timed("turn through inbox/outbox", texts, step)


def run(turns: int, scenario: str, learners: int, root: Path | None) -> tuple[list[Figures], dict]:
    texts = replies(turns)
    library = load_library(root)
    if scenario not in library.scenarios:
        known = ", ".join(library.scenarios) or "none"
        raise UnknownScenario(f"unknown scenario {scenario!r}; scenarios: {known}")
    with tempfile.TemporaryDirectory() as tmp:
        store = SqliteStore(Path(tmp) / "bench.db")
        trainer = Trainer(library, store)
        cast = trainer.casts[scenario]
        trainer.detector.detect("hello")  # build the detector first: start-up is not a turn
        scoring = in_process(cast, texts, trainer.detector)
        alone = in_process(cast, texts, model_alone(), "model alone, no rules")
        rules = in_process(cast, texts, default_detector(), "rules alone, no model")
        stored = with_storage(trainer, scenario, texts, learners)
        queued = through_queues(trainer, store, scenario, texts, learners)
        figures = [scoring, *by_length(scoring, texts), alone, *by_length(alone, texts), rules]
        figures += [stored, *by_length(stored, texts), queued]
        store.close()
    words = [len(t.split()) for t in texts]
    extra = {
        "validate_ms": validate_ms(root),
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "reply_words": (min(words), statistics.median(words), max(words)),
    }
    return figures, extra

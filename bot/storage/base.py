"""The storage seam: the records that cross it and the `Store` protocol the engine talks to.

The engine, the scorer and analytics import only this module; `storage.sqlite` is one
implementation, chosen by the command line (the composition root).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

DEFAULT_DB = Path("~/.local/share/roleplay/roleplay.db")


def default_db_path() -> Path:
    """`ROLEPLAY_DB` if set, else ~/.local/share/roleplay/roleplay.db."""
    return Path(os.environ.get("ROLEPLAY_DB") or DEFAULT_DB).expanduser()


@dataclass(frozen=True)
class ScoredMove:
    """One detected move with the points the rubric gave it and the words that earned them."""

    move: str
    points: int
    start: int
    end: int
    quote: str
    rule: str
    # all the spans behind the move when there are several: (start, end, quote)
    spans: tuple[tuple[int, int, str], ...] = ()

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "move": self.move,
            "points": self.points,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
            "rule": self.rule,
        }
        if self.spans:
            out["spans"] = [list(span) for span in self.spans]
        return out

    @property
    def shown(self) -> str:
        """The quote a learner sees: every span's words, in reply order."""
        return " … ".join(q for _, _, q in self.spans) if self.spans else self.quote

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ScoredMove:
        return cls(
            move=data["move"],
            points=int(data.get("points", 0)),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
            quote=data.get("quote", ""),
            rule=data.get("rule", ""),
            spans=tuple((int(s), int(e), str(q)) for s, e, q in data.get("spans", ())),
        )


@dataclass(frozen=True)
class LearnerRecord:
    id: int
    platform: str
    user_id: str
    name: str
    feedback_on: bool


@dataclass(frozen=True)
class SessionRecord:
    id: int
    learner_id: int
    scenario_id: str
    content_version: str
    level: str
    state: str
    mood: int
    variables: dict[str, Any]
    status: str
    outcome: str | None
    score: int | None
    passed: bool | None
    turn_count: int
    started_at: str
    ended_at: str | None
    seq: int = 0
    last_line: str = ""


@dataclass(frozen=True)
class TurnRecord:
    seq: int
    role: str
    text: str
    moves: tuple[ScoredMove, ...]
    points: int
    state_before: str | None
    state_after: str | None
    mood: int | None


@dataclass(frozen=True)
class LearnerTurn:
    """What the learner said in one turn and how it was scored."""

    text: str
    moves: tuple[ScoredMove, ...]
    points: int
    state_before: str


@dataclass(frozen=True)
class SessionState:
    """The conversation's state after a turn, as it is written back to the session."""

    state: str
    mood: int
    variables: dict[str, Any]
    turn_count: int


class Store(Protocol):
    """Everything the engine asks of storage. Every write happens inside `transaction()`."""

    def transaction(self) -> AbstractContextManager[Store]: ...

    def learner(self, platform: str, user_id: str, name: str = "") -> LearnerRecord: ...

    def set_feedback(self, learner_id: int, on: bool) -> None: ...

    def inbound_reply(self, learner_id: int, message_id: str) -> dict[str, Any] | None: ...

    def record_inbound(self, learner_id: int, message_id: str, reply: dict[str, Any]) -> None: ...

    def active_session(self, learner_id: int) -> SessionRecord | None: ...

    def active_session_of(self, platform: str, user_id: str) -> SessionRecord | None:
        """The same by platform identity, without creating the learner (a plain read)."""
        ...

    def last_session(self, learner_id: int) -> SessionRecord | None: ...

    def session(self, session_id: int) -> SessionRecord | None: ...

    def sessions(self, learner_id: int, limit: int = 20) -> list[SessionRecord]: ...

    def last_won_session(self, learner_id: int, scenario_id: str) -> SessionRecord | None: ...

    def create_session(
        self,
        learner_id: int,
        scenario_id: str,
        content_version: str,
        level: str,
        state: SessionState,
    ) -> SessionRecord: ...

    def save_turn(
        self,
        session: SessionRecord,
        learner_turn: LearnerTurn | None,
        persona_lines: Sequence[str],
        state: SessionState,
    ) -> None:
        """Append the learner's turn (if any) and the persona's lines, then save the state."""
        ...

    def save_state(self, session: SessionRecord, state: SessionState) -> None: ...

    def end_session(
        self, session_id: int, *, status: str, outcome: str, score: int | None, passed: bool | None
    ) -> None: ...

    def turns(self, session_id: int) -> list[TurnRecord]: ...

    def close(self) -> None: ...


# --- the delivery queues ------------------------------------------------------------------


@dataclass(frozen=True)
class InboxItem:
    """A learner's message as a platform delivered it, stored before the platform is answered."""

    id: int
    platform: str
    user_id: str
    name: str
    message_id: str
    text: str
    destination: dict[str, Any]
    status: str  # pending | done | failed
    attempts: int


@dataclass(frozen=True)
class OutboxItem:
    """One platform message to send, written in the same transaction as the turn it answers."""

    id: int
    inbox_id: int
    platform: str
    user_id: str
    position: int
    destination: dict[str, Any]
    payload: dict[str, Any]
    status: str  # pending | sending | sent | failed
    attempts: int
    platform_id: str | None
    created_at: float


@dataclass(frozen=True)
class Backlog:
    inbox_pending: int
    outbox_pending: int
    outbox_failed: int
    inbox_failed: int

    def as_dict(self) -> dict[str, int]:
        return {
            "inbox_pending": self.inbox_pending,
            "inbox_failed": self.inbox_failed,
            "outbox_pending": self.outbox_pending,
            "outbox_failed": self.outbox_failed,
        }


class QueueStore(Store, Protocol):
    """The inbox and outbox the delivery layer keeps beside the engine's own tables."""

    def receive(
        self,
        platform: str,
        user_id: str,
        name: str,
        message_id: str,
        text: str,
        destination: Mapping[str, Any],
    ) -> bool:
        """Store an inbound message; False if this delivery was stored before."""
        ...

    def next_inbox(self, platform: str, user_id: str) -> InboxItem | None:
        """The learner's oldest pending message (call inside a transaction)."""
        ...

    def finish_inbox(self, item_id: int, status: str, error: str | None = None) -> None: ...

    def count_attempt(self, item_id: int, error: str) -> int: ...

    def enqueue(self, item: InboxItem, payloads: Sequence[Mapping[str, Any]]) -> None: ...

    def claim_outbox(
        self, platform: str, user_id: str, worker: str, now: float, stale_before: float
    ) -> OutboxItem | None:
        """Claim the learner's next message to send, in order; None if none is due or free."""
        ...

    def delivered_before(self, item: OutboxItem) -> list[OutboxItem]: ...

    def mark_sent(self, item_id: int, platform_id: str, now: float) -> None: ...

    def mark_retry(self, item_id: int, error: str, next_attempt_at: float) -> None: ...

    def mark_failed(self, item_id: int, error: str) -> None: ...

    def due_learners(self, platform: str, now: float, stale_before: float) -> list[str]:
        """Learners (user ids) with a pending message in or a due message out."""
        ...

    def claimers(self) -> list[str]:
        """The workers holding claims on messages being sent."""
        ...

    def release_claims(self, worker: str) -> None: ...

    def backlog(self, platform: str | None = None) -> Backlog: ...

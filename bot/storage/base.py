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
    person_id: int = 0


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
    mode: str = "practice"  # practice | exam


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
    missed: tuple[str, ...] = ()  # moves this moment expected that the reply did not make


@dataclass(frozen=True)
class SessionState:
    """The conversation's state after a turn, as it is written back to the session."""

    state: str
    mood: int
    variables: dict[str, Any]
    turn_count: int


# --- teams ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TeamRecord:
    id: int
    name: str
    leaderboard: bool


@dataclass(frozen=True)
class AssignmentRecord:
    """A scenario a manager set a team (or some of its reps), with what counts as done."""

    id: int
    team_id: int
    team: str
    scenario_id: str
    level: str
    due_at: str
    pass_mark: int
    min_attempts: int
    exam: bool
    created_at: str


@dataclass(frozen=True)
class CertificateRecord:
    person_id: int
    scenario_id: str
    level: str
    session_id: int
    score: int
    certified_at: str


@dataclass(frozen=True)
class DisputeRecord:
    """A contested turn: what was detected then, the rep's note, and the review."""

    id: int
    learner_id: int
    session_id: int
    seq: int
    scenario_id: str
    buyer: str
    reply: str
    moves: tuple[ScoredMove, ...]
    points: int
    note: str
    status: str  # open | confirmed | corrected
    corrected_moves: tuple[str, ...] | None
    reviewer: str | None
    created_at: str
    reviewed_at: str | None


class DisputeStore(Protocol):
    def dispute_turn(
        self, learner_id: int, session: SessionRecord, turn: TurnRecord, buyer: str, note: str
    ) -> DisputeRecord:
        """Record (or, disputed again, update the note of) a contested learner turn."""
        ...

    def disputes(self, status: str | None = None) -> list[DisputeRecord]: ...

    def dispute(self, dispute_id: int) -> DisputeRecord | None: ...

    def review_dispute(
        self, dispute_id: int, status: str, moves: Sequence[str] | None, reviewer: str
    ) -> None: ...


@dataclass(frozen=True)
class DueReminder:
    """An assignment due soon that a rep has not completed, and where to remind them."""

    assignment_id: int
    person_id: int
    user_id: str  # the person's most recently active identity on the platform asked about
    name: str
    scenario_id: str
    due_at: str


class TeamStore(Protocol):
    """People across platforms, teams and their managers, assignments and certificates."""

    def find_learner(self, platform: str, user_id: str) -> LearnerRecord | None: ...

    def person_name(self, person_id: int) -> str: ...

    def find_people(self, name: str) -> list[int]:
        """People of this name (case-insensitive), oldest first."""
        ...

    def person_sessions(self, person_id: int, limit: int = 20) -> list[SessionRecord]:
        """A person's sessions on every platform they are linked on, newest first."""
        ...

    def merge_person(self, source: int, target: int) -> None:
        """Fold one person into another (an admin linked their accounts): identities,
        teams, assignments and certificates move, so the history follows the rep."""
        ...

    def team(self, name: str) -> TeamRecord | None: ...

    def create_team(self, name: str) -> TeamRecord: ...

    def set_leaderboard(self, team_id: int, on: bool) -> None: ...

    def add_member(self, team_id: int, person_id: int, role: str) -> None: ...

    def remove_member(self, team_id: int, person_id: int, role: str) -> None: ...

    def teams_of(self, person_id: int, role: str) -> list[TeamRecord]: ...

    def manages(self, manager_id: int, person_id: int) -> bool:
        """True if `manager_id` is a manager of a team that `person_id` is a rep of."""
        ...

    def add_assignment(
        self,
        team_id: int,
        scenario_id: str,
        level: str,
        due_at: str,
        pass_mark: int,
        min_attempts: int,
        exam: bool,
        people: Sequence[int] = (),
    ) -> AssignmentRecord: ...

    def open_assignments(self, person_id: int) -> list[AssignmentRecord]:
        """Assignments set to the person and not completed by them, soonest due first."""
        ...

    def attempts(
        self, person_id: int, scenario_id: str, level: str, since: str, exam_only: bool
    ) -> list[SessionRecord]:
        """The person's ended, counted sessions of a scenario and level since a time."""
        ...

    def complete(self, assignment_id: int, person_id: int, session_id: int) -> None: ...

    def certify(
        self, person_id: int, scenario_id: str, level: str, session_id: int, score: int
    ) -> None: ...

    def certificates(self, person_id: int) -> list[CertificateRecord]: ...

    def due_reminders(self, platform: str, today: str, until: str) -> list[DueReminder]:
        """Open (assignment, rep) pairs due between `today` and `until` (dates) with no
        reminder yet, whose most recently active identity is on `platform`."""
        ...

    def mark_reminded(self, assignment_id: int, person_id: int) -> bool:
        """Record the one reminder; False if it was recorded before (another worker)."""
        ...

    def read(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Rows of a read-only report query (the analytics queries are SQL text)."""
        ...


class Store(TeamStore, DisputeStore, Protocol):
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
        mode: str = "practice",
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

"""The mutable working state of one conversation during one turn.

It is rebuilt from storage at the start of every turn and written back at the end;
nothing survives in memory between turns.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bot.storage.base import SessionRecord, SessionState


@dataclass
class Conversation:
    state: str
    mood: int
    level: str
    flags: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    revealed: dict[str, list[str]] = field(default_factory=dict)
    hints: dict[str, int] = field(default_factory=dict)
    turns_in_state: int = 0
    ledger: list[dict[str, str]] = field(default_factory=list)
    moves: frozenset[str] = frozenset()
    just_revealed: list[tuple[str, str]] = field(default_factory=list)  # (kind, item id)

    @classmethod
    def from_session(cls, session: SessionRecord) -> Conversation:
        return cls.restore(session.state, session.mood, session.level, session.variables)

    @classmethod
    def restore(cls, state: str, mood: int, level: str, variables: dict[str, Any]) -> Conversation:
        return cls(
            state=state,
            mood=mood,
            level=level,
            flags=set(variables.get("flags", [])),
            counts=Counter(variables.get("counts", {})),
            revealed={k: list(v) for k, v in variables.get("revealed", {}).items()},
            hints=dict(variables.get("hints", {})),
            turns_in_state=int(variables.get("turns_in_state", 0)),
            ledger=list(variables.get("ledger", [])),
        )

    def variables(self) -> dict[str, Any]:
        return {
            "flags": sorted(self.flags),
            "counts": dict(sorted(self.counts.items())),
            "revealed": self.revealed,
            "hints": self.hints,
            "turns_in_state": self.turns_in_state,
            "ledger": self.ledger,
        }

    def session_state(self, turn_count: int) -> SessionState:
        """What is written back to the session after a turn."""
        return SessionState(self.state, self.mood, self.variables(), turn_count)

    def revealed_ids(self, kind: str) -> list[str]:
        return self.revealed.setdefault(kind, [])

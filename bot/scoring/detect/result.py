"""What the move detector returns: a move, the words that triggered it and the rule that fired."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    quote: str
    rule: str


@dataclass(frozen=True)
class Detection:
    move: str
    evidence: Evidence

"""Inter-annotator agreement: two labellings of the same replies, compared move by move.

Per move: positive agreement (the F1 of one labeller against the other, symmetric) and
Cohen's kappa (agreement beyond what each labeller's own rate of using the move predicts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot.scoring.evaluate import Example


@dataclass(frozen=True)
class MoveAgreement:
    move: str
    both: int
    first_only: int
    second_only: int
    neither: int

    @property
    def positive(self) -> float:
        used = 2 * self.both + self.first_only + self.second_only
        return 2 * self.both / used if used else 1.0

    @property
    def kappa(self) -> float:
        n = self.both + self.first_only + self.second_only + self.neither
        observed = (self.both + self.neither) / n
        p1 = (self.both + self.first_only) / n
        p2 = (self.both + self.second_only) / n
        expected = p1 * p2 + (1 - p1) * (1 - p2)
        return 1.0 if expected == 1 else (observed - expected) / (1 - expected)

    def as_dict(self) -> dict[str, Any]:
        return {
            "both": self.both,
            "first_only": self.first_only,
            "second_only": self.second_only,
            "positive_agreement": round(self.positive, 4),
            "kappa": round(self.kappa, 4),
        }


@dataclass(frozen=True)
class Agreement:
    replies: int
    moves: dict[str, MoveAgreement]
    exact: int  # replies with the same set of moves from both

    @property
    def micro_positive(self) -> float:
        both = sum(m.both for m in self.moves.values())
        apart = sum(m.first_only + m.second_only for m in self.moves.values())
        return 2 * both / (2 * both + apart) if both or apart else 1.0

    @property
    def mean_kappa(self) -> float:
        used = [m.kappa for m in self.moves.values() if m.both + m.first_only + m.second_only]
        return sum(used) / len(used) if used else 1.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "replies": self.replies,
            "exact_match": self.exact,
            "micro_positive_agreement": round(self.micro_positive, 4),
            "mean_kappa": round(self.mean_kappa, 4),
            "moves": {m: a.as_dict() for m, a in self.moves.items()},
        }


class AgreementError(ValueError):
    """The two files do not label the same replies."""


def agreement(
    first: Sequence[Example], second: Sequence[Example], moves: Sequence[str]
) -> Agreement:
    by_id = {e.id: e for e in second}
    missing = [e.id for e in first if e.id not in by_id]
    if missing or len(by_id) != len(first):
        raise AgreementError(
            f"the files label different replies ({len(first)} vs {len(by_id)};"
            f" first missing from the second: {', '.join(missing[:5]) or 'none'})"
        )
    pairs = [(e.moves, by_id[e.id].moves) for e in first]
    table = {}
    for move in moves:
        counts = [0, 0, 0, 0]
        for a, b in pairs:
            counts[(move not in a) * 2 + (move not in b)] += 1
        both, first_only, second_only, neither = counts
        table[move] = MoveAgreement(move, both, first_only, second_only, neither)
    return Agreement(len(pairs), table, sum(a == b for a, b in pairs))

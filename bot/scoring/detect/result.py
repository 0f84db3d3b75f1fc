"""What a move detector returns: a move, the words that triggered it and the rule that fired."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    start: int
    end: int
    quote: str
    rule: str
    # every span that drove the move, in reply order, as (start, end, quote); the first
    # four fields above are the strongest of them. Empty: the one span above is all.
    parts: tuple[tuple[int, int, str], ...] = ()

    @property
    def spans(self) -> tuple[tuple[int, int, str], ...]:
        return self.parts or ((self.start, self.end, self.quote),)

    @property
    def shown(self) -> str:
        """The quote a learner sees: every span's words, in reply order."""
        return " … ".join(quote for _, _, quote in self.spans)


@dataclass(frozen=True)
class Detection:
    move: str
    evidence: Evidence

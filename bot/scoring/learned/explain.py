"""Why the model found a move: the words of the reply that carry most of its score.

A linear score is a sum of feature contributions (value times weight). Each contribution is
shared out over the characters that produced the feature (``places.ReplyPlaces``): a
character gram's over its letters, a word gram's over its words, the rule feature of a move
over the span of the rule that fired. A word's weight is the sum over its characters, so
"forecast" collects the weight of every gram inside it, and a word that only shares a few
grams with the move ("the", "can") weighs little. The evidence is the few heaviest words,
widened to the word as typed ("tmrw", "thrusday") and joined where they are neighbours.
Buyer-line features and the bias are context, not reply text, and are never quoted.
"""

from __future__ import annotations

import numpy as np

from bot.scoring.detect import Detection, Evidence
from bot.scoring.learned.features import Features, Span
from bot.scoring.learned.model import LinearModel
from bot.scoring.learned.places import ReplyPlaces

TOP_WORDS = 4
MIN_SHARE = 1 / 3  # a word lighter than this share of the heaviest one is not quoted


def _in_word(reply: str, i: int) -> bool:
    """A letter or digit, or an apostrophe between two of them ("I'll", "Corvane's")."""
    ch = reply[i]
    if ch.isalnum():
        return True
    return (
        ch in "'’" and 0 < i < len(reply) - 1 and reply[i - 1].isalnum() and reply[i + 1].isalnum()
    )


def _word_around(reply: str, span: Span) -> Span:
    start, end = span
    while start > 0 and _in_word(reply, start - 1) and _in_word(reply, start):
        start -= 1
    while end < len(reply) and _in_word(reply, end) and _in_word(reply, end - 1):
        end += 1
    return start, end


def _joins(reply: str, end: int, start: int) -> bool:
    """Spans overlap, or only spaces and punctuation (at most three characters) part them."""
    gap = reply[end:start]
    return start <= end or (len(gap) <= 3 and not any(ch.isalnum() for ch in gap))


def word_weights(
    model: LinearModel, features: Features, move: int, places: ReplyPlaces
) -> np.ndarray:
    """Each token's share of ``move``'s score (tokens as in ``places.token_starts``)."""
    return places.token_weights(model.contributions(features, move))


def driving_spans(
    reply: str, places: ReplyPlaces, weights: np.ndarray, top: int = TOP_WORDS
) -> list[tuple[Span, float]]:
    """Up to ``top`` words with positive weight (``weights``: one per token of ``places``),
    heaviest first (ties in reply order), each as (span as typed, weight); words under
    ``MIN_SHARE`` of the heaviest are left out, so the quote stays on the words that decided."""
    out: list[tuple[Span, float]] = []
    # rounded, so a word typed twice (equal weights up to float noise) ties, and ties go to
    # the first in the reply
    for i in np.argsort(-np.round(weights, 9), kind="stable")[:top].tolist():
        weight = float(weights[i])
        if weight <= 0 or (out and weight < MIN_SHARE * out[0][1]):
            break
        span = places.to_reply(int(places.token_starts[i]), int(places.token_ends[i]))
        out.append((_word_around(reply, span), weight))
    return out


def model_evidence(
    move: str, reply: str, places: ReplyPlaces, weights: np.ndarray
) -> Evidence | None:
    """Evidence for a model detection of ``move``, or None when no word of the reply carries
    positive weight (then the move is not reported: every detection must point at what was
    typed)."""
    driving = driving_spans(reply, places, weights)
    if not driving:
        return None
    merged: list[list[int]] = []
    for start, end in sorted(span for span, _ in driving):
        if merged and _joins(reply, merged[-1][1], start):
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    strongest = driving[0][0]
    first = next(m for m in merged if m[0] <= strongest[0] and strongest[1] <= m[1])
    parts = tuple((s, e, reply[s:e]) for s, e in merged)
    start, end = first
    return Evidence(start, end, reply[start:end], f"model/{move}", parts if len(parts) > 1 else ())


def rule_spans(model: LinearModel, rules: dict[str, Detection]) -> dict[int, Span]:
    """The column of each rule feature that fired, with the span of its rule's evidence."""
    return {
        model.vocab.rules[move]: (d.evidence.start, d.evidence.end)
        for move, d in rules.items()
        if move in model.vocab.rules
    }

"""Why the model found a move: the reply's characters behind its largest positive weights.

A model detection's evidence is built from the few features with the largest positive
contribution (value times weight) to the move's score. A word or character gram is mapped
to every place in the reply that produced it (``features.occurrences``), widened to the
whole word as typed, so "tmrw" or "thrusday" is quoted as the learner wrote it. The rule
feature of the same move, when it contributes, is mapped to the span of the rule that fired.
Buyer-line features and the bias are context, not reply text, and are never quoted.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from bot.scoring.detect import Detection, Evidence
from bot.scoring.learned.features import RULE_BLOCK, Features, ReplySpans, Span
from bot.scoring.learned.model import LinearModel

TOP_FEATURES = 4
MIN_SHARE = 1 / 3  # a feature weaker than this share of the strongest quoted one is not quoted


def _word_around(reply: str, span: Span) -> Span:
    start, end = span
    while start > 0 and reply[start - 1].isalnum() and reply[start].isalnum():
        start -= 1
    while end < len(reply) and reply[end].isalnum() and reply[end - 1].isalnum():
        end += 1
    return start, end


def _joins(reply: str, end: int, start: int) -> bool:
    """Spans overlap, or only spaces and punctuation (at most three characters) part them."""
    gap = reply[end:start]
    return start <= end or (len(gap) <= 3 and not any(ch.isalnum() for ch in gap))


def _strongest_first(contributions: np.ndarray, top: int) -> Iterator[int]:
    """Feature positions by contribution, largest first, ties in feature order: the few
    strongest (every tie of the last one included) sorted alone, the rest only if needed,
    since features without reply text (buyer-line grams) are skipped."""
    few = 4 * top
    if len(contributions) > few:
        cut = np.partition(contributions, len(contributions) - few)[len(contributions) - few]
        head = np.flatnonzero(contributions >= cut)
        yield from head[np.argsort(-contributions[head], kind="stable")]
        rest = np.flatnonzero(contributions < cut)
        yield from rest[np.argsort(-contributions[rest], kind="stable")]
    else:
        yield from np.argsort(-contributions, kind="stable")


def driving_spans(
    model: LinearModel,
    features: Features,
    move: int,
    reply: str,
    rules: dict[str, Detection],
    top: int = TOP_FEATURES,
    spans_of: ReplySpans | None = None,
) -> list[tuple[Span, float]]:
    """Up to ``top`` reply features with positive contribution, strongest first, each as
    (span, contribution) for every place in the reply that produced it; features under
    ``MIN_SHARE`` of the strongest quoted one are left out, so the quote stays on the words
    that decided."""
    contributions = model.contributions(features, move)
    spans_of = spans_of or ReplySpans(reply)
    out: list[tuple[Span, float]] = []
    used = 0
    for k in _strongest_first(contributions, top):
        weight = float(contributions[k])
        if weight <= 0 or used == top or (out and weight < MIN_SHARE * out[0][1]):
            break
        name = model.vocab.names[int(features.columns[k])]
        if name.startswith(RULE_BLOCK):
            rule = rules.get(name[len(RULE_BLOCK) :])
            spans = [] if rule is None else [(rule.evidence.start, rule.evidence.end)]
        else:
            spans = [_word_around(reply, s) for s in spans_of.of(name)]
        if spans:
            used += 1
            out += [(s, weight) for s in spans]
    return out


def model_evidence(
    model: LinearModel,
    features: Features,
    move: int,
    reply: str,
    rules: dict[str, Detection],
    spans_of: ReplySpans | None = None,
) -> Evidence | None:
    """Evidence for a model detection, or None when no reply text carries positive weight
    (then the move is not reported: every detection must point at what the learner typed)."""
    driving = driving_spans(model, features, move, reply, rules, spans_of=spans_of)
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
    return Evidence(
        start, end, reply[start:end], f"model/{model.moves[move]}", parts if len(parts) > 1 else ()
    )

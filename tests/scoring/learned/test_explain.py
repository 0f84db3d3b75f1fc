"""Every span of a detection lies inside the reply and carries positive weight."""

from __future__ import annotations

import numpy as np

from bot.scoring.detect import Detection, default_detector
from bot.scoring.evaluate import Example
from bot.scoring.learned import LearnedDetector, LinearModel
from bot.scoring.learned.explain import rule_spans, word_weights
from bot.scoring.learned.features import RULE_BLOCK, WORD, featurize, lowered
from bot.scoring.learned.places import ReplyPlaces, occurrences

SHORTHAND = [
    ("Send me something.", "ok cool, can we grab 15 min tmrw 10ish? u free thurs?"),
    (
        "We use spreadsheets.",
        "wat breaks wen 2 reps r out? hartwell had same prob, cut close to 3d",
    ),
    ("Price is too high.", "I'll give u 15% off if u sign a 2yr term today"),
    ("Who are you?", "hi, sam frm kestrel, callin bc we help teams fix forecasts, can u help me?"),
    ("Send me something.", "ok 👍 can we do thurs 3pm for 15 min? 🙏"),  # beyond the BMP
]


def reference_saliency(model: LinearModel, reply: str, buyer: str, move: str) -> np.ndarray:
    """Each reply character's share of ``move``'s score, the slow way: every feature's
    contribution split over its occurrences (found one feature at a time by
    ``occurrences``) and, within one, over its non-space characters."""
    rules = {d.move: d for d in default_detector().detect(reply, buyer)}
    features = featurize(model.vocab, reply, buyer, rules if model.uses_rules else ())
    j = model.moves.index(move)
    saliency = np.zeros(len(reply))
    for col, share in zip(features.columns, model.contributions(features, j), strict=True):
        name = model.vocab.names[col]
        if name.startswith(RULE_BLOCK):
            rule = rules.get(name[len(RULE_BLOCK) :])
            spans = [] if rule is None else [(rule.evidence.start, rule.evidence.end)]
        else:
            spans = occurrences(reply, name)
        for start, end in spans:
            typed = [i for i in range(start, end) if reply[i] != " "]
            for i in typed:
                saliency[i] += share / len(spans) / len(typed)
    return saliency


def check(model: LinearModel, reply: str, buyer: str, detection: Detection) -> None:
    ev = detection.evidence
    assert reply[ev.start : ev.end] == ev.quote and ev.quote.strip()
    assert any((s, e, q) == (ev.start, ev.end, ev.quote) for s, e, q in ev.spans)
    saliency = None
    if detection.evidence.rule.startswith("model/"):
        saliency = reference_saliency(model, reply, buyer, detection.move)
    for start, end, quote in ev.spans:
        assert 0 <= start < end <= len(reply) and reply[start:end] == quote
        if saliency is not None:
            assert saliency[start:end].sum() > 0, (reply, detection)


def test_word_weights_share_out_the_score_as_the_slow_way_does(
    model: LinearModel, training: list[Example]
) -> None:
    checked = 0
    for e in training[::60]:
        if lowered(e.reply)[1] is not None or not e.reply.strip():
            continue  # lower-casing changed the length: offsets of low and reply differ
        rules = {d.move: d for d in default_detector().detect(e.reply, e.buyer)}
        features = featurize(model.vocab, e.reply, e.buyer, rules)
        places = ReplyPlaces(model.vocab, e.reply, features, rule_spans(model, rules))
        for move in sorted(e.moves)[:2]:
            j = model.moves.index(move)
            fast = places.saliency(model.contributions(features, j))
            slow = reference_saliency(model, e.reply, e.buyer, move)
            assert np.allclose(fast, slow, atol=1e-9), (e.reply, move)
            words = word_weights(model, features, j, places)
            assert np.isclose(words.sum(), slow.sum() - _outside_words(slow, e.reply))
            checked += 1
    assert checked > 100


def _outside_words(saliency: np.ndarray, reply: str) -> float:
    """The weight that fell on characters outside every token (punctuation inside a gram)."""
    inside = np.zeros(len(reply), dtype=bool)
    for m in WORD.finditer(reply.lower()):
        inside[m.start() : m.end()] = True
    return float(saliency[~inside].sum())


def test_every_span_is_inside_the_reply_and_carries_weight(
    model: LinearModel, detector: LearnedDetector, training: list[Example]
) -> None:
    cases = [(buyer, reply) for buyer, reply in SHORTHAND]
    cases += [(e.buyer, e.reply) for e in training[::40]]
    model_detections = 0
    for buyer, reply in cases:
        for detection in detector.detect(reply, buyer):
            check(model, reply, buyer, detection)
            model_detections += detection.evidence.rule.startswith("model/")
    assert model_detections > 20  # the model, not only the rules, was checked


def test_shorthand_is_quoted_as_typed(detector: LearnedDetector) -> None:
    reply = "ok cool, can we grab 15 min tmrw 10ish? u free thurs?"
    found = {d.move: d for d in detector.detect(reply, "Send me something.")}
    assert "meeting_request" in found
    quoted = " ".join(q for _, _, q in found["meeting_request"].evidence.spans)
    assert any(word in quoted for word in ("tmrw", "thurs", "10ish", "15 min"))


def test_model_alone_quotes_only_reply_text(training: list[Example]) -> None:
    from bot.scoring.learned import cached_model

    model = cached_model(variant="model")
    alone = LearnedDetector(model, None)
    for e in training[::97]:
        for detection in alone.detect(e.reply, e.buyer):
            assert detection.evidence.rule == f"model/{detection.move}"
            check(model, e.reply, e.buyer, detection)

"""Every span of a detection lies inside the reply and carries positive weight."""

from __future__ import annotations

from bot.scoring.detect import Detection, default_detector
from bot.scoring.evaluate import Example
from bot.scoring.learned import LearnedDetector, LinearModel
from bot.scoring.learned.features import RULE_BLOCK, featurize, occurrences

SHORTHAND = [
    ("Send me something.", "ok cool, can we grab 15 min tmrw 10ish? u free thurs?"),
    (
        "We use spreadsheets.",
        "wat breaks wen 2 reps r out? hartwell had same prob, cut close to 3d",
    ),
    ("Price is too high.", "I'll give u 15% off if u sign a 2yr term today"),
    ("Who are you?", "hi, sam frm kestrel, callin bc we help teams fix forecasts, can u help me?"),
]


def positive_places(model: LinearModel, reply: str, buyer: str, move: str) -> list:
    """(span, weight) of every reply feature (and rule) that adds to ``move``'s score."""
    rules = {d.move: d for d in default_detector().detect(reply, buyer)}
    features = featurize(model.vocab, reply, buyer, rules if model.uses_rules else ())
    j = model.moves.index(move)
    places = []
    for col, share in zip(features.columns, model.contributions(features, j), strict=True):
        if share <= 0:
            continue
        name = model.vocab.names[col]
        if name.startswith(RULE_BLOCK):
            rule = rules.get(name[len(RULE_BLOCK) :])
            places += [] if rule is None else [((rule.evidence.start, rule.evidence.end), share)]
        else:
            places += [(span, share) for span in occurrences(reply, name)]
    return places


def check(model: LinearModel, reply: str, buyer: str, detection: Detection) -> None:
    ev = detection.evidence
    assert reply[ev.start : ev.end] == ev.quote and ev.quote.strip()
    assert any((s, e, q) == (ev.start, ev.end, ev.quote) for s, e, q in ev.spans)
    for start, end, quote in ev.spans:
        assert 0 <= start < end <= len(reply) and reply[start:end] == quote
        if detection.evidence.rule.startswith("model/"):
            inside = [
                w
                for (s, e), w in positive_places(model, reply, buyer, detection.move)
                if start <= s and e <= end
            ]
            assert inside and sum(inside) > 0, (reply, detection)


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

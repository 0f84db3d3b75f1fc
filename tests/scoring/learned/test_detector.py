"""The combined detector follows each move's policy and keeps the rules' evidence."""

from __future__ import annotations

from bot.scoring.detect import default_detector
from bot.scoring.evaluate import Example
from bot.scoring.learned import LearnedDetector, LinearModel


def test_where_a_rule_fires_and_the_move_is_kept_its_span_is_the_rules(
    model: LinearModel, detector: LearnedDetector, training: list[Example]
) -> None:
    policy = dict(zip(model.moves, model.policies, strict=True))
    rules = default_detector()
    for e in training[::50]:
        fired = {d.move: d for d in rules.detect(e.reply, e.buyer)}
        found = {d.move: d for d in detector.detect(e.reply, e.buyer)}
        for move, detection in found.items():
            if move in fired:
                assert detection == fired[move]  # same span, same rule id
            else:
                assert detection.evidence.rule == f"model/{move}"
        for move in fired:
            if policy[move] in ("union", "rules"):
                assert move in found


def test_found_moves_come_in_vocabulary_order(detector: LearnedDetector) -> None:
    found = detector.detect("Fair point. Can I ask how you forecast today? Thursday at 2?", "Hm.")
    order = [m for m in detector.model.moves if m in {d.move for d in found}]
    assert [d.move for d in found] == order


def test_empty_or_odd_input_finds_nothing(detector: LearnedDetector) -> None:
    assert detector.detect("") == () and detector.detect("   ") == ()
    assert detector.detect(None, None) == ()  # type: ignore[arg-type]

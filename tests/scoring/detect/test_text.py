"""Reply analysis seen through the detector: questions without a mark, chat shorthand offsets."""

from __future__ import annotations

from bot.scoring.detect import MoveDetector
from tests.helpers.scoring import moves


def test_question_without_mark_and_rhetorical_question(detector: MoveDetector) -> None:
    assert "open_question" in moves(detector, "tell me about the last project that slipped")
    assert "closed_question" in moves(detector, "hiya could i talk to the head of IT pls")
    assert not {"open_question", "closed_question"} & moves(detector, "Is it, though?")


def test_chat_shorthand_is_understood_and_evidence_points_at_typed_words(
    detector: MoveDetector,
) -> None:
    reply = "hey, can u help me figure out who runs IT there? thx"
    found = {d.move: d for d in detector.detect(reply, "He's not in today.")}
    ev = found["enlist_help"].evidence
    assert ev.quote == "can u help me"  # the learner's spelling, not the expansion "you"
    assert reply[ev.start : ev.end] == ev.quote
    question = "ok if i ask u a few qs about ur setup?"
    found = {d.move: d for d in detector.detect(question, "Sure, go ahead.")}
    assert "permission_ask" in found
    assert found["closed_question"].evidence.quote == question

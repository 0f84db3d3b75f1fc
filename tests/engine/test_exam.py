"""Exam mode: no hints, no per-reply feedback, one counted attempt, a certificate on pass."""

from __future__ import annotations

from bot.engine.trainer import Trainer
from bot.messages import Certified, Feedback, Notice, Scorecard
from tests.helpers.teams import ASK, FEATURES, make_team


def test_an_exam_gives_no_hints_or_feedback_and_certifies_a_pass(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    opening = team.say("ana", "/exam tiny_call")
    assert "Exam" in repr(opening.of_type(Notice))
    assert "off" in team.say("ana", "/hint").of_type(Notice)[0].text
    assert team.say("ana", "/score").of_type(Scorecard) == []
    assert "one attempt" in team.say("ana", "/restart").of_type(Notice)[0].text
    reply = team.say("ana", ASK)
    assert reply.ended and reply.of_type(Feedback) == []
    [card] = reply.of_type(Scorecard)
    [certified] = reply.of_type(Certified)
    assert card.passed and certified.scenario_id == "tiny_call" and certified.score == card.score
    [cert] = tiny_trainer.store.certificates(team.person("ana"))
    assert (cert.scenario_id, cert.score) == ("tiny_call", card.score)


def test_a_failed_exam_certifies_nothing(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    team.say("ana", "/exam tiny_call")
    team.say("ana", FEATURES)
    reply = team.say("ana", "/quit")
    assert reply.of_type(Scorecard)[0].passed is False and reply.of_type(Certified) == []
    assert tiny_trainer.store.certificates(team.person("ana")) == []


def test_leaving_an_exam_for_another_scenario_counts_the_attempt(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    team.say("ana", "/exam tiny_call")
    team.say("ana", FEATURES)
    reply = team.say("ana", "/start tiny_call")
    assert reply.of_type(Scorecard), "the abandoned exam is scored as it stood"
    [exam] = [s for s in tiny_trainer.store.person_sessions(team.person("ana")) if s.mode == "exam"]
    assert exam.status == "ended" and exam.outcome == "quit" and exam.passed is False


def test_practice_keeps_feedback(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    team.say("ana", "/start tiny_call")
    assert team.say("ana", FEATURES).of_type(Feedback)

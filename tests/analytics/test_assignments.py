"""Assignments complete on the attempt that meets the minimum and the pass mark."""

from __future__ import annotations

from bot.engine.trainer import Trainer
from bot.messages import Assignments, Notice
from tests.helpers.teams import ASK, FEATURES, make_team


def _assign(trainer: Trainer, team, **kw):
    options = {"pass_mark": 50, "min_attempts": 1, "exam": False, "people": ()} | kw
    with trainer.store.transaction():
        return trainer.store.add_assignment(
            team.team.id, "tiny_call", "normal", "2099-01-31", **options
        )


def test_open_assignments_come_soonest_first_and_close_on_a_pass(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    assignment = _assign(tiny_trainer, team)
    [listing] = team.say("ana", "/assignments").of_type(Assignments)
    assert [a.id for a in listing.assignments] == [assignment.id]
    assert listing.assignments[0].title == "Tiny call" and not listing.assignments[0].overdue
    team.say("ana", "/start tiny_call")
    reply = team.say("ana", ASK)
    assert any("Assignment complete" in n.text for n in reply.of_type(Notice))
    assert team.say("ana", "/assignments").of_type(Assignments)[0].assignments == ()
    [done] = tiny_trainer.store.read(
        "SELECT * FROM completions WHERE person_id = :p", {"p": team.person("ana")}
    )
    assert done["session_id"] == reply.session_id
    assert team.say("ben", "/assignments").of_type(Assignments)[0].assignments != ()


def test_minimum_attempts_and_pass_mark_both_count(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    _assign(tiny_trainer, team, min_attempts=2)
    team.say("ana", "/start tiny_call")
    team.say("ana", ASK)  # a pass, but one attempt of two
    assert team.say("ana", "/assignments").of_type(Assignments)[0].assignments[0].attempts == 1
    team.say("ana", "/start tiny_call")
    team.say("ana", FEATURES)
    reply = team.say("ana", "/quit")  # second attempt fails, but one passed: done
    assert any("Assignment complete" in n.text for n in reply.of_type(Notice))


def test_an_abandoned_session_is_not_an_attempt(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    _assign(tiny_trainer, team)
    team.say("ana", "/start tiny_call")
    team.say("ana", "/start tiny_call")  # abandons the first
    [line] = team.say("ana", "/assignments").of_type(Assignments)[0].assignments
    assert line.attempts == 0


def test_an_exam_assignment_ignores_practice(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    _assign(tiny_trainer, team, exam=True)
    team.say("ana", "/start tiny_call")
    team.say("ana", ASK)
    assert len(team.say("ana", "/assignments").of_type(Assignments)[0].assignments) == 1
    team.say("ana", "/exam tiny_call")
    team.say("ana", ASK)
    listing = team.say("ana", "/assignments").of_type(Assignments)[0]
    assert listing.assignments == () and listing.certified


def test_an_assignment_for_some_reps_is_theirs_only(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    _assign(tiny_trainer, team, people=(team.person("ben"),))
    assert team.say("ana", "/assignments").of_type(Assignments)[0].assignments == ()
    assert len(team.say("ben", "/assignments").of_type(Assignments)[0].assignments) == 1

"""The access rule, once for every surface: own transcripts, or those of a managed rep."""

from __future__ import annotations

from bot.engine.team_commands import NO_ACCESS, NOT_A_MANAGER
from bot.engine.trainer import Trainer
from bot.messages import Notice, TeamSummary, Transcript
from tests.helpers.teams import ASK, FEATURES, make_team


def _played(trainer: Trainer):
    team = make_team(trainer)
    team.say("ana", "/start tiny_call")
    team.say("ana", FEATURES)
    team.say("ana", ASK)
    return team


def test_a_rep_sees_their_own_transcript(tiny_trainer: Trainer) -> None:
    team = _played(tiny_trainer)
    [transcript] = team.say("ana", "/transcript").of_type(Transcript)
    texts = [line.text for line in transcript.lines]
    assert FEATURES in texts and ASK in texts
    said = [line for line in transcript.lines if line.text == FEATURES]
    assert said[0].speaker == "Ana" and said[0].points is not None and said[0].points < 0


def test_a_manager_sees_a_rep_of_their_team(tiny_trainer: Trainer) -> None:
    team = _played(tiny_trainer)
    [transcript] = team.say("maria", "/transcript ana").of_type(Transcript)
    assert transcript.rep == "Ana" and ASK in [line.text for line in transcript.lines]


def test_another_rep_and_another_teams_manager_are_refused(tiny_trainer: Trainer) -> None:
    team = _played(tiny_trainer)
    for user in ("ben", "olga", "eve", "stranger"):
        reply = team.say(user, "/transcript Ana")
        assert reply.of_type(Transcript) == []
        assert [n.text for n in reply.of_type(Notice)] == [NO_ACCESS]
        assert ASK not in repr(reply)


def test_an_unknown_name_gets_the_same_refusal_as_a_forbidden_one(tiny_trainer: Trainer) -> None:
    team = _played(tiny_trainer)
    assert team.say("ben", "/transcript nobody") == team.say("ben", "/transcript ana")


def test_only_a_manager_gets_the_team_summary(tiny_trainer: Trainer) -> None:
    team = _played(tiny_trainer)
    for user in ("ana", "ben", "eve"):
        reply = team.say(user, "/team West")
        assert reply.of_type(TeamSummary) == [] and NOT_A_MANAGER in repr(reply)
    assert team.say("olga", "/team West").of_type(TeamSummary) == []  # not her team
    [summary] = team.say("maria", "/team").of_type(TeamSummary)
    assert summary.team == "West" and [r.rep for r in summary.reps] == ["Ana", "Ben"]
    assert summary.missed and summary.missed[0].example  # a quoted example


def test_no_message_makes_a_learner_a_manager(tiny_trainer: Trainer) -> None:
    team = _played(tiny_trainer)
    store = tiny_trainer.store
    before = store.count("team_members")
    for text in ("/team add ben --manager", "/team West manager ben", "/manager ben"):
        team.say("ben", text)
    assert store.count("team_members") == before
    assert store.teams_of(team.person("ben"), "manager") == []


def test_reps_see_their_teams_leaderboard_unless_it_opted_out(tiny_trainer: Trainer) -> None:
    team = _played(tiny_trainer)
    board = team.say("ben", "/leaderboard").of_type(Notice)[0].text
    assert "Leaderboard, West" in board and "1. Ana" in board
    assert "West" not in team.say("eve", "/leaderboard").of_type(Notice)[0].text
    with tiny_trainer.store.transaction():
        tiny_trainer.store.set_leaderboard(team.team.id, False)
    assert "No leaderboard" in team.say("ben", "/leaderboard").of_type(Notice)[0].text


def test_the_team_report_is_read_while_another_writer_holds_the_lock(
    tiny_trainer: Trainer,
) -> None:
    import sqlite3

    from bot.messages import Inbound, Learner

    _played(tiny_trainer)
    other = sqlite3.connect(tiny_trainer.store.path, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")  # a writer mid-transaction, as a turn would be
    try:
        prepared = tiny_trainer.prepare(Inbound(Learner("test", "maria"), "/team"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert prepared is not None and prepared.report is not None
    [summary] = prepared.report.of_type(TeamSummary)
    assert summary.team == "West"

"""The report queries answer the manager's questions from what reps really said."""

from __future__ import annotations

from bot.analytics.team import queries, team_report, team_summary
from bot.engine.team_commands import skill_scenarios, titles_of
from bot.engine.trainer import Trainer
from bot.messages import Learner
from tests.helpers.teams import ASK, FEATURES, make_team


def _report(trainer: Trainer, name: str = "West"):
    casts = trainer.casts
    return team_report(trainer.store, name, titles_of(casts), skill_scenarios(casts))


def _seeded(trainer: Trainer):
    team = make_team(trainer)
    with trainer.store.transaction():
        trainer.store.add_assignment(
            team.team.id, "tiny_call", "normal", "2099-01-31", 50, 1, False
        )
    team.say("ana", "/start tiny_call")
    team.say("ana", ASK)  # wins: the assignment is done
    team.say("ben", "/start tiny_call")
    team.say("ben", FEATURES)
    team.say("ben", "/quit")
    team.say("eve", "/start tiny_call")  # another team: never in West's report
    team.say("eve", "Eve's own words, with dashboards and AI and integrations.")
    team.say("eve", "/quit")
    return team


def test_who_has_not_done_the_assignment(tiny_trainer: Trainer) -> None:
    _seeded(tiny_trainer)
    report = _report(tiny_trainer)
    assert [(r["rep"], r["attempts"]) for r in report.rows("not_done")] == [("Ben", 1)]
    [completion] = report.rows("assignment_completion")
    assert (completion["completed"], completion["assigned"]) == (1, 2)
    assert completion["title"] == "Tiny call"


def test_the_missed_moves_quote_what_a_rep_of_the_team_said(tiny_trainer: Trainer) -> None:
    _seeded(tiny_trainer)
    missed = _report(tiny_trainer).rows("missed_moves")
    said = {
        row["text"]
        for row in tiny_trainer.store.read("SELECT text FROM turns WHERE role = 'learner'", {})
    }
    assert missed, "Ben missed the permission ask and dumped features"
    assert {(m["move"], m["kind"]) for m in missed} >= {
        ("permission_ask", "missed"),
        ("feature_dump", "mistake"),
    }
    for row in missed:
        assert row["example_rep"] in ("Ana", "Ben")
        assert row["example"] and any(row["example"] in text for text in said)


def test_skill_scores_and_what_to_practise_next(tiny_trainer: Trainer) -> None:
    _seeded(tiny_trainer)
    report = _report(tiny_trainer)
    scores = {(r["rep"], r["skill"]): r["score"] for r in report.rows("skill_scores")}
    assert scores[("Ana", "questioning")] == 100  # asked permission: every point at stake
    assert scores[("Ben", "objections")] == 0  # dumped features: lost every point at stake
    nexts = {r["rep"]: r for r in report.rows("practise_next")}
    assert nexts["Ben"]["weakest_skill"] == "Handling objections and value"
    assert nexts["Ben"]["skill_score"] == 0


def test_leaderboard_ranks_and_respects_the_opt_out(tiny_trainer: Trainer) -> None:
    team = _seeded(tiny_trainer)
    ranks = [(r["rank"], r["rep"]) for r in _report(tiny_trainer).rows("leaderboard")]
    assert ranks[0] == (1, "Ana") and {rep for _, rep in ranks} == {"Ana", "Ben"}
    with tiny_trainer.store.transaction():
        tiny_trainer.store.set_leaderboard(team.team.id, False)
    assert _report(tiny_trainer).rows("leaderboard") == []


def test_the_weekly_trends_cover_the_teams_sessions(tiny_trainer: Trainer) -> None:
    _seeded(tiny_trainer)
    report = _report(tiny_trainer)
    assert {r["rep"] for r in report.rows("weekly_scores")} == {"Ana", "Ben"}
    assert {r["skill"] for r in report.rows("weekly_skills")}


def test_the_chat_summary_is_built_from_the_same_rows(tiny_trainer: Trainer) -> None:
    _seeded(tiny_trainer)
    report = _report(tiny_trainer)
    summary = team_summary(report)
    assert summary.completion[0].not_done == ("Ben",)
    assert summary.missed[0].example == report.rows("missed_moves")[0]["example"]
    assert "Eve" not in repr(summary)


def test_every_query_names_its_team_parameter() -> None:
    for query in queries().values():
        assert ":team" in query.sql, query.name
        assert query.title and query.description


def test_a_reps_own_progress_points_at_their_weakest_skill(trainer: Trainer) -> None:
    rep = make_team(trainer)
    rep.say("ana", "/start cold_call")
    rep.say("ana", FEATURES)
    rep.say("ana", "/quit")
    progress = trainer.progress(Learner("test", "ana"))
    assert progress.weakest_skill == "Handling objections and value"
    assert progress.practise_next == skill_scenarios(trainer.casts)["objections"]

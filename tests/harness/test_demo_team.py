"""The demo team: at least twenty reps played through the real engine, and a report that
answers the manager's three questions from it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.analytics.team import run_query
from bot.content.library import Library
from bot.engine.trainer import Trainer
from bot.harness.demo_team import CFO_SCENARIO, DemoTeam, DemoTeamError, build_demo_team
from bot.storage.sqlite import SqliteStore

TEAM = "Demo team"


def build(
    library: Library, path: Path, seed: int = 1, today: datetime | None = None
) -> tuple[SqliteStore, DemoTeam]:
    store = SqliteStore(path)
    return store, build_demo_team(Trainer(library, store), store, TEAM, seed=seed, today=today)


@pytest.fixture(scope="module")
def demo(library: Library, tmp_path_factory: pytest.TempPathFactory):
    store, team = build(library, tmp_path_factory.mktemp("demo") / "demo.db")
    yield store, team
    store.close()


def per_rep_scores(store: SqliteStore) -> list[tuple[str, str, str, int | None]]:
    rows = store.read(
        "SELECT p.name, s.scenario_id, s.mode, s.score FROM sessions s"
        " JOIN learners l ON l.id = s.learner_id JOIN people p ON p.id = l.person_id"
        " ORDER BY s.id",
        {},
    )
    return [(r["name"], r["scenario_id"], r["mode"], r["score"]) for r in rows]


def test_the_team_has_a_manager_and_at_least_twenty_reps_with_sessions(demo) -> None:
    store, team = demo
    reps = run_query(store, "reps", TEAM)
    assert len(reps) == len(team.reps) >= 20
    assert all(rep["sessions"] >= 5 for rep in reps)
    managers = store.read(
        "SELECT p.name FROM team_members m JOIN people p ON p.id = m.person_id"
        " WHERE m.role = 'manager'",
        {},
    )
    assert [m["name"] for m in managers] == ["Morgan (manager)"]


def test_strong_reps_score_higher_than_weak_ones(demo) -> None:
    store, team = demo
    average = {row["rep"]: row["average_score"] for row in run_query(store, "reps", TEAM)}
    by_skill = sorted(team.reps, key=lambda rep: rep.skill)
    weakest = [average[rep.name] for rep in by_skill[:5]]
    strongest = [average[rep.name] for rep in by_skill[-5:]]
    assert sum(strongest) / 5 > sum(weakest) / 5 + 20


def test_some_reps_have_not_done_the_cfo_assignment(demo) -> None:
    store, team = demo
    assert team.cfo_not_done
    assert len(team.cfo_not_done) < len(team.reps)
    done = store.read(
        "SELECT p.name FROM completions c JOIN assignments a ON a.id = c.assignment_id"
        " JOIN people p ON p.id = c.person_id WHERE a.scenario_id = :s",
        {"s": CFO_SCENARIO},
    )
    assert not {row["name"] for row in done} & set(team.cfo_not_done)
    assignment = store.read(
        "SELECT pass_mark, due_at, created_at FROM assignments WHERE scenario_id = :s",
        {"s": CFO_SCENARIO},
    )[0]
    assert assignment["pass_mark"] == 70  # the scenario's own
    assert assignment["created_at"][:10] < assignment["due_at"]


def test_some_reps_are_certified_by_a_passed_exam_and_some_failed_it(demo) -> None:
    store, team = demo
    certified = run_query(store, "certified", TEAM)
    assert certified and team.certified
    exams = store.read(
        "SELECT p.name, s.passed FROM sessions s JOIN learners l ON l.id = s.learner_id"
        " JOIN people p ON p.id = l.person_id WHERE s.mode = 'exam'",
        {},
    )
    passed = {row["name"] for row in exams if row["passed"]}
    assert {row["rep"] for row in certified} == passed
    assert any(not row["passed"] for row in exams)


def test_the_most_missed_move_quotes_a_real_learner_turn(demo) -> None:
    store, _ = demo
    missed = run_query(store, "missed_moves", TEAM)
    top = missed[0]
    assert top["kind"] == "missed" and top["times"] >= top["reps"] > 1
    said = store.read(
        "SELECT t.text FROM turns t JOIN sessions s ON s.id = t.session_id"
        " JOIN learners l ON l.id = s.learner_id JOIN people p ON p.id = l.person_id"
        " WHERE t.role = 'learner' AND p.name = :rep",
        {"rep": top["example_rep"]},
    )
    assert top["example"] in {row["text"] for row in said}


def test_sessions_spread_over_eight_weeks_for_the_trend(demo) -> None:
    store, _ = demo
    weeks = {row["week"] for row in run_query(store, "weekly_scores", TEAM)}
    assert len(weeks) >= 7
    late = store.read("SELECT COUNT(*) AS n FROM sessions WHERE started_at > ended_at", {})
    assert late[0]["n"] == 0


def test_the_same_seed_gives_the_same_team(demo, library: Library, tmp_path: Path) -> None:
    store, team = demo
    again, rebuilt = build(library, tmp_path / "again.db")
    try:
        assert per_rep_scores(again) == per_rep_scores(store)
        assert rebuilt.reps == team.reps and rebuilt.certified == team.certified
    finally:
        again.close()


def test_the_time_of_day_does_not_change_the_team(library: Library, tmp_path: Path) -> None:
    morning, _ = build(
        library, tmp_path / "morning.db", today=datetime(2026, 5, 4, 0, 30, tzinfo=UTC)
    )
    night, _ = build(library, tmp_path / "night.db", today=datetime(2026, 5, 4, 23, 50, tzinfo=UTC))
    try:
        assert per_rep_scores(morning) == per_rep_scores(night)
        days = "SELECT date(started_at) AS day FROM sessions ORDER BY id"
        assert morning.read(days, {}) == night.read(days, {})
    finally:
        morning.close()
        night.close()


def test_a_team_that_exists_is_not_seeded_twice(demo, library: Library) -> None:
    store, _ = demo
    with pytest.raises(DemoTeamError, match="exists already"):
        build_demo_team(Trainer(library, store), store, TEAM)

"""The bench builder, small: the counts asked for, copies as complete as what was played."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.analytics.team import queries
from bot.content.library import Library
from bot.engine.trainer import Trainer
from bot.harness.team_bench import TEAM, build_bench_db, time_report
from bot.storage.sqlite import SqliteStore


@pytest.fixture(scope="module")
def bench(library: Library, tmp_path_factory: pytest.TempPathFactory):
    store = SqliteStore(tmp_path_factory.mktemp("bench") / "bench.db")
    trainer = Trainer(library, store)
    size = build_bench_db(trainer, store, reps=20, sessions=500, distinct=90)
    yield trainer, store, size
    store.close()


def test_the_database_has_the_reps_and_sessions_asked_for(bench) -> None:
    _, store, size = bench
    assert (size.reps, size.sessions) == (20, 500)
    assert 0 < size.played < 500 and size.megabytes > 0.1
    assert store.count("sessions", "status = 'ended'") == 500
    assert size.turns == store.count("turns") and size.turn_moves == store.count("turn_moves")
    everyone = store.read(
        "SELECT COUNT(DISTINCT l.person_id) AS n FROM sessions s"
        " JOIN learners l ON l.id = s.learner_id",
        {},
    )
    assert everyone[0]["n"] == 20


def test_a_copy_has_its_template_turns_and_moves_within_the_trend_window(bench) -> None:
    _, store, size = bench
    per_session = store.read(
        "SELECT s.id, s.turn_count, s.started_at, s.ended_at,"
        " (SELECT COUNT(*) FROM turns t WHERE t.session_id = s.id AND t.role = 'learner') AS n"
        " FROM sessions s ORDER BY s.id",
        {},
    )
    assert all(row["n"] == row["turn_count"] for row in per_session)
    oldest = (datetime.now(UTC) - timedelta(days=85)).isoformat()
    copies = per_session[size.played :]
    assert all(oldest < row["started_at"] <= row["ended_at"] for row in copies)
    orphans = store.read(
        "SELECT COUNT(*) AS n FROM turn_moves m LEFT JOIN sessions s ON s.id = m.session_id"
        " WHERE s.id IS NULL",
        {},
    )
    assert orphans[0]["n"] == 0


def test_completions_and_certificates_follow_the_engine_rules(bench) -> None:
    _, store, _ = bench
    wrong = store.read(
        "SELECT COUNT(*) AS n FROM completions c JOIN assignments a ON a.id = c.assignment_id"
        " JOIN sessions s ON s.id = c.session_id"
        " WHERE s.score < a.pass_mark OR s.started_at < a.created_at"
        " OR (a.exam = 1 AND s.mode != 'exam')",
        {},
    )
    assert wrong[0]["n"] == 0
    assert store.count("completions") > 0
    uncertified = store.read(
        "SELECT COUNT(*) AS n FROM certificates c JOIN sessions s ON s.id = c.session_id"
        " WHERE s.mode != 'exam' OR s.passed != 1",
        {},
    )
    assert uncertified[0]["n"] == 0 and store.count("certificates") > 0


def test_every_query_and_the_three_questions_are_timed(bench) -> None:
    trainer, store, _ = bench
    timings = time_report(trainer, store, TEAM, runs=1)
    labels = [t.label for t in timings]
    assert labels[: len(queries())] == [f"query {name}" for name in queries()]
    assert len(labels) == len(queries()) + 4
    assert all(len(t.ms) == 1 and t.p50 >= 0 for t in timings)

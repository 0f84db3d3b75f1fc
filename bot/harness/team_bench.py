"""`roleplay team-bench`: how fast the team report answers on a big team.

A few hundred sessions are played through the real engine (a demo team, see
demo_team.py); SQL then copies them, with new ids, reps and dates, up to the size asked
for (200 reps and 20,000 sessions take seconds, not the minutes that playing them would).
Completions and certificates are derived from the copies with the engine's own rules
(one attempt at the pass mark since the assignment was set; a passed exam). Then every
report query, the whole report and the manager's three questions are timed. Figures are
printed, never asserted."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

from bot.analytics.team import queries, run_query, team_report
from bot.engine.team_commands import skill_scenarios, titles_of
from bot.engine.trainer import Trainer
from bot.harness.backdate import stamp
from bot.harness.demo_team import CFO_SCENARIO, PLATFORM, build_demo_team, rep_names
from bot.harness.figures import percentile
from bot.storage.sqlite import SqliteStore

TEAM = "Bench team"
SESSIONS_PER_SEEDED_REP = 9  # about what a demo rep plays (demo_team.plan_sessions)
COPY_HISTORY_DAYS = 84  # the report's trend window
CFO_DOERS = 0.7  # share of reps whose copied CFO sessions come after the assignment


@dataclass(frozen=True)
class BenchSize:
    reps: int
    sessions: int
    played: int
    turns: int
    turn_moves: int
    megabytes: float
    build_seconds: float


@dataclass(frozen=True)
class Timing:
    label: str
    ms: list[float]
    rows: int

    @property
    def p50(self) -> float:
        return percentile(self.ms, 50)

    @property
    def p95(self) -> float:
        return percentile(self.ms, 95)

    @property
    def max(self) -> float:
        return max(self.ms, default=0.0)

    def as_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "p50_ms": self.p50,
            "p95_ms": self.p95,
            "max_ms": self.max,
            "runs": len(self.ms),
            "rows": self.rows,
        }


def build_bench_db(
    trainer: Trainer,
    store: SqliteStore,
    reps: int = 200,
    sessions: int = 20_000,
    distinct: int = 300,
    seed: int = 1,
    today: datetime | None = None,
) -> BenchSize:
    """Fill `store` with team TEAM of `reps` reps and `sessions` ended sessions."""
    started = time.perf_counter()
    today = today or datetime.now(UTC)
    seeded = max(1, min(reps, distinct // SESSIONS_PER_SEEDED_REP))
    build_demo_team(trainer, store, TEAM, seeded, seed, today)
    rng = random.Random(seed)
    with store.transaction():
        learners = _add_reps(store, reps, seeded, today)
        templates = _templates(store)
        missing = sessions - len(templates)
        if missing > 0:
            _copy_sessions(store, templates, learners, missing, today, rng)
        _derive_completions(store)
        _derive_certificates(store)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return measure_size(store, len(templates), time.perf_counter() - started)


def _add_reps(store: SqliteStore, reps: int, seeded: int, today: datetime) -> list[int]:
    """Reps beyond the seeded ones join the team; returns every rep's learner id."""
    team = store.team(TEAM)
    assert team is not None
    joined = stamp(today - timedelta(days=COPY_HISTORY_DAYS + 1))
    for name in rep_names(_names(store), reps)[seeded:]:
        user_id = "bench." + name.lower().replace(" ", ".")
        person = store.db.execute(
            "INSERT INTO people (name, created_at) VALUES (?, ?)", (name, joined)
        ).lastrowid
        store.db.execute(
            "INSERT INTO learners (platform, user_id, name, feedback_on, created_at, person_id)"
            " VALUES (?, ?, ?, 1, ?, ?)",
            (PLATFORM, user_id, name, joined, person),
        )
        store.db.execute(
            "INSERT INTO team_members (team_id, person_id, role, added_at) VALUES (?, ?, 'rep', ?)",
            (team.id, person, joined),
        )
    rows = store.read(
        "SELECT l.id FROM teams t JOIN team_members m ON m.team_id = t.id AND m.role = 'rep'"
        " JOIN learners l ON l.person_id = m.person_id WHERE t.name = :team ORDER BY l.id",
        {"team": TEAM},
    )
    return [row["id"] for row in rows]


def _names(store: SqliteStore) -> list[str]:
    rows = store.read(
        "SELECT p.name FROM teams t JOIN team_members m ON m.team_id = t.id AND m.role = 'rep'"
        " JOIN people p ON p.id = m.person_id WHERE t.name = :team ORDER BY p.id",
        {"team": TEAM},
    )
    return [row["name"] for row in rows]


def _templates(store: SqliteStore) -> list[dict[str, Any]]:
    """The team's sessions played through the engine so far: what the copies copy."""
    return store.read(
        "SELECT s.id, s.scenario_id, s.started_at FROM teams t"
        " JOIN team_members m ON m.team_id = t.id AND m.role = 'rep'"
        " JOIN learners l ON l.person_id = m.person_id"
        " JOIN sessions s ON s.learner_id = l.id AND s.status = 'ended'"
        " WHERE t.name = :team ORDER BY s.id",
        {"team": TEAM},
    )


def _copy_sessions(
    store: SqliteStore,
    templates: list[dict[str, Any]],
    learners: list[int],
    count: int,
    today: datetime,
    rng: random.Random,
) -> None:
    """`count` copies of the played sessions, each for a random rep at a random time,
    every turn and move shifted with it."""
    cfo = store.read(
        "SELECT MIN(created_at) AS at FROM assignments WHERE scenario_id = :s", {"s": CFO_SCENARIO}
    )[0]["at"]
    cfo_set = datetime.fromisoformat(cfo) if cfo else today
    doers = {learner for learner in learners if rng.random() < CFO_DOERS}
    first = int(store.read("SELECT MAX(id) AS id FROM sessions", {})[0]["id"]) + 1
    plan = []
    for n in range(count):
        template = templates[n % len(templates)]
        learner = rng.choice(learners)
        low = today - timedelta(days=COPY_HISTORY_DAYS)
        high = today - timedelta(hours=1)
        if template["scenario_id"] == CFO_SCENARIO:
            low, high = (cfo_set, high) if learner in doers else (low, cfo_set)
        when = low + (high - low) * rng.random()
        shift = (when - datetime.fromisoformat(template["started_at"])).total_seconds()
        plan.append((first + n, template["id"], learner, f"{shift:+.3f} seconds"))
    db = store.db
    db.execute("DROP TABLE IF EXISTS temp.copy_plan")
    db.execute(
        "CREATE TEMP TABLE copy_plan (new_id INTEGER PRIMARY KEY, template_id INTEGER,"
        " learner_id INTEGER, shift TEXT)"
    )
    db.conn.executemany("INSERT INTO copy_plan VALUES (?, ?, ?, ?)", plan)
    shifted = "strftime('%Y-%m-%dT%H:%M:%f+00:00', {}, p.shift)"
    db.execute(
        "INSERT INTO sessions (id, learner_id, scenario_id, content_version, level, state,"
        " mood, variables, status, outcome, score, passed, turn_count, started_at, ended_at,"
        " seq, last_line, mode)"
        " SELECT p.new_id, p.learner_id, s.scenario_id, s.content_version, s.level, s.state,"
        " s.mood, s.variables, s.status, s.outcome, s.score, s.passed, s.turn_count,"
        f" {shifted.format('s.started_at')}, {shifted.format('s.ended_at')},"
        " s.seq, s.last_line, s.mode"
        " FROM copy_plan p JOIN sessions s ON s.id = p.template_id ORDER BY p.new_id"
    )
    db.execute(
        "INSERT INTO turns (session_id, seq, role, text, moves, points, state_before,"
        " state_after, mood, created_at)"
        " SELECT p.new_id, t.seq, t.role, t.text, t.moves, t.points, t.state_before,"
        f" t.state_after, t.mood, {shifted.format('t.created_at')}"
        " FROM copy_plan p JOIN turns t ON t.session_id = p.template_id ORDER BY p.new_id, t.seq"
    )
    db.execute(
        "INSERT INTO turn_moves (session_id, seq, move, kind, points, quote, created_at)"
        " SELECT p.new_id, m.seq, m.move, m.kind, m.points, m.quote,"
        f" {shifted.format('m.created_at')}"
        " FROM copy_plan p JOIN turn_moves m ON m.session_id = p.template_id"
        " ORDER BY p.new_id, m.id"
    )
    db.execute("DROP TABLE temp.copy_plan")


def _derive_completions(store: SqliteStore) -> None:
    """The engine's rule for a one-attempt assignment: the first counted session of the
    scenario and level since it was set (an exam, for an exam assignment) at the pass mark."""
    store.db.execute(
        "INSERT OR IGNORE INTO completions (assignment_id, person_id, session_id, completed_at)"
        " SELECT a.id, l.person_id, MIN(s.id), MIN(s.ended_at)"
        " FROM assignments a JOIN team_members m ON m.team_id = a.team_id AND m.role = 'rep'"
        " JOIN learners l ON l.person_id = m.person_id"
        " JOIN sessions s ON s.learner_id = l.id AND s.scenario_id = a.scenario_id"
        " AND s.level = a.level AND s.status = 'ended'"
        " AND COALESCE(s.outcome, '') NOT IN ('', 'abandoned')"
        " AND s.started_at >= a.created_at AND (a.exam = 0 OR s.mode = 'exam')"
        " AND s.score >= a.pass_mark"
        " WHERE a.min_attempts <= 1 GROUP BY a.id, l.person_id"
    )


def _derive_certificates(store: SqliteStore) -> None:
    """A passed exam certifies; the latest pass of the same exam holds the certificate."""
    store.db.execute(
        "INSERT INTO certificates (person_id, scenario_id, level, session_id, score,"
        " certified_at)"
        " SELECT l.person_id, s.scenario_id, s.level, s.id, s.score, s.ended_at"
        " FROM sessions s JOIN learners l ON l.id = s.learner_id"
        " WHERE s.mode = 'exam' AND s.passed = 1 ORDER BY s.ended_at"
        " ON CONFLICT DO UPDATE SET session_id = excluded.session_id,"
        " score = excluded.score, certified_at = excluded.certified_at"
        " WHERE excluded.certified_at > certificates.certified_at"
    )


def measure_size(store: SqliteStore, played: int, seconds: float) -> BenchSize:
    def count(sql: str) -> int:
        return int(store.read(sql, {"team": TEAM})[0]["n"])

    return BenchSize(
        reps=count(
            "SELECT COUNT(*) AS n FROM team_members m JOIN teams t ON t.id = m.team_id"
            " WHERE t.name = :team AND m.role = 'rep'"
        ),
        sessions=count("SELECT COUNT(*) AS n FROM sessions WHERE status = 'ended'"),
        played=played,
        turns=count("SELECT COUNT(*) AS n FROM turns"),
        turn_moves=count("SELECT COUNT(*) AS n FROM turn_moves"),
        megabytes=count(
            "SELECT page_count * page_size AS n FROM pragma_page_count(), pragma_page_size()"
        )
        / 1e6,
        build_seconds=seconds,
    )


def _timed(label: str, runs: int, work: Callable[[], Any]) -> Timing:
    rows = work()  # warm-up: the first run reads the pages from disk into the cache
    ms = []
    for _ in range(runs):
        t0 = time.perf_counter()
        work()
        ms.append((time.perf_counter() - t0) * 1000)
    return Timing(label, ms, len(rows) if hasattr(rows, "__len__") else 1)


def time_report(
    trainer: Trainer, store: SqliteStore, team: str = TEAM, runs: int = 20
) -> list[Timing]:
    """Each report query, the whole report, then the three questions a manager asks."""
    timings = [
        _timed(f"query {name}", runs, partial(run_query, store, name, team)) for name in queries()
    ]
    titles, skills = titles_of(trainer.casts), skill_scenarios(trainer.casts)
    timings.append(
        _timed("full team_report", runs, lambda: team_report(store, team, titles, skills).sections)
    )
    timings += [
        _timed("Q: who has not done the CFO assignment", runs, lambda: cfo_not_done(store, team)),
        _timed("Q: which move do we miss most (quote)", runs, lambda: most_missed(store, team)),
        _timed("Q: who is certified", runs, lambda: run_query(store, "certified", team)),
    ]
    return timings


def cfo_not_done(store: SqliteStore, team: str) -> list[dict[str, Any]]:
    return [row for row in run_query(store, "not_done", team) if row["scenario"] == CFO_SCENARIO]


def most_missed(store: SqliteStore, team: str) -> list[dict[str, Any]]:
    """The top row of missed_moves, with its quoted example."""
    return run_query(store, "missed_moves", team)[:1]

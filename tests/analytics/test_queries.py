"""Report queries rewritten for speed give the rows they gave before."""

from __future__ import annotations

from pathlib import Path

from bot.analytics.team import run_query
from bot.content.library import Library
from bot.engine.trainer import Trainer
from bot.harness.demo_team import build_demo_team
from bot.storage.sqlite import SqliteStore

# missed_moves as merged with m004: it carried every quote through the count
MISSED_MOVES_BEFORE = """
WITH team_moves AS (
  SELECT tm.id, tm.move, tm.kind, tm.quote, p.id AS person_id, p.name AS rep
  FROM teams t
  JOIN team_members m ON m.team_id = t.id AND m.role = 'rep'
  JOIN people p ON p.id = m.person_id
  JOIN learners l ON l.person_id = p.id
  JOIN sessions s ON s.learner_id = l.id
  JOIN turn_moves tm ON tm.session_id = s.id AND tm.kind IN ('missed', 'mistake')
  WHERE t.name = :team
),
counted AS (
  SELECT move, kind, COUNT(*) AS times, COUNT(DISTINCT person_id) AS reps,
    MAX(id) AS latest
  FROM team_moves GROUP BY move, kind
)
SELECT c.move, mv.label, c.kind, c.times, c.reps, x.quote AS example, x.rep AS example_rep,
  mv.skill_name AS skill, mv.link
FROM counted c
JOIN team_moves x ON x.id = c.latest
JOIN moves mv ON mv.id = c.move
ORDER BY c.times DESC, c.move
LIMIT 10
"""


def test_missed_moves_gives_the_rows_it_gave_before(library: Library, tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "demo.db")
    try:
        build_demo_team(Trainer(library, store), store, "Team A", reps=6, seed=3)
        build_demo_team(Trainer(library, store), store, "Team B", reps=4, seed=4)
        for team in ("Team A", "Team B"):
            now = run_query(store, "missed_moves", team)
            assert now and now == store.read(MISSED_MOVES_BEFORE, {"team": team})
    finally:
        store.close()

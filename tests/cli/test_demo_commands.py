"""`roleplay demo-team` and `roleplay team-bench` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main


def run(*args: str):
    return CliRunner().invoke(main, list(args), env={"COLUMNS": "120"})


def test_demo_team_seeds_a_team_the_report_reads(tmp_path: Path) -> None:
    db = str(tmp_path / "demo.db")
    result = run("demo-team", "--db", db, "--reps", "20", "--seed", "2")
    assert result.exit_code == 0, result.output
    assert "20 reps" in result.output
    assert f"roleplay team report 'Demo team' --db {db}" in result.output
    assert f"roleplay dashboard --team 'Demo team' --db {db}" in result.output
    report = json.loads(run("team", "report", "Demo team", "--db", db, "--json").output)
    assert len(report["reps"]) == 20 and report["certified"] and report["missed_moves"]
    cfo = [row for row in report["not_done"] if row["scenario"] == "cfo_best_price"]
    assert cfo and f"({len(cfo)})" in result.output
    again = run("demo-team", "--db", db)
    assert again.exit_code == 1 and "exists already" in again.output


def test_team_bench_prints_its_figures_as_json(tmp_path: Path) -> None:
    db = str(tmp_path / "bench.db")
    args = ["team-bench", "--reps", "12", "--sessions", "200", "--played", "40", "--runs", "2"]
    result = run(*args, "--db", db, "--json")
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert (figures["size"]["reps"], figures["size"]["sessions"]) == (12, 200)
    labels = [t["label"] for t in figures["timings"]]
    assert "query missed_moves" in labels and "Q: who is certified" in labels
    assert all(t["runs"] == 2 for t in figures["timings"])
    table = run("team-bench", "--db", db, "--runs", "1")  # reuses the built file
    assert table.exit_code == 0 and "12 reps, 200 ended sessions" in table.output

"""`roleplay team ...` end to end: the admin sets up a team, reps practise, the report reads."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main
from tests.helpers.teams import ASK, FEATURES

WIDE = {"COLUMNS": "200"}


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=WIDE, input=stdin)


def _setup(content: Path, db: Path) -> list[str]:
    where = ["--db", str(db), "--content", str(content)]
    for args in (
        ("create", "West"),
        ("add", "West", "terminal:ana", "terminal:ben"),
        ("add", "West", "terminal:maria", "--manager", "--name", "Maria"),
        ("assign", "West", "tiny_call", "--due", "2099-01-31", "--attempts", "1"),
    ):
        result = run("team", *args, *where)
        assert result.exit_code == 0, result.output
    for rep, reply in (("ana", ASK), ("ben", FEATURES)):
        result = run("practice", "tiny_call", "--learner", rep, *where, stdin=reply + "\n/quit\n")
        assert result.exit_code == 0, result.output
    return where


def test_report_answers_who_has_not_done_it_and_what_the_team_misses(
    content: Path, db_path: Path
) -> None:
    where = _setup(content, db_path)
    result = run("team", "report", "West", *where)
    assert result.exit_code == 0, result.output
    assert "Who has not done each assignment" in result.output
    section = result.output.split("Who has not done each assignment")[1]
    not_done = section.split("The moves the team misses most")[0]
    assert "ben" in not_done and "ana" not in not_done
    assert "Feature dump" in result.output and "dashboards" in result.output  # quoted


def test_json_and_csv_exports_carry_the_same_rows(
    content: Path, db_path: Path, tmp_path: Path
) -> None:
    where = _setup(content, db_path)
    data = json.loads(run("team", "report", "West", "--json", *where).output)
    assert [r["rep"] for r in data["not_done"]] == ["ben"]
    out = tmp_path / "lms"
    result = run("team", "report", "West", "--csv", str(out), *where)
    assert result.exit_code == 0, result.output
    with (out / "not_done.csv").open(encoding="utf-8") as f:
        assert [r["rep"] for r in csv.DictReader(f)] == ["ben"]
    with (out / "reps.csv").open(encoding="utf-8") as f:
        assert {r["rep"] for r in csv.DictReader(f)} == {"ana", "ben"}


def test_linked_accounts_share_progress(content: Path, db_path: Path) -> None:
    where = _setup(content, db_path)
    assert run("team", "link", "terminal:ana", "telegram:555", *where).exit_code == 0
    result = run("practice", "tiny_call", "--learner", "555", *where, stdin="/quit\n")
    assert result.exit_code == 0
    data = json.loads(run("team", "report", "West", "--json", *where).output)
    assert {r["rep"]: r["sessions"] for r in data["reps"]}["ana"] == 1  # telegram's not here
    progress = run("progress", "--learner", "ana", *where).output
    assert progress.count("Tiny call") == 1


def test_reps_see_their_open_assignments_first(content: Path, db_path: Path) -> None:
    where = ["--db", str(db_path), "--content", str(content)]
    run("team", "create", "West", *where)
    run("team", "add", "West", "terminal:cy", *where)
    run("team", "assign", "West", "tiny_call", "--due", "2099-01-31", *where)
    output = run("practice", "--learner", "cy", *where, stdin="").output
    assert output.index("Your assignments") < output.index("Scenarios")
    assert "Tiny call" in output.split("Your assignments")[1]


def test_bad_input_is_refused_clearly(content: Path, db_path: Path) -> None:
    where = ["--db", str(db_path), "--content", str(content)]
    assert "no team 'Nope'" in run("team", "add", "Nope", "terminal:x", *where).output
    run("team", "create", "West", *where)
    for args, message in (
        (("add", "West", "justaname"), "is not PLATFORM:USER_ID"),
        (("assign", "West", "nope", "--due", "2099-01-31"), "unknown scenario 'nope'"),
        (("assign", "West", "tiny_call", "--due", "2001-01-01"), "in the past"),
        (("assign", "West", "tiny_call", "--due", "2099-01-31", "--level", "x"), "unknown level"),
        (("assign", "West", "tiny_call", "--due", "31/01/2099"), "%Y-%m-%d"),
    ):
        result = run("team", *args, *where)
        assert result.exit_code != 0 and message in result.output, result.output


def test_in_the_terminal_only_the_manager_reads_a_reps_transcript(
    content: Path, db_path: Path
) -> None:
    where = _setup(content, db_path)
    run("team", "create", "East", *where)
    run("team", "add", "East", "terminal:olga", "--manager", *where)
    for rep in ("ben", "olga"):
        refused = run(
            "practice", "tiny_call", "--learner", rep, *where, stdin="/transcript ana\n/quit\n"
        ).output
        assert ASK not in refused and "manager can see" in refused, refused
    shown = run(
        "practice", "tiny_call", "--learner", "maria", *where, stdin="/transcript ana\n/quit\n"
    ).output
    assert ASK in shown

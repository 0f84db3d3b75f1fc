from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

WIDE = {"COLUMNS": "120"}


def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None):
    return CliRunner().invoke(main, list(args), env={**WIDE, **(env or {})}, input=stdin)


def test_validate_passes_on_the_shipped_library() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("ok: ")


def test_validate_lists_every_problem_and_fails(content: Path) -> None:
    flow = content / "state_machines" / "tiny.yaml"
    flow.write_text(
        flow.read_text()
        .replace("to: done", "to: gone")
        .replace("expects: [permission_ask]", "expects: [bogus]")
    )
    result = run("validate", "--content", str(content))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.endswith(
            "tiny.yaml:11: unknown move id 'bogus' (the move ids are listed in docs/techniques.md)"
        )
        for line in lines
    )
    assert any(line.endswith("tiny.yaml:14: transition to missing state 'gone'") for line in lines)
    assert "problem(s)" in result.output


def test_validate_accepts_extra_paths(content: Path, tmp_path: Path) -> None:
    extra = content / "personas" / "extra.yaml"
    extra.write_text("schema: 1\nid: extra\n")
    result = run("validate", "--content", str(content), str(extra))
    assert result.exit_code == 1 and "extra.yaml:1: missing required field 'name'" in result.output


def test_diagram_prints_mermaid(content: Path) -> None:
    result = run("diagram", "tiny_call", "--content", str(content))
    assert result.exit_code == 0
    assert result.output.startswith("stateDiagram-v2\n")
    bad = run("diagram", "nope", "--content", str(content))
    assert bad.exit_code == 1 and "unknown scenario 'nope'" in bad.output


def test_practice_without_a_scenario_lists_them(content: Path, db_path: Path) -> None:
    result = run("practice", "--content", str(content), "--db", str(db_path))
    assert result.exit_code == 0 and "tiny_call" in result.output and "Tiny call" in result.output


def test_practice_with_replies_plays_a_whole_session(
    content: Path, db_path: Path, tmp_path: Path
) -> None:
    replies = tmp_path / "replies.txt"
    replies.write_text(
        "# comment\nWhat CRM are you on?\n\nCould I ask you a couple of questions?\n"
    )
    result = run(
        "practice",
        "tiny_call",
        "--replies",
        str(replies),
        "--content",
        str(content),
        "--db",
        str(db_path),
    )
    assert result.exit_code == 0, result.output
    assert "You: What CRM are you on?" in result.output
    assert "100/100 PASS" in result.output
    assert db_path.exists()


def test_practice_reads_piped_stdin_and_uses_roleplay_db(content: Path, tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    result = run(
        "practice",
        "tiny_call",
        "--content",
        str(content),
        env={"ROLEPLAY_DB": str(db)},
        stdin="ok\n",
    )
    assert result.exit_code == 0, result.output
    assert "Scorecard (so far)" in result.output and db.exists()


def test_practice_unknown_scenario_fails_clearly(content: Path, db_path: Path) -> None:
    result = run("practice", "nope", "--content", str(content), "--db", str(db_path))
    assert result.exit_code == 1 and "Unknown scenario 'nope'" in result.output


def test_practice_resumes_an_open_session_and_progress_shows_history(
    content: Path, db_path: Path
) -> None:
    common = ["--content", str(content), "--db", str(db_path), "--learner", "ann"]
    run("practice", "tiny_call", *common, stdin="hmm\n")
    resumed = run("practice", *common, stdin="")
    assert "Resuming your tiny_call session (1 replies so far)" in resumed.output
    run("practice", "tiny_call", *common, stdin="Could I ask you a couple of questions?\n")
    progress = run("progress", *common)
    assert progress.exit_code == 0 and "Tiny call" in progress.output and "pass" in progress.output

"""Golden transcripts: whole scenarios played through the terminal path.

Each `tests/golden/<scenario>/<name>.replies` holds a rep's replies (one per line, `#`
comments; an optional `# level: hard` line picks the level) and `<name>.golden.txt` the
exact terminal output. Names starting with `win` must pass; `fail` must fail. Regenerate
deliberately with `pytest tests/test_golden_transcripts.py --update-golden` and review
the diff.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(GOLDEN.glob("*/*.replies"))
LEVEL = re.compile(r"^#\s*level:\s*(\w+)", re.MULTILINE)


def play(replies: Path, db: Path) -> str:
    args = [
        "practice",
        replies.parent.name,
        "--replies",
        str(replies),
        "--db",
        str(db),
        "--learner",
        "golden",
    ]
    level = LEVEL.search(replies.read_text(encoding="utf-8"))
    if level:
        args += ["--level", level.group(1)]
    result = CliRunner().invoke(main, args, env={"COLUMNS": "100", "ROLEPLAY_CONTENT": None})
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("replies", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_golden_transcript(replies: Path, tmp_path: Path, request: pytest.FixtureRequest) -> None:
    output = play(replies, tmp_path / "golden.db")
    golden = replies.with_suffix(".golden.txt")
    if request.config.getoption("--update-golden"):
        golden.write_text(output, encoding="utf-8")
    assert golden.exists(), f"no golden file yet: run pytest --update-golden for {replies}"
    assert output == golden.read_text(encoding="utf-8")
    verdict = re.search(r"/100 (PASS|FAIL)", output)
    assert verdict, "the transcript ends without a scorecard"
    expected = "PASS" if replies.stem.startswith("win") else "FAIL"
    assert verdict.group(1) == expected


def test_every_scenario_has_a_win_and_two_failures(library) -> None:
    for scenario_id in library.scenarios:
        names = [p.stem for p in (GOLDEN / scenario_id).glob("*.replies")]
        assert any(n.startswith("win") for n in names), f"{scenario_id}: no winning transcript"
        assert sum(n.startswith("fail") for n in names) >= 2, f"{scenario_id}: < 2 failures"

"""A rep disputes a turn; a reviewer corrects it; the correction is a labelled reply."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from bot.cli import main
from bot.scoring.evaluate import load_examples
from tests.helpers.teams import FEATURES

WIDE = {"COLUMNS": "200"}


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=WIDE, input=stdin)


def _disputed(content: Path, db: Path) -> list[str]:
    where = ["--db", str(db), "--content", str(content)]
    script = f"{FEATURES}\n/dispute I was listing what they asked about\n"
    result = run("practice", "tiny_call", "--learner", "ana", *where, stdin=script)
    assert result.exit_code == 0 and "Noted for review" in result.output, result.output
    return where


def test_a_disputed_turn_is_listed_with_what_was_scored(content: Path, db_path: Path) -> None:
    where = _disputed(content, db_path)
    listing = run("disputes", "list", *where).output
    assert "feature_dump" in listing and "I was listing" in listing
    shown = run("disputes", "show", "1", *where).output
    assert "Pat here." in shown or "Pat speaking." in shown or "Yes?" in shown  # buyer line
    assert FEATURES in shown and "feature_dump -" in shown


def test_a_correction_keeps_the_original_and_becomes_a_labelled_reply(
    content: Path, db_path: Path, tmp_path: Path
) -> None:
    where = _disputed(content, db_path)
    labels = tmp_path / "train" / "disputes.jsonl"
    result = run(
        "disputes", "correct", "1", "--moves", "feature_dump, closed_question",
        "--labels", str(labels), *where,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "was feature_dump" in result.output
    [example] = load_examples(labels)
    assert example.reply == FEATURES and example.moves == {"feature_dump", "closed_question"}
    shown = run("disputes", "show", "1", *where).output
    assert "feature_dump -" in shown  # the original score, still there
    assert "closed_question, feature_dump" in shown  # beside the correction
    run("disputes", "correct", "1", "--moves", "feature_dump", "--labels", str(labels), *where)
    assert [e.moves for e in load_examples(labels)] == [{"feature_dump"}]  # replaced, not added
    assert "No open disputes" in run("disputes", "list", *where).output


def test_bad_review_input_is_refused(content: Path, db_path: Path, tmp_path: Path) -> None:
    where = _disputed(content, db_path)
    result = run("disputes", "correct", "1", "--moves", "nonsense", *where)
    assert result.exit_code != 0 and "unknown move id(s): nonsense" in result.output
    assert "no dispute 9" in run("disputes", "confirm", "9", *where).output


def test_nothing_to_dispute_before_a_reply(content: Path, db_path: Path) -> None:
    where = ["--db", str(db_path), "--content", str(content)]
    output = run("practice", "tiny_call", "--learner", "bo", *where, stdin="/dispute\n").output
    assert "Nothing to dispute yet" in output

"""Agreement figures on labellings small enough to check by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.scoring.agreement import AgreementError, agreement
from bot.scoring.evaluate import Example


def ex(i: str, *moves: str) -> Example:
    return Example(i, "reply " + i, "", frozenset(moves), 1)


def test_positive_agreement_and_kappa_by_hand() -> None:
    first = [ex("a", "rapport"), ex("b", "rapport"), ex("c"), ex("d")]
    second = [ex("a", "rapport"), ex("b"), ex("c", "rapport"), ex("d")]
    m = agreement(first, second, ["rapport"]).moves["rapport"]
    assert (m.both, m.first_only, m.second_only, m.neither) == (1, 1, 1, 1)
    assert m.positive == pytest.approx(0.5)
    assert m.kappa == pytest.approx(0.0)  # observed 0.5 = chance 0.5


def test_identical_labellings_agree_fully() -> None:
    first = [ex("a", "rapport"), ex("b")]
    result = agreement(first, list(reversed(first)), ["rapport", "pressure"])
    assert result.exact == 2 and result.micro_positive == 1.0 and result.mean_kappa == 1.0


def test_files_of_different_replies_are_refused() -> None:
    with pytest.raises(AgreementError, match="different replies"):
        agreement([ex("a"), ex("b")], [ex("a"), ex("z")], ["rapport"])


def test_the_command_prints_per_move_rows(tmp_path: Path) -> None:
    for name, moves in (("one", ["rapport", "pressure"]), ("two", ["rapport"])):
        line = {"id": "x", "reply": "hi", "moves": moves}
        (tmp_path / f"{name}.jsonl").write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["agreement", str(tmp_path / "one.jsonl"), str(tmp_path / "two.jsonl"), "--json"]
    )
    data = json.loads(result.output)
    assert data["moves"]["rapport"]["both"] == 1 and data["moves"]["pressure"]["first_only"] == 1

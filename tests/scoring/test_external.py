"""The external reference: rows read with their dialogue context, scored only on the moves
their source can judge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from bot.scoring.detect import default_detector
from bot.scoring.external import (
    ExternalFileError,
    evaluate_external,
    load_mapping,
    load_utterances,
)

ELIGIBLE = ["question", "empathy_acknowledge", "rapport_small_talk"]


def row(text: str, speaker: str, moves: list[str], dialogue: str = "d1") -> dict:
    return {
        "text": text,
        "source": "casino",
        "dialogue_id": dialogue,
        "speaker": speaker,
        "orig_labels": [],
        "moves": moves,
        "eligible_moves": ELIGIBLE,
    }


@pytest.fixture
def reference(tmp_path: Path) -> Path:
    rows = [
        row("Hello! I really need extra water for my kids.", "a", []),
        row(
            "That sounds stressful. How old are your kids?",
            "b",
            ["question", "empathy_acknowledge"],
        ),
        row("They are 4 and 7.", "a", []),
        row("Hi there, first time camping?", "x", ["question", "rapport_small_talk"], "d2"),
    ]
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_each_row_answers_the_other_speakers_last_line(reference: Path) -> None:
    rows = load_utterances(reference)
    assert [u.previous for u in rows] == [
        "",
        "Hello! I really need extra water for my kids.",
        "That sounds stressful. How old are your kids?",
        "",  # another dialogue starts
    ]


def test_only_eligible_moves_are_counted(reference: Path) -> None:
    report = evaluate_external(load_utterances(reference), default_detector(), load_mapping())
    assert set(report.scores) == set(ELIGIBLE)
    question = report.scores["question"]
    assert question.support == 2 and question.tp == 2 and question.fp == 0
    assert report.by_source["casino"]["question"].tp == 2


def test_a_broken_row_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(row("hi", "a", [])) + "\n{not json\n", encoding="utf-8")
    with pytest.raises(ExternalFileError, match=r"bad\.jsonl:2:"):
        load_utterances(path)


def test_every_mapped_move_is_one_of_ours() -> None:
    from bot.vocabulary import vocabulary

    ours = set(vocabulary().ids)
    for move, mapped in load_mapping().ours.items():
        assert mapped and set(mapped) <= ours, move


def test_the_command_prints_every_detector(reference: Path) -> None:
    result = CliRunner().invoke(main, ["eval-external", "--file", str(reference), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["rows"] == 4
    assert {"rules", "model", "combined"} <= set(data)
    assert data["combined"]["moves"]["question"]["tp"] == 2


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval-external", "--file", str(tmp_path / "none.jsonl")])
    assert result.exit_code != 0 and "not found" in result.output

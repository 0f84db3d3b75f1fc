"""Metrics of bot.scoring.evaluate on small labelled files with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.scoring.detect import Detection, Evidence
from bot.scoring.evaluate import LabelFileError, evaluate, evaluate_file, load_examples


class FakeDetector:
    """Returns fixed moves per reply, so the expected counts are known exactly."""

    def __init__(self, answers: dict[str, list[str]]):
        self.answers = answers

    def detect(self, reply: str, context: str = "") -> tuple[Detection, ...]:
        return tuple(
            Detection(m, Evidence(0, len(reply), reply, f"{m}/fake"))
            for m in self.answers.get(reply, [])
        )


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    return path


ROWS = [
    {"id": "a", "buyer": "", "reply": "r1", "moves": ["acknowledge", "rapport"]},
    {"id": "b", "buyer": "", "reply": "r2", "moves": ["acknowledge"]},
    {"id": "c", "buyer": "", "reply": "r3", "moves": []},
    {"id": "d", "buyer": "", "reply": "r4", "moves": ["pressure"]},
]
PREDICTED = {
    "r1": ["acknowledge"],  # rapport missed
    "r2": ["acknowledge", "minimize"],  # minimize wrong
    "r3": ["acknowledge"],  # acknowledge wrong
    "r4": ["pressure"],
}


def test_per_move_micro_and_macro(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "gold.jsonl", ROWS)
    report = evaluate(load_examples(path), FakeDetector(PREDICTED))
    ack = report.scores["acknowledge"]
    assert (ack.tp, ack.fp, ack.fn, ack.support) == (2, 1, 0, 2)
    assert ack.precision == pytest.approx(2 / 3)
    assert ack.recall == 1.0
    assert ack.f1 == pytest.approx(0.8)
    rapport = report.scores["rapport"]
    assert (rapport.tp, rapport.fn, rapport.f1) == (0, 1, 0.0)
    minimize = report.scores["minimize"]
    assert (minimize.fp, minimize.support, minimize.precision) == (1, 0, 0.0)
    assert report.scores["pressure"].f1 == 1.0
    micro = report.micro
    assert (micro.tp, micro.fp, micro.fn) == (3, 2, 1)
    assert micro.f1 == pytest.approx(6 / 9)
    # macro over moves with support > 0: acknowledge 0.8, rapport 0, pressure 1 (not minimize)
    assert report.macro_f1 == pytest.approx((0.8 + 0.0 + 1.0) / 3)
    assert report.examples == 4


def test_errors_list_false_positives_with_evidence(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "gold.jsonl", ROWS)
    report = evaluate(load_examples(path), FakeDetector(PREDICTED))
    fps = {(e.example.id, e.move) for e in report.errors if e.kind == "fp"}
    fns = {(e.example.id, e.move) for e in report.errors if e.kind == "fn"}
    assert fps == {("b", "minimize"), ("c", "acknowledge")}
    assert fns == {("a", "rapport")}
    fp = next(e for e in report.errors if e.kind == "fp")
    assert fp.detection is not None and fp.detection.evidence.rule.endswith("/fake")


def test_as_dict_is_json_serialisable(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "gold.jsonl", ROWS)
    data = evaluate(load_examples(path), FakeDetector(PREDICTED)).as_dict()
    json.dumps(data)
    assert data["moves"]["acknowledge"]["support"] == 2
    assert data["macro"]["f1"] == pytest.approx((0.8 + 1.0) / 3, abs=1e-4)


def test_real_detector_runs_on_a_small_file(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "gold.jsonl",
        [
            {"id": "x", "buyer": "Hi", "reply": "How are your reps ramped today?", "moves": []},
            {"id": "y", "buyer": "", "reply": "ok", "moves": []},
        ],
    )
    report = evaluate_file(path)
    assert report.examples == 2
    assert report.scores["open_question"].fp == 1
    assert report.macro_f1 == 0.0  # no move has support


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    path.write_text('\n{"id": "a", "reply": "ok", "moves": []}\n\n', encoding="utf-8")
    assert [e.line for e in load_examples(path)] == [2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"id": "a", "reply": "ok", "moves": []}\n{not json\n', ":2: invalid JSON"),
        ('{"id": "a", "reply": "ok", "moves": ["flattery"]}\n', ":1: unknown move id 'flattery'"),
        ('{"id": "a", "moves": []}\n', ":1: 'reply' must be a string"),
        ('{"id": "a", "reply": "ok", "moves": "rapport"}\n', ":1: 'moves' must be a list"),
        ("[1, 2]\n", ":1: expected a JSON object"),
    ],
)
def test_bad_label_files(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LabelFileError) as err:
        load_examples(path)
    assert message in str(err.value)
    assert "bad.jsonl" in str(err.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LabelFileError):
        load_examples(tmp_path / "nope.jsonl")

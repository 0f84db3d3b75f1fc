"""`roleplay eval` through click's test runner."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from bot.cli import main

ROWS = [
    {
        "id": "t1",
        "buyer": "We're worried about downtime.",
        "reply": "That's a fair concern. How do you handle cutovers today?",
        "moves": ["open_question", "acknowledge"],
    },
    {"id": "t2", "buyer": "Hello?", "reply": "ok", "moves": []},
    {
        "id": "t3",
        "buyer": "It's expensive.",
        "reply": "Fine, I'll take 20% off.",
        "moves": ["unconditional_concession", "rapport"],
    },
    {"id": "t4", "buyer": "What do you do?", "reply": "hmm", "moves": ["feature_dump"]},
]


def gold(tmp_path: Path) -> Path:
    path = tmp_path / "gold.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    return path


def test_table_and_last_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(gold(tmp_path))])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert re.fullmatch(r"micro-F1 \d\.\d{3} macro-F1 \d\.\d{3}", lines[-1])
    assert any(line.startswith("acknowledge") for line in lines)
    assert "precision" in result.output and "support" in result.output
    # rapport and feature_dump are labelled but cannot be found: macro is below 1
    macro = float(lines[-1].split()[-1])
    assert 0.0 < macro < 1.0


def test_json_output(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "--json", str(gold(tmp_path))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= {"moves", "micro", "macro"}
    assert data["moves"]["feature_dump"]["support"] == 1
    assert data["moves"]["feature_dump"]["recall"] == 0.0
    assert 0.0 <= data["macro"]["f1"] <= 1.0


def test_errors_lists_false_negatives_and_positives(tmp_path: Path) -> None:
    path = gold(tmp_path)
    rows = [*ROWS, {"id": "t5", "buyer": "", "reply": "Don't worry about it.", "moves": []}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--errors", str(path)])
    assert result.exit_code == 0, result.output
    assert "False negatives" in result.output and "False positives" in result.output
    assert "t4" in result.output and "feature_dump" in result.output
    assert "t5" in result.output and "minimize/" in result.output  # evidence rule of the FP
    assert re.fullmatch(r"micro-F1 \d\.\d{3} macro-F1 \d\.\d{3}", result.output.splitlines()[-1])


def test_missing_file_is_a_click_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", str(tmp_path / "missing.jsonl")])
    assert result.exit_code != 0
    assert "does not exist" in result.output
    assert "Traceback" not in result.output


def test_invalid_json_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n{oops\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(path)])
    assert result.exit_code == 1
    assert f"{path}:2" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unknown_move_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({**ROWS[0], "moves": ["charm"]}) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--json", str(path)])
    assert result.exit_code == 1
    assert f"{path}:1" in result.output and "charm" in result.output


def test_json_compares_rules_model_combined_and_the_learning_curve(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "--json", str(gold(tmp_path))])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["detector"] == "combined"
    for name in ("rules", "model", "combined"):
        assert set(data[name]) >= {"moves", "micro", "macro"}
    assert data["macro"] == data["combined"]["macro"]
    curve = data["learning_curve"]
    assert [p["fraction"] for p in curve] == [0.25, 0.5, 1.0]
    assert curve[0]["train_examples"] < curve[1]["train_examples"] < curve[2]["train_examples"]


def test_table_shows_the_three_detectors_side_by_side(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["eval", "--no-curve", str(gold(tmp_path))])
    assert result.exit_code == 0, result.output
    assert re.search(r"^F1 per move\s+rules\s+model\s+combined$", result.output, re.MULTILINE)
    assert "learning curve" not in result.output


def test_errors_show_every_span_of_a_model_detection(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    row = {
        "id": "m1",
        "buyer": "Send me something.",
        "reply": "can we grab 15 min tmrw 10ish?",
        "moves": [],
    }
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--errors", "--json", "--no-curve", str(path)])
    assert result.exit_code == 0, result.output
    errors = json.loads(result.output)["errors"]
    assert errors, "the reply has moves the empty label calls false alarms"
    for error in errors:
        for span in error["evidence"]["spans"]:
            assert row["reply"][span["start"] : span["end"]] == span["quote"]

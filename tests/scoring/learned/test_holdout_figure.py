"""No blind holdout's combined macro-F1 may drop more than 0.02 below its recorded figure.

Scored only: nothing is chosen on a holdout (see eval/README.md). Record new figures in
eval/holdout/figures.json together with the change that moved them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.scoring.evaluate import evaluate, load_examples
from bot.scoring.learned import LearnedDetector

HOLDOUT = Path(__file__).resolve().parents[3] / "eval" / "holdout"
TOLERANCE = 0.02
RECORDED = json.loads((HOLDOUT / "figures.json").read_text(encoding="utf-8"))["sets"]


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_holdout_macro_f1_holds(detector: LearnedDetector, name: str) -> None:
    recorded = RECORDED[name]
    examples = [e for file in recorded["files"] for e in load_examples(HOLDOUT / file)]
    assert len(examples) == recorded["examples"]
    report = evaluate(examples, detector)
    floor = recorded["combined"]["macro_f1"] - TOLERANCE
    assert report.macro_f1 >= floor, f"{name} macro-F1 {report.macro_f1:.4f} < {floor:.4f}"
    assert report.micro.f1 >= recorded["combined"]["micro_f1"] - TOLERANCE

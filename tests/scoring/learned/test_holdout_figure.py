"""The blind holdout's combined macro-F1 may not drop more than 0.02 below the recorded figure.

Scored only: nothing is chosen on the holdout (see eval/README.md). Record a new figure in
eval/holdout/figures.json together with the change that moved it.
"""

from __future__ import annotations

import json
from pathlib import Path

from bot.scoring.evaluate import evaluate, load_examples
from bot.scoring.learned import LearnedDetector

HOLDOUT = Path(__file__).resolve().parents[3] / "eval" / "holdout"
TOLERANCE = 0.02


def test_holdout_macro_f1_holds(detector: LearnedDetector) -> None:
    recorded = json.loads((HOLDOUT / "figures.json").read_text(encoding="utf-8"))
    examples = load_examples(HOLDOUT / "h1.jsonl") + load_examples(HOLDOUT / "h2.jsonl")
    report = evaluate(examples, detector)
    floor = recorded["combined"]["macro_f1"] - TOLERANCE
    assert report.macro_f1 >= floor, f"holdout macro-F1 {report.macro_f1:.4f} < {floor:.4f}"
    assert report.micro.f1 >= recorded["combined"]["micro_f1"] - TOLERANCE

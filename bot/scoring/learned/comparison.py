"""Rules alone, model alone and both combined on one labelled file, and the learning curve."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.scoring.detect import Detection, Detector, default_detector
from bot.scoring.evaluate import Example, Report, evaluate
from bot.scoring.learned.detector import LearnedDetector
from bot.scoring.learned.model import LinearModel
from bot.scoring.learned.store import (
    Announce,
    cached_model,
    data_key,
    load_training,
    model_path,
)
from bot.scoring.learned.train import Corpus

CURVE = (0.25, 0.5, 1.0)


class Remembered:
    """A detector that answers a (reply, context) seen before from memory: the rules run
    once per line however many detectors of a comparison consult them."""

    def __init__(self, detector: Detector) -> None:
        self.detector = detector
        self.seen: dict[tuple[str, str], tuple[Detection, ...]] = {}

    def detect(self, reply: str, context: str = "") -> tuple[Detection, ...]:
        key = (reply, context)
        if key not in self.seen:
            self.seen[key] = self.detector.detect(reply, context)
        return self.seen[key]


@dataclass
class CurvePoint:
    fraction: float
    train_examples: int
    report: Report

    def as_dict(self) -> dict[str, Any]:
        return {
            "fraction": self.fraction,
            "train_examples": self.train_examples,
            "macro_f1": round(self.report.macro_f1, 4),
            "micro_f1": round(self.report.micro.f1, 4),
        }


@dataclass
class Comparison:
    reports: dict[str, Report]  # "rules", "model", "combined"
    curve: list[CurvePoint] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {name: r.as_dict() for name, r in self.reports.items()}
        out["learning_curve"] = [p.as_dict() for p in self.curve]
        return out


class _Training:
    """The training corpus, read (and run through the rules) only if a model must be built."""

    def __init__(self, root: Path | None, rules: Detector) -> None:
        self.root, self.rules = root, rules
        self._corpus: Corpus | None = None

    def corpus(self) -> Corpus:
        if self._corpus is None:
            self._corpus = Corpus.build(load_training(self.root), self.rules)
        return self._corpus

    def model(
        self, variant: str, fraction: float = 1.0, announce: Announce | None = None
    ) -> LinearModel:
        if model_path(data_key(self.root), variant, fraction).exists():
            return cached_model(self.root, variant, fraction, announce)
        return cached_model(self.root, variant, fraction, announce, self.corpus())


def compare(
    examples: Sequence[Example],
    root: Path | None = None,
    curve: Sequence[float] = CURVE,
    announce: Announce | None = None,
) -> Comparison:
    """Score the three detectors on ``examples``; with ``curve``, also the combined detector
    trained on those shares of the training files (the same seeded rows every time)."""
    rules = Remembered(default_detector())
    training = _Training(root, rules)
    combined = training.model("combined", announce=announce)
    reports = {
        "rules": evaluate(examples, rules),
        "model": evaluate(
            examples, LearnedDetector(training.model("model", announce=announce), None)
        ),
        "combined": evaluate(examples, LearnedDetector(combined, rules)),
    }
    points = []
    for fraction in curve:
        model = combined if fraction == 1.0 else training.model("combined", fraction, announce)
        report = (
            reports["combined"]
            if fraction == 1.0
            else evaluate(examples, LearnedDetector(model, rules))
        )
        points.append(CurvePoint(fraction, model.trained_on, report))
    return Comparison(reports, points)

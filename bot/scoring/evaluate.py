"""Precision, recall and F1 of the move detector over a labelled jsonl file."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.scoring.detect import Detection, Detector, default_detector
from bot.vocabulary import vocabulary


class LabelFileError(ValueError):
    """The labelled file is unreadable or malformed; the message names file:line."""


@dataclass(frozen=True)
class Example:
    id: str
    reply: str
    buyer: str
    moves: frozenset[str]
    line: int


@dataclass
class MoveScore:
    move: str
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return _ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return _ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return _ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def as_dict(self) -> dict[str, Any]:
        return {
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
            "support": self.support,
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


@dataclass(frozen=True)
class Error:
    kind: str  # "fp" or "fn"
    move: str
    example: Example
    detection: Detection | None = None


@dataclass
class Report:
    scores: dict[str, MoveScore]
    examples: int
    errors: list[Error] = field(default_factory=list)

    @property
    def micro(self) -> MoveScore:
        total = MoveScore("micro")
        for s in self.scores.values():
            total.tp += s.tp
            total.fp += s.fp
            total.fn += s.fn
        return total

    @property
    def macro_f1(self) -> float:
        """Mean per-move F1 over the moves with support > 0."""
        f1s = [s.f1 for s in self.scores.values() if s.support > 0]
        return sum(f1s) / len(f1s) if f1s else 0.0

    def as_dict(self) -> dict[str, Any]:
        micro = self.micro
        return {
            "examples": self.examples,
            "moves": {m: s.as_dict() for m, s in self.scores.items()},
            "micro": {
                "precision": round(micro.precision, 4),
                "recall": round(micro.recall, 4),
                "f1": round(micro.f1, 4),
            },
            "macro": {"f1": round(self.macro_f1, 4)},
        }


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def load_examples(path: Path) -> list[Example]:
    """Read and validate a labelled jsonl file (errors name file:line)."""
    known = vocabulary()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelFileError(f"{path}: cannot read file: {exc}") from exc
    examples: list[Example] = []
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise LabelFileError(f"{where}: invalid JSON: {exc.msg}") from exc
        if not isinstance(raw, dict):
            raise LabelFileError(f"{where}: expected a JSON object")
        reply, moves = raw.get("reply"), raw.get("moves")
        if not isinstance(reply, str):
            raise LabelFileError(f"{where}: 'reply' must be a string")
        if not isinstance(moves, list) or not all(isinstance(m, str) for m in moves):
            raise LabelFileError(f"{where}: 'moves' must be a list of move ids")
        for move in moves:
            if move not in known:
                raise LabelFileError(f"{where}: unknown move id {move!r}")
        buyer = raw.get("buyer") or ""
        if not isinstance(buyer, str):
            raise LabelFileError(f"{where}: 'buyer' must be a string")
        examples.append(
            Example(
                id=str(raw.get("id", f"line{n}")),
                reply=reply,
                buyer=buyer,
                moves=frozenset(moves),
                line=n,
            )
        )
    return examples


def evaluate(examples: Iterable[Example], detector: Detector | None = None) -> Report:
    """Score the detector on labelled examples, collecting false positives and negatives."""
    detector = detector or default_detector()
    scores = {m: MoveScore(m) for m in vocabulary().ids}
    errors: list[Error] = []
    count = 0
    for ex in examples:
        count += 1
        detections = {d.move: d for d in detector.detect(ex.reply, ex.buyer)}
        for move, score in scores.items():
            predicted, gold = move in detections, move in ex.moves
            if predicted and gold:
                score.tp += 1
            elif predicted:
                score.fp += 1
                errors.append(Error("fp", move, ex, detections[move]))
            elif gold:
                score.fn += 1
                errors.append(Error("fn", move, ex))
    return Report(scores=scores, examples=count, errors=errors)


def evaluate_file(path: Path, detector: Detector | None = None) -> Report:
    return evaluate(load_examples(path), detector)

"""The trained move model: one linear scorer per move, stacked into one matrix.

Scoring a reply is one gather-and-dot: ``values @ weights[columns] + bias`` gives every
move's score at once (no per-move library call, no scikit-learn at run time). Each move then
follows its policy, chosen by cross-validation on the training data: ``model`` (the model
decides), ``union`` (the model or the rules) or ``rules`` (the rules still win there).

Stored as one ``.npz`` of plain arrays (no pickle), read with ``allow_pickle=False``.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.scoring.learned.features import Features, Vocabulary

POLICIES = ("model", "union", "rules")
NEVER = -1e9  # bias of a move the model cannot fire (no positive training example)


@dataclass
class LinearModel:
    vocab: Vocabulary
    moves: list[str]
    weights: np.ndarray  # (features, moves) float32
    bias: np.ndarray  # (moves,) float64
    thresholds: np.ndarray  # (moves,) float64: a move fires when its score is above
    policies: list[str]
    uses_rules: bool
    trained_on: int  # labelled replies it was fitted on

    def scores(self, features: Features) -> np.ndarray:
        """Every move's decision score for one reply."""
        rows = self.weights[features.columns]
        return features.values @ rows + self.bias

    def contributions(self, features: Features, move: int | list[int]) -> np.ndarray:
        """Each feature's share of ``move``'s score (value times weight): (features,) for one
        move, (features, moves) for a list of them."""
        if isinstance(move, list):
            return features.values[:, None] * self.weights[features.columns][:, move]
        return features.values * self.weights[features.columns, move]

    def fingerprint(self) -> str:
        """sha256 of everything that decides a score: equal models have equal prints."""
        digest = hashlib.sha256()
        for array in self._arrays().values():
            digest.update(np.ascontiguousarray(array).tobytes())
        return digest.hexdigest()

    def _arrays(self) -> dict[str, np.ndarray]:
        return {
            "names": np.array(self.vocab.names, dtype=str),
            "idf": np.asarray(self.vocab.idf, dtype=np.float64),
            "moves": np.array(self.moves, dtype=str),
            "weights": self.weights,
            "bias": self.bias,
            "thresholds": self.thresholds,
            "policies": np.array(self.policies, dtype=str),
            "uses_rules": np.array([self.uses_rules]),
            "trained_on": np.array([self.trained_on]),
        }

    def save(self, path: Path) -> None:
        """Write atomically, so a reader (or a second writer) never sees half a model."""
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial.npz")
        np.savez_compressed(partial, **self._arrays())  # type: ignore[arg-type]
        partial.replace(path)

    @classmethod
    def load(cls, path: Path) -> LinearModel:
        with np.load(path, allow_pickle=False) as data:
            return cls(
                vocab=Vocabulary([str(n) for n in data["names"]], data["idf"].tolist()),
                moves=[str(m) for m in data["moves"]],
                weights=data["weights"],
                bias=data["bias"],
                thresholds=data["thresholds"],
                policies=[str(p) for p in data["policies"]],
                uses_rules=bool(data["uses_rules"][0]),
                trained_on=int(data["trained_on"][0]),
            )

"""The move vocabulary: ids, skills, techniques and coaching lines, loaded from moves.yaml."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

VOCABULARY_FILE = Path(__file__).with_name("moves.yaml")
TECHNIQUES_DOC = "docs/techniques.md"


@dataclass(frozen=True)
class Technique:
    id: str
    name: str
    source: str
    summary: str

    @property
    def link(self) -> str:
        return f"{TECHNIQUES_DOC}#{self.id.replace('_', '-')}"


@dataclass(frozen=True)
class Move:
    id: str
    label: str
    skill: str
    technique: Technique
    polarity: str
    tip: str


@dataclass(frozen=True)
class Vocabulary:
    moves: dict[str, Move]
    skills: dict[str, str]
    techniques: dict[str, Technique]

    def __contains__(self, move_id: object) -> bool:
        return move_id in self.moves

    def __getitem__(self, move_id: str) -> Move:
        return self.moves[move_id]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(self.moves)


@cache
def vocabulary() -> Vocabulary:
    """The shared vocabulary (read once; the file ships with the package)."""
    raw = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    techniques = {tid: Technique(id=tid, **spec) for tid, spec in raw["techniques"].items()}
    moves = {
        mid: Move(
            id=mid,
            label=spec["label"],
            skill=spec["skill"],
            technique=techniques[spec["technique"]],
            polarity=spec["polarity"],
            tip=spec["tip"],
        )
        for mid, spec in raw["moves"].items()
    }
    return Vocabulary(moves=moves, skills=dict(raw["skills"]), techniques=techniques)

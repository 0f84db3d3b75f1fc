"""The external human-labelled reference: utterances of public non-sales corpora (CaSiNo,
AnnoMI, PersuasionForGood), labelled by their own annotators with coarse moves.

Each row names the moves its source can judge (``eligible_moves``); only those are scored,
so a row's silence is a negative only where its annotators would have spoken. Our moves are
mapped onto theirs by ``external_moves.yaml``. The buyer line given to the detector is the
previous utterance of the other speaker in the same dialogue. Reference only: its
conventions differ from LABELLING.md, and nothing is tuned on it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.scoring.detect import Detector
from bot.scoring.evaluate import MoveScore

MAPPING_FILE = Path(__file__).with_name("external_moves.yaml")
GOLD_FILE = "move_gold_permissive.jsonl"


class ExternalFileError(ValueError):
    """The external reference file is missing or not in the expected shape."""


@dataclass(frozen=True)
class Utterance:
    text: str
    previous: str  # the other speaker's last line in the same dialogue ("" at the start)
    source: str
    moves: frozenset[str]
    eligible: frozenset[str]


@dataclass(frozen=True)
class Mapping:
    ours: dict[str, tuple[str, ...]]  # external move -> our moves that realise it
    quality: dict[str, str]


@dataclass
class ExternalReport:
    """Per external move (and per source), counts of one detector."""

    scores: dict[str, MoveScore] = field(default_factory=dict)
    by_source: dict[str, dict[str, MoveScore]] = field(default_factory=dict)

    def macro_f1(self, moves: Iterable[str]) -> float:
        f1s = [self.scores[m].f1 for m in moves if m in self.scores and self.scores[m].support]
        return sum(f1s) / len(f1s) if f1s else 0.0


def load_mapping(path: Path = MAPPING_FILE) -> Mapping:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    return Mapping(
        {move: tuple(entry["ours"]) for move, entry in raw.items()},
        {move: entry["quality"] for move, entry in raw.items()},
    )


def load_utterances(path: Path) -> list[Utterance]:
    """The rows of the reference file, each with the other speaker's previous line."""
    if not path.exists():
        raise ExternalFileError(f"{path}: not found (the external reference lives in ../shared)")
    out: list[Utterance] = []
    last: dict[str, tuple[str, str]] = {}  # dialogue -> (speaker, text) of its latest line
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                text, dialogue, speaker = row["text"], row["dialogue_id"], row["speaker"]
                moves, eligible = frozenset(row["moves"]), frozenset(row["eligible_moves"])
                source = row["source"]
            except (json.JSONDecodeError, KeyError, TypeError) as exc:
                raise ExternalFileError(f"{path}:{number}: not a reference row ({exc})") from exc
            before = last.get(dialogue)
            previous = before[1] if before is not None and before[0] != speaker else ""
            out.append(Utterance(text, previous, source, moves, eligible))
            last[dialogue] = (speaker, text)
    return out


def evaluate_external(
    utterances: Sequence[Utterance], detector: Detector, mapping: Mapping
) -> ExternalReport:
    """Count hits, false alarms and misses on every external move a row can judge."""
    report = ExternalReport()
    for u in utterances:
        found = {d.move for d in detector.detect(u.text, u.previous)}
        per_source = report.by_source.setdefault(u.source, {})
        for move, ours in mapping.ours.items():
            if move not in u.eligible:
                continue
            gold, said = move in u.moves, not found.isdisjoint(ours)
            for scores in (report.scores, per_source):
                score = scores.setdefault(move, MoveScore(move))
                score.tp += gold and said
                score.fp += said and not gold
                score.fn += gold and not said
    return report

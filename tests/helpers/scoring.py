"""Helpers for the scoring tests: the moves a detector finds, a throwaway rules directory."""

from __future__ import annotations

from pathlib import Path

from bot.scoring.detect import Detector


def moves(detector: Detector, reply: str, context: str = "") -> set[str]:
    """The move ids ``detector`` finds in ``reply`` (answering ``context``)."""
    return {d.move for d in detector.detect(reply, context)}


def write_rules(tmp_path: Path, body: str) -> Path:
    """A rules directory holding one file, ``rules.yaml``, with ``body``."""
    (tmp_path / "rules.yaml").write_text(body, encoding="utf-8")
    return tmp_path

"""Scoring test helpers."""

from __future__ import annotations

from bot.scoring.detect import Detector


def moves(detector: Detector, reply: str, context: str = "") -> set[str]:
    """The ids of the moves `detector` finds in `reply`."""
    return {d.move for d in detector.detect(reply, context)}

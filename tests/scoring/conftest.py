"""One compiled detector shared by the scoring tests, and a helper that names what it found."""

from __future__ import annotations

import pytest

from bot.scoring.detect import MoveDetector, default_detector


@pytest.fixture(scope="session")
def detector() -> MoveDetector:
    return default_detector()


def moves(detector: MoveDetector, reply: str, context: str = "") -> set[str]:
    return {d.move for d in detector.detect(reply, context)}

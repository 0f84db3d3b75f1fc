"""One compiled detector shared by the scoring tests."""

from __future__ import annotations

import pytest

from bot.scoring.detect import MoveDetector, default_detector


@pytest.fixture(scope="session")
def detector() -> MoveDetector:
    return default_detector()

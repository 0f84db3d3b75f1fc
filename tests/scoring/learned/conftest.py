"""The product's model (trained once per data hash, then read from the cache) and a small
corpus for tests that train their own models."""

from __future__ import annotations

import pytest

from bot.scoring.detect import default_detector
from bot.scoring.evaluate import Example
from bot.scoring.learned import Corpus, LearnedDetector, LinearModel, cached_model, load_training


@pytest.fixture(scope="session")
def model() -> LinearModel:
    return cached_model()


@pytest.fixture(scope="session")
def detector(model: LinearModel) -> LearnedDetector:
    return LearnedDetector(model, default_detector())


@pytest.fixture(scope="session")
def training() -> list[Example]:
    return load_training()


@pytest.fixture(scope="session")
def small_corpus(training: list[Example]) -> Corpus:
    """Every 12th training reply (about 900), with the rules' moves: trains in seconds."""
    return Corpus.build(training[::12], default_detector())

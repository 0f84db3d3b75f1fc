"""Fixtures for the Slack tests; the world they build lives in tests/helpers/slack.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.engine.trainer import Trainer
from bot.harness.slack_fake import FakeSlack
from tests.helpers.slack import Loop, SlackWorld


@pytest.fixture
def loop() -> Iterator[Loop]:
    loop = Loop()
    yield loop
    loop.close()


@pytest.fixture
def fake(loop: Loop) -> Iterator[FakeSlack]:
    fake = loop.run(FakeSlack().start())
    yield fake
    loop.run(fake.stop())


@pytest.fixture
def slack(loop: Loop, fake: FakeSlack, trainer: Trainer) -> Iterator[SlackWorld]:
    world = SlackWorld(loop, fake, trainer)
    loop.run(world.start())
    yield world
    loop.run(world.stop())

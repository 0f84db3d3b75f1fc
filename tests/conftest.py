"""Shared fixtures: the real and a tiny content library, real SQLite files, trainers."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.library import Library, default_content_root, load_library
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Reply
from bot.scoring.learned import cached_model
from bot.storage.sqlite import SqliteStore


@pytest.fixture(scope="session", autouse=True)
def product_model() -> None:
    """Build (or find) the move model of this checkout's data before any test runs, so the
    bot processes that some tests start read it from the cache instead of training it."""
    cached_model()


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library(default_content_root())


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "roleplay.db"


@pytest.fixture
def store(db_path: Path) -> SqliteStore:
    store = SqliteStore(db_path)
    yield store
    store.close()


@pytest.fixture
def trainer(library: Library, store: SqliteStore) -> Trainer:
    return Trainer(library, store)


class Chat:
    """A learner talking to the trainer, transcript style: `chat.say("/start cold_call")`."""

    def __init__(self, trainer: Trainer, user_id: str = "rep-1", platform: str = "test") -> None:
        self.trainer = trainer
        self.learner = Learner(platform, user_id, "Test Rep")

    def say(self, text: str, message_id: str | None = None) -> Reply:
        return self.trainer.handle(Inbound(self.learner, text, message_id))


@pytest.fixture
def chat(trainer: Trainer) -> Chat:
    return Chat(trainer)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="Rewrite golden transcripts from the current output instead of comparing.",
    )


PERSONA = """\
schema: 1
id: pat
name: Pat Lee
role: prospect
title: VP of Sales
company: Acme
bio: Busy.
traits: {patience: 2, skepticism: 3, talkativeness: 2}
decision_orientation: business
facts:
  - id: crm
    text: [We use Salesforce.]
pains:
  - id: misses
    text: [Our forecast misses.]
    implication: [Finance freezes hiring.]
lines:
  hello: [Pat here., Pat speaking., Yes?]
  bye: [Bye., Goodbye., Gotta go.]
  huh: [Huh?, Sorry?, What?]
"""

FLOW = """\
schema: 1
id: tiny
description: A tiny flow.
speaker: buyer
initial: start
fallback: [huh]
states:
  start:
    say: [hello]
    hint: [Nudge., Prompt., Example.]
    expects: [permission_ask]
    penalises: [feature_dump]
    transitions:
      - to: done
        when: {any: [permission_ask]}
      - when: {any: [situation_question]}
        effects: [{reveal: fact}]
  done:
    terminal: won
    say: [bye]
"""

SCENARIO = """\
schema: 1
id: tiny_call
title: Tiny call
summary: Ask permission.
flow: tiny
personas: {buyer: pat}
briefing: {role: You sell., goal: Ask permission., success: Permission.}
rubric: {pass_mark: 50}
"""


@pytest.fixture
def content(tmp_path: Path) -> Path:
    root = tmp_path / "content"
    for folder, name, text in (
        ("personas", "pat", PERSONA),
        ("state_machines", "tiny", FLOW),
        ("scenarios", "tiny_call", SCENARIO),
    ):
        (root / folder).mkdir(parents=True)
        (root / folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def tiny_trainer(content: Path, store: SqliteStore) -> Trainer:
    return Trainer(load_library(content), store)

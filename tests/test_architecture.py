"""Dependencies point inward and downward: a layer table that every import in bot/ must obey."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"

# (room, floor): a module may import its own room and rooms on lower floors, nothing else.
LAYERS = (
    ("bot.messages", 0),
    ("bot.vocabulary", 0),
    ("bot.storage.base", 0),
    ("bot.content", 1),
    ("bot.storage", 2),
    ("bot.scoring", 2),
    ("bot.analytics", 3),
    ("bot.engine", 4),
    ("bot.docs", 5),
    ("bot.delivery", 5),
    ("bot.adapters", 6),
    ("bot.harness", 7),
    ("bot.cli", 8),
)
# Only the composition roots pick the storage implementation.
SQLITE_USERS = ("bot.cli", "bot.harness")
CORE = ("bot.messages", "bot.vocabulary", "bot.content", "bot.storage", "bot.scoring")
CORE += ("bot.analytics", "bot.engine", "bot.delivery")
SURFACE_LIBRARIES = ("slack_bolt", "slack_sdk", "telegram", "click", "rich", "aiohttp", "tornado")
SURFACE_LIBRARIES += ("datasette", "uvicorn")


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def room(module: str) -> tuple[str, int] | None:
    """The most specific room of the table that holds `module`."""
    matches = [(r, f) for r, f in LAYERS if module == r or module.startswith(r + ".")]
    return max(matches, key=lambda m: len(m[0]), default=None)


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


MODULES = sorted(p for p in BOT.rglob("*.py") if module_name(p) != "bot")


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_every_module_has_a_room(path: Path) -> None:
    assert room(module_name(path)) is not None, "add its package to LAYERS"


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_imports_only_go_down_or_stay_in_the_room(path: Path) -> None:
    here = room(module_name(path))
    assert here is not None
    wrong = []
    for name in imports(path):
        there = room(name)
        if there is None or there[0] == here[0]:
            continue
        if there[1] >= here[1]:
            wrong.append(f"{name} ({there[0]}, floor {there[1]})")
    assert not wrong, f"{here[0]} (floor {here[1]}) imports upward or sideways: {wrong}"


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_only_composition_roots_import_the_sqlite_store(path: Path) -> None:
    name = module_name(path)
    if name.startswith(SQLITE_USERS) or name.startswith("bot.storage"):
        return
    assert not any(n.startswith("bot.storage.sqlite") for n in imports(path))


@pytest.mark.parametrize(
    "path", [p for p in MODULES if module_name(p).startswith(CORE)], ids=module_name
)
def test_core_module_imports_no_surface_library(path: Path) -> None:
    bad = {n for n in imports(path) if n.split(".")[0] in SURFACE_LIBRARIES}
    assert not bad, f"{module_name(path)} imports {sorted(bad)}"


def test_the_table_catches_an_upward_import(tmp_path: Path) -> None:
    assert room("bot.scoring.detect.detector") == ("bot.scoring", 2)
    assert room("bot.storage.base") == ("bot.storage.base", 0)
    assert room("bot.engine.trainer")[1] > room("bot.scoring.rubric")[1]

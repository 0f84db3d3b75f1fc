"""Dependencies point inward: the core imports no chat SDK, no CLI or terminal library."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[2] / "bot"
CORE = ("content", "engine", "scoring", "storage")
FORBIDDEN = (
    "slack_bolt",
    "slack_sdk",
    "telegram",
    "click",
    "rich",
    "aiohttp",
    "tornado",
    "bot.adapters",
    "bot.cli",
)


def imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path",
    [p for c in CORE for p in sorted((BOT / c).rglob("*.py"))],
    ids=lambda p: str(p.relative_to(BOT)),
)
def test_core_module_imports_no_surface_library(path: Path) -> None:
    bad = {n for n in imports(path) if n.split(".")[0] in FORBIDDEN or n.startswith(FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"

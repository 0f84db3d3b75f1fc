"""`roleplay telegram` and `roleplay telegram-load`, run as a user would."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from click.testing import CliRunner

import bot
from bot.cli.telegram_command import telegram_command, telegram_load_command


def test_telegram_without_a_token_names_the_variable(monkeypatch):
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    result = CliRunner().invoke(telegram_command, [])
    assert result.exit_code == 1
    assert "TELEGRAM_BOT_TOKEN is not set" in result.output


def test_load_prints_latency_and_throughput(tmp_path):
    db = tmp_path / "load.db"
    result = CliRunner().invoke(telegram_load_command, ["--chats", "3", "--turns", "2", "--db", db])
    assert result.exit_code == 0, result.output
    assert re.search(
        r"chats=3 turns=9 failures=0 p50=[\d.]+ms p99=[\d.]+ms turns/s=[\d.]+", result.output
    )


def test_core_never_imports_telegram():
    root = Path(bot.__file__).parent
    for package in ("engine", "scoring", "content", "storage"):
        for path in (root / package).rglob("*.py"):
            tree = ast.parse(path.read_text())
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    modules = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom):
                    modules = [node.module or ""]
                else:
                    continue
                assert not any(m.split(".")[0] == "telegram" for m in modules), path

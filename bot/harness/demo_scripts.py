"""The scripted reps of demo_reps.yaml, loaded and checked, with `file:line` errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.problems import display_path
from bot.content.yaml_source import LineDict, LineList, YamlSyntaxError, line_of, parse_yaml

DEMO_REPS_FILE = Path(__file__).with_name("demo_reps.yaml")


class DemoScriptError(Exception):
    """demo_reps.yaml is malformed; the message reads `file:line: message`."""


Fail = Callable[[Iterable[Any], str], DemoScriptError]


@dataclass(frozen=True)
class Step:
    """One moment of a conversation: what a strong rep says, and what a weaker one says."""

    strong: tuple[str, ...]
    weak: tuple[str, ...]


@dataclass(frozen=True)
class DemoScripts:
    names: tuple[str, ...]
    scenarios: dict[str, tuple[Step, ...]]

    def check_scenarios(self, known: Iterable[str], path: Path = DEMO_REPS_FILE) -> None:
        """Every scripted scenario must exist in the library (raises DemoScriptError)."""
        unknown = sorted(set(self.scenarios) - set(known))
        if unknown:
            raise DemoScriptError(f"{display_path(path)}:1: unknown scenarios: {unknown}")


def load_demo_scripts(path: Path = DEMO_REPS_FILE) -> DemoScripts:
    name = display_path(path)
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except YamlSyntaxError as exc:
        raise DemoScriptError(f"{name}:{exc.line}: {exc}") from exc

    def fail(where: Iterable[Any], message: str) -> DemoScriptError:
        return DemoScriptError(f"{name}:{line_of(raw, list(where))}: {message}")

    if not isinstance(raw, LineDict):
        raise fail([], "expected a mapping with schema, names and scenarios")
    if raw.get("schema") != 1:
        raise fail(["schema"], "schema must be 1")
    names = _texts(raw.get("names"), ["names"], fail)
    scenarios = raw.get("scenarios")
    if not isinstance(scenarios, LineDict) or not scenarios:
        raise fail(["scenarios"], "scenarios must map scenario ids to lists of steps")
    out: dict[str, tuple[Step, ...]] = {}
    for scenario, steps in scenarios.items():
        where = ["scenarios", scenario]
        if not isinstance(steps, LineList) or not steps:
            raise fail(where, f"{scenario}: expected a non-empty list of steps")
        out[str(scenario)] = tuple(_step(step, [*where, i], fail) for i, step in enumerate(steps))
    return DemoScripts(names, out)


def _step(step: Any, where: list[Any], fail: Fail) -> Step:
    if not isinstance(step, LineDict):
        raise fail(where, "a step is a mapping with `strong` and `weak` phrasings")
    extra = sorted(set(step) - {"strong", "weak"})
    if extra:
        raise fail([*where, extra[0]], f"unknown key {extra[0]!r} (a step has strong, weak)")
    return Step(
        _texts(step.get("strong"), [*where, "strong"], fail),
        _texts(step.get("weak"), [*where, "weak"], fail),
    )


def _texts(value: Any, where: list[Any], fail: Fail) -> tuple[str, ...]:
    if not isinstance(value, LineList) or not value:
        raise fail(where, f"{where[-1]} must be a non-empty list of phrasings")
    for i, text in enumerate(value):
        if not isinstance(text, str) or not text.strip():
            raise fail([*where, i], "a phrasing must be non-empty text")
    return tuple(text.strip() for text in value)

"""Load personas, flows and scenarios from a content root and validate them together.

Every problem is collected (not only the first) as `file:line: message`. A broken file
is reported and skipped; everything that does not depend on it still loads.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from bot.content.checks import check_flow, check_scenario
from bot.content.models import Flow, Persona, Scenario
from bot.content.problems import Problem, display_path
from bot.content.yaml_source import LineDict, Source, YamlSyntaxError, line_of, parse_yaml

KINDS: dict[str, type[Persona] | type[Flow] | type[Scenario]] = {
    "personas": Persona,
    "state_machines": Flow,
    "scenarios": Scenario,
}
M = TypeVar("M", bound=BaseModel)


@dataclass
class Library:
    root: Path
    personas: dict[str, Source] = field(default_factory=dict)
    flows: dict[str, Source] = field(default_factory=dict)
    scenarios: dict[str, Source] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def scenario(self, scenario_id: str) -> Scenario:
        return self.scenarios[scenario_id].model

    def flow(self, flow_id: str) -> Flow:
        return self.flows[flow_id].model

    def persona(self, persona_id: str) -> Persona:
        return self.personas[persona_id].model

    def content_version(self, scenario_id: str) -> str:
        """A short hash of the scenario, its flow and its personas."""
        scenario = self.scenario(scenario_id)
        parts = [self.scenarios[scenario_id].digest, self.flows[scenario.flow].digest]
        parts += [self.personas[p].digest for p in sorted(set(scenario.personas.values()))]
        return hashlib.sha256("".join(parts).encode()).hexdigest()[:12]


def default_content_root() -> Path:
    """The repository checkout this package lives in (personas/, state_machines/, ...)."""
    return Path(__file__).resolve().parents[2]


def load_library(root: Path | None = None, paths: Iterable[Path] = ()) -> Library:
    """Load and cross-check every content file under `root` (plus any extra `paths`)."""
    root = root or default_content_root()
    library = Library(root=root)
    files = [(kind, path) for kind in KINDS for path in sorted((root / kind).glob("*.y*ml"))] + [
        (_kind_of(path), path) for path in paths
    ]
    seen: set[Path] = set()
    for kind, path in files:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        if kind is None:
            library.problems.append(
                Problem(display_path(path), 1, "not in personas/, state_machines/ or scenarios/")
            )
            continue
        _load_file(library, kind, path)
    _cross_check(library)
    return library


def _kind_of(path: Path) -> str | None:
    return path.resolve().parent.name if path.resolve().parent.name in KINDS else None


def _load_file(library: Library, kind: str, path: Path) -> None:
    name = display_path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = parse_yaml(text)
    except YamlSyntaxError as exc:
        library.problems.append(Problem(name, exc.line, str(exc)))
        return
    except (OSError, UnicodeDecodeError) as exc:
        library.problems.append(Problem(name, 1, f"cannot read file: {exc}"))
        return
    if not isinstance(raw, LineDict):
        library.problems.append(Problem(name, 1, "expected a mapping of fields at the top level"))
        return
    model: Persona | Flow | Scenario | None = _validate(library.problems, name, KINDS[kind], raw)
    if model is None:
        return
    if model.id != path.stem:
        library.problems.append(
            Problem(
                name,
                line_of(raw, ["id"]),
                f"id {model.id!r} must equal the file name {path.stem!r}",
            )
        )
        return
    registry = {
        "personas": library.personas,
        "state_machines": library.flows,
        "scenarios": library.scenarios,
    }[kind]
    if model.id in registry:
        other = registry[model.id].name
        library.problems.append(
            Problem(name, line_of(raw, ["id"]), f"duplicate id {model.id!r} (also in {other})")
        )
        return
    digest = hashlib.sha256(text.encode()).hexdigest()
    registry[model.id] = Source(path=path, model=model, raw=raw, digest=digest)


def _validate(problems: list[Problem], name: str, schema: type[M], raw: LineDict) -> M | None:
    try:
        return schema.model_validate(raw)
    except ValidationError as exc:
        for error in exc.errors():
            loc = ["schema" if part == "schema_" else part for part in error["loc"]]
            problems.append(Problem(name, line_of(raw, loc), _describe(loc, error)))
        return None


def _describe(loc: list[Any], error: Any) -> str:
    where = ".".join(str(part) for part in loc) or "file"
    if error["type"] == "extra_forbidden":
        return f"unknown field {where!r}"
    if error["type"] == "missing":
        return f"missing required field {where!r}"
    return f"{where}: {error['msg']}"


def _cross_check(library: Library) -> None:
    """Drop every flow, then every scenario, with a problem: each loads whole or not at all."""
    for source in list(library.flows.values()):
        found = check_flow(source)
        if found:
            del library.flows[source.model.id]
        library.problems.extend(found)
    for source in list(library.scenarios.values()):
        found = check_scenario(source, library)
        if found:
            del library.scenarios[source.model.id]
        library.problems.extend(found)
    library.problems.sort()

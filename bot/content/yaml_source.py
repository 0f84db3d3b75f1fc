"""YAML loading that remembers where every mapping key and list item came from.

A private loader subclass records line numbers, so validation can say `file:line`.
PyYAML's global loaders are left untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.content.problems import display_path

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class LineDict(dict):
    """A mapping with the 1-based line of itself (`line`) and of each key (`key_lines`)."""

    line: int = 1
    key_lines: dict[Any, int]


class LineList(list):
    """A sequence with the 1-based line of itself and of each item."""

    line: int = 1
    item_lines: list[int]


class DuplicateKey(yaml.MarkedYAMLError):
    pass


class _LineLoader(_Base):  # type: ignore[misc, valid-type]
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LineDict:
        self.flatten_mapping(node)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in result:
                raise DuplicateKey(
                    problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark
                )
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = key_node.start_mark.line + 1
        return result

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LineList:
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _LineLoader.construct_mapping
)
_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _LineLoader.construct_sequence
)


class YamlSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


def parse_yaml(text: str) -> Any:
    """Parse one YAML document into LineDict/LineList; raise YamlSyntaxError with a line."""
    try:
        return yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return _raise(line, f"YAML syntax error: {exc.problem or exc}")
    except yaml.YAMLError as exc:
        return _raise(1, f"YAML syntax error: {exc}")


def _raise(line: int, message: str) -> Any:
    raise YamlSyntaxError(line, message)


def line_of(data: Any, path: Iterable[Any]) -> int:
    """The line of the deepest node on `path` that we can locate (1 if none)."""
    line = getattr(data, "line", 1)
    node = data
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
        line = max(line, 1)
    return line


@dataclass(frozen=True)
class Source:
    """One loaded content file: the validated model, its raw tree (for lines) and its hash."""

    path: Path
    model: Any
    raw: LineDict
    digest: str

    @property
    def name(self) -> str:
        return display_path(self.path)

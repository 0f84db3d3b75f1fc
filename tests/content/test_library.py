from __future__ import annotations

import time
from pathlib import Path

import pytest

from bot.content.library import default_content_root, load_library


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {rel}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def messages(root: Path) -> list[str]:
    return [f"{Path(p.file).name}:{p.line}: {p.message}" for p in load_library(root).problems]


def test_valid_library_loads_without_problems(content: Path) -> None:
    library = load_library(content)
    assert library.problems == []
    assert set(library.scenarios) == {"tiny_call"}
    assert library.persona("pat").lines["hello"][0] == "Pat here."


def test_the_shipped_library_is_valid() -> None:
    library = load_library(default_content_root())
    assert [str(p) for p in library.problems] == []
    assert library.scenarios


@pytest.mark.parametrize(
    ("rel", "old", "new", "expected"),
    [
        (
            "state_machines/tiny.yaml",
            "initial: start",
            "initial: [oops",
            "tiny.yaml:6: YAML syntax error",
        ),
        (
            "personas/pat.yaml",
            "patience: 2",
            "patience: lots",
            "pat.yaml:8: traits.patience: Input should be a valid integer",
        ),
        (
            "personas/pat.yaml",
            "company: Acme\n",
            "",
            "pat.yaml:1: missing required field 'company'",
        ),
        (
            "personas/pat.yaml",
            "id: pat",
            "id: pat lee",
            "pat.yaml:2: id: Value error, 'pat lee' is not an identifier",
        ),
        (
            "personas/pat.yaml",
            "id: pat",
            "id: pat2",
            "pat.yaml:2: id 'pat2' must equal the file name 'pat'",
        ),
        (
            "state_machines/tiny.yaml",
            "expects: [permission_ask]",
            "expects: [permision_ask]",
            "tiny.yaml:11: unknown move id 'permision_ask'",
        ),
        (
            "state_machines/tiny.yaml",
            "to: done",
            "to: finished",
            "tiny.yaml:14: transition to missing state 'finished'",
        ),
        (
            "scenarios/tiny_call.yaml",
            "personas: {buyer: pat}",
            "personas: {buyer: bob}",
            "tiny_call.yaml:6: unknown or broken persona 'bob'",
        ),
        (
            "scenarios/tiny_call.yaml",
            "flow: tiny",
            "flow: huge",
            "tiny_call.yaml:5: unknown or broken flow 'huge'",
        ),
        (
            "personas/pat.yaml",
            "  bye: [Bye., Goodbye., Gotta go.]\n",
            "",
            "tiny_call.yaml:5: persona 'pat' has no line 'bye'",
        ),
        (
            "state_machines/tiny.yaml",
            "  done:\n    terminal: won\n",
            "  done:\n",
            "tiny.yaml:18: state 'done' is not terminal and has no way out",
        ),
        (
            "state_machines/tiny.yaml",
            "    say: [bye]\n",
            "    say: [bye]\n  island:\n    terminal: lost\n",
            "tiny.yaml:21: state 'island' is unreachable from 'start'",
        ),
        (
            "personas/pat.yaml",
            "  huh: [Huh?, Sorry?, What?]",
            "  hello: [dup]",
            "pat.yaml:20: YAML syntax error: duplicate key 'hello'",
        ),
    ],
)
def test_each_problem_is_reported_with_file_and_line(
    content: Path, rel: str, old: str, new: str, expected: str
) -> None:
    edit(content, rel, old, new)
    found = messages(content)
    assert any(m.startswith(expected) for m in found), found


def test_every_problem_is_reported_not_only_the_first(content: Path) -> None:
    edit(content, "state_machines/tiny.yaml", "expects: [permission_ask]", "expects: [nope1]")
    edit(content, "state_machines/tiny.yaml", "penalises: [feature_dump]", "penalises: [nope2]")
    edit(content, "personas/pat.yaml", "patience: 2", "patience: 9")
    found = messages(content)
    assert any("nope1" in m for m in found) and any("nope2" in m for m in found)
    assert any("pat.yaml:8" in m for m in found)


def test_a_yaml_file_cannot_name_python_code(content: Path) -> None:
    edit(
        content,
        "state_machines/tiny.yaml",
        "        when: {any: [permission_ask]}",
        "        conditions: os.system",
    )
    edit(
        content,
        "state_machines/tiny.yaml",
        "effects: [{reveal: fact}]",
        "effects: [{call: os.system}]",
    )
    found = messages(content)
    assert "tiny.yaml:15: unknown field 'states.start.transitions.0.conditions'" in found
    assert any("tiny.yaml:17: unknown field" in m and "call" in m for m in found)
    assert "tiny" not in load_library(content).flows


def test_a_guard_naming_a_dotted_path_is_rejected(content: Path) -> None:
    edit(content, "state_machines/tiny.yaml", "{any: [permission_ask]}", "{os.system: [rm]}")
    assert any("unknown field" in m and "os.system" in m for m in messages(content))


def test_a_broken_file_does_not_stop_the_rest_loading(content: Path) -> None:
    (content / "personas" / "broken.yaml").write_text("schema: 1\nid: [", encoding="utf-8")
    library = load_library(content)
    assert "tiny_call" in library.scenarios
    assert [Path(p.file).name for p in library.problems] == ["broken.yaml"]


def test_a_scenario_with_a_broken_flow_is_dropped_and_explained(content: Path) -> None:
    edit(content, "state_machines/tiny.yaml", "to: done", "to: nowhere")
    library = load_library(content)
    assert "tiny_call" not in library.scenarios
    assert any("unknown or broken flow 'tiny'" in p.message for p in library.problems)


def test_content_version_changes_when_a_file_changes(content: Path) -> None:
    before = load_library(content).content_version("tiny_call")
    edit(content, "personas/pat.yaml", "Pat here.", "Pat here!")
    assert load_library(content).content_version("tiny_call") != before


def test_validating_the_whole_library_is_fast() -> None:
    load_library(default_content_root())  # warm imports
    start = time.perf_counter()
    load_library(default_content_root())
    assert time.perf_counter() - start < 2.0  # generous; `roleplay bench` reports the real figure

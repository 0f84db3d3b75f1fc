"""demo_reps.yaml: the shipped scripts cover the library; a broken file says where."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.library import Library
from bot.harness.demo_scripts import DemoScriptError, load_demo_scripts

GOOD = """\
schema: 1
names: [Ana Silva, Ben Okafor]
scenarios:
  cold_call:
    - strong: [What CRM are you on?]
      weak: [ok cool]
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "reps.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_scripts_cover_every_scenario_with_strong_and_weak_phrasings(
    library: Library,
) -> None:
    scripts = load_demo_scripts()
    assert set(scripts.scenarios) == set(library.scenarios)
    assert len(scripts.names) >= 20 and len(set(scripts.names)) == len(scripts.names)
    for steps in scripts.scenarios.values():
        assert all(step.strong and step.weak for step in steps)
        assert all(not set(step.strong) & set(step.weak) for step in steps)


def test_a_well_formed_file_loads(tmp_path: Path) -> None:
    scripts = load_demo_scripts(write(tmp_path, GOOD))
    assert scripts.names == ("Ana Silva", "Ben Okafor")
    assert scripts.scenarios["cold_call"][0].weak == ("ok cool",)


@pytest.mark.parametrize(
    ("broken", "line", "message"),
    [
        (GOOD.replace("      weak: [ok cool]\n", ""), 5, "weak must be a non-empty list"),
        (GOOD.replace("weak: [ok cool]", "weak: [ok cool, '']"), 6, "non-empty text"),
        (GOOD.replace("      weak:", "      week:"), 6, "unknown key 'week'"),
        (GOOD.replace("schema: 1", "schema: 2"), 1, "schema must be 1"),
        (GOOD.replace("names: [Ana Silva, Ben Okafor]", "names: Ana"), 2, "names must be"),
        (GOOD.replace("on?]", "on?"), 6, "YAML syntax error"),
    ],
)
def test_a_malformed_file_names_the_file_and_line(
    tmp_path: Path, broken: str, line: int, message: str
) -> None:
    path = write(tmp_path, broken)
    with pytest.raises(DemoScriptError) as raised:
        load_demo_scripts(path)
    assert f"reps.yaml:{line}: " in str(raised.value)
    assert message in str(raised.value)


def test_a_scenario_missing_from_the_library_is_reported(tmp_path: Path) -> None:
    scripts = load_demo_scripts(write(tmp_path, GOOD.replace("cold_call:", "cold_cal:")))
    with pytest.raises(DemoScriptError, match="unknown scenarios: \\['cold_cal'\\]"):
        scripts.check_scenarios(["cold_call"], tmp_path / "reps.yaml")

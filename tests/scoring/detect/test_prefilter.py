"""The literal prefilter: which literals a pattern needs, and that it never hides a match."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from bot.scoring.detect.prefilter import LiteralExtractor, LiteralIndex
from bot.scoring.detect.rule import Rule
from bot.scoring.detect.rule_files import RuleSet, load_rules
from bot.scoring.detect.text import analyse
from tests.helpers.scoring import write_rules

EVAL = Path(__file__).resolve().parents[3] / "eval"


def _plain(literals: frozenset[str] | None) -> set[str]:
    return {lit.strip("\x02\x03") for lit in literals or ()}


def test_required_literals_come_from_the_pattern() -> None:
    extractor = LiteralExtractor(frozenset({"you", "the"}))
    assert _plain(extractor.required(re.compile(r"\bi hear you\b"))) == {"i hear you"}
    assert _plain(extractor.required(re.compile(r"\b(?:veloxa|clarivo)\b"))) == {
        "veloxa",
        "clarivo",
    }
    assert extractor.required(re.compile(r"^\W*\w+\?$")) is None  # nothing literal to require


def test_frequent_words_are_not_chosen_as_anchors() -> None:
    literal = "\x02your team\x03"  # a literal between two word boundaries
    assert LiteralExtractor(frozenset()).anchor(literal) == (0, "your")
    assert LiteralExtractor(frozenset({"your"})).anchor(literal) == (0, "team")


def test_only_unlocked_patterns_are_candidates(tmp_path: Path) -> None:
    rules = load_rules(
        write_rules(
            tmp_path,
            "rules:\n  - id: a/b\n    move: acknowledge\n"
            "    patterns: ['\\bfair point\\b', '\\bgood question\\b']\n",
        )
    )
    flat = _flat(rules)
    index = LiteralIndex(flat, rules.extractor)
    present, unlocked = index.unlocked("ok, good question")
    assert [p.pattern for p in index.candidates(0, present, unlocked)] == [
        flat[0].branches[1][0].pattern
    ]
    present, unlocked = index.unlocked("no idea")
    assert index.candidates(0, present, unlocked) == []


@pytest.fixture(scope="module")
def shipped() -> RuleSet:
    return load_rules()


def test_prefilter_never_hides_a_match(shipped: RuleSet) -> None:
    """Every shipped pattern that matches a labelled reply passes the prefilter for it."""
    flat = _flat(shipped)
    index = LiteralIndex(flat, shipped.extractor)
    examples = [
        json.loads(line)
        for path in sorted((EVAL / "train").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ][::20]
    assert examples
    for ex in examples:
        a = analyse(shipped.settings, ex["reply"], ex.get("buyer", ""))
        present, unlocked = index.unlocked(a.text)
        for number, rule in enumerate(flat):
            candidates = {id(p) for p in index.candidates(number, present, unlocked)}
            text = a.orig if rule.case_sensitive else a.text
            for pattern, _ in rule.branches:
                if pattern.search(text):
                    assert id(pattern) in candidates, (rule.id, pattern.pattern, ex["reply"])


def _flat(rules: RuleSet) -> list[Rule]:
    return [rule for stage in rules.stages for rule in stage]

"""Reading and validating rule files: every mistake names its file and rule."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.scoring.detect import MoveDetector, RuleError
from bot.scoring.detect.rule_files import RULES_DIR, SETTINGS_FILE, load_rules
from tests.helpers.scoring import write_rules


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("rules:\n  - id: x/y\n    move: not_a_move\n    patterns: ['a']\n", "not_a_move"),
        (
            "rules:\n  - id: bad/regex\n    move: acknowledge\n    patterns: ['(unclosed']\n",
            "bad regex",
        ),
        ("rules:\n  - id: up/case\n    move: acknowledge\n    patterns: ['Hello']\n", "lower case"),
        ("rules:\n  - id: lex/missing\n    move: acknowledge\n    patterns: ['{@nope}']\n", "nope"),
        ("rules:\n  - id: k/typo\n    move: acknowledge\n    patern: ['a']\n", "unknown keys"),
        (
            "rules:\n  - id: m/dep\n    move: acknowledge\n    patterns: ['a']\n"
            "    requires_moves: [nonsense]\n",
            "nonsense",
        ),
        (
            "rules:\n  - id: a/b\n    move: acknowledge\n    patterns: ['a']\n"
            "    requires_moves: [rapport]\n"
            "  - id: b/a\n    move: rapport\n    patterns: ['b']\n"
            "    requires_moves: [acknowledge]\n",
            "circular",
        ),
        ("rules: [\n", "cannot read"),
    ],
)
def test_invalid_rules_give_clear_errors(tmp_path: Path, body: str, message: str) -> None:
    rules = write_rules(tmp_path, body)
    with pytest.raises(RuleError) as err:
        MoveDetector.load(rules)
    assert message in str(err.value)
    assert "rules.yaml" in str(err.value)


def test_common_words_come_from_the_settings_file(tmp_path: Path) -> None:
    shipped = yaml.safe_load((RULES_DIR / SETTINGS_FILE).read_text(encoding="utf-8"))
    words = frozenset(shipped["prefilter"]["common_words"])
    assert {"the", "you", "on", "it's"} <= words  # strings, not YAML booleans
    assert load_rules().extractor.common_words == words
    # a rules directory without its own list uses the shipped one
    rules = write_rules(
        tmp_path, "rules:\n  - id: a/b\n    move: acknowledge\n    patterns: ['a']\n"
    )
    assert load_rules(rules).extractor.common_words == words
    (tmp_path / SETTINGS_FILE).write_text("prefilter:\n  common_words: [hmm]\n", encoding="utf-8")
    assert load_rules(rules).extractor.common_words == {"hmm"}


def test_invalid_common_words_give_clear_errors(tmp_path: Path) -> None:
    rules = write_rules(
        tmp_path, "rules:\n  - id: a/b\n    move: acknowledge\n    patterns: ['a']\n"
    )
    (tmp_path / SETTINGS_FILE).write_text("prefilter:\n  common_words: [The]\n", encoding="utf-8")
    with pytest.raises(RuleError) as err:
        MoveDetector.load(rules)
    assert "common_words" in str(err.value)
    assert SETTINGS_FILE in str(err.value)

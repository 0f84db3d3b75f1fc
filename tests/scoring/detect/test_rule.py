"""How one compiled rule matches: conditions of a rule file, on a reply."""

from __future__ import annotations

from pathlib import Path

from bot.scoring.detect import MoveDetector
from tests.helpers.scoring import write_rules


def test_case_sensitive_rule(tmp_path: Path) -> None:
    rules = write_rules(
        tmp_path,
        """
rules:
  - id: reference_story/capitalised
    move: reference_story
    case_sensitive: true
    patterns: ['\\b[A-Z][a-z]+ Foods\\b']
""",
    )
    det = MoveDetector.load(rules)
    assert [d.evidence.quote for d in det.detect("Acme Foods cut waste by half.")] == ["Acme Foods"]
    assert det.detect("we sell foods to shops") == ()

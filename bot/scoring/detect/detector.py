"""The move detector: the compiled rules of a rules directory, run stage by stage on a reply."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from bot.scoring.detect.prefilter import LiteralIndex
from bot.scoring.detect.result import Detection, Evidence
from bot.scoring.detect.rule_files import RuleSet, load_rules
from bot.scoring.detect.text import analyse


class MoveDetector:
    """Detects learner moves in one reply with the compiled rules of a rules directory."""

    def __init__(self, rules: RuleSet) -> None:
        self._settings = rules.settings
        self._order = {move: i for i, move in enumerate(rules.order)}
        self._rules = [rule for stage in rules.stages for rule in stage]  # stage by stage
        self._stage_of = [level for level, stage in enumerate(rules.stages) for _ in stage]
        self._prefilter = LiteralIndex(self._rules, rules.extractor)

    @classmethod
    def load(cls, rules_dir: Path | None = None) -> MoveDetector:
        """Read, validate and compile every ``*.yaml`` file of ``rules_dir`` (default: the
        shipped rules); an invalid file raises ``RuleError``."""
        return cls(load_rules(rules_dir))

    def detect(self, reply: str, context: str = "") -> tuple[Detection, ...]:
        """Moves found in ``reply`` (answering ``context``), in vocabulary order."""
        if not isinstance(reply, str) or not reply.strip():
            return ()
        analysis = analyse(self._settings, reply, context if isinstance(context, str) else "")
        present, unlocked = self._prefilter.unlocked(analysis.text)
        found: dict[str, Detection] = {}
        names: set[str] = set()
        stage_now = -1
        rules, stage_of = self._rules, self._stage_of
        for ri in sorted(unlocked):  # rule order is stage order
            rule = rules[ri]
            if stage_of[ri] != stage_now:  # moves found so far, for move conditions
                stage_now = stage_of[ri]
                names = set(found)
            if rule.move in found:
                continue
            candidates = self._prefilter.candidates(ri, present, unlocked)
            if not candidates:
                continue
            span = rule.match(analysis, names, present, candidates)
            if span is None:
                continue
            start, end = span
            if analysis.starts_map is not None and analysis.ends_map is not None:
                start, end = analysis.starts_map[start], analysis.ends_map[end - 1]
            found[rule.move] = Detection(
                move=rule.move, evidence=Evidence(start, end, reply[start:end], rule.id)
            )
        return tuple(sorted(found.values(), key=lambda d: self._order[d.move]))


@cache
def default_detector() -> MoveDetector:
    """The detector built from the rule files shipped with the package (loaded once)."""
    return MoveDetector.load()

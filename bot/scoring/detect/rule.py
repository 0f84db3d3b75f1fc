"""One compiled rule: its patterns and conditions, and how it finds evidence in a reply."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from bot.scoring.detect.text import Analysis

FLAGS = re.MULTILINE  # text is lower-cased before matching, so patterns are lower case
_MAX_MATCHES_PER_RULE = 25


@dataclass
class Rule:
    """A rule of a rule file, compiled; ``match`` gives its first evidence span in a reply."""

    id: str
    move: str
    scope: str
    # one compiled regex per listed pattern, each with the lower-case literals one of which
    # must occur for it to match (None: no usable literal): a cheap substring prefilter
    branches: tuple[tuple[re.Pattern[str], frozenset[str] | None], ...]
    # literal groups from ``requires`` / ``reply_requires``: each group must be present
    literals: tuple[frozenset[str], ...] = ()
    # per branch, the other literal groups it needs besides its own (one literal of each)
    needs: tuple[tuple[frozenset[str], ...], ...] = ()
    requires: tuple[re.Pattern[str], ...] = ()
    excludes: re.Pattern[str] | None = None
    reply_requires: tuple[re.Pattern[str], ...] = ()
    reply_excludes: re.Pattern[str] | None = None
    context_requires: re.Pattern[str] | None = None
    context_excludes: re.Pattern[str] | None = None
    requires_anywhere: re.Pattern[str] | None = None
    max_words: int | None = None
    min_words: int | None = None
    reply_max_words: int | None = None
    first_sentences: int | None = None
    requires_moves: frozenset[str] = field(default_factory=frozenset)
    excludes_moves: frozenset[str] = field(default_factory=frozenset)
    file: str = ""
    case_sensitive: bool = False
    evidence: str = "match"  # or "sentence": quote the whole sentence (e.g. a listed dump)

    def unit_ok(self, a: Analysis, index: int) -> bool:
        unit = a.units[index]
        if self.scope == "question" and not unit.question:
            return False
        if self.first_sentences is not None and index >= self.first_sentences:
            return False
        if self.max_words is not None and a.words(index) > self.max_words:
            return False
        if self.min_words is not None and a.words(index) < self.min_words:
            return False
        if self.scope == "reply":
            return True
        text = (a.orig if self.case_sensitive else a.text)[unit.start : unit.end]
        if any(p.search(text) is None for p in self.requires):
            return False
        return not (self.excludes is not None and self.excludes.search(text))

    def reply_ok(self, a: Analysis, found: set[str]) -> bool:
        if self.requires_moves and not (self.requires_moves & found):
            return False
        if self.excludes_moves & found:
            return False
        if self.reply_max_words is not None and a.words(-1) > self.reply_max_words:
            return False
        if self.context_requires is not None and not self.context_requires.search(a.context):
            return False
        return not (self.context_excludes is not None and self.context_excludes.search(a.context))

    def reply_text_ok(self, a: Analysis) -> bool:
        """Conditions on the whole reply (checked only once a pattern has matched)."""
        if self.requires_anywhere is not None and not (
            self.requires_anywhere.search(a.text) or self.requires_anywhere.search(a.context)
        ):
            return False
        text = a.orig if self.case_sensitive else a.text
        if self.scope == "reply" and any(p.search(text) is None for p in self.requires):
            return False
        if self.scope == "reply" and self.excludes is not None and self.excludes.search(text):
            return False
        if any(p.search(text) is None for p in self.reply_requires):
            return False
        return not (self.reply_excludes is not None and self.reply_excludes.search(text))

    def _windows(self, a: Analysis) -> list[tuple[int, int]]:
        units = a.units
        if self.first_sentences is not None:
            units = units[: self.first_sentences]
        if self.scope == "question":
            units = [u for u in units if u.question]
        elif self.first_sentences is None:
            return [(0, len(a.text))]
        return [(u.start, u.end) for u in units]

    def match(
        self, a: Analysis, found: set[str], present: set[str], candidates: list[re.Pattern[str]]
    ) -> tuple[int, int] | None:
        """First evidence span of this rule; ``candidates`` are the branches that passed the
        literal prefilter (see ``MoveDetector.detect``)."""
        if self.scope == "question" and not a.has_question:
            return None
        for group in self.literals:
            if present.isdisjoint(group):
                return None
        if not self.reply_ok(a, found):
            return None
        text = a.orig if self.case_sensitive else a.text
        checked: dict[int, bool] = {}  # sentence index -> sentence conditions hold
        for start, end in self._windows(a):
            # pattern by pattern, the earliest match wins, ties to the first listed: compiling
            # an alternation of the candidates costs more than it saves (most replies bring
            # a combination not seen before)
            best: tuple[int, int] | None = None
            for pattern in candidates:
                span = self._first(a, text, pattern, start, end, checked)
                if span is not None and (best is None or span[0] < best[0]):
                    best = span
            if best is not None:
                if not self.reply_text_ok(a):
                    return None
                if self.evidence == "sentence":
                    unit = a.units[max(bisect_right(a.starts, best[0]) - 1, 0)]
                    line = a.text[unit.start : unit.end]
                    lead = len(line) - len(line.lstrip())
                    return unit.start + lead, unit.start + len(line.rstrip())
                return best
        return None

    def _first(
        self,
        a: Analysis,
        text: str,
        pattern: re.Pattern[str],
        start: int,
        end: int,
        checked: dict[int, bool],
    ) -> tuple[int, int] | None:
        """The first match of one pattern in a window whose sentence passes the conditions."""
        first = pattern.search(text, start, end)  # the usual answer, without an iterator
        if first is None:
            return None
        if first.end() > first.start() and self._sentence_ok(a, a.unit_of(first.start()), checked):
            return first.start(), first.end()
        for n, m in enumerate(pattern.finditer(text, start, end)):
            if n >= _MAX_MATCHES_PER_RULE:
                return None
            if m.end() == m.start():
                continue
            if self._sentence_ok(a, a.unit_of(m.start()), checked):
                return m.start(), m.end()
        return None

    def _sentence_ok(self, a: Analysis, index: int, checked: dict[int, bool]) -> bool:
        """Sentence conditions of this rule, checked once per sentence (``checked`` caches)."""
        ok = checked.get(index)
        if ok is None:
            ok = checked[index] = self.unit_ok(a, index)
        return ok

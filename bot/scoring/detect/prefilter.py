"""Literal prefilter: strings a pattern cannot match without, found in a reply with set lookups."""

from __future__ import annotations

import re

# The literals are read off the parse tree of each pattern. The stdlib has no public API for
# that tree, only CPython's private regex parser (re._parser / re._constants since 3.11,
# the oldest Python we support), so it is imported here and nowhere else.
import re._constants as _sre_c  # type: ignore[import-not-found]
import re._parser as _sre_parse  # type: ignore[import-not-found]
from collections.abc import Sequence
from typing import Any

from bot.scoring.detect.rule import Rule

_ALNUM = re.compile(r"[^\W_]+")  # the words between two \b, used for literal anchors
_MIN_LITERAL = 3
_DIGITS = frozenset("0123456789")
_BOUND_START = "\x02"  # marks a literal that begins at a word boundary
_BOUND_END = "\x03"  # marks a literal that ends at a word boundary
_BOUNDS = _BOUND_START + _BOUND_END
_LETTER_RARITY = {c: i for i, c in enumerate("etaoinsrhldcumfpgwybvkxjqz")}


class LiteralExtractor:
    """Finds the literals a compiled pattern needs, ranking them with a list of frequent words
    (``prefilter.common_words`` of ``rules/_settings.yaml``): those make poor anchors, almost
    every reply has them."""

    def __init__(self, common_words: frozenset[str]) -> None:
        self.common_words = common_words

    def required(self, pattern: re.Pattern[str]) -> frozenset[str] | None:
        """Lower-case strings of which at least one must occur in any text the pattern matches."""
        try:
            parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
        except Exception:  # pragma: no cover - the pattern compiled, so this should not happen
            return None
        found = self._sequence(list(parsed))
        return frozenset(found) if found else None

    def other_groups(
        self, pattern: re.Pattern[str], key: frozenset[str] | None
    ) -> tuple[frozenset[str], ...]:
        """Literal groups a match needs besides ``key``: one literal of each must be present.

        Only groups whose every literal has a word anchor are kept, so checking them costs set
        lookups. A broad pattern ("does that sound / work / help") is then tried only in replies
        that hold a word from each of its parts, not in every reply with "that"."""
        try:
            items = list(_sre_parse.parse(pattern.pattern, pattern.flags))
        except Exception:  # pragma: no cover - the pattern compiled, so this should not happen
            return ()
        if len(items) == 1 and items[0][0] is _sre_c.SUBPATTERN:  # the (?:...) around a pattern
            items = list(items[0][1][-1])
        groups: list[frozenset[str]] = []
        self._sequence(items, collect=groups)
        return tuple(
            g for g in dict.fromkeys(groups) if g != key and all(self.anchor(lit) for lit in g)
        )

    def anchor(self, marked: str) -> tuple[int, str] | None:
        """The best key guaranteed to be found in any reply containing the literal: a whole word
        (0, word), for a literal that starts (ends) a word its first (last) three letters (1, 2),
        or any three letters inside one of its words (3)."""
        start_bounded = marked.startswith(_BOUND_START)
        end_bounded = marked.endswith(_BOUND_END)
        literal = marked.strip(_BOUNDS)
        runs = list(_ALNUM.finditer(literal))
        options: list[tuple[int, str]] = []
        for m in runs:
            a, b = m.span()
            if (a > 0 or start_bounded) and (b < len(literal) or end_bounded):
                options.append((0, m.group()))
        if start_bounded and runs and runs[0].start() == 0 and len(runs[0].group()) >= 3:
            options.append((1, runs[0].group()[:3]))
        if end_bounded and runs and runs[-1].end() == len(literal) and len(runs[-1].group()) >= 3:
            options.append((2, runs[-1].group()[-3:]))
        for m in runs:
            run = m.group()
            options += [(3, run[i : i + 3]) for i in range(len(run) - 2)]
        if not options:
            return None
        # an uncommon whole word first; then the rarest-looking three letters (at a word edge
        # before inside a word); a frequent whole word ("you", "the") last
        return max(options, key=self._anchor_rank)

    def _anchor_rank(self, option: tuple[int, str]) -> tuple[int, int, int]:
        kind, key = option
        if kind == 0:
            return (2, 0, len(key)) if key not in self.common_words else (0, 0, len(key))
        return 1, sum(_LETTER_RARITY.get(c, 26) for c in key), kind != 3

    def _sequence(
        self,
        items: list[Any],
        lead: bool = False,
        tail: bool = False,
        collect: list[frozenset[str]] | None = None,
    ) -> set[str] | None:
        """Best required-literal set of a sequence: runs of literal characters, or sub-groups.

        A literal known to start (end) at a word boundary is marked with a leading
        ``_BOUND_START`` (trailing ``_BOUND_END``) character, so that a whole word inside it can
        serve as anchor. ``collect`` receives every usable group of the sequence, not only the
        best.
        """
        best: set[str] | None = None
        run: list[str] = []
        run_bounded = False

        def consider(candidate: set[str] | None) -> None:
            nonlocal best
            if not candidate:
                return
            if candidate == _DIGITS:  # a digit is rare enough to be worth checking
                if best is None:
                    best = set(candidate)
                return
            if not all(map(_usable, candidate)):
                return
            if collect is not None:
                collect.append(frozenset(candidate))
            if (
                best is None
                or best == _DIGITS
                or self._selectivity(candidate) > self._selectivity(best)
            ):
                best = candidate

        def close(end_bounded: bool) -> None:
            text = "".join(run)
            if run_bounded and text[:1].isalnum():
                text = _BOUND_START + text
            if end_bounded and text[-1:].isalnum():
                text = text + _BOUND_END
            consider({text})

        last = len(items) - 1
        for i, (op, arg) in enumerate(items):
            prev_b = (i > 0 and _is_boundary(*items[i - 1])) or (i == 0 and lead)
            next_b = (i < last and _is_boundary(*items[i + 1])) or (i == last and tail)
            if op is _sre_c.LITERAL:
                if not run:
                    run_bounded = prev_b
                run.append(chr(arg).lower())
                if next_b or i == last or items[i + 1][0] is not _sre_c.LITERAL:
                    close(next_b)
                    run = []
                continue
            consider(self._item(op, arg, prev_b, next_b))
        return best

    def _item(self, op: Any, arg: Any, lead: bool = False, tail: bool = False) -> set[str] | None:
        if op is _sre_c.SUBPATTERN:
            return self._sequence(list(arg[-1]), lead, tail)
        if op is _sre_c.BRANCH:
            out: set[str] = set()
            for branch in arg[1]:
                sub = self._sequence(list(branch), lead, tail)
                if not sub:
                    return None
                out |= sub
            return out
        if op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and arg[0] >= 1:
            return self._sequence(list(arg[2]), lead, tail and arg[1] == 1)
        if op is _sre_c.IN and arg == [(_sre_c.CATEGORY, _sre_c.CATEGORY_DIGIT)]:
            return set(_DIGITS)
        return None

    def _selectivity(self, group: set[str]) -> tuple[bool, int]:
        """How rarely a literal group is present: groups made only of words that are not frequent
        come first (" the " is in almost every reply), then groups whose shortest literal is
        longer."""
        rare = not any(self._is_common(lit) for lit in group)
        return rare, min(map(_plain_len, group))

    def _is_common(self, literal: str) -> bool:
        words = _ALNUM.findall(literal.strip(_BOUNDS))
        return all(w in self.common_words for w in words)


def _is_boundary(op: Any, arg: Any) -> bool:
    return op is _sre_c.AT and arg is _sre_c.AT_BOUNDARY


def _usable(literal: str) -> bool:
    """Long enough to be worth checking: three characters, or a whole short word ("aw")."""
    if _plain_len(literal) >= _MIN_LITERAL:
        return True
    whole = literal.startswith(_BOUND_START) and literal.endswith(_BOUND_END)
    return whole and _plain_len(literal) > 0


def _plain_len(literal: str) -> int:
    return len(literal.strip(_BOUNDS))


class LiteralIndex:
    """The literals of a list of rules, indexed by anchor: which are present in a text, and
    which rule branches (patterns) they unlock for a regex search."""

    def __init__(self, rules: Sequence[Rule], extractor: LiteralExtractor) -> None:
        literals: set[str] = set()
        for rule in rules:
            for group in rule.literals:
                literals |= group
            for _, unlocking in rule.branches:
                literals |= unlocking or set()
            for groups in rule.needs:
                for group in groups:
                    literals |= group
        # literals with a whole word inside ("i hear you" -> "hear") are only checked when that
        # word occurs in the reply (one set intersection); the rest are checked one by one
        # anchors are whole words (kind 0), word-initial (1) or word-final (2) three letters,
        # or (3) any three letters inside a word, for a literal not known to touch a boundary
        self.anchored: tuple[dict[str, list[str]], ...] = ({}, {}, {}, {})
        loose: list[str] = []
        for lit in sorted(literals):
            anchor = extractor.anchor(lit)
            if anchor is None:
                loose.append(lit)
            else:
                self.anchored[anchor[0]].setdefault(anchor[1], []).append(lit)
        # the substring actually searched for each (possibly marked) literal
        self._plain = {lit: lit.strip(_BOUNDS) for lit in literals}
        self.loose = tuple(loose)
        # whole-word literals that are their own anchor: finding the word is enough
        implied = frozenset(
            lit
            for key, lits in self.anchored[0].items()
            for lit in lits
            if lit == _BOUND_START + key + _BOUND_END
        )
        self._anchor_keys = tuple(frozenset(index) for index in self.anchored)
        # every branch of every rule gets a number (a rule's branches are consecutive); a
        # literal unlocks the numbers of the branches it can start; literal-free ones always run
        index: dict[str, set[int]] = {}
        always: set[int] = set()
        self._rule_of: list[int] = []  # branch number -> rule position
        self._patterns: list[re.Pattern[str]] = []  # branch number -> its pattern
        self._needs: list[tuple[frozenset[str], ...]] = []  # branch number -> literal groups
        number = 0
        for position, rule in enumerate(rules):
            self._rule_of += [position] * len(rule.branches)
            self._patterns += [pattern for pattern, _ in rule.branches]
            self._needs += rule.needs
            for _, lits in rule.branches:
                if lits is None:
                    always.add(number)
                for lit in lits or ():
                    index.setdefault(lit, set()).add(number)
                number += 1
        self._index = {lit: frozenset(ids) for lit, ids in index.items()}
        self._always = frozenset(always)
        # per anchor key: (literal, substring to look for or None when the key is the literal,
        # branch numbers it unlocks)
        self._checks = tuple(
            {
                key: tuple(
                    (lit, None if lit in implied else self._plain[lit], self._index.get(lit))
                    for lit in lits
                )
                for key, lits in anchored.items()
            }
            for anchored in self.anchored
        )

    def unlocked(self, text: str) -> tuple[set[str], dict[int, list[int]]]:
        """The literals present in ``text``, and per rule position the numbers of its branches
        worth a regex search (their literal prefilter passed), in listed order. A rule with
        none is absent: it cannot match."""
        plain, index = self._plain, self._index
        present = {lit for lit in self.loose if plain[lit] in text}
        unlocked = set(self._always)
        for lit in present:
            ids = index.get(lit)
            if ids is not None:
                unlocked |= ids
        # the words of the text once; word-initial and word-final three letters derived from them
        words = set(_ALNUM.findall(text))
        long_words = [w for w in words if len(w) >= 3]
        trigrams = {w[i : i + 3] for w in long_words for i in range(len(w) - 2)}
        keys = (words, {w[:3] for w in long_words}, {w[-3:] for w in long_words}, trigrams)
        for kind, found_keys in enumerate(keys):
            checks = self._checks[kind]
            for key in self._anchor_keys[kind].intersection(found_keys):
                for lit, needle, ids in checks[key]:
                    if needle is None or needle in text:
                        present.add(lit)
                        if ids is not None:
                            unlocked |= ids
        # grouped by rule here, once, so a rule's candidates come from its unlocked branches
        # alone, not a walk over all of them (in bench replies: two unlocked of 13, on average)
        by_rule: dict[int, list[int]] = {}
        rule_of = self._rule_of
        for branch in sorted(unlocked):
            by_rule.setdefault(rule_of[branch], []).append(branch)
        return present, by_rule

    def candidates(
        self, number: int, present: set[str], unlocked: dict[int, list[int]]
    ) -> list[re.Pattern[str]]:
        """The patterns of rule ``number`` (its position in the rules given) that passed the
        prefilter, in listed order: unlocked, and with one literal of each group they need."""
        patterns, needs = self._patterns, self._needs
        return [
            patterns[b]
            for b in unlocked.get(number, ())
            if not needs[b] or all(not present.isdisjoint(group) for group in needs[b])
        ]

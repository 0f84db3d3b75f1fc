"""Rule-based move detector: a generic engine driven by the YAML files in ``rules/``.

All sales knowledge (phrases, lexicons, conditions) lives in the rule files; this module only
segments a reply into sentences, tells which sentences are questions, compiles the rules and
combines their declarative conditions. Deterministic, no model, no network.

Rule files (``rules/*.yaml``)::

    lexicons:                      # named lists of regex fragments, used as {@name}
      competitor: [veloxa, clarivo]
    rules:
      - id: acknowledge/fair_concern   # readable id, reported as Evidence.rule
        move: acknowledge              # a move id of the vocabulary (checked on load)
        scope: sentence                # sentence (default) | question | reply
        patterns: [...]                # any may match; the match is the evidence
        requires: [...]                # each must match the same sentence (an entry may be a list)
        excludes: [...]                # none may match the same sentence
        reply_requires / reply_excludes: [...]   # the same, on the whole reply
        context_requires / context_excludes: ... # on the buyer line being answered
        requires_anywhere: ...         # in the reply or the buyer line
        max_words / min_words: 20      # word count of the sentence
        reply_max_words: 80
        first_sentences: 2             # only the first N sentences
        requires_moves: [...]          # at least one of these moves detected
        excludes_moves: [...]          # none of these moves detected
        case_sensitive: false          # match the original case (default: lower-cased text)
        evidence: match                # or sentence: quote the whole sentence as evidence

Replies are lower-cased (patterns must be lower case unless ``case_sensitive``), chat shorthand
is expanded ("u" -> "you"), and sentence boundaries become newlines so ``^``/``$`` anchor at
sentence starts and ends. ``rules/_settings.yaml`` holds the segmentation: sentence boundary,
question forms without "?" (requests, "walk me through..."), question marks that do not make a
question (rhetorical, echo, greeting), the shorthand table and shared lexicons. Moves whose rules
depend on other moves are decided after them (a cycle is an error). Errors in rule files raise
``RuleError`` naming the file and rule.

Speed: every pattern is compiled once; literal strings that a pattern cannot match without are
extracted from the regex and checked first, so most patterns never run on a given reply.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml

try:  # Python 3.11+: the regex parser, used to derive literal prefilters from patterns
    import re._constants as _sre_c
    import re._parser as _sre_parse
except ImportError:  # pragma: no cover
    import sre_constants as _sre_c  # type: ignore[no-redef]
    import sre_parse as _sre_parse  # type: ignore[no-redef]

from bot.scoring.detect.result import Detection, Evidence
from bot.vocabulary import vocabulary

RULES_DIR = Path(__file__).with_name("rules")
SETTINGS_FILE = "_settings.yaml"

# Length-preserving normalisation, so offsets in the analysed text are offsets in the reply.
_TRANSLATE = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\r": "\n",
        "\t": " ",
        "\u2028": "\n",
        "\u2029": "\n",
    }
)
_LEXICON_REF = re.compile(r"\{@([a-z0-9_]+)\}")
_UPPER_OUTSIDE_ESCAPE = re.compile(r"\\.|([A-Z])")
_FLAGS = re.MULTILINE  # text is lower-cased before matching, so patterns are lower case
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")
_ALNUM = re.compile(r"[^\W_]+")  # the words between two \b, used for literal anchors
_PREFIX3 = re.compile(r"(?<![^\W_])[^\W_]{3}")  # first three letters of each word
_SUFFIX3 = re.compile(r"[^\W_]{3}(?![^\W_])")  # last three letters of each word
# frequent words make poor anchors (almost every reply has them)
_COMMON = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "get",
        "got",
        "have",
        "he",
        "her",
        "his",
        "how",
        "i",
        "i'm",
        "if",
        "in",
        "is",
        "it",
        "it's",
        "just",
        "let",
        "like",
        "me",
        "my",
        "not",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "that",
        "the",
        "their",
        "them",
        "there",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)
_MAX_MATCHES_PER_RULE = 25
_MAX_COMBOS = 512  # cached alternations of unlocked branches, per rule

_RULE_KEYS = {
    "id",
    "move",
    "scope",
    "patterns",
    "requires",
    "excludes",
    "reply_requires",
    "reply_excludes",
    "context_requires",
    "context_excludes",
    "requires_anywhere",
    "max_words",
    "min_words",
    "reply_max_words",
    "first_sentences",
    "requires_moves",
    "excludes_moves",
    "note",
    "case_sensitive",
    "evidence",
}
_SCOPES = {"sentence", "question", "reply"}


class RuleError(ValueError):
    """A rule file is invalid; the message names the file and the rule."""


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    question: bool


@dataclass
class _Analysis:
    text: str  # normalised, lower-cased reply; sentence boundaries turned into newlines
    orig: str  # like text, but with the original letter case (for case-sensitive rules)
    has_question: bool
    units: list[_Unit]
    starts: list[int]
    context: str
    _words: dict[int, int] = field(default_factory=dict)
    # when chat shorthand was expanded ("u" -> "you"), analysed offsets differ from reply
    # offsets: starts_map[i] / ends_map[i] give the reply span of analysed character i
    starts_map: list[int] | None = None
    ends_map: list[int] | None = None

    def unit_of(self, offset: int) -> int:
        """Index of the sentence an offset falls in."""
        return max(bisect_right(self.starts, offset) - 1, 0)

    def words(self, index: int) -> int:
        """Word count of unit ``index`` (-1: the whole reply), computed on first use."""
        count = self._words.get(index)
        if count is None:
            if index < 0:
                count = len(_WORD.findall(self.text))
            else:
                unit = self.units[index]
                count = len(_WORD.findall(self.text, unit.start, unit.end))
            self._words[index] = count
        return count


@dataclass
class _Rule:
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
    # all branches as one alternation (None: a single branch, or they cannot be combined):
    # one regex scan finds the earliest match of any branch, ties going to the first branch
    combined: re.Pattern[str] | None = None
    _combos: dict[tuple[int, ...], re.Pattern[str]] = field(default_factory=dict)

    def unit_ok(self, a: _Analysis, index: int) -> bool:
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

    def reply_ok(self, a: _Analysis, found: set[str]) -> bool:
        if self.requires_moves and not (self.requires_moves & found):
            return False
        if self.excludes_moves & found:
            return False
        if self.reply_max_words is not None and a.words(-1) > self.reply_max_words:
            return False
        if self.context_requires is not None and not self.context_requires.search(a.context):
            return False
        return not (self.context_excludes is not None and self.context_excludes.search(a.context))

    def reply_text_ok(self, a: _Analysis) -> bool:
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

    def _windows(self, a: _Analysis) -> list[tuple[int, int]]:
        units = a.units
        if self.first_sentences is not None:
            units = units[: self.first_sentences]
        if self.scope == "question":
            units = [u for u in units if u.question]
        elif self.first_sentences is None:
            return [(0, len(a.text))]
        return [(u.start, u.end) for u in units]

    def match(
        self, a: _Analysis, found: set[str], present: set[str], candidates: list[re.Pattern[str]]
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
        combined = None
        if len(candidates) > 1:
            key = tuple(map(id, candidates))
            combined = self._combos.get(key)
            if combined is None and len(self._combos) < _MAX_COMBOS:
                combined = self._combos[key] = re.compile(
                    "|".join(p.pattern for p in candidates), _FLAGS
                )
        for start, end in self._windows(a):
            best: tuple[int, int] | None = None
            if combined is not None:
                best = self._first_any(a, text, combined, start, end, checked)
            if combined is None or (best is not None and best[0] < 0):  # empty match: one by one
                best = None
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

    def _first_any(
        self,
        a: _Analysis,
        text: str,
        pattern: re.Pattern[str],
        start: int,
        end: int,
        checked: dict[int, bool],
    ) -> tuple[int, int] | None:
        """Like ``_first`` for the combined alternation of all branches. A match in a sentence
        that fails the conditions resumes the search at the next sentence. Returns (-1, -1) on
        an empty match, which could hide a branch: the caller then goes branch by branch."""
        units = a.units
        pos = start
        for _ in range(_MAX_MATCHES_PER_RULE):
            m = pattern.search(text, pos, end)
            if m is None:
                return None
            s, e = m.span()
            if s == e:
                return -1, -1
            index = a.unit_of(s)
            if self._sentence_ok(a, index, checked):
                return s, e
            if index + 1 >= len(units):
                return None
            pos = max(units[index + 1].start, pos + 1)
        return None

    def _first(
        self,
        a: _Analysis,
        text: str,
        pattern: re.Pattern[str],
        start: int,
        end: int,
        checked: dict[int, bool],
    ) -> tuple[int, int] | None:
        """The first match of one pattern in a window whose sentence passes the conditions."""
        for n, m in enumerate(pattern.finditer(text, start, end)):
            if n >= _MAX_MATCHES_PER_RULE:
                return None
            if m.end() == m.start():
                continue
            if self._sentence_ok(a, a.unit_of(m.start()), checked):
                return m.start(), m.end()
        return None

    def _sentence_ok(self, a: _Analysis, index: int, checked: dict[int, bool]) -> bool:
        """Sentence conditions of this rule, checked once per sentence (``checked`` caches)."""
        ok = checked.get(index)
        if ok is None:
            ok = checked[index] = self.unit_ok(a, index)
        return ok


@dataclass(frozen=True)
class _Settings:
    boundary: re.Pattern[str]
    question_mark: re.Pattern[str]
    question_forms: re.Pattern[str] | None
    not_question: re.Pattern[str] | None
    max_chars: int
    shorthand: re.Pattern[str] | None
    expansions: dict[str, str]


class MoveDetector:
    """Detects learner moves in one reply with the compiled rules of a rules directory."""

    def __init__(self, settings: _Settings, stages: list[list[_Rule]], order: tuple[str, ...]):
        self._settings = settings
        self._stages = stages
        self._order = {move: i for i, move in enumerate(order)}
        literals: set[str] = set()
        for stage in stages:
            for rule in stage:
                for group in rule.literals:
                    literals |= group
                for _, group in rule.branches:
                    literals |= group or set()
                for groups in rule.needs:
                    for group in groups:
                        literals |= group
        # literals with a whole word inside ("i hear you" -> "hear") are only checked when that
        # word occurs in the reply (one set intersection); the rest are checked one by one
        # anchors are whole words (kind 0), word-initial (1) or word-final (2) three letters,
        # or (3) any three letters inside a word, for a literal not known to touch a boundary
        self._anchored: tuple[dict[str, list[str]], ...] = ({}, {}, {}, {})
        loose: list[str] = []
        for lit in sorted(literals):
            anchor = _anchor(lit)
            if anchor is None:
                loose.append(lit)
            else:
                self._anchored[anchor[0]].setdefault(anchor[1], []).append(lit)
        # the substring actually searched for each (possibly marked) literal
        self._plain = {lit: lit.strip(_BOUND_START + _BOUND_END) for lit in literals}
        self._loose = tuple(loose)
        # whole-word literals that are their own anchor: finding the word is enough
        self._implied = frozenset(
            lit
            for key, lits in self._anchored[0].items()
            for lit in lits
            if lit == _BOUND_START + key + _BOUND_END
        )
        self._anchor_keys = tuple(frozenset(index) for index in self._anchored)
        # every branch of every rule gets a number (a rule's branches are consecutive); a
        # literal unlocks the numbers of the branches it can start; literal-free ones always run
        rule_list = [rule for stage in stages for rule in stage]
        index: dict[str, set[int]] = {}
        always: set[int] = set()
        self._first_branch: list[int] = []
        self._branch_ids: list[frozenset[int]] = []
        number = 0
        for rule in rule_list:
            self._first_branch.append(number)
            self._branch_ids.append(frozenset(range(number, number + len(rule.branches))))
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
                    (lit, None if lit in self._implied else self._plain[lit], self._index.get(lit))
                    for lit in lits
                )
                for key, lits in anchored.items()
            }
            for anchored in self._anchored
        )
        self._rules = rule_list  # evaluation order, stage by stage
        self._stage_of = [level for level, stage in enumerate(stages) for _ in stage]

    @classmethod
    def load(cls, rules_dir: Path | None = None) -> MoveDetector:
        """Read, validate and compile every ``*.yaml`` file of ``rules_dir``."""
        rules_dir = Path(rules_dir) if rules_dir is not None else RULES_DIR
        known = vocabulary().ids
        files = sorted(p for p in rules_dir.glob("*.yaml") if p.name != SETTINGS_FILE)
        if not files:
            raise RuleError(f"{rules_dir}: no rule files (*.yaml)")
        raw_files = [(p, _read_yaml(p)) for p in files]
        settings_path = rules_dir / SETTINGS_FILE
        settings_raw = _read_yaml(settings_path) if settings_path.exists() else {}
        lexicons: dict[str, list[str]] = {}
        for path, raw in [(settings_path, settings_raw), *raw_files]:
            for name, entries in (raw.get("lexicons") or {}).items():
                if name in lexicons:
                    raise RuleError(f"{path.name}: lexicon {name!r} defined twice")
                if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
                    raise RuleError(f"{path.name}: lexicon {name!r} must be a list of strings")
                lexicons[name] = entries
        compiler = _Compiler(lexicons)
        settings = compiler.settings(settings_path.name, settings_raw.get("segmentation") or {})
        rules: list[_Rule] = []
        seen: set[str] = set()
        for path, raw in raw_files:
            for spec in raw.get("rules") or []:
                rule = compiler.rule(path.name, spec, known)
                if rule.id in seen:
                    raise RuleError(f"{path.name}: rule {rule.id!r} defined twice")
                seen.add(rule.id)
                rules.append(rule)
        return cls(settings, _stages(rules), known)

    def detect(self, reply: str, context: str = "") -> tuple[Detection, ...]:
        """Moves found in ``reply`` (answering ``context``), in vocabulary order."""
        if not isinstance(reply, str) or not reply.strip():
            return ()
        analysis = self._analyse(reply, context if isinstance(context, str) else "")
        present, unlocked = self._unlocked(analysis.text)
        found: dict[str, Detection] = {}
        names: set[str] = set()
        stage_now = -1
        for ri, rule in enumerate(self._rules):
            if self._stage_of[ri] != stage_now:  # moves found so far, for move conditions
                stage_now = self._stage_of[ri]
                names = set(found)
            if rule.move in found or unlocked.isdisjoint(self._branch_ids[ri]):
                continue
            first, needs = self._first_branch[ri], rule.needs
            candidates = [
                rule.branches[bi][0]
                for bi in sorted(n - first for n in unlocked & self._branch_ids[ri])
                if not needs[bi] or all(not present.isdisjoint(group) for group in needs[bi])
            ]
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

    def _unlocked(self, text: str) -> tuple[set[str], set[int]]:
        """The literals present in ``text``, and the numbers of the branches worth a regex
        search (their literal prefilter passed)."""
        plain, index = self._plain, self._index
        present = {lit for lit in self._loose if plain[lit] in text}
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
        return present, unlocked

    def _analyse(self, reply: str, context: str) -> _Analysis:
        s = self._settings
        # Only the head of a very long reply is analysed: chat replies are short, and this
        # bounds the cost of a pasted essay. Evidence offsets stay valid (it is a prefix).
        text = reply[: s.max_chars].translate(_TRANSLATE)
        # Turn the whitespace after sentence-final punctuation into a newline (same length), so
        # that rule patterns can anchor with ^ and $ (MULTILINE) at sentence boundaries.
        orig = s.boundary.sub(lambda m: "\n" * len(m.group()), text)
        text = _lower(orig)
        starts_map = ends_map = None
        if s.shorthand is not None and s.shorthand.search(text):
            text, orig, starts_map, ends_map = _expand_shorthand(s, text, orig)
        units: list[_Unit] = []
        pos = 0
        for line in text.split("\n"):
            end = pos + len(line)
            if line.strip():
                question = bool(s.question_mark.search(line)) or bool(
                    s.question_forms is not None and s.question_forms.search(line)
                )
                if question and s.not_question is not None and s.not_question.search(line):
                    question = False
                units.append(_Unit(pos, end, question))
            pos = end + 1
        if not units:
            units.append(_Unit(0, len(text), False))
        return _Analysis(
            text=text,
            orig=orig,
            has_question=any(u.question for u in units),
            units=units,
            starts=[u.start for u in units],
            context=_lower(context[: s.max_chars].translate(_TRANSLATE)),
            starts_map=starts_map,
            ends_map=ends_map,
        )


def _expand_shorthand(s: _Settings, text: str, orig: str) -> tuple[str, str, list[int], list[int]]:
    """Replace chat shorthand in both texts, keeping a map back to reply offsets."""
    assert s.shorthand is not None
    low_parts: list[str] = []
    orig_parts: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in s.shorthand.finditer(text):
        a, b = m.span()
        low_parts.append(text[pos:a])
        orig_parts.append(orig[pos:a])
        starts.extend(range(pos, a))
        ends.extend(range(pos + 1, a + 1))
        expansion = s.expansions[m.group()]
        low_parts.append(expansion)
        orig_parts.append(expansion)
        starts.extend([a] * len(expansion))
        ends.extend([b] * len(expansion))
        pos = b
    low_parts.append(text[pos:])
    orig_parts.append(orig[pos:])
    starts.extend(range(pos, len(text)))
    ends.extend(range(pos + 1, len(text) + 1))
    return "".join(low_parts), "".join(orig_parts), starts, ends


def _lower(text: str) -> str:
    """Lower-case without changing the length (a few characters grow when lower-cased)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


@cache
def default_detector() -> MoveDetector:
    """The detector built from the rule files shipped with the package (loaded once)."""
    return MoveDetector.load()


# --------------------------------------------------------------------------- loading helpers


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleError(f"{path.name}: cannot read rule file: {exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise RuleError(f"{path.name}: top level must be a mapping")
    return raw


class _Compiler:
    def __init__(self, lexicons: dict[str, list[str]]):
        self._lexicons = lexicons

    def _expand(self, where: str, pattern: str, depth: int = 0) -> str:
        if depth > 5:
            raise RuleError(f"{where}: lexicon references nested too deeply")

        def sub(m: re.Match[str]) -> str:
            name = m.group(1)
            if name not in self._lexicons:
                raise RuleError(f"{where}: unknown lexicon {{@{name}}}")
            parts = [self._expand(where, e, depth + 1) for e in self._lexicons[name]]
            return "(?:" + "|".join(parts) + ")"

        return _LEXICON_REF.sub(sub, pattern)

    def compile(
        self, where: str, patterns: Any, case_sensitive: bool = False
    ) -> re.Pattern[str] | None:
        if patterns is None:
            return None
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list) or not all(isinstance(p, str) for p in patterns):
            raise RuleError(f"{where}: expected a regex or a list of regexes")
        if not patterns:
            return None
        source = "|".join(f"(?:{self._expand(where, p)})" for p in patterns)
        for p in patterns:
            if case_sensitive:
                break
            if any(m.group(1) for m in _UPPER_OUTSIDE_ESCAPE.finditer(p)):
                raise RuleError(
                    f"{where}: pattern {p!r} has upper-case letters; replies are lower-cased "
                    "before matching, so write patterns in lower case"
                )
        try:
            return re.compile(source, _FLAGS)
        except re.error as exc:
            for p in patterns:
                try:
                    re.compile(self._expand(where, p), _FLAGS)
                except re.error as inner:
                    raise RuleError(f"{where}: bad regex {p!r}: {inner}") from inner
            raise RuleError(f"{where}: bad regex: {exc}") from exc

    def compile_all(
        self, where: str, patterns: Any, case_sensitive: bool = False
    ) -> tuple[re.Pattern[str], ...]:
        """Each entry must match (an entry may itself be a list: any of it)."""
        if patterns is None:
            return ()
        if isinstance(patterns, str):
            patterns = [patterns]
        if not isinstance(patterns, list):
            raise RuleError(f"{where}: expected a list")
        out = []
        for p in patterns:
            c = self.compile(where, p, case_sensitive)
            if c is not None:
                out.append(c)
        return tuple(out)

    def settings(self, file: str, raw: dict[str, Any]) -> _Settings:
        where = f"{file}: segmentation"
        boundary = self.compile(where, raw.get("boundary", r"(?<=[.!?])[ \t]+(?=\S)"))
        mark = self.compile(where, raw.get("question_mark", r"\?"))
        assert boundary is not None and mark is not None
        expansions = raw.get("shorthand") or {}
        if not isinstance(expansions, dict) or not all(
            isinstance(k, str) and isinstance(v, str) and k == k.lower() and v == v.lower()
            for k, v in expansions.items()
        ):
            raise RuleError(f"{where}: shorthand must map lower-case words to lower-case text")
        shorthand = (
            re.compile(
                r"(?<![\w'])(?:"
                + "|".join(re.escape(k) for k in sorted(expansions, key=len, reverse=True))
                + r")(?![\w'])"
            )
            if expansions
            else None
        )
        return _Settings(
            boundary=boundary,
            question_mark=mark,
            question_forms=self.compile(where, raw.get("question_forms")),
            not_question=self.compile(where, raw.get("not_question")),
            max_chars=int(raw.get("max_chars", 3000)),
            shorthand=shorthand,
            expansions=expansions,
        )

    def rule(self, file: str, spec: Any, known: tuple[str, ...]) -> _Rule:
        if not isinstance(spec, dict) or "id" not in spec:
            raise RuleError(f"{file}: every rule needs an id (got {spec!r:.80})")
        rid = str(spec["id"])
        where = f"{file}: rule {rid!r}"
        unknown_keys = set(spec) - _RULE_KEYS
        if unknown_keys:
            raise RuleError(f"{where}: unknown keys {sorted(unknown_keys)}")
        move = spec.get("move")
        if move not in known:
            raise RuleError(f"{where}: unknown move id {move!r}")
        for key in ("requires_moves", "excludes_moves"):
            for other in spec.get(key) or []:
                if other not in known:
                    raise RuleError(f"{where}: unknown move id {other!r} in {key}")
        scope = spec.get("scope", "sentence")
        if scope not in _SCOPES:
            raise RuleError(f"{where}: scope must be one of {sorted(_SCOPES)}")
        evidence = spec.get("evidence", "match")
        if evidence not in ("match", "sentence"):
            raise RuleError(f"{where}: evidence must be 'match' or 'sentence'")
        cs = spec.get("case_sensitive", False)
        if not isinstance(cs, bool):
            raise RuleError(f"{where}: case_sensitive must be true or false")
        raw_patterns = spec.get("patterns")
        if isinstance(raw_patterns, str):
            raw_patterns = [raw_patterns]
        compiled = [self.compile(where, [p], cs) for p in raw_patterns or []]
        branches = tuple((c, _literals(c)) for c in compiled if c is not None)
        needs = tuple(_other_groups(c, key) for c, key in branches)
        if not branches:
            raise RuleError(f"{where}: needs at least one pattern")
        ints = {}
        for key in ("max_words", "min_words", "reply_max_words", "first_sentences"):
            value = spec.get(key)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise RuleError(f"{where}: {key} must be a non-negative integer")
            ints[key] = value
        requires = self.compile_all(where, spec.get("requires"), cs)
        reply_requires = self.compile_all(where, spec.get("reply_requires"), cs)
        prefilter = tuple(
            frozenset(lits)
            for lits in (_literals(p) for p in (*requires, *reply_requires))
            if lits is not None
        )
        combined = None
        if len(branches) > 1:
            try:
                combined = re.compile("|".join(c.pattern for c, _ in branches), _FLAGS)
            except re.error:  # pragma: no cover - e.g. a global inline flag in one branch
                combined = None
        return _Rule(
            id=rid,
            combined=combined,
            move=move,
            scope=scope,
            branches=branches,
            needs=needs,
            literals=prefilter,
            requires=requires,
            excludes=self.compile(where, spec.get("excludes"), cs),
            reply_requires=reply_requires,
            reply_excludes=self.compile(where, spec.get("reply_excludes"), cs),
            context_requires=self.compile(where, spec.get("context_requires")),
            context_excludes=self.compile(where, spec.get("context_excludes")),
            requires_anywhere=self.compile(where, spec.get("requires_anywhere")),
            requires_moves=frozenset(spec.get("requires_moves") or ()),
            excludes_moves=frozenset(spec.get("excludes_moves") or ()),
            file=file,
            case_sensitive=cs,
            evidence=evidence,
            **ints,
        )


def _stages(rules: list[_Rule]) -> list[list[_Rule]]:
    """Group rules so that a move is decided after every move its rules depend on."""
    depends: dict[str, set[str]] = {}
    files: dict[str, str] = {}
    for rule in rules:
        if rule.requires_moves or rule.excludes_moves:
            files.setdefault(rule.move, f"{rule.file}: rule {rule.id!r}")
        depends.setdefault(rule.move, set()).update(rule.requires_moves | rule.excludes_moves)
    level: dict[str, int] = {}

    def visit(move: str, path: tuple[str, ...]) -> int:
        if move in level:
            return level[move]
        if move in path:
            chain = " -> ".join((*path, move))
            raise RuleError(f"{files.get(move, '?')}: circular move dependency: {chain}")
        deps = depends.get(move, set())
        value = 1 + max((visit(d, (*path, move)) for d in deps), default=-1)
        level[move] = value
        return value

    for move in depends:
        visit(move, ())
    stages: list[list[_Rule]] = [[] for _ in range(max(level.values(), default=0) + 1)]
    for rule in rules:
        stages[level[rule.move]].append(rule)
    return [s for s in stages if s]


# --------------------------------------------------------------------------- literal prefilter

_MIN_LITERAL = 3
_DIGITS = frozenset("0123456789")
_BOUND_START = "\x02"  # marks a literal that begins at a word boundary
_BOUND_END = "\x03"  # marks a literal that ends at a word boundary


_LETTER_RARITY = {c: i for i, c in enumerate("etaoinsrhldcumfpgwybvkxjqz")}


def _anchor(marked: str) -> tuple[int, str] | None:
    """The best key guaranteed to be found in any reply containing the literal: a whole word
    (0, word), for a literal that starts (ends) a word its first (last) three letters (1, 2),
    or any three letters inside one of its words (3)."""
    start_bounded = marked.startswith(_BOUND_START)
    end_bounded = marked.endswith(_BOUND_END)
    literal = marked.strip(_BOUND_START + _BOUND_END)
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
    return max(options, key=_anchor_rank)


def _anchor_rank(option: tuple[int, str]) -> tuple[int, int, int]:
    kind, key = option
    if kind == 0:
        return (2, 0, len(key)) if key not in _COMMON else (0, 0, len(key))
    return 1, sum(_LETTER_RARITY.get(c, 26) for c in key), kind != 3


def _literals(pattern: re.Pattern[str]) -> frozenset[str] | None:
    """Lower-case strings of which at least one must occur in any text the pattern matches."""
    try:
        parsed = _sre_parse.parse(pattern.pattern, pattern.flags)
    except Exception:  # pragma: no cover - the pattern compiled, so this should not happen
        return None
    found = _seq_literals(list(parsed))
    return frozenset(found) if found else None


def _other_groups(
    pattern: re.Pattern[str], key: frozenset[str] | None
) -> tuple[frozenset[str], ...]:
    """Literal groups a match needs besides ``key``: one literal of each must be present.

    Only groups whose every literal has a word anchor are kept, so checking them costs set
    lookups. A broad pattern ("does that sound / work / help") is then tried only in replies
    that hold a word from each of its parts, not in every reply with "that"."""
    try:
        items = list(_sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # pragma: no cover - the pattern compiled, so this should not happen
        return ()
    if len(items) == 1 and items[0][0] is _sre_c.SUBPATTERN:  # the (?:...) around one pattern
        items = list(items[0][1][-1])
    groups: list[frozenset[str]] = []
    _seq_literals(items, collect=groups)
    return tuple(g for g in dict.fromkeys(groups) if g != key and all(_anchor(lit) for lit in g))


def _seq_literals(
    items: list[Any],
    lead: bool = False,
    tail: bool = False,
    collect: list[frozenset[str]] | None = None,
) -> set[str] | None:
    """Best required-literal set of a sequence: runs of literal characters, or sub-groups.

    A literal known to start (end) at a word boundary is marked with a leading ``_BOUND_START``
    (trailing ``_BOUND_END``) character, so that a whole word inside it can serve as anchor.
    ``collect`` receives every usable group of the sequence, not only the best.
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
        if best is None or best == _DIGITS or _selectivity(candidate) > _selectivity(best):
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
        consider(_item_literals(op, arg, prev_b, next_b))
    return best


def _selectivity(group: set[str]) -> tuple[bool, int]:
    """How rarely a literal group is present: groups made only of words that are not frequent
    come first (" the " is in almost every reply), then groups whose shortest literal is longer."""
    rare = not any(_is_common(lit) for lit in group)
    return rare, min(map(_plain_len, group))


def _is_common(literal: str) -> bool:
    words = _ALNUM.findall(literal.strip(_BOUND_START + _BOUND_END))
    return all(w in _COMMON for w in words)


def _is_boundary(op: Any, arg: Any) -> bool:
    return op is _sre_c.AT and arg is _sre_c.AT_BOUNDARY


def _usable(literal: str) -> bool:
    """Long enough to be worth checking: three characters, or a whole short word ("aw")."""
    if _plain_len(literal) >= _MIN_LITERAL:
        return True
    whole = literal.startswith(_BOUND_START) and literal.endswith(_BOUND_END)
    return whole and _plain_len(literal) > 0


def _plain_len(literal: str) -> int:
    return len(literal.strip(_BOUND_START + _BOUND_END))


def _item_literals(op: Any, arg: Any, lead: bool = False, tail: bool = False) -> set[str] | None:
    if op is _sre_c.SUBPATTERN:
        return _seq_literals(list(arg[-1]), lead, tail)
    if op is _sre_c.BRANCH:
        out: set[str] = set()
        for branch in arg[1]:
            sub = _seq_literals(list(branch), lead, tail)
            if not sub:
                return None
            out |= sub
        return out
    if op in (_sre_c.MAX_REPEAT, _sre_c.MIN_REPEAT) and arg[0] >= 1:
        return _seq_literals(list(arg[2]), lead, tail and arg[1] == 1)
    if op is _sre_c.IN and arg == [(_sre_c.CATEGORY, _sre_c.CATEGORY_DIGIT)]:
        return set(_DIGITS)
    return None

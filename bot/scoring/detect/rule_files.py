"""Reading and validating the rule YAML files of a rules directory into compiled rules."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.scoring.detect.prefilter import LiteralExtractor
from bot.scoring.detect.rule import FLAGS, Rule
from bot.scoring.detect.text import Settings
from bot.vocabulary import vocabulary

RULES_DIR = Path(__file__).with_name("rules")
SETTINGS_FILE = "_settings.yaml"

_LEXICON_REF = re.compile(r"\{@([a-z0-9_]+)\}")
_UPPER_OUTSIDE_ESCAPE = re.compile(r"\\.|([A-Z])")
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
class RuleSet:
    """What a rules directory defines, validated and compiled."""

    settings: Settings
    stages: list[list[Rule]]  # a move is decided in a later stage than the moves it depends on
    order: tuple[str, ...]  # move ids, in vocabulary order
    extractor: LiteralExtractor


def load_rules(rules_dir: Path | None = None) -> RuleSet:
    """Read, validate and compile every ``*.yaml`` file of ``rules_dir`` (default: the shipped
    ``rules/``)."""
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
    common_words = _common_words(settings_path.name, settings_raw)
    extractor = LiteralExtractor(_shipped_common_words() if common_words is None else common_words)
    compiler = _Compiler(lexicons, extractor)
    settings = compiler.settings(settings_path.name, settings_raw.get("segmentation") or {})
    rules: list[Rule] = []
    seen: set[str] = set()
    for path, raw in raw_files:
        for spec in raw.get("rules") or []:
            rule = compiler.rule(path.name, spec, known)
            if rule.id in seen:
                raise RuleError(f"{path.name}: rule {rule.id!r} defined twice")
            seen.add(rule.id)
            rules.append(rule)
    return RuleSet(settings, _stages(rules), known, extractor)


def _common_words(file: str, settings_raw: dict[str, Any]) -> frozenset[str] | None:
    """``prefilter.common_words`` of a settings file (None: it lists none)."""
    prefilter = settings_raw.get("prefilter") or {}
    if not isinstance(prefilter, dict):
        raise RuleError(f"{file}: prefilter must be a mapping")
    words = prefilter.get("common_words")
    if words is None:
        return None
    if not isinstance(words, list) or not all(
        isinstance(w, str) and w and w == w.lower() for w in words
    ):
        raise RuleError(f"{file}: prefilter: common_words must be a list of lower-case words")
    return frozenset(words)


@cache
def _shipped_common_words() -> frozenset[str]:
    """The frequent words of the shipped settings, for a rules directory that lists none."""
    return _common_words(SETTINGS_FILE, _read_yaml(RULES_DIR / SETTINGS_FILE)) or frozenset()


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
    """Compiles the patterns of rule files, expanding ``{@lexicon}`` references."""

    def __init__(self, lexicons: dict[str, list[str]], extractor: LiteralExtractor) -> None:
        self._lexicons = lexicons
        self._extractor = extractor

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
            return re.compile(source, FLAGS)
        except re.error as exc:
            for p in patterns:
                try:
                    re.compile(self._expand(where, p), FLAGS)
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

    def settings(self, file: str, raw: dict[str, Any]) -> Settings:
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
        return Settings(
            boundary=boundary,
            question_mark=mark,
            question_forms=self.compile(where, raw.get("question_forms")),
            not_question=self.compile(where, raw.get("not_question")),
            max_chars=int(raw.get("max_chars", 3000)),
            shorthand=shorthand,
            expansions=expansions,
        )

    def rule(self, file: str, spec: Any, known: tuple[str, ...]) -> Rule:
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
        branches = tuple((c, self._extractor.required(c)) for c in compiled if c is not None)
        needs = tuple(self._extractor.other_groups(c, key) for c, key in branches)
        if not branches:
            raise RuleError(f"{where}: needs at least one pattern")
        ints: dict[str, Any] = {}
        for key in ("max_words", "min_words", "reply_max_words", "first_sentences"):
            value = spec.get(key)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise RuleError(f"{where}: {key} must be a non-negative integer")
            ints[key] = value
        requires = self.compile_all(where, spec.get("requires"), cs)
        reply_requires = self.compile_all(where, spec.get("reply_requires"), cs)
        prefilter = tuple(
            frozenset(lits)
            for lits in (self._extractor.required(p) for p in (*requires, *reply_requires))
            if lits is not None
        )
        return Rule(
            id=rid,
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


def _stages(rules: list[Rule]) -> list[list[Rule]]:
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
    stages: list[list[Rule]] = [[] for _ in range(max(level.values(), default=0) + 1)]
    for rule in rules:
        stages[level[rule.move]].append(rule)
    return [s for s in stages if s]

"""Rule-based move detector: a generic engine driven by the YAML files in ``rules/``.

All sales knowledge (phrases, lexicons, conditions) lives in the rule files; the engine only
segments a reply into sentences, tells which sentences are questions, compiles the rules and
combines their declarative conditions. Deterministic, no model, no network.

Modules: ``text`` (reply analysis: normalisation, sentences, questions, shorthand), ``rule``
(one compiled rule and how it matches), ``rule_files`` (reading and validating the YAML),
``prefilter`` (literals a pattern needs, and their index), ``detector`` (``MoveDetector``),
``result`` (what a detection is). Import from this package, not from the modules.

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
question (rhetorical, echo, greeting), the shorthand table, shared lexicons and the frequent
words the prefilter avoids as anchors. Moves whose rules depend on other moves are decided after
them (a cycle is an error). Errors in rule files raise ``RuleError`` naming the file and rule.

Speed: every pattern is compiled once; literal strings that a pattern cannot match without are
extracted from the regex and checked first (``prefilter``), so most patterns never run on a
given reply.
"""

from __future__ import annotations

from typing import Protocol

from bot.scoring.detect.detector import MoveDetector, default_detector
from bot.scoring.detect.result import Detection, Evidence
from bot.scoring.detect.rule_files import RuleError

__all__ = ["Detection", "Detector", "Evidence", "MoveDetector", "RuleError", "default_detector"]


class Detector(Protocol):
    """Anything that finds learner moves in a reply (``MoveDetector``, or a test double)."""

    def detect(self, reply: str, context: str = "") -> tuple[Detection, ...]:
        """Moves found in ``reply`` (answering the buyer line ``context``), in vocabulary order."""
        ...

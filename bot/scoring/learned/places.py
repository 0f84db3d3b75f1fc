"""Where in a reply each feature came from: the characters the learner typed behind every
word, character and question gram, so that an explanation quotes exactly those.

``ReplySpans`` finds one feature's occurrences at a time (by running the same tokenisation
again); ``ReplyPlaces`` finds all of a reply's at once, as arrays, and shares a move's score
out over the characters (``explain``). Both work on the lower-cased reply and map back to
the reply's own offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import numpy as np

from bot.scoring.learned.features import (
    CHAR_BLOCK,
    QUESTION,
    QUESTION_BLOCK,
    WORD,
    WORD_BLOCK,
    Features,
    Span,
    Vocabulary,
    char_occurrences,
    code_points,
    lowered,
    token_matches,
)


class ReplySpans:
    """Where each reply feature occurs in one reply, for explaining several moves of it:
    the reply is lower-cased once and tokenised on first use; a word gram is found through
    the positions of its first word."""

    def __init__(self, reply: str) -> None:
        self.low, self.origin = lowered(reply)
        self._tokens: list[re.Match[str]] | None = None
        self._at: dict[str, list[int]] = {}
        self._questions: list[Span] | None = None

    def _word_spans(self, gram: str) -> list[Span]:
        if self._tokens is None:
            self._tokens = token_matches(self.low)
            for i, token in enumerate(self._tokens):
                self._at.setdefault(token.group(), []).append(i)
        tokens = self._tokens
        first, _, second = gram.partition(" ")
        at = self._at.get(first, ())
        if not second:
            return [tokens[i].span() for i in at]
        return [
            (tokens[i].start(), tokens[i + 1].end())
            for i in at
            if i + 1 < len(tokens) and tokens[i + 1].group() == second
        ]

    def _in_questions(self, spans: list[Span]) -> list[Span]:
        """The word-gram spans that lie inside one question sentence (a question gram)."""
        if self._questions is None:
            self._questions = [m.span() for m in QUESTION.finditer(self.low)]
        sentences = self._questions
        return [(s, e) for s, e in spans if any(a <= s and e <= b for a, b in sentences)]

    def of(self, name: str) -> list[Span]:
        """Spans of the reply (its own characters) that produce the reply feature ``name``,
        never covering padding or surrounding spaces; [] for buyer and rule features."""
        block, gram = name[:2], name[2:]
        spans: list[Span] = []
        if block == WORD_BLOCK:
            spans = self._word_spans(gram)
        elif block == QUESTION_BLOCK:
            spans = self._in_questions(self._word_spans(gram))
        elif block == CHAR_BLOCK:
            padded = f" {self.low} "
            lead = len(gram) - len(gram.lstrip(" "))
            core = len(gram.strip(" "))
            at = padded.find(gram)
            while at >= 0 and core:
                start = at - 1 + lead  # padded[k] is low[k - 1]
                spans.append((start, start + core))
                at = padded.find(gram, at + 1)
        origin = self.origin
        if origin is not None:
            spans = [(origin[s], origin[e - 1] + 1) for s, e in spans]
        return spans


class ReplyPlaces:
    """Which characters of one reply each of its features came from, so that a move's score
    can be shared out over the characters the learner typed: a feature's contribution is
    split equally among its occurrences and, within one, among its non-space characters
    (the same occurrences ``ReplySpans.of`` finds, one at a time). A rule feature's share
    goes to the span of the rule that fired. Offsets are ``low``'s; ``to_reply`` maps back."""

    def __init__(
        self, vocab: Vocabulary, reply: str, features: Features, rule_spans: dict[int, Span]
    ) -> None:
        self.low, self.origin = lowered(reply)
        matches = list(WORD.finditer(self.low))
        self.token_starts = np.fromiter((m.start() for m in matches), np.int64, len(matches))
        self.token_ends = np.fromiter((m.end() for m in matches), np.int64, len(matches))
        words = [m.group() for m in matches]
        columns, starts, ends = self._occurrences(vocab, features, words, rule_spans)
        known = features.columns if len(features.columns) else np.full(1, -1, dtype=np.int64)
        found = np.minimum(np.searchsorted(known, columns), len(known) - 1)
        keep = (known[found] == columns) & (starts < ends)
        rows, starts, ends = found[keep], starts[keep], ends[keep]
        lengths = ends - starts
        first = np.cumsum(lengths) - lengths
        occurrence = np.repeat(np.arange(len(rows)), lengths)
        chars = np.arange(int(lengths.sum())) - np.repeat(first - starts, lengths)
        typed = code_points(self.low)[chars] != ord(" ")
        occurrence, chars = occurrence[typed], chars[typed]
        per_occurrence = np.bincount(occurrence, minlength=len(rows))
        per_feature = np.bincount(rows, minlength=len(features.columns))
        self.rows = rows[occurrence]
        self.chars = chars
        self.share = 1.0 / (per_occurrence[occurrence] * per_feature[self.rows])
        self.features = len(features.columns)
        self._by_token: np.ndarray | None = None

    def _occurrences(
        self,
        vocab: Vocabulary,
        features: Features,
        words: list[str],
        rule_spans: dict[int, Span],
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(column, start, end) of every feature occurrence: character grams, word grams,
        question grams and rules."""
        found = features.char_places
        if found is None:
            found = char_occurrences(vocab, self.low)
        char_columns, padded_starts, sizes = found
        char_starts = padded_starts - 1  # padded position k is low[k - 1]
        char_ends = np.minimum(char_starts + sizes, len(self.low))
        sentence = self._question_of_token()
        places: list[tuple[int, int, int]] = []
        starts, ends = self.token_starts.tolist(), self.token_ends.tolist()
        for i, word in enumerate(words):
            here = [(word, starts[i], ends[i], sentence[i] >= 0)]
            if i + 1 < len(words):
                same = sentence[i] >= 0 and sentence[i] == sentence[i + 1]
                here.append((f"{word} {words[i + 1]}", starts[i], ends[i + 1], same))
            for gram, a, b, asked in here:
                column = vocab.words.get(gram)
                if column is not None:
                    places.append((column, a, b))
                column = vocab.questions.get(gram) if asked else None
                if column is not None:
                    places.append((column, a, b))
        places += [(column, *self._to_low(*span)) for column, span in rule_spans.items()]
        extra = np.asarray(places, dtype=np.int64).reshape(-1, 3)
        return (
            np.concatenate([char_columns, extra[:, 0]]),
            np.concatenate([np.maximum(char_starts, 0), extra[:, 1]]),
            np.concatenate([char_ends, extra[:, 2]]),
        )

    def _question_of_token(self) -> list[int]:
        """For each token, the question sentence it lies in (-1: none)."""
        out = [-1] * len(self.token_starts)
        starts, ends = self.token_starts.tolist(), self.token_ends.tolist()
        for n, m in enumerate(QUESTION.finditer(self.low)):
            a, b = m.span()
            for i in range(bisect_left(starts, a), len(starts)):
                if ends[i] > b:
                    break
                out[i] = n
        return out

    def _to_low(self, start: int, end: int) -> Span:
        """A span of the reply as offsets of ``low`` (they differ only when lower-casing
        changed the length)."""
        if self.origin is None:
            return start, end
        inside = [i for i, o in enumerate(self.origin) if start <= o < end]
        return (inside[0], inside[-1] + 1) if inside else (0, 0)

    def to_reply(self, start: int, end: int) -> Span:
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1

    def saliency(self, contributions: np.ndarray) -> np.ndarray:
        """Each character's share of the score, from each feature's ``contributions``."""
        weights = contributions[self.rows] * self.share
        return np.bincount(self.chars, weights, minlength=len(self.low))

    def token_weights(self, contributions: np.ndarray) -> np.ndarray:
        """Each token's share of the score (the sum over its characters), for one move's
        ``contributions`` (features,) or several moves' at once (features, moves)."""
        if self._by_token is None:
            token = np.full(len(self.low), -1, dtype=np.int64)
            spans = zip(self.token_starts.tolist(), self.token_ends.tolist(), strict=True)
            for i, (start, end) in enumerate(spans):
                token[start:end] = i
            of = token[self.chars]
            inside = of >= 0
            flat = of[inside] * self.features + self.rows[inside]
            size = len(self.token_starts) * self.features
            shares = np.bincount(flat, self.share[inside], minlength=size)
            self._by_token = shares.reshape(len(self.token_starts), self.features)
        return self._by_token @ contributions


def occurrences(reply: str, name: str) -> list[Span]:
    """``ReplySpans(reply).of(name)``: where one feature occurs in one reply."""
    return ReplySpans(reply).of(name)

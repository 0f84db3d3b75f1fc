"""Sparse features of one reply.

Five blocks, each TF-IDF weighted (sublinear term frequency, smoothed idf) and L2-normalised
on its own: word 1-2 grams of the reply (``w:``), character 2-4 grams of the reply (``c:``,
across word boundaries, so shorthand and typos still share most grams with the spelled-out
word), word 1-2 grams of the reply's sentences that end in a question mark (``q:``: "slow"
inside a question probes, in a statement it reports), word 1-2 grams of the buyer line being
answered (``b:``, scaled down: context, not content) and one feature per move the rule
detector found (``r:``, value ``RULE_WEIGHT``).

The same code builds the training matrix and scores a reply at run time; ``places`` finds
where in the reply each feature came from, with the same tokenisation, so an explanation is
exact: the characters that produced the feature, typos included.

Character grams are looked up without building a string per gram: a gram of the Basic
Multilingual Plane packs exactly into 64 bits (16 per character), so all of a reply's grams of
one size are packed at once with numpy and found by binary search in the vocabulary's sorted
keys. A reply with a character beyond it (an emoji) takes the string path; both give the same
features.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise, repeat

import numpy as np

WORD = re.compile(r"\w+|[?!$%€£]")
WHITESPACE = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\x0b": " ", "\x0c": " "})
CHAR_SIZES = (2, 3, 4)
BUYER_SCALE = 0.5
BUYER_CACHE = 4096
# a rule feature's value: small, so the model leans on a rule only as far as the n-grams
# agree (5-fold CV macro-F1 on train: 0.834 at 1, 0.838 at 0.5, 0.843 at 0.15-0.25, 0.841 at 0.1)
RULE_WEIGHT = 0.2
NO_BUYER = "<none>"
# a sentence of the reply that ends in a question mark; it starts only at the start of the text
# or after a sentence end, so a long reply without punctuation is scanned once, not per position
QUESTION = re.compile(r"(?:^|(?<=[.!?]))[^.!?]*\?+")
WORD_BLOCK, CHAR_BLOCK, BUYER_BLOCK, RULE_BLOCK = "w:", "c:", "b:", "r:"
QUESTION_BLOCK = "q:"
BLOCK_ORDER = (WORD_BLOCK, CHAR_BLOCK, BUYER_BLOCK, QUESTION_BLOCK, RULE_BLOCK)

Span = tuple[int, int]


@dataclass(frozen=True)
class FeatureConfig:
    """What the vocabulary keeps; part of the model's cache key (via ``as_dict``)."""

    word_min_df: int = 2
    char_min_df: int = 3
    buyer_min_df: int = 3
    buyer_max_features: int = 3000
    char_max_features: int = 150_000
    question_grams: bool = True

    def as_dict(self) -> dict[str, object]:
        return {
            **self.__dict__,
            "char_sizes": list(CHAR_SIZES),
            "buyer_scale": BUYER_SCALE,
            "rule_weight": RULE_WEIGHT,
        }


def lowered(text: str) -> tuple[str, list[int] | None]:
    """``text`` lower-cased with whitespace as spaces, and where each character came from
    (None when lower-casing kept every position, the usual case)."""
    low = text.lower()
    if len(low) == len(text):
        return low.translate(WHITESPACE), None
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        for piece in ch.lower():
            chars.append(piece)
            origin.append(i)
    return "".join(chars).translate(WHITESPACE), origin


def token_matches(low: str) -> list[re.Match[str]]:
    return list(WORD.finditer(low))


def word_grams(low: str) -> list[str]:
    """Word unigrams and bigrams of lower-cased text."""
    tokens = WORD.findall(low)
    return tokens + [f"{a} {b}" for a, b in pairwise(tokens)]


def char_grams(low: str) -> list[str]:
    """Character n-grams of lower-cased text padded with one space at each end."""
    padded = f" {low} "
    return [padded[i : i + n] for n in CHAR_SIZES for i in range(len(padded) - n + 1)]


def question_grams(low: str) -> list[str]:
    """Word grams of each sentence that ends in a question mark (not across sentences)."""
    return [g for m in QUESTION.finditer(low) for g in word_grams(m.group())]


def buyer_grams(buyer: str) -> list[str]:
    return word_grams(lowered(buyer)[0]) or [NO_BUYER]


@dataclass
class Vocabulary:
    """Feature name -> column, and the idf of each column (rule features have idf 1)."""

    names: list[str]
    idf: list[float]

    def __post_init__(self) -> None:
        self.words: dict[str, int] = {}
        self.chars: dict[str, int] = {}
        self.buyer: dict[str, int] = {}
        self.rules: dict[str, int] = {}
        self.questions: dict[str, int] = {}
        blocks = {WORD_BLOCK: self.words, CHAR_BLOCK: self.chars, QUESTION_BLOCK: self.questions}
        blocks |= {BUYER_BLOCK: self.buyer, RULE_BLOCK: self.rules}
        for i, name in enumerate(self.names):
            blocks[name[:2]][name[2:]] = i
        self.idf_array = np.asarray(self.idf, dtype=np.float64)
        self.packed = {n: _packed_grams(self.chars, n) for n in CHAR_SIZES}
        # reply blocks are consecutive columns (words, chars, then buyer, then questions):
        # where each block after the first starts, for normalising them in one pass
        order = [name[:2] for name in self.names]
        if order != sorted(order, key=BLOCK_ORDER.index):
            raise ValueError("vocabulary names must come block by block: w:, c:, b:, q:, r:")
        sizes = np.cumsum([len(self.words), len(self.chars), len(self.buyer)])
        self.reply_bounds = sizes.astype(np.int64)
        self._buyer_cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def buyer_features(self, buyer: str) -> tuple[np.ndarray, np.ndarray]:
        """Columns and values of a buyer line's block: the same few scripted lines come back
        turn after turn, so each is weighted once (at most ``BUYER_CACHE`` of them kept)."""
        cached = self._buyer_cache.get(buyer)
        if cached is None:
            found = _looked_up(buyer_grams(buyer), self.buyer)
            columns, values = _weighted(found, self.idf_array, np.zeros(0, dtype=np.int64))
            cached = columns, BUYER_SCALE * values
            if len(self._buyer_cache) >= BUYER_CACHE:
                self._buyer_cache.clear()
            self._buyer_cache[buyer] = cached
        return cached

    @classmethod
    def build(
        cls,
        replies: Sequence[str],
        buyers: Sequence[str],
        moves: Sequence[str],
        config: FeatureConfig,
    ) -> Vocabulary:
        """Document frequencies over the training replies; rare grams are dropped, ties in
        the size caps broken by name so the vocabulary is the same on every run."""
        word_df: Counter[str] = Counter()
        char_df: Counter[str] = Counter()
        buyer_df: Counter[str] = Counter()
        question_df: Counter[str] = Counter()
        for reply in replies:
            low = lowered(reply)[0]
            word_df.update(set(word_grams(low)))
            if config.question_grams:
                question_df.update(set(question_grams(low)))
            char_df.update(g for g in set(char_grams(low)) if g.strip())
        for buyer in buyers:
            buyer_df.update(set(buyer_grams(buyer)))
        words = sorted(g for g, df in word_df.items() if df >= config.word_min_df)
        chars = _top(char_df, config.char_min_df, config.char_max_features)
        context = _top(buyer_df, config.buyer_min_df, config.buyer_max_features)
        questions = sorted(g for g, df in question_df.items() if df >= config.word_min_df)
        names: list[str] = []
        idf: list[float] = []
        for prefix, group, df, n in (
            (WORD_BLOCK, words, word_df, len(replies)),
            (CHAR_BLOCK, chars, char_df, len(replies)),
            (BUYER_BLOCK, context, buyer_df, len(buyers)),
            (QUESTION_BLOCK, questions, question_df, len(replies)),
        ):
            names += [prefix + g for g in group]
            idf += [math.log((1 + n) / (1 + df[g])) + 1 for g in group]
        names += [RULE_BLOCK + m for m in moves]
        idf += [1.0] * len(moves)
        return cls(names, idf)


def _top(df: Counter[str], min_df: int, limit: int) -> list[str]:
    kept = [g for g, n in df.items() if n >= min_df]
    return sorted(sorted(kept, key=lambda g: (-df[g], g))[:limit])


BMP = 0x10000
_PACK = 16  # bits per character of a packed gram
assert max(CHAR_SIZES) * _PACK <= 64, "a packed character gram must fit in 64 bits"


def _pack(codes: np.ndarray, n: int) -> np.ndarray:
    """Every n-gram of a code point array (all below ``BMP``) as one exact uint64 each."""
    count = len(codes) - n + 1
    keys = np.zeros(max(count, 0), dtype=np.uint64)
    for i in range(n):
        keys = (keys << np.uint64(_PACK)) | codes[i : i + count]
    return keys


def code_points(text: str) -> np.ndarray:
    """Code points; a lone surrogate (possible in a platform's JSON) passes as its own."""
    raw = text.encode("utf-32-le", "surrogatepass")
    return np.frombuffer(raw, dtype=np.uint32).astype(np.uint64)


def _packed_grams(index: dict[str, int], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted packed keys of the vocabulary's character n-grams, and their columns."""
    grams = [g for g in index if len(g) == n and max(map(ord, g)) < BMP]
    if not grams:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    keys = _pack(code_points("".join(grams)), n)[::n]
    columns = np.fromiter(map(index.__getitem__, grams), dtype=np.int64, count=len(grams))
    order = np.argsort(keys)
    return keys[order], columns[order]


def char_occurrences(vocab: Vocabulary, low: str) -> tuple[np.ndarray, ...]:
    """Every character gram of `` {low} `` found in the vocabulary, size by size: its
    column, its start in the padded text and its size. Packed and searched with numpy; a
    text with a character beyond the BMP (an emoji) is read gram by gram as strings."""
    codes = code_points(f" {low} ")
    if len(codes) and int(codes.max()) >= BMP:
        padded = f" {low} "
        hits = [
            (column, k, n)
            for n in CHAR_SIZES
            for k in range(len(padded) - n + 1)
            if (column := vocab.chars.get(padded[k : k + n])) is not None
        ]
        table = np.asarray(hits, dtype=np.int64).reshape(-1, 3)
        return table[:, 0], table[:, 1], table[:, 2]
    found: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for n in CHAR_SIZES:
        keys, columns = vocab.packed[n]
        if not len(keys):
            continue
        grams = _pack(codes, n)
        at = np.minimum(np.searchsorted(keys, grams), len(keys) - 1)
        hit = np.flatnonzero(keys[at] == grams)
        found.append((columns[at[hit]], hit, np.full(len(hit), n)))
    if not found:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(3))
    return tuple(np.concatenate(part) for part in zip(*found, strict=True))


@dataclass(frozen=True)
class Features:
    """One reply's non-zero features: columns and their values (float64 arrays); with
    ``char_places`` (column, padded start and size of each character-gram occurrence) when
    asked for, so an explanation does not look the grams up a second time."""

    columns: np.ndarray
    values: np.ndarray
    char_places: tuple[np.ndarray, ...] | None = field(default=None, compare=False, repr=False)


def _looked_up(grams: list[str], index: dict[str, int]) -> np.ndarray:
    found = np.fromiter(map(index.get, grams, repeat(-1)), dtype=np.int64, count=len(grams))
    return found[found >= 0]


def _weighted(found: np.ndarray, idf: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sublinear TF-IDF of the columns found (one entry per occurrence), each block
    L2-normalised on its own: ``bounds`` are the first columns of the blocks after the first,
    so one sort and one sum serve every block of the reply."""
    columns, counts = np.unique(found, return_counts=True)
    weights = (1.0 + np.log(counts)) * idf[columns]
    block = np.searchsorted(bounds, columns, side="right")
    norms = np.sqrt(np.bincount(block, weights * weights, minlength=len(bounds) + 1))
    norms[norms == 0] = 1.0
    return columns, weights / norms[block]


def featurize(
    vocab: Vocabulary,
    reply: str,
    buyer: str,
    rule_moves: Iterable[str],
    keep_places: bool = False,
) -> Features:
    """The feature vector of a reply answering ``buyer`` where the rules found ``rule_moves``."""
    low = lowered(reply)[0]
    places = char_occurrences(vocab, low)
    found = [_looked_up(word_grams(low), vocab.words), places[0]]
    found.append(_looked_up(question_grams(low), vocab.questions))
    columns, values = _weighted(np.concatenate(found), vocab.idf_array, vocab.reply_bounds)
    context_columns, context_values = vocab.buyer_features(buyer)
    rules = sorted({vocab.rules[m] for m in rule_moves if m in vocab.rules})
    cut = int(np.searchsorted(columns, vocab.reply_bounds[-1]))  # questions after the buyer
    return Features(
        np.concatenate(
            [columns[:cut], context_columns, columns[cut:], np.array(rules, dtype=np.int64)]
        ),
        np.concatenate(
            [values[:cut], context_values, values[cut:], np.full(len(rules), RULE_WEIGHT)]
        ),
        places if keep_places else None,
    )

"""Reply analysis: normalisation, sentence units, question marks and chat shorthand."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

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
_WORD = re.compile(r"[^\W_]+(?:['-][^\W_]+)*")


@dataclass(frozen=True)
class Settings:
    """The compiled ``segmentation`` section of ``rules/_settings.yaml``."""

    boundary: re.Pattern[str]
    question_mark: re.Pattern[str]
    question_forms: re.Pattern[str] | None
    not_question: re.Pattern[str] | None
    max_chars: int
    shorthand: re.Pattern[str] | None
    expansions: dict[str, str]


@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    question: bool


@dataclass
class Analysis:
    """A reply prepared for matching: analysed text, its sentence units, the buyer line."""

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


def analyse(s: Settings, reply: str, context: str) -> Analysis:
    """Normalise ``reply`` and split it into sentence units, telling which are questions."""
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
    return Analysis(
        text=text,
        orig=orig,
        has_question=any(u.question for u in units),
        units=units,
        starts=[u.start for u in units],
        context=_lower(context[: s.max_chars].translate(_TRANSLATE)),
        starts_map=starts_map,
        ends_map=ends_map,
    )


def _expand_shorthand(s: Settings, text: str, orig: str) -> tuple[str, str, list[int], list[int]]:
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

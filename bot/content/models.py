"""Schemas of the three content kinds. Field names here are the YAML format.

Guards (`when:`) and effects (`effects:`) are closed sets of fields: a YAML file can only
name conditions and effects that exist here, never Python code.
"""

from __future__ import annotations

import keyword
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

SCHEMA_VERSION = 1


def _identifier(value: str) -> str:
    if not value.isidentifier() or keyword.iskeyword(value):
        raise ValueError(f"{value!r} is not an identifier (letters, digits and _, no spaces)")
    return value


def _variants(value: object) -> object:
    return [value] if isinstance(value, str) else value


def _non_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Ident = Annotated[str, AfterValidator(_identifier)]
Text = Annotated[str, AfterValidator(_non_blank)]
Variants = Annotated[tuple[Text, ...], BeforeValidator(_variants), Field(min_length=1)]
Score = Annotated[int, Field(ge=1, le=5)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- personas -------------------------------------------------------------------------

Role = Literal[
    "gatekeeper",
    "prospect",
    "sponsor",
    "cfo",
    "anti_sponsor",
    "decision_maker",
    "procurement",
]


class Traits(_Model):
    patience: Score
    skepticism: Score
    talkativeness: Score


class Fact(_Model):
    id: Ident
    text: Variants


class Pain(_Model):
    id: Ident
    text: Variants
    implication: Variants
    payoff: Variants | None = None
    keywords: tuple[Text, ...] = ()


class Persona(_Model):
    schema_: Literal[1] = Field(alias="schema")
    id: Ident
    name: Text
    role: Role
    title: Text
    company: Text
    bio: Text
    traits: Traits
    decision_orientation: Literal["business", "financial", "technical", "relationship"]
    facts: tuple[Fact, ...] = ()
    pains: tuple[Pain, ...] = ()
    goals: tuple[Text, ...] = ()
    objections: dict[Ident, Variants] = {}
    lines: dict[Ident, Variants]

    def line_variants(self, key: str) -> tuple[str, ...] | None:
        return self.lines.get(key) or self.objections.get(key)


# --- flows ----------------------------------------------------------------------------


class Guard(_Model):
    """Every field given must hold. Moves are move ids from the vocabulary."""

    any: tuple[Ident, ...] = ()
    any_each: tuple[tuple[Ident, ...], ...] = ()
    all: tuple[Ident, ...] = ()
    none: tuple[Ident, ...] = ()
    seen: tuple[Ident, ...] = ()
    not_seen: tuple[Ident, ...] = ()
    count_at_least: dict[Ident, int] = {}
    mood_at_least: int | None = None
    mood_below: int | None = None
    flags: tuple[Ident, ...] = ()
    not_flags: tuple[Ident, ...] = ()
    turns_in_state_at_least: int | None = None
    revealed_at_least: dict[Literal["fact", "pain", "implication", "payoff"], int] = {}
    level: tuple[Ident, ...] = ()


class LedgerEntry(_Model):
    give: Text | None = None
    get: Text | None = None


class Effect(_Model):
    """Exactly one field per effect."""

    mood: int | None = None
    reveal: Literal["fact", "pain", "implication", "payoff"] | None = None
    set: Ident | None = None
    unset: Ident | None = None
    ledger: LedgerEntry | None = None


class Transition(_Model):
    to: Ident | None = None
    when: Guard = Guard()
    effects: tuple[Effect, ...] = ()
    say: tuple[Ident, ...] = ()


class State(_Model):
    speaker: Ident | None = None
    say: tuple[Ident, ...] = ()
    fallback: tuple[Ident, ...] = ()
    hint: tuple[Text, ...] = ()
    expects: tuple[Ident, ...] = ()
    penalises: tuple[Ident, ...] = ()
    transitions: tuple[Transition, ...] = ()
    terminal: Ident | None = None


class Flow(_Model):
    schema_: Literal[1] = Field(alias="schema")
    id: Ident
    description: Text
    speaker: Ident
    initial: Ident
    fallback: tuple[Ident, ...] = ()
    always: tuple[Transition, ...] = ()
    states: dict[Ident, State]


# --- scenarios ------------------------------------------------------------------------


class Briefing(_Model):
    role: Text
    goal: Text
    success: Text
    situation: Text | None = None


class Rubric(_Model):
    pass_mark: int = Field(ge=0, le=100)
    pass_outcomes: tuple[Ident, ...] = ("won",)
    weights: dict[Ident, int] = {}
    states: dict[Ident, dict[Ident, int]] = {}
    always_penalise: tuple[Ident, ...] = ()


class Level(_Model):
    mood: int = 0
    flags: tuple[Ident, ...] = ()
    description: Text | None = None


class Scenario(_Model):
    schema_: Literal[1] = Field(alias="schema")
    id: Ident
    title: Text
    summary: Text
    flow: Ident
    personas: dict[Ident, Ident]
    briefing: Briefing
    rubric: Rubric
    levels: dict[Ident, Level] = {"normal": Level()}
    default_level: Ident | None = None
    tips: dict[Ident, Text] = {}
    carry_from: tuple[Ident, ...] = ()
    order: int = 100

    @property
    def level_names(self) -> tuple[str, ...]:
        return tuple(self.levels)

    @property
    def start_level(self) -> str:
        return self.default_level or next(iter(self.levels))

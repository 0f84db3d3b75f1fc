from __future__ import annotations

from pathlib import Path

from bot.content.library import load_library
from bot.content.models import Effect, LedgerEntry
from bot.engine.conversation import Conversation
from bot.engine.effects import apply_effects
from bot.engine.lines import fill, pick


def test_reveal_walks_facts_then_pains_then_their_implications(content: Path) -> None:
    persona = load_library(content).persona("pat")
    c = Conversation(state="start", mood=0, level="normal")
    apply_effects((Effect(reveal="implication"),), c, persona)
    assert c.just_revealed == []  # no pain on the table yet: nothing to imply
    apply_effects((Effect(reveal="fact"), Effect(reveal="pain")), c, persona)
    apply_effects((Effect(reveal="implication"), Effect(reveal="fact")), c, persona)
    assert c.just_revealed == [("fact", "crm"), ("pain", "misses"), ("implication", "misses")]
    assert c.revealed == {"implication": ["misses"], "fact": ["crm"], "pain": ["misses"]}


def test_mood_flags_and_ledger(content: Path) -> None:
    persona = load_library(content).persona("pat")
    c = Conversation(state="start", mood=0, level="normal")
    effects = (
        Effect(mood=2),
        Effect(mood=-1),
        Effect(set="agreed"),
        Effect(ledger=LedgerEntry(give="5% off", get="two-year term")),
    )
    apply_effects(effects, c, persona)
    apply_effects((Effect(unset="agreed"),), c, persona)
    assert (c.mood, c.flags) == (1, set())
    assert c.ledger == [{"give": "5% off", "get": "two-year term"}]


def test_conversation_round_trips_through_variables() -> None:
    c = Conversation(state="s", mood=1, level="hard", flags={"x"})
    c.counts.update({"acknowledge": 2})
    c.revealed = {"fact": ["a"]}
    back = Conversation.restore("s", 1, "hard", c.variables())
    assert back.variables() == c.variables()


def test_variant_choice_is_deterministic_and_spreads() -> None:
    variants = ("a", "b", "c")
    assert pick(variants, 7, 1, "hello") == pick(variants, 7, 1, "hello")
    assert {pick(variants, session, 1, "hello") for session in range(30)} == set(variants)


def test_fill_uses_persona_fields_and_leaves_other_braces(content: Path) -> None:
    persona = load_library(content).persona("pat")
    assert fill("{name} at {company} {unknown}", persona) == "Pat Lee at Acme {unknown}"
    assert fill("a { b", persona) == "a { b"

"""The closed registry of transition effects. An `effects:` item maps to one action here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.content.models import Effect, Persona
from bot.engine.conversation import Conversation

Action = Callable[[Any, Conversation, Persona], None]


def _mood(delta: int, c: Conversation, _: Persona) -> None:
    c.mood += delta


def _set(flag: str, c: Conversation, _: Persona) -> None:
    c.flags.add(flag)


def _unset(flag: str, c: Conversation, _: Persona) -> None:
    c.flags.discard(flag)


def _ledger(entry: Any, c: Conversation, _: Persona) -> None:
    c.ledger.append({"give": entry.give or "", "get": entry.get or ""})


def _reveal(kind: str, c: Conversation, persona: Persona) -> None:
    """Mark the next fact, pain, implication or payoff as revealed (spoken by the turn)."""
    done = c.revealed_ids(kind)
    for item_id in _candidates(kind, c, persona):
        if item_id not in done:
            done.append(item_id)
            c.just_revealed.append((kind, item_id))
            return


def _candidates(kind: str, c: Conversation, persona: Persona) -> list[str]:
    if kind == "fact":
        return [fact.id for fact in persona.facts]
    if kind == "pain":
        return [pain.id for pain in persona.pains]
    source = "pain" if kind == "implication" else "implication"
    pains = {pain.id: pain for pain in persona.pains}
    ready = [p for p in c.revealed.get(source, []) if p in pains]
    return [p for p in ready if kind != "payoff" or pains[p].payoff]


ACTIONS: dict[str, Action] = {
    "mood": _mood,
    "set": _set,
    "unset": _unset,
    "ledger": _ledger,
    "reveal": _reveal,
}


def apply_effects(effects: tuple[Effect, ...], c: Conversation, persona: Persona) -> None:
    for effect in effects:
        for name in effect.model_fields_set:
            ACTIONS[name](getattr(effect, name), c, persona)

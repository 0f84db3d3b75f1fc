"""What personas say: line variants chosen deterministically per session and filled in."""

from __future__ import annotations

import hashlib
import string
from collections.abc import Sequence

from bot.content.models import Persona

PERSONA_FIELDS = ("name", "title", "company")


def pick(variants: Sequence[str], *seed: object) -> str:
    """The same session, turn and key always get the same variant; others spread out."""
    digest = hashlib.blake2b(repr(seed).encode(), digest_size=8).digest()
    return variants[int.from_bytes(digest, "big") % len(variants)]


def fill(text: str, persona: Persona) -> str:
    """Replace {name}, {title} and {company}; leave any other braces as they are."""
    values = {name: getattr(persona, name) for name in PERSONA_FIELDS}
    out = []
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        return text
    for literal, field_name, _, _ in parsed:
        out.append(literal)
        if field_name is not None:
            out.append(values.get(field_name, "{" + field_name + "}"))
    return "".join(out)


def revealed_text(persona: Persona, kind: str, item_id: str) -> Sequence[str]:
    """The variants of a fact, pain, implication or payoff."""
    if kind == "fact":
        return next(f.text for f in persona.facts if f.id == item_id)
    pain = next(p for p in persona.pains if p.id == item_id)
    return {"pain": pain.text, "implication": pain.implication, "payoff": pain.payoff}[kind] or ()

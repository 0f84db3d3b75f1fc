"""The closed registry of transition conditions. A `when:` field maps to one check here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.content.models import Guard
from bot.engine.conversation import Conversation

Check = Callable[[Any, Conversation], bool]

CHECKS: dict[str, Check] = {
    "any": lambda moves, c: any(m in c.moves for m in moves),
    "any_each": lambda groups, c: all(any(m in c.moves for m in g) for g in groups),
    "all": lambda moves, c: all(m in c.moves for m in moves),
    "none": lambda moves, c: not any(m in c.moves for m in moves),
    "seen": lambda moves, c: all(c.counts[m] > 0 for m in moves),
    "not_seen": lambda moves, c: not any(c.counts[m] > 0 for m in moves),
    "count_at_least": lambda need, c: all(c.counts[m] >= n for m, n in need.items()),
    "mood_at_least": lambda n, c: c.mood >= n,
    "mood_below": lambda n, c: c.mood < n,
    "flags": lambda flags, c: all(f in c.flags for f in flags),
    "not_flags": lambda flags, c: not any(f in c.flags for f in flags),
    "turns_in_state_at_least": lambda n, c: c.turns_in_state >= n,
    "revealed_at_least": lambda need, c: all(
        len(c.revealed.get(kind, [])) >= n for kind, n in need.items()
    ),
    "level": lambda levels, c: c.level in levels,
}


def compile_guard(guard: Guard) -> Callable[[Conversation], bool]:
    """A predicate that holds when every field set in `guard` holds."""
    given = [(CHECKS[name], value) for name, value in guard if name in guard.model_fields_set]
    return lambda conversation: all(check(value, conversation) for check, value in given)

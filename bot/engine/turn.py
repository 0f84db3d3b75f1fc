"""One learner turn: score the reply, move the flow, compose what the personas say."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.models import Transition
from bot.engine.cast import Cast
from bot.engine.conversation import Conversation
from bot.engine.effects import apply_effects
from bot.engine.lines import fill, pick, revealed_text
from bot.messages import PersonaLine
from bot.scoring.detect import Detection
from bot.scoring.rubric import score_moves
from bot.storage.base import ScoredMove


@dataclass(frozen=True)
class TurnResult:
    state_before: str
    scored: tuple[ScoredMove, ...]
    lines: tuple[PersonaLine, ...]
    outcome: str | None

    @property
    def points(self) -> int:
        return sum(s.points for s in self.scored)


def opening_lines(cast: Cast, c: Conversation, seed: object) -> tuple[PersonaLine, ...]:
    state = cast.state(c.state)
    return _say(cast, c.state, state.say, seed)


def play_turn(
    cast: Cast, c: Conversation, detections: tuple[Detection, ...], seed: object
) -> TurnResult:
    """Apply one reply to the conversation `c` (mutated in place)."""
    before = c.state
    scored = score_moves(cast.scenario, before, cast.state(before), detections)
    c.moves = frozenset(d.move for d in detections)
    c.counts.update(c.moves)
    c.turns_in_state += 1
    transition = cast.machine.step(c)
    if transition is None:
        state = cast.state(before)
        keys = state.fallback or cast.flow.fallback or state.say
        return TurnResult(before, scored, _say(cast, before, keys, seed), None)
    lines = _follow(cast, c, before, transition, seed)
    if not cast.state(c.state).terminal:
        settled_from = c.state
        settled = cast.machine.settle(c)
        if settled is not None:
            lines += _follow(cast, c, settled_from, settled, seed)
    return TurnResult(before, scored, tuple(lines), cast.state(c.state).terminal)


def _follow(
    cast: Cast, c: Conversation, source: str, transition: Transition, seed: object
) -> list[PersonaLine]:
    """Apply a fired transition's effects; return what the personas say because of it."""
    speaker = cast.speaker(source)
    c.just_revealed.clear()
    apply_effects(transition.effects, c, speaker)
    lines = list(_say(cast, source, transition.say, seed))
    for kind, item_id in c.just_revealed:
        text = pick(revealed_text(speaker, kind, item_id), seed, kind, item_id)
        lines.append(PersonaLine(speaker.name, fill(text, speaker)))
    if c.state != source:
        c.turns_in_state = 0
        lines += _say(cast, c.state, cast.state(c.state).say, seed)
    return lines


def _say(
    cast: Cast, state_name: str, keys: tuple[str, ...], seed: object
) -> tuple[PersonaLine, ...]:
    persona = cast.speaker(state_name)
    lines = []
    for key in keys:
        variants = persona.line_variants(key) or ()
        if variants:
            lines.append(PersonaLine(persona.name, fill(pick(variants, seed, key), persona)))
    return tuple(lines)

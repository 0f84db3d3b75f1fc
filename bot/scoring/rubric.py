"""Per-turn points: the current state's rubric turns detected moves into explained points."""

from __future__ import annotations

from collections.abc import Iterable

from bot.content.models import Scenario, State
from bot.messages import FeedbackItem
from bot.scoring.detect import Detection
from bot.storage.base import ScoredMove
from bot.vocabulary import vocabulary


def weight(scenario: Scenario, state_name: str, move: str) -> int:
    return scenario.rubric.states.get(state_name, {}).get(
        move, scenario.rubric.weights.get(move, 1)
    )


def score_moves(
    scenario: Scenario, state_name: str, state: State, detections: Iterable[Detection]
) -> tuple[ScoredMove, ...]:
    """Expected moves earn their weight, penalised ones cost it, others score zero."""
    penalised = set(state.penalises) | set(scenario.rubric.always_penalise)
    scored = []
    for detection in detections:
        sign = 1 if detection.move in state.expects else -1 if detection.move in penalised else 0
        ev = detection.evidence
        scored.append(
            ScoredMove(
                detection.move,
                sign * weight(scenario, state_name, detection.move),
                ev.start,
                ev.end,
                ev.quote,
                ev.rule,
                ev.parts,
            )
        )
    return tuple(scored)


def feedback_items(scored: Iterable[ScoredMove]) -> tuple[FeedbackItem, ...]:
    """Feedback for every move that earned or cost points, best first."""
    vocab = vocabulary()
    items = [
        FeedbackItem(
            move=s.move,
            label=vocab[s.move].label,
            points=s.points,
            quote=s.shown,
            technique=vocab[s.move].technique.name,
            link=vocab[s.move].technique.link,
        )
        for s in scored
        if s.points
    ]
    return tuple(sorted(items, key=lambda item: -item.points))


def missing_note(state: State, scored: Iterable[ScoredMove]) -> str:
    """When a reply earned nothing, say what this moment of the conversation looks for."""
    if any(s.points > 0 for s in scored) or not state.expects:
        return ""
    labels = [vocabulary()[m].label.lower() for m in state.expects[:3]]
    return "Nothing here earned points. This moment calls for: " + ", ".join(labels) + "."

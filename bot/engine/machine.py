"""One shared `transitions` state machine per flow; conversations visit it one turn at a time.

Only callables built from our closed guard and effect registries reach `transitions`:
no string from YAML is ever handed to it as a condition or callback, so content can
never make `transitions` import and run code.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from transitions import Machine

from bot.content.models import Flow, Transition
from bot.engine.conversation import Conversation
from bot.engine.guards import compile_guard

TRIGGER = "reply"
SETTLE = "settle"  # the flow's `always` transitions again, after this turn's effects


@dataclass(eq=False)
class _Visitor:
    """The one model `transitions` moves; it carries a conversation for one trigger."""

    conversation: Conversation | None = None
    fired: list[Transition] = field(default_factory=list)


class FlowMachine:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self._lock = threading.Lock()
        self._visitor = _Visitor()
        self._machine = Machine(
            model=self._visitor,
            states=list(flow.states),
            initial=flow.initial,
            auto_transitions=False,
            ignore_invalid_triggers=True,
            model_attribute="state",
        )
        for source, state in flow.states.items():
            if state.terminal:
                continue
            for transition in (*flow.always, *state.transitions):
                self._add(TRIGGER, source, transition)
            for transition in flow.always:
                if transition.to not in (None, source):
                    self._add(SETTLE, source, transition)

    def _add(self, trigger: str, source: str, spec: Transition) -> None:
        guard = compile_guard(spec.when)
        dest = None if spec.to in (None, source) else spec.to
        self._machine.add_transition(
            trigger,
            source,
            dest,
            conditions=[lambda visitor: guard(visitor.conversation)],
            after=[lambda visitor: visitor.fired.append(spec)],
        )

    def step(self, conversation: Conversation, trigger: str = TRIGGER) -> Transition | None:
        """Fire the first transition whose guard holds; update `conversation.state`.

        The machine's single model is pointed at the conversation's saved state for the
        length of one trigger, under a lock: cheaper than adding and removing a model per
        turn, and nothing about the conversation stays in the machine afterwards.
        """
        if trigger not in self._machine.events:
            return None
        visitor = self._visitor
        with self._lock:
            visitor.conversation, visitor.fired = conversation, []
            self._machine.set_state(conversation.state, model=visitor)
            try:
                getattr(visitor, trigger)(visitor)
                conversation.state = visitor.state  # type: ignore[attr-defined]  # set by transitions
                return visitor.fired[0] if visitor.fired else None
            finally:
                visitor.conversation = None

    def mermaid(self) -> str:
        """The flow as mermaid state-diagram text, generated from the content."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.flow.initial}"]
        for name, state in self.flow.states.items():
            if state.terminal:
                lines.append(f"    {name} --> [*]: {state.terminal}")
                continue
            for transition in (*state.transitions, *self.flow.always):
                if transition.to and transition.to != name:
                    lines.append(f"    {name} --> {transition.to}: {_label(transition)}")
        return "\n".join(lines) + "\n"

    def settle(self, conversation: Conversation) -> Transition | None:
        """After a turn's effects, leave at once if an `always` guard now holds (mood, flags)."""
        return self.step(conversation, SETTLE)


def _label(transition: Transition) -> str:
    guard = transition.when
    parts = [f"{name} {_fmt(getattr(guard, name))}" for name in sorted(guard.model_fields_set)]
    return " & ".join(parts) or "otherwise"


def _fmt(value: object) -> str:
    if isinstance(value, (tuple, list)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)

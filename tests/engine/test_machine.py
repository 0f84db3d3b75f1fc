from __future__ import annotations

from pathlib import Path

from bot.content.library import load_library
from bot.content.models import Guard
from bot.engine.conversation import Conversation
from bot.engine.guards import compile_guard
from bot.engine.machine import FlowMachine


def machine(content: Path) -> FlowMachine:
    return FlowMachine(load_library(content).flow("tiny"))


def convo(moves: set[str], state: str = "start") -> Conversation:
    c = Conversation(state=state, mood=0, level="normal")
    c.moves = frozenset(moves)
    c.counts.update(moves)
    return c


def test_first_transition_whose_guard_holds_fires(content: Path) -> None:
    c = convo({"permission_ask", "situation_question"})
    fired = machine(content).step(c)
    assert fired is not None and fired.to == "done"
    assert c.state == "done"


def test_internal_transition_keeps_the_state(content: Path) -> None:
    c = convo({"situation_question"})
    fired = machine(content).step(c)
    assert fired is not None and fired.to is None
    assert c.state == "start"


def test_no_guard_holds_means_no_transition(content: Path) -> None:
    c = convo({"rapport"})
    assert machine(content).step(c) is None
    assert c.state == "start"


def test_one_shared_machine_serves_many_conversations(content: Path) -> None:
    shared = machine(content)
    a, b = convo({"rapport"}), convo({"permission_ask"})
    shared.step(a)
    shared.step(b)
    assert (a.state, b.state) == ("start", "done")
    assert shared._visitor.conversation is None  # nothing kept in memory between turns


def test_only_callables_reach_transitions(content: Path) -> None:
    shared = machine(content)
    for event in shared._machine.events.values():
        for transitions in event.transitions.values():
            for t in transitions:
                assert all(callable(c.func) for c in t.conditions)
                assert all(callable(cb) for cb in t.after)


def test_mermaid_is_generated_from_the_flow(content: Path) -> None:
    text = machine(content).mermaid()
    assert text.startswith("stateDiagram-v2\n    [*] --> start\n")
    assert "    start --> done: any permission_ask" in text
    assert "    done --> [*]: won" in text


def test_guard_fields_combine_with_and() -> None:
    c = convo({"acknowledge", "ask_feedback"})
    c.mood, c.flags, c.turns_in_state = 2, {"warm"}, 3
    c.revealed = {"fact": ["crm"]}
    holds = [
        Guard(any=("acknowledge", "pressure")),
        Guard(all=("acknowledge", "ask_feedback")),
        Guard(none=("pressure",)),
        Guard(any_each=(("acknowledge",), ("ask_feedback", "meeting_request"))),
        Guard(seen=("acknowledge",), count_at_least={"acknowledge": 1}),
        Guard(mood_at_least=2, mood_below=3, flags=("warm",), not_flags=("cold",)),
        Guard(turns_in_state_at_least=3, revealed_at_least={"fact": 1}, level=("normal",)),
        Guard(),
    ]
    fails = [
        Guard(any=("pressure",)),
        Guard(all=("acknowledge", "pressure")),
        Guard(any=("acknowledge",), none=("ask_feedback",)),
        Guard(not_seen=("acknowledge",)),
        Guard(count_at_least={"acknowledge": 2}),
        Guard(mood_below=2),
        Guard(flags=("cold",)),
        Guard(revealed_at_least={"pain": 1}),
        Guard(level=("hard",)),
    ]
    assert all(compile_guard(g)(c) for g in holds)
    assert not any(compile_guard(g)(c) for g in fails)


def test_always_transitions_settle_after_effects_in_the_same_turn(content: Path) -> None:
    flow = content / "state_machines" / "tiny.yaml"
    text = (
        flow.read_text()
        .replace(
            "states:\n",
            "always:\n  - to: done\n    when: {mood_below: -1}\nstates:\n",
        )
        .replace("effects: [{reveal: fact}]", "effects: [{mood: -2}]")
    )
    flow.write_text(text)
    shared = FlowMachine(load_library(content).flow("tiny"))
    c = convo({"situation_question"})
    fired = shared.step(c)
    assert fired is not None and c.state == "start" and shared.settle(c) is None
    c.mood = -2  # what the fired transition's effect does in a real turn
    settled = shared.settle(c)
    assert settled is not None and settled.to == "done" and c.state == "done"

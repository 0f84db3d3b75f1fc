"""Checks that span fields or files: references, reachability and ways out."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol

from bot.content.models import Effect, Flow, Guard, Scenario, Transition
from bot.content.problems import Problem
from bot.content.yaml_source import Source, line_of
from bot.vocabulary import vocabulary


class LoadedContent(Protocol):
    """What the cross-file checks read of the loaded content (`content.library.Library` is one)."""

    @property
    def personas(self) -> Mapping[str, Source]: ...

    @property
    def flows(self) -> Mapping[str, Source]: ...

    @property
    def scenarios(self) -> Mapping[str, Source]: ...


Issue = tuple[list[Any], str]  # (path in the file, message)


def check_flow(source: Source) -> list[Problem]:
    return _problems(source, _flow_issues(source.model))


def check_scenario(source: Source, library: LoadedContent) -> list[Problem]:
    return _problems(source, _scenario_issues(source.model, library))


def _problems(source: Source, issues: Iterable[Issue]) -> list[Problem]:
    return [Problem(source.name, line_of(source.raw, path), msg) for path, msg in issues]


def _unknown_moves(path: list[Any], moves: Iterable[str]) -> Iterator[Issue]:
    known = vocabulary()
    for move in moves:
        if move not in known:
            yield path, f"unknown move id {move!r} (the move ids are listed in docs/techniques.md)"


def _guard_moves(guard: Guard) -> list[str]:
    return [
        *guard.any,
        *(m for group in guard.any_each for m in group),
        *guard.all,
        *guard.none,
        *guard.seen,
        *guard.not_seen,
        *guard.count_at_least,
    ]


def _flow_transitions(flow: Flow) -> Iterator[tuple[list[Any], str | None, Transition]]:
    for i, transition in enumerate(flow.always):
        yield ["always", i], None, transition
    for name, state in flow.states.items():
        for i, transition in enumerate(state.transitions):
            yield ["states", name, "transitions", i], name, transition


def _flow_issues(flow: Flow) -> Iterator[Issue]:
    if flow.initial not in flow.states:
        yield ["initial"], f"initial state {flow.initial!r} is not defined in states"
    for name, state in flow.states.items():
        yield from _unknown_moves(["states", name, "expects"], state.expects)
        yield from _unknown_moves(["states", name, "penalises"], state.penalises)
        if state.terminal and state.transitions:
            yield (
                ["states", name, "transitions"],
                f"terminal state {name!r} cannot have transitions",
            )
        if not state.terminal and not _leaves(flow, name):
            yield ["states", name], f"state {name!r} is not terminal and has no way out"
    for path, _, transition in _flow_transitions(flow):
        yield from _unknown_moves([*path, "when"], _guard_moves(transition.when))
        if transition.to is not None and transition.to not in flow.states:
            yield [*path, "to"], f"transition to missing state {transition.to!r}"
        yield from _effect_issues(path, transition.effects)
    for name in sorted(set(flow.states) - _reachable(flow)):
        yield ["states", name], f"state {name!r} is unreachable from {flow.initial!r}"


def _effect_issues(path: list[Any], effects: tuple[Effect, ...]) -> Iterator[Issue]:
    for i, effect in enumerate(effects):
        given = [k for k, v in effect.model_dump(exclude_defaults=True).items() if v is not None]
        if len(given) != 1:
            yield (
                [*path, "effects", i],
                "each effect must set exactly one of: " + ", ".join(Effect.model_fields),
            )


def _leaves(flow: Flow, name: str) -> bool:
    targets = [t.to for t in (*flow.states[name].transitions, *flow.always)]
    return any(to is not None and to != name for to in targets)


def _reachable(flow: Flow) -> set[str]:
    if flow.initial not in flow.states:
        return set(flow.states)
    seen, todo = {flow.initial}, [flow.initial]
    while todo:
        state = flow.states[todo.pop()]
        if state.terminal:
            continue
        for transition in (*state.transitions, *flow.always):
            if transition.to in flow.states and transition.to not in seen:
                seen.add(transition.to)
                todo.append(transition.to)
    return seen


def speakers(flow: Flow) -> set[str]:
    return {flow.speaker} | {s.speaker for s in flow.states.values() if s.speaker}


def _scenario_issues(scenario: Scenario, library: LoadedContent) -> Iterator[Issue]:
    flow = library.flows.get(scenario.flow)
    if flow is None:
        yield ["flow"], f"unknown or broken flow {scenario.flow!r}"
    for slot, persona_id in scenario.personas.items():
        if persona_id not in library.personas:
            yield ["personas", slot], f"unknown or broken persona {persona_id!r}"
    rubric = scenario.rubric
    yield from _unknown_moves(["rubric", "weights"], rubric.weights)
    yield from _unknown_moves(["rubric", "always_penalise"], rubric.always_penalise)
    yield from _unknown_moves(["tips"], scenario.tips)
    for state_name, weights in rubric.states.items():
        yield from _unknown_moves(["rubric", "states", state_name], weights)
    for other in scenario.carry_from:
        if other not in library.scenarios and other != scenario.id:
            yield ["carry_from"], f"unknown scenario {other!r} in carry_from"
    if scenario.default_level and scenario.default_level not in scenario.levels:
        yield ["default_level"], f"level {scenario.default_level!r} is not defined in levels"
    if flow is not None:
        yield from _binding_issues(scenario, flow.model, library)


def _binding_issues(scenario: Scenario, flow: Flow, library: LoadedContent) -> Iterator[Issue]:
    for slot in sorted(speakers(flow) - set(scenario.personas)):
        yield ["personas"], f"flow {flow.id!r} needs a persona for speaker {slot!r}"
    for slot in sorted(set(scenario.personas) - speakers(flow)):
        yield ["personas", slot], f"flow {flow.id!r} has no speaker {slot!r}"
    for state_name in scenario.rubric.states:
        if state_name not in flow.states:
            yield ["rubric", "states", state_name], f"flow {flow.id!r} has no state {state_name!r}"
    outcomes = {s.terminal for s in flow.states.values() if s.terminal}
    for outcome in scenario.rubric.pass_outcomes:
        if outcome not in outcomes:
            yield ["rubric", "pass_outcomes"], f"flow {flow.id!r} has no outcome {outcome!r}"
    for slot, key in _spoken_keys(flow):
        persona_id = scenario.personas.get(slot)
        persona = library.personas.get(persona_id) if persona_id else None
        if persona is not None and persona.model.line_variants(key) is None:
            yield (
                ["flow"],
                (
                    f"persona {persona.model.id!r} has no line {key!r} "
                    f"(needed by flow {flow.id!r} for speaker {slot!r})"
                ),
            )


def _spoken_keys(flow: Flow) -> list[tuple[str, str]]:
    """(speaker slot, line key) for every line a flow can make a persona say."""
    keys: set[tuple[str, str]] = set()
    for state in flow.states.values():
        slot = state.speaker or flow.speaker
        keys.update((slot, key) for key in (*state.say, *state.fallback))
        for transition in state.transitions:
            keys.update((slot, key) for key in transition.say)
        keys.update((slot, key) for key in flow.fallback if not state.fallback)
        for transition in flow.always:
            keys.update((slot, key) for key in transition.say)
    return sorted(keys)

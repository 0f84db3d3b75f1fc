"""A playable scenario: the scenario, its flow's shared machine and the personas by slot."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.library import Library
from bot.content.models import Flow, Persona, Scenario, State
from bot.engine.machine import FlowMachine
from bot.vocabulary import vocabulary


@dataclass(frozen=True)
class Cast:
    scenario: Scenario
    flow: Flow
    machine: FlowMachine
    personas: dict[str, Persona]
    version: str

    def state(self, name: str) -> State:
        return self.flow.states[name]

    def speaker(self, state_name: str) -> Persona:
        slot = self.flow.states[state_name].speaker or self.flow.speaker
        return self.personas[slot]

    @property
    def lead(self) -> Persona:
        return self.personas[self.flow.speaker]

    @property
    def skills(self) -> tuple[str, ...]:
        vocab = vocabulary()
        moves = [m for s in self.flow.states.values() for m in s.expects]
        return tuple(dict.fromkeys(vocab[m].skill for m in moves if m in vocab))


def build_casts(library: Library) -> dict[str, Cast]:
    """Every loadable scenario, with one machine per flow shared by all its scenarios."""
    machines = {flow_id: FlowMachine(source.model) for flow_id, source in library.flows.items()}
    casts = {}
    for scenario_id, source in library.scenarios.items():
        scenario: Scenario = source.model
        casts[scenario_id] = Cast(
            scenario=scenario,
            flow=library.flow(scenario.flow),
            machine=machines[scenario.flow],
            personas={slot: library.persona(pid) for slot, pid in scenario.personas.items()},
            version=library.content_version(scenario_id),
        )
    return dict(sorted(casts.items(), key=lambda kv: (kv[1].scenario.order, kv[0])))

"""A small team on a real store: a manager, two reps and an outsider, by platform identity."""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Reply
from bot.storage.base import TeamRecord

ASK = "Could I ask you a couple of questions about how you forecast?"
FEATURES = "Our platform has dashboards, AI forecasting, integrations and alerts."


@dataclass
class Team:
    trainer: Trainer
    team: TeamRecord
    other_team: TeamRecord

    def say(self, user: str, text: str) -> Reply:
        return self.trainer.handle(Inbound(Learner("test", user, user.capitalize()), text))

    def person(self, user: str) -> int:
        with self.trainer.store.transaction():
            return self.trainer.store.learner("test", user, user.capitalize()).person_id


def make_team(trainer: Trainer) -> Team:
    """Team West: manager Maria, reps Ana and Ben. Team East: manager Olga, rep Eve."""
    store = trainer.store
    with store.transaction():
        west, east = store.create_team("West"), store.create_team("East")
        for user, team, role in (
            ("maria", west, "manager"),
            ("ana", west, "rep"),
            ("ben", west, "rep"),
            ("olga", east, "manager"),
            ("eve", east, "rep"),
        ):
            person = store.learner("test", user, user.capitalize()).person_id
            store.add_member(team.id, person, role)
    return Team(trainer, west, east)

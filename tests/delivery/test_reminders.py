"""One reminder per rep before the due date: not twice, not after completion, not early."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.delivery import DeliveryWorker
from bot.engine.trainer import Trainer
from bot.messages import Assignments, Inbound, Learner, Reply
from tests.delivery.test_worker import Recording
from tests.helpers.teams import ASK


class Reminded(Recording):
    """Records the Assignments parts sent, with where they went."""

    def render(self, reply: Reply, destination: Any) -> list[dict[str, Any]]:
        return [
            {"to": destination, "reminder": p.reminder, "titles": [a.title for a in p.assignments]}
            for p in reply.of_type(Assignments)
        ]


def _team(trainer: Trainer, due_in_days: int) -> tuple[int, int]:
    store = trainer.store
    due = (datetime.now(UTC).date() + timedelta(days=due_in_days)).isoformat()
    with store.transaction():
        team = store.create_team("West")
        ana = store.learner("test", "ana", "Ana").person_id
        ben = store.learner("test", "ben", "Ben").person_id
        for person in (ana, ben):
            store.add_member(team.id, person, "rep")
        store.add_assignment(team.id, "tiny_call", "normal", due, 50, 1, False)
    return ana, ben


def _workers(trainer: Trainer, surface: Reminded, count: int = 1) -> None:
    async def go() -> None:
        workers = [
            DeliveryWorker(trainer, trainer.store, surface, sweep_seconds=0.05)
            for _ in range(count)
        ]
        await asyncio.gather(*(w.start() for w in workers))
        for w in workers:
            await w.join()
        await asyncio.sleep(0.2)
        for w in workers:
            await w.join()
            await w.close()

    asyncio.run(go())


def test_a_rep_is_reminded_once_before_the_due_date(tiny_trainer: Trainer) -> None:
    _team(tiny_trainer, due_in_days=1)
    surface = Reminded()
    _workers(tiny_trainer, surface)
    assert sorted(s["to"]["dm"] for s in surface.sent) == ["ana", "ben"]
    assert all(s["reminder"] and s["titles"] == ["Tiny call"] for s in surface.sent)
    _workers(tiny_trainer, surface)  # a restart
    _workers(tiny_trainer, surface, count=2)  # two workers on one database
    assert len(surface.sent) == 2


def test_no_reminder_after_completion_or_long_before_the_due_date(tiny_trainer: Trainer) -> None:
    _team(tiny_trainer, due_in_days=1)
    ana = Learner("test", "ana", "Ana")
    tiny_trainer.handle(Inbound(ana, "/start tiny_call"))
    tiny_trainer.handle(Inbound(ana, ASK))
    surface = Reminded()
    _workers(tiny_trainer, surface)
    assert [s["to"]["dm"] for s in surface.sent] == ["ben"]


def test_not_yet_when_the_due_date_is_days_away(tiny_trainer: Trainer) -> None:
    _team(tiny_trainer, due_in_days=5)
    surface = Reminded()
    _workers(tiny_trainer, surface)
    assert surface.sent == []


def test_a_linked_rep_is_reminded_once_where_they_last_practised(tiny_trainer: Trainer) -> None:
    ana, _ = _team(tiny_trainer, due_in_days=0)
    store = tiny_trainer.store
    tiny_trainer.handle(Inbound(Learner("test", "ana", "Ana"), "/start tiny_call"))
    with store.transaction():
        joined_later = store.learner("slack", "T1:U9", "Ana")
        store.merge_person(joined_later.person_id, ana)
    assert store.due_reminders("slack", "2000-01-01", "2999-01-01") == []
    surface = Reminded()
    _workers(tiny_trainer, surface)
    assert sorted(s["to"]["dm"] for s in surface.sent) == ["ana", "ben"]


def test_a_linked_rep_who_never_practised_is_reminded_where_they_joined_last(
    tiny_trainer: Trainer,
) -> None:
    ana, _ = _team(tiny_trainer, due_in_days=0)
    store = tiny_trainer.store
    with store.transaction():
        joined_later = store.learner("slack", "T1:U9", "Ana")
        store.merge_person(joined_later.person_id, ana)
    [due] = store.due_reminders("slack", "2000-01-01", "2999-01-01")
    assert (due.user_id, due.person_id) == ("T1:U9", ana)
    surface = Reminded()
    _workers(tiny_trainer, surface)
    assert [s["to"]["dm"] for s in surface.sent] == ["ben"]

"""Assignments from the rep's side: what is open, and when a session completes one."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from bot.messages import AssignmentLine, Assignments
from bot.storage.base import AssignmentRecord, SessionRecord, Store


def open_assignments(
    store: Store, person_id: int, titles: Mapping[str, str], today: date, reminder: bool = False
) -> Assignments:
    lines = tuple(
        AssignmentLine(
            id=a.id,
            team=a.team,
            scenario_id=a.scenario_id,
            title=titles.get(a.scenario_id, a.scenario_id),
            level=a.level,
            due=a.due_at[:10],
            pass_mark=a.pass_mark,
            min_attempts=a.min_attempts,
            attempts=len(_attempts(store, person_id, a)),
            exam=a.exam,
            overdue=a.due_at[:10] < today.isoformat(),
        )
        for a in store.open_assignments(person_id)
    )
    certified = tuple(
        f"{titles.get(c.scenario_id, c.scenario_id)} ({c.level}, {c.certified_at[:10]})"
        for c in store.certificates(person_id)
    )
    return Assignments(lines, certified, reminder)


def settle(store: Store, person_id: int, session: SessionRecord) -> list[AssignmentRecord]:
    """Record every open assignment the ended `session` completes (call in its transaction).

    Done means: at least `min_attempts` counted sessions of the scenario and level since the
    assignment was set (exam sessions only, for an exam assignment), one of them scoring at
    least the pass mark. The session that tips it over is recorded as completing it."""
    completed = []
    for a in store.open_assignments(person_id):
        if (a.scenario_id, a.level) != (session.scenario_id, session.level):
            continue
        if a.exam and session.mode != "exam":
            continue
        attempts = _attempts(store, person_id, a)
        if len(attempts) < a.min_attempts:
            continue
        if any((s.score or 0) >= a.pass_mark for s in attempts):
            store.complete(a.id, person_id, session.id)
            completed.append(a)
    return completed


def _attempts(store: Store, person_id: int, a: AssignmentRecord) -> list[SessionRecord]:
    return store.attempts(person_id, a.scenario_id, a.level, a.created_at, a.exam)

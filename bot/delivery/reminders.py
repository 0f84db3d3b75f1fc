"""One reminder per rep before an assignment is due, on the platform they use most lately.

A reminder is queued as an ordinary inbox message (`/assignments reminder`) in the same
transaction that records it, so it is sent exactly once: the inbox's unique key and the
reminders table together stop a second worker, a restart or a crash from doubling it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any

from bot.storage.base import QueueStore

REMIND_BEFORE = timedelta(days=1)
REMINDER_COMMAND = "/assignments reminder"


def queue_reminders(
    store: QueueStore,
    platform: str,
    destination: Callable[[str], Mapping[str, Any]],
    today: date,
) -> list[str]:
    """Queue every reminder due today on `platform`; the user ids to kick."""
    queued = []
    due = store.due_reminders(platform, today.isoformat(), (today + REMIND_BEFORE).isoformat())
    for r in due:
        with store.transaction():
            if not store.mark_reminded(r.assignment_id, r.person_id):
                continue
            message_id = f"reminder:{r.assignment_id}"
            store.receive(
                platform, r.user_id, r.name, message_id, REMINDER_COMMAND, destination(r.user_id)
            )
        queued.append(r.user_id)
    return queued

"""Rows to records, and the one clock every stored timestamp comes from."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from bot.storage.base import LearnerRecord, SessionRecord

if TYPE_CHECKING:
    from sqlite_utils import Database


def all_rows(
    db: Database, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> list[dict[str, Any]]:
    """Every row of a query as a dict. Straight on the connection: sqlite-utils' ``query``
    wraps each read in a savepoint, three statements where a turn's reads need one."""
    cursor = db.conn.execute(sql, params)
    names = _names(cursor)
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def one(
    db: Database, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()
) -> dict[str, Any] | None:
    """The first row of a query, or None."""
    cursor = db.conn.execute(sql, params)
    row = cursor.fetchone()
    return None if row is None else dict(zip(_names(cursor), row, strict=True))


def _names(cursor: sqlite3.Cursor) -> list[str]:
    return [column[0] for column in cursor.description]


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def learner_record(row: Mapping[str, Any]) -> LearnerRecord:
    return LearnerRecord(
        row["id"],
        row["platform"],
        row["user_id"],
        row["name"] or "",
        bool(row["feedback_on"]),
        row.get("person_id") or row["id"],
    )


def session_record(row: Mapping[str, Any]) -> SessionRecord:
    return SessionRecord(
        id=row["id"],
        learner_id=row["learner_id"],
        scenario_id=row["scenario_id"],
        content_version=row["content_version"] or "",
        level=row["level"] or "",
        state=row["state"],
        mood=row["mood"] or 0,
        variables=json.loads(row["variables"] or "{}"),
        status=row["status"],
        outcome=row["outcome"],
        score=row["score"],
        passed=None if row["passed"] is None else bool(row["passed"]),
        turn_count=row["turn_count"] or 0,
        started_at=row["started_at"],
        ended_at=row["ended_at"],
        seq=row["seq"] or 0,
        last_line=row["last_line"] or "",
        mode=row.get("mode") or "practice",
    )

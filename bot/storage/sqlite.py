"""SQLite storage: the system of record for learners, sessions, turns and inbound ids.

This is the only module that writes SQL. Every write happens inside `transaction()`,
which takes SQLite's write lock up front (BEGIN IMMEDIATE), so one turn at a time is
applied per database even with several threads or processes serving learners.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.storage.migrations import migrations

DEFAULT_DB = Path("~/.local/share/roleplay/roleplay.db")
BUSY_TIMEOUT_MS = 30_000


def default_db_path() -> Path:
    """`ROLEPLAY_DB` if set, else ~/.local/share/roleplay/roleplay.db."""
    return Path(os.environ.get("ROLEPLAY_DB") or DEFAULT_DB).expanduser()


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class LearnerRow:
    id: int
    platform: str
    user_id: str
    name: str
    feedback_on: bool


@dataclass(frozen=True)
class SessionRow:
    id: int
    learner_id: int
    scenario_id: str
    content_version: str
    level: str
    state: str
    mood: int
    variables: dict[str, Any]
    status: str
    outcome: str | None
    score: int | None
    passed: bool | None
    turn_count: int
    started_at: str
    ended_at: str | None


@dataclass(frozen=True)
class TurnRow:
    seq: int
    role: str
    text: str
    moves: list[dict[str, Any]]
    points: int
    state_before: str | None
    state_after: str | None
    mood: int | None


class Store:
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self.db.enable_wal()
        migrations.apply(self.db)

    @property
    def db(self) -> Database:
        """This thread's connection (sqlite3 connections are not shared across threads)."""
        db = getattr(self._local, "db", None)
        if db is None:
            conn = sqlite3.connect(
                self.path,
                isolation_level=None,
                check_same_thread=False,
                timeout=BUSY_TIMEOUT_MS / 1000,
            )
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            db = self._local.db = Database(conn)
        return db

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.conn.close()
            self._local.db = None

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """One atomic unit of work holding the write lock from the start."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _one(self, sql: str, params: tuple[Any, ...]) -> dict[str, Any] | None:
        cursor = self.db.conn.execute(sql, params)
        row = cursor.fetchone()
        return (
            None if row is None else dict(zip([c[0] for c in cursor.description], row, strict=True))
        )

    # --- learners -------------------------------------------------------------------

    def learner(self, platform: str, user_id: str, name: str = "") -> LearnerRow:
        """The learner with this platform identity, created on first sight."""
        query = "SELECT * FROM learners WHERE platform = ? AND user_id = ?"
        row = self._one(query, (platform, user_id))
        if row is None:
            self.db.conn.execute(
                "INSERT INTO learners (platform, user_id, name, feedback_on, created_at) "
                "VALUES (?, ?, ?, 1, ?) ON CONFLICT (platform, user_id) DO NOTHING",
                (platform, user_id, name, now()),
            )
            row = self._one(query, (platform, user_id))
        return LearnerRow(
            row["id"], row["platform"], row["user_id"], row["name"] or "", bool(row["feedback_on"])
        )

    def set_feedback(self, learner_id: int, on: bool) -> None:
        self.db.conn.execute(
            "UPDATE learners SET feedback_on = ? WHERE id = ?", (int(on), learner_id)
        )

    # --- inbound idempotency --------------------------------------------------------

    def inbound_reply(self, learner_id: int, message_id: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT reply FROM inbound WHERE learner_id = ? AND message_id = ?",
            (learner_id, message_id),
        )
        return None if row is None else json.loads(row["reply"])

    def record_inbound(self, learner_id: int, message_id: str, reply: dict[str, Any]) -> None:
        self.db.conn.execute(
            "INSERT INTO inbound (learner_id, message_id, reply, created_at) VALUES (?, ?, ?, ?)",
            (learner_id, message_id, json.dumps(reply), now()),
        )

    # --- sessions -------------------------------------------------------------------

    def active_session(self, learner_id: int) -> SessionRow | None:
        return self._session_where("learner_id = ? AND status = 'active'", (learner_id,))

    def last_session(self, learner_id: int) -> SessionRow | None:
        return self._session_where("learner_id = ?", (learner_id,))

    def session(self, session_id: int) -> SessionRow | None:
        return self._session_where("id = ?", (session_id,))

    def _session_where(self, where: str, params: tuple[Any, ...]) -> SessionRow | None:
        row = self._one(f"SELECT * FROM sessions WHERE {where} ORDER BY id DESC LIMIT 1", params)
        return None if row is None else _session(row)

    def sessions(self, learner_id: int, limit: int = 20) -> list[SessionRow]:
        cursor = self.db.conn.execute(
            "SELECT * FROM sessions WHERE learner_id = ? ORDER BY id DESC LIMIT ?",
            (learner_id, limit),
        )
        names = [c[0] for c in cursor.description]
        return [_session(dict(zip(names, row, strict=True))) for row in cursor.fetchall()]

    def last_won_session(self, learner_id: int, scenario_id: str) -> SessionRow | None:
        return self._session_where(
            "learner_id = ? AND scenario_id = ? AND status = 'ended' AND passed = 1",
            (learner_id, scenario_id),
        )

    def create_session(
        self,
        learner_id: int,
        scenario_id: str,
        content_version: str,
        level: str,
        state: str,
        mood: int,
        variables: dict[str, Any],
    ) -> int:
        cursor = self.db.conn.execute(
            "INSERT INTO sessions (learner_id, scenario_id, content_version, level, state, mood,"
            " variables, status, turn_count, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active',"
            " 0, ?)",
            (
                learner_id,
                scenario_id,
                content_version,
                level,
                state,
                mood,
                json.dumps(variables),
                now(),
            ),
        )
        return int(cursor.lastrowid)

    def update_session(
        self, session_id: int, *, state: str, mood: int, variables: dict[str, Any], turn_count: int
    ) -> None:
        self.db.conn.execute(
            "UPDATE sessions SET state = ?, mood = ?, variables = ?, turn_count = ? WHERE id = ?",
            (state, mood, json.dumps(variables), turn_count, session_id),
        )

    def end_session(
        self, session_id: int, *, status: str, outcome: str, score: int | None, passed: bool | None
    ) -> None:
        self.db.conn.execute(
            "UPDATE sessions SET status = ?, outcome = ?, score = ?, passed = ?, ended_at = ?"
            " WHERE id = ?",
            (status, outcome, score, None if passed is None else int(passed), now(), session_id),
        )

    # --- turns ----------------------------------------------------------------------

    def add_turn(
        self,
        session_id: int,
        seq: int,
        role: str,
        text: str,
        *,
        moves: list[dict[str, Any]] | None = None,
        points: int = 0,
        state_before: str | None = None,
        state_after: str | None = None,
        mood: int | None = None,
    ) -> None:
        self.db.conn.execute(
            "INSERT INTO turns (session_id, seq, role, text, moves, points, state_before,"
            " state_after, mood, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                session_id,
                seq,
                role,
                text,
                json.dumps(moves or []),
                points,
                state_before,
                state_after,
                mood,
                now(),
            ),
        )

    def next_seq(self, session_id: int) -> int:
        row = self._one(
            "SELECT COALESCE(MAX(seq), 0) AS seq FROM turns WHERE session_id = ?", (session_id,)
        )
        return int(row["seq"]) + 1

    def turns(self, session_id: int) -> list[TurnRow]:
        cursor = self.db.conn.execute(
            "SELECT seq, role, text, moves, points, state_before, state_after, mood FROM turns"
            " WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        return [
            TurnRow(seq, role, text, json.loads(moves or "[]"), points or 0, before, after, mood)
            for seq, role, text, moves, points, before, after, mood in cursor.fetchall()
        ]


def _session(row: dict[str, Any]) -> SessionRow:
    return SessionRow(
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
    )

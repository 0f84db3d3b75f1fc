"""SQLite storage: the system of record for learners, sessions, turns and inbound ids.

This is the only module that writes SQL. Every write happens inside `transaction()`,
which takes SQLite's write lock up front (BEGIN IMMEDIATE), so one turn at a time is
applied per database even with several threads or processes serving learners.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.storage.base import (
    LearnerRecord,
    LearnerTurn,
    ScoredMove,
    SessionRecord,
    SessionState,
    TurnRecord,
)
from bot.storage.migrations import migrations

BUSY_TIMEOUT_MS = 30_000


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class SqliteStore:
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
        db: Database | None = getattr(self._local, "db", None)
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
    def transaction(self) -> Iterator[SqliteStore]:
        """One atomic unit of work holding the write lock from the start."""
        conn = self.db.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def count(self, table: str, where: str = "", params: Sequence[Any] = ()) -> int:
        """Rows in a table: for commands and tests that report on the database."""
        return self.db[table].count_where(where or "1", list(params))

    def _one(self, sql: str, params: Sequence[Any]) -> dict[str, Any] | None:
        return next(iter(self.db.query(sql, params)), None)

    # --- learners -------------------------------------------------------------------

    def learner(self, platform: str, user_id: str, name: str = "") -> LearnerRecord:
        """The learner with this platform identity, created on first sight."""
        query = "SELECT * FROM learners WHERE platform = ? AND user_id = ?"
        row = self._one(query, (platform, user_id))
        if row is None:
            self.db.execute(
                "INSERT INTO learners (platform, user_id, name, feedback_on, created_at) "
                "VALUES (?, ?, ?, 1, ?) ON CONFLICT (platform, user_id) DO NOTHING",
                (platform, user_id, name, now()),
            )
            row = self._one(query, (platform, user_id))
        assert row is not None
        return LearnerRecord(
            row["id"], row["platform"], row["user_id"], row["name"] or "", bool(row["feedback_on"])
        )

    def set_feedback(self, learner_id: int, on: bool) -> None:
        self.db.execute("UPDATE learners SET feedback_on = ? WHERE id = ?", (int(on), learner_id))

    # --- inbound idempotency --------------------------------------------------------

    def inbound_reply(self, learner_id: int, message_id: str) -> dict[str, Any] | None:
        row = self._one(
            "SELECT reply FROM inbound WHERE learner_id = ? AND message_id = ?",
            (learner_id, message_id),
        )
        return None if row is None else json.loads(row["reply"])

    def record_inbound(self, learner_id: int, message_id: str, reply: dict[str, Any]) -> None:
        self.db.execute(
            "INSERT INTO inbound (learner_id, message_id, reply, created_at) VALUES (?, ?, ?, ?)",
            (learner_id, message_id, json.dumps(reply), now()),
        )

    # --- sessions -------------------------------------------------------------------

    def active_session(self, learner_id: int) -> SessionRecord | None:
        return self._session_where("learner_id = ? AND status = 'active'", (learner_id,))

    def last_session(self, learner_id: int) -> SessionRecord | None:
        return self._session_where("learner_id = ?", (learner_id,))

    def session(self, session_id: int) -> SessionRecord | None:
        return self._session_where("id = ?", (session_id,))

    def _session_where(self, where: str, params: Sequence[Any]) -> SessionRecord | None:
        row = self._one(f"SELECT * FROM sessions WHERE {where} ORDER BY id DESC LIMIT 1", params)
        return None if row is None else _session(row)

    def sessions(self, learner_id: int, limit: int = 20) -> list[SessionRecord]:
        rows = self.db.query(
            "SELECT * FROM sessions WHERE learner_id = ? ORDER BY id DESC LIMIT ?",
            (learner_id, limit),
        )
        return [_session(row) for row in rows]

    def last_won_session(self, learner_id: int, scenario_id: str) -> SessionRecord | None:
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
        state: SessionState,
    ) -> SessionRecord:
        cursor = self.db.execute(
            "INSERT INTO sessions (learner_id, scenario_id, content_version, level, state, mood,"
            " variables, status, turn_count, started_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'active',"
            " ?, ?)",
            (
                learner_id,
                scenario_id,
                content_version,
                level,
                state.state,
                state.mood,
                json.dumps(state.variables),
                state.turn_count,
                now(),
            ),
        )
        created = self.session(int(cursor.lastrowid or 0))
        assert created is not None
        return created

    def save_turn(
        self,
        session: SessionRecord,
        learner_turn: LearnerTurn | None,
        persona_lines: Sequence[str],
        state: SessionState,
    ) -> None:
        seq, stamp = session.seq, now()
        rows = []
        if learner_turn is not None:
            seq += 1
            moves = json.dumps([m.as_dict() for m in learner_turn.moves])
            said = (learner_turn.text, moves, learner_turn.points, learner_turn.state_before)
            rows.append((seq, "learner", *said, state.state))
        for text in persona_lines:
            seq += 1
            rows.append((seq, "persona", text, "[]", 0, None, state.state))
        self.db.conn.executemany(
            "INSERT INTO turns (session_id, seq, role, text, moves, points, state_before,"
            " state_after, mood, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(session.id, *row, state.mood, stamp) for row in rows],
        )
        last_line = persona_lines[-1] if persona_lines else session.last_line
        self.db.execute(
            "UPDATE sessions SET state = ?, mood = ?, variables = ?, turn_count = ?, seq = ?,"
            " last_line = ? WHERE id = ?",
            (
                state.state,
                state.mood,
                json.dumps(state.variables),
                state.turn_count,
                seq,
                last_line,
                session.id,
            ),
        )

    def save_state(self, session: SessionRecord, state: SessionState) -> None:
        self.save_turn(session, None, (), state)

    def end_session(
        self, session_id: int, *, status: str, outcome: str, score: int | None, passed: bool | None
    ) -> None:
        self.db.execute(
            "UPDATE sessions SET status = ?, outcome = ?, score = ?, passed = ?, ended_at = ?"
            " WHERE id = ?",
            (status, outcome, score, None if passed is None else int(passed), now(), session_id),
        )

    # --- turns ----------------------------------------------------------------------

    def turns(self, session_id: int) -> list[TurnRecord]:
        rows = self.db.query(
            "SELECT seq, role, text, moves, points, state_before, state_after, mood FROM turns"
            " WHERE session_id = ? ORDER BY seq",
            (session_id,),
        )
        return [
            TurnRecord(
                seq=row["seq"],
                role=row["role"],
                text=row["text"],
                moves=tuple(ScoredMove.from_dict(m) for m in json.loads(row["moves"] or "[]")),
                points=row["points"] or 0,
                state_before=row["state_before"],
                state_after=row["state_after"],
                mood=row["mood"],
            )
            for row in rows
        ]


def _session(row: dict[str, Any]) -> SessionRecord:
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
    )

"""SQLite storage: the system of record for learners, sessions, turns and inbound ids.

This is the only module that writes SQL. Every write happens inside `transaction()`,
which takes SQLite's write lock up front (BEGIN IMMEDIATE), so one turn at a time is
applied per database even with several threads or processes serving learners.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from bot.storage.base import (
    Backlog,
    InboxItem,
    LearnerRecord,
    LearnerTurn,
    OutboxItem,
    ScoredMove,
    SessionRecord,
    SessionState,
    TurnRecord,
)
from bot.storage.migrations import migrations
from bot.storage.rows import all_rows, learner_record, now, one, session_record
from bot.storage.sqlite_disputes import DisputeTables
from bot.storage.sqlite_teams import TeamTables

BUSY_TIMEOUT_MS = 30_000


class _WriterGate:
    """Writers in one process take turns here instead of in SQLite's busy handler, which
    sleeps in growing steps (up to 100 ms) while another thread holds the write lock. An
    urgent writer (the inbox insert a platform's acknowledgement waits for) goes first."""

    def __init__(self) -> None:
        self._free = threading.Condition()
        self._busy = False
        self._urgent = 0

    @contextmanager
    def held(self, urgent: bool) -> Iterator[None]:
        with self._free:
            self._urgent += urgent
            self._free.wait_for(lambda: not self._busy and (urgent or not self._urgent))
            self._urgent -= urgent
            self._busy = True
        try:
            yield
        finally:
            with self._free:
                self._busy = False
                self._free.notify_all()


_GATES: dict[str, _WriterGate] = {}
_GATES_GUARD = threading.Lock()


def _writer_gate(path: str) -> _WriterGate:
    with _GATES_GUARD:
        return _GATES.setdefault(path, _WriterGate())


class SqliteStore(TeamTables, DisputeTables):
    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._writer = _writer_gate(str(Path(self.path).expanduser().resolve()))
        self._enable_wal()
        with self.transaction():
            # under the write lock, so workers starting together on a new file migrate it once
            migrations.apply(self.db)
            self.sync_vocabulary()

    def _enable_wal(self) -> None:
        """Switch to WAL; the switch ignores the busy timeout, so a worker starting beside
        another one waits for its turn here."""
        deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                self.db.enable_wal()
                return
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01)

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
    def transaction(self, urgent: bool = False) -> Iterator[SqliteStore]:
        """One atomic unit of work holding the write lock from the start.

        A transaction opened inside another joins it: the delivery layer commits a turn and
        the messages that answer it together."""
        conn = self.db.conn
        if conn.in_transaction:
            yield self
            return
        with self._writer.held(urgent):
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
        return one(self.db, sql, params)

    # --- learners -------------------------------------------------------------------

    def learner(self, platform: str, user_id: str, name: str = "") -> LearnerRecord:
        """The learner with this platform identity, created on first sight."""
        query = "SELECT * FROM learners WHERE platform = ? AND user_id = ?"
        row = self._one(query, (platform, user_id))
        if row is None:
            stamp = now()
            person = self.db.execute(
                "INSERT INTO people (name, created_at) VALUES (?, ?)", (name, stamp)
            ).lastrowid
            self.db.execute(
                "INSERT INTO learners (platform, user_id, name, feedback_on, created_at,"
                " person_id) VALUES (?, ?, ?, 1, ?, ?)",
                (platform, user_id, name, stamp, person),
            )
            row = self._one(query, (platform, user_id))
        assert row is not None
        return learner_record(row)

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

    def active_session_of(self, platform: str, user_id: str) -> SessionRecord | None:
        row = self._one(
            "SELECT s.* FROM sessions s JOIN learners l ON l.id = s.learner_id"
            " WHERE l.platform = ? AND l.user_id = ? AND s.status = 'active'"
            " ORDER BY s.id DESC LIMIT 1",
            (platform, user_id),
        )
        return None if row is None else session_record(row)

    def last_session(self, learner_id: int) -> SessionRecord | None:
        return self._session_where("learner_id = ?", (learner_id,))

    def session(self, session_id: int) -> SessionRecord | None:
        return self._session_where("id = ?", (session_id,))

    def _session_where(self, where: str, params: Sequence[Any]) -> SessionRecord | None:
        row = self._one(f"SELECT * FROM sessions WHERE {where} ORDER BY id DESC LIMIT 1", params)
        return None if row is None else session_record(row)

    def sessions(self, learner_id: int, limit: int = 20) -> list[SessionRecord]:
        rows = all_rows(
            self.db,
            "SELECT * FROM sessions WHERE learner_id = ? ORDER BY id DESC LIMIT ?",
            (learner_id, limit),
        )
        return [session_record(row) for row in rows]

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
        mode: str = "practice",
    ) -> SessionRecord:
        cursor = self.db.execute(
            "INSERT INTO sessions (learner_id, scenario_id, content_version, level, state, mood,"
            " variables, status, turn_count, started_at, mode) VALUES (?, ?, ?, ?, ?, ?, ?,"
            " 'active', ?, ?, ?)",
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
                mode,
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
        rows: list[tuple[Any, ...]] = []
        if learner_turn is not None:
            seq += 1
            moves = json.dumps([m.as_dict() for m in learner_turn.moves])
            said = (learner_turn.text, moves, learner_turn.points, learner_turn.state_before)
            rows.append((seq, "learner", *said, state.state))
            self._record_moves(session.id, seq, learner_turn, stamp)
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

    def _record_moves(self, session_id: int, seq: int, said: LearnerTurn, stamp: str) -> None:
        """One row per move made, mistake made or expected move missed: what reports count."""
        made = [
            (m.move, "mistake" if m.points < 0 else "made", m.points, m.quote) for m in said.moves
        ]
        missed = [(move, "missed", 0, said.text) for move in said.missed]
        self.db.conn.executemany(
            "INSERT INTO turn_moves (session_id, seq, move, kind, points, quote, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(session_id, seq, *row, stamp) for row in made + missed],
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
        rows = all_rows(
            self.db,
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

    # --- delivery queues ------------------------------------------------------------

    def receive(
        self,
        platform: str,
        user_id: str,
        name: str,
        message_id: str,
        text: str,
        destination: Mapping[str, Any],
    ) -> bool:
        with self.transaction(urgent=True):
            cursor = self.db.execute(
                "INSERT INTO inbox (platform, user_id, name, message_id, text, destination,"
                " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (platform, user_id, message_id) DO NOTHING",
                (platform, user_id, name, message_id, text, json.dumps(destination), now()),
            )
        return cursor.rowcount == 1

    def next_inbox(self, platform: str, user_id: str) -> InboxItem | None:
        row = self._one(
            "SELECT * FROM inbox WHERE status = 'pending' AND platform = ? AND user_id = ?"
            " ORDER BY id LIMIT 1",
            (platform, user_id),
        )
        return None if row is None else _inbox(row)

    def finish_inbox(self, item_id: int, status: str, error: str | None = None) -> None:
        self.db.execute(
            "UPDATE inbox SET status = ?, error = ?, done_at = ? WHERE id = ?",
            (status, error, now(), item_id),
        )

    def count_attempt(self, item_id: int, error: str) -> int:
        with self.transaction():
            self.db.execute(
                "UPDATE inbox SET attempts = attempts + 1, error = ? WHERE id = ?",
                (error, item_id),
            )
            row = self._one("SELECT attempts FROM inbox WHERE id = ?", (item_id,))
        return 0 if row is None else int(row["attempts"])

    def enqueue(self, item: InboxItem, payloads: Sequence[Mapping[str, Any]]) -> None:
        stamp = time.time()
        destination = json.dumps(item.destination)
        self.db.conn.executemany(
            "INSERT INTO outbox (inbox_id, platform, user_id, position, destination, payload,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (item.id, item.platform, item.user_id, n, destination, json.dumps(p), stamp)
                for n, p in enumerate(payloads)
            ],
        )

    def claim_outbox(
        self, platform: str, user_id: str, worker: str, now: float, stale_before: float
    ) -> OutboxItem | None:
        with self.transaction():
            row = self._one(
                "SELECT * FROM outbox WHERE platform = ? AND user_id = ?"
                " AND status IN ('pending', 'sending') ORDER BY id LIMIT 1",
                (platform, user_id),
            )
            if row is None or row["next_attempt_at"] > now:
                return None
            if row["status"] == "sending" and row["claimed_at"] >= stale_before:
                return None  # another worker is sending it; order forbids overtaking
            self.db.execute(
                "UPDATE outbox SET status = 'sending', claimed_by = ?, claimed_at = ?,"
                " attempts = attempts + 1 WHERE id = ?",
                (worker, now, row["id"]),
            )
        return _outbox({**row, "status": "sending", "attempts": row["attempts"] + 1})

    def delivered_before(self, item: OutboxItem) -> list[OutboxItem]:
        rows = all_rows(
            self.db,
            "SELECT * FROM outbox WHERE inbox_id = ? AND position < ? AND status = 'sent'"
            " ORDER BY position",
            (item.inbox_id, item.position),
        )
        return [_outbox(row) for row in rows]

    def mark_sent(self, item_id: int, platform_id: str, now: float) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET status = 'sent', platform_id = ?, sent_at = ?, error = NULL"
                " WHERE id = ?",
                (platform_id, now, item_id),
            )

    def mark_retry(self, item_id: int, error: str, next_attempt_at: float) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET status = 'pending', claimed_by = NULL, error = ?,"
                " next_attempt_at = ? WHERE id = ?",
                (error, next_attempt_at, item_id),
            )

    def mark_failed(self, item_id: int, error: str) -> None:
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET status = 'failed', error = ? WHERE id = ?", (error, item_id)
            )

    def due_learners(self, platform: str, now: float, stale_before: float) -> list[str]:
        rows = all_rows(
            self.db,
            "SELECT user_id FROM inbox WHERE status = 'pending' AND platform = ?"
            " UNION SELECT user_id FROM outbox WHERE platform = ?"
            " AND ((status = 'pending' AND next_attempt_at <= ?)"
            " OR (status = 'sending' AND claimed_at < ?))",
            (platform, platform, now, stale_before),
        )
        return [row["user_id"] for row in rows]

    def claimers(self) -> list[str]:
        rows = all_rows(
            self.db,
            "SELECT DISTINCT claimed_by FROM outbox WHERE status = 'sending'"
            " AND claimed_by IS NOT NULL",
        )
        return [row["claimed_by"] for row in rows]

    def release_claims(self, worker: str) -> None:
        """Claims a dead worker left: its messages go back to the queue at once."""
        with self.transaction():
            self.db.execute(
                "UPDATE outbox SET status = 'pending', claimed_by = NULL"
                " WHERE status = 'sending' AND claimed_by = ?",
                (worker,),
            )

    def backlog(self, platform: str | None = None) -> Backlog:
        where, params = ("platform = ?", [platform]) if platform else ("1", [])

        def count(table: str, status: str) -> int:
            return self.count(table, f"{where} AND status = ?", [*params, status])

        return Backlog(
            inbox_pending=count("inbox", "pending"),
            outbox_pending=count("outbox", "pending") + count("outbox", "sending"),
            outbox_failed=count("outbox", "failed"),
            inbox_failed=count("inbox", "failed"),
        )


def _inbox(row: dict[str, Any]) -> InboxItem:
    return InboxItem(
        id=row["id"],
        platform=row["platform"],
        user_id=row["user_id"],
        name=row["name"],
        message_id=row["message_id"],
        text=row["text"],
        destination=json.loads(row["destination"]),
        status=row["status"],
        attempts=row["attempts"],
    )


def _outbox(row: dict[str, Any]) -> OutboxItem:
    return OutboxItem(
        id=row["id"],
        inbox_id=row["inbox_id"],
        platform=row["platform"],
        user_id=row["user_id"],
        position=row["position"],
        destination=json.loads(row["destination"]),
        payload=json.loads(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
        platform_id=row["platform_id"],
        created_at=row["created_at"],
    )

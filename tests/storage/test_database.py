from __future__ import annotations

import json
import multiprocessing
import sqlite3
import threading
from pathlib import Path

from sqlite_utils import Database

from bot.storage.base import LearnerTurn, ScoredMove, SessionState, default_db_path
from bot.storage.migrations import migrations
from bot.storage.sqlite import SqliteStore


def test_schema_is_migrated_once_and_wal_is_on(db_path: Path) -> None:
    SqliteStore(db_path).close()
    store = SqliteStore(db_path)  # applying migrations again is a no-op
    tables = set(store.db.table_names())
    assert {"learners", "sessions", "turns", "inbound", "_sqlite_migrations"} <= tables
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    applied = store.count("_sqlite_migrations")
    assert applied == len(list(migrations.pending(Database(":memory:"))))  # each once


def _open_at_barrier(path: str, barrier) -> str:
    barrier.wait()
    try:
        SqliteStore(path).close()
    except sqlite3.Error as error:
        return repr(error)
    return "ok"


def test_workers_starting_together_on_a_new_file_migrate_it_once(tmp_path: Path) -> None:
    # separate processes: the in-process writer gate cannot help them, only SQLite's lock can
    context = multiprocessing.get_context("spawn")
    for attempt in range(3):
        path = str(tmp_path / f"new-{attempt}.db")
        with context.Manager() as manager, context.Pool(4) as pool:
            barrier = manager.Barrier(4)
            assert pool.starmap(_open_at_barrier, [(path, barrier)] * 4) == ["ok"] * 4
        applied = Database(path)["_sqlite_migrations"].count
        assert applied == len(list(migrations.pending(Database(":memory:"))))


def test_learners_are_unique_per_platform_identity(store: SqliteStore) -> None:
    with store.transaction():
        a = store.learner("slack", "T1:U1", "Ann")
        again = store.learner("slack", "T1:U1", "Ann")
        other = store.learner("telegram", "T1:U1", "Ann")
    assert a.id == again.id != other.id


def test_a_failed_transaction_leaves_nothing(store: SqliteStore) -> None:
    try:
        with store.transaction():
            store.learner("slack", "U9")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert store.count("learners") == 0


def test_turns_keep_moves_and_states(store: SqliteStore) -> None:
    with store.transaction():
        learner = store.learner("t", "u")
        session = store.create_session(
            learner.id, "s", "v1", "normal", SessionState("opening", 0, {}, 0)
        )
        store.save_turn(session, None, ["Hello?"], SessionState("opening", 0, {}, 0))
        session = store.session(session.id)
        moves = (ScoredMove("acknowledge", 1, 0, 4, "fair", "r"),)
        said = LearnerTurn("fair point", moves, 1, "opening")
        store.save_turn(session, said, ["Go on."], SessionState("discovery", 1, {}, 1))
    opening, turn, reply = store.turns(session.id)
    assert (opening.role, opening.seq, reply.role, reply.seq) == ("persona", 1, "persona", 3)
    assert (turn.role, turn.moves, turn.state_before, turn.state_after, turn.mood) == (
        "learner",
        moves,
        "opening",
        "discovery",
        1,
    )
    saved = store.session(session.id)
    assert (saved.seq, saved.last_line, saved.turn_count, saved.state) == (
        3,
        "Go on.",
        1,
        "discovery",
    )


def test_write_lock_serialises_concurrent_transactions(db_path: Path) -> None:
    store = SqliteStore(db_path)
    with store.transaction():
        learner = store.learner("t", "u")
        sid = store.create_session(learner.id, "s", "v", "n", SessionState("a", 0, {"n": 0}, 0)).id
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with store.transaction():
                    session = store.session(sid)
                    n = session.variables["n"] + 1
                    store.save_state(session, SessionState("a", 0, {"n": n}, n))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.session(sid).variables["n"] == 100  # no lost update


def test_old_sessions_move_seq_and_last_line_out_of_variables(db_path: Path) -> None:
    db = Database(db_path)
    migrations.apply(db, stop_before="m002_session_position")
    db["learners"].insert({"id": 1, "platform": "t", "user_id": "u", "created_at": "x"})
    variables = {"flags": ["a"], "seq": 7, "last_line": "Anything else?"}
    db["sessions"].insert(
        {"id": 1, "learner_id": 1, "scenario_id": "s", "state": "q", "status": "active"}
        | {"variables": json.dumps(variables)}
    )
    db.close()
    session = SqliteStore(db_path).session(1)
    assert (session.seq, session.last_line, session.variables) == (
        7,
        "Anything else?",
        {"flags": ["a"]},
    )


def test_default_location_honours_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ROLEPLAY_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"
    monkeypatch.delenv("ROLEPLAY_DB")
    assert default_db_path().name == "roleplay.db"
    assert ".local/share/roleplay" in str(default_db_path())


def test_the_file_is_an_ordinary_sqlite_database(db_path: Path) -> None:
    SqliteStore(db_path).close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone() == (0,)

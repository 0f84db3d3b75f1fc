from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from bot.storage.sqlite import Store, default_db_path


def test_schema_is_migrated_once_and_wal_is_on(db_path: Path) -> None:
    Store(db_path).close()
    store = Store(db_path)  # applying migrations again is a no-op
    tables = set(store.db.table_names())
    assert {"learners", "sessions", "turns", "inbound", "_sqlite_migrations"} <= tables
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert store.db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == 1


def test_learners_are_unique_per_platform_identity(store: Store) -> None:
    with store.transaction():
        a = store.learner("slack", "T1:U1", "Ann")
        again = store.learner("slack", "T1:U1", "Ann")
        other = store.learner("telegram", "T1:U1", "Ann")
    assert a.id == again.id != other.id


def test_a_failed_transaction_leaves_nothing(store: Store) -> None:
    try:
        with store.transaction():
            store.learner("slack", "U9")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    assert store.db.execute("SELECT count(*) FROM learners").fetchone()[0] == 0


def test_turns_keep_moves_and_states(store: Store) -> None:
    with store.transaction():
        learner = store.learner("t", "u")
        sid = store.create_session(learner.id, "s", "v1", "normal", "opening", 0, {})
        moves = [
            {"move": "acknowledge", "points": 1, "quote": "fair", "start": 0, "end": 4, "rule": "r"}
        ]
        store.add_turn(
            sid,
            1,
            "learner",
            "fair point",
            moves=moves,
            points=1,
            state_before="opening",
            state_after="discovery",
            mood=1,
        )
    [turn] = store.turns(sid)
    assert (turn.role, turn.moves, turn.state_before, turn.state_after) == (
        "learner",
        moves,
        "opening",
        "discovery",
    )


def test_write_lock_serialises_concurrent_transactions(db_path: Path) -> None:
    store = Store(db_path)
    with store.transaction():
        sid = store.create_session(store.learner("t", "u").id, "s", "v", "n", "a", 0, {"n": 0})
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                with store.transaction():
                    session = store.session(sid)
                    n = session.variables["n"] + 1
                    store.update_session(sid, state="a", mood=0, variables={"n": n}, turn_count=n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert store.session(sid).variables["n"] == 100  # no lost update


def test_default_location_honours_environment(monkeypatch, tmp_path: Path) -> None:
    monkeypatch.setenv("ROLEPLAY_DB", str(tmp_path / "x.db"))
    assert default_db_path() == tmp_path / "x.db"
    monkeypatch.delenv("ROLEPLAY_DB")
    assert default_db_path().name == "roleplay.db"
    assert ".local/share/roleplay" in str(default_db_path())


def test_the_file_is_an_ordinary_sqlite_database(db_path: Path) -> None:
    Store(db_path).close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT count(*) FROM sessions").fetchone() == (0,)

"""Move simulated history into the past: the engine stamps every row with now().

Only the harness fabricates history. A session played today is given its planned date by
rewriting the stamps of its rows (session, turns, moves, the completion and certificate it
earned), so reports see a realistic spread of weeks."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.storage.sqlite import SqliteStore

SECONDS_PER_TURN = 25


def stamp(moment: datetime) -> str:
    """The store's timestamp format (see bot.storage.rows.now)."""
    return moment.isoformat(timespec="milliseconds")


def backdate_session(store: SqliteStore, session_id: int, started: datetime) -> None:
    """Give session `session_id` and everything it wrote the start time `started`, one
    turn every SECONDS_PER_TURN seconds. Call inside a transaction."""
    db = store.db
    seqs = [
        row["seq"] for row in db.query("SELECT seq FROM turns WHERE session_id = ?", [session_id])
    ]
    at = {seq: stamp(started + timedelta(seconds=SECONDS_PER_TURN * seq)) for seq in seqs}
    db.conn.executemany(
        "UPDATE turns SET created_at = ? WHERE session_id = ? AND seq = ?",
        [(when, session_id, seq) for seq, when in at.items()],
    )
    db.conn.executemany(
        "UPDATE turn_moves SET created_at = ? WHERE session_id = ? AND seq = ?",
        [(when, session_id, seq) for seq, when in at.items()],
    )
    ended = stamp(started + timedelta(seconds=SECONDS_PER_TURN * (max(seqs, default=0) + 1)))
    db.execute(
        "UPDATE sessions SET started_at = ?, ended_at = CASE WHEN ended_at IS NULL THEN NULL"
        " ELSE ? END WHERE id = ?",
        (stamp(started), ended, session_id),
    )
    db.execute("UPDATE completions SET completed_at = ? WHERE session_id = ?", (ended, session_id))
    db.execute("UPDATE certificates SET certified_at = ? WHERE session_id = ?", (ended, session_id))


def backdate_assignment(store: SqliteStore, assignment_id: int, created: datetime) -> None:
    store.db.execute(
        "UPDATE assignments SET created_at = ? WHERE id = ?", (stamp(created), assignment_id)
    )


def backdate_people(store: SqliteStore, person_ids: list[int], joined: datetime) -> None:
    """The people, their accounts and their team memberships date from `joined`."""
    when = stamp(joined)
    for table, column, key in (
        ("people", "created_at", "id"),
        ("learners", "created_at", "person_id"),
        ("team_members", "added_at", "person_id"),
    ):
        store.db.conn.executemany(
            f"UPDATE {table} SET {column} = ? WHERE {key} = ?", [(when, p) for p in person_ids]
        )

"""Schema migrations. A merged migration is never edited: add a new one instead."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("roleplay")


@migrations()
def m001_initial(db: Database) -> None:
    db.table("learners").create(
        {
            "id": int,
            "platform": str,
            "user_id": str,
            "name": str,
            "feedback_on": int,
            "created_at": str,
        },
        pk="id",
        not_null={"platform", "user_id"},
        defaults={"feedback_on": 1},
    )
    db.table("learners").create_index(["platform", "user_id"], unique=True)
    db.table("sessions").create(
        {
            "id": int,
            "learner_id": int,
            "scenario_id": str,
            "content_version": str,
            "level": str,
            "state": str,
            "mood": int,
            "variables": str,
            "status": str,
            "outcome": str,
            "score": int,
            "passed": int,
            "turn_count": int,
            "started_at": str,
            "ended_at": str,
        },
        pk="id",
        foreign_keys=[("learner_id", "learners", "id")],
        not_null={"learner_id", "scenario_id", "state", "status"},
    )
    db.table("sessions").create_index(["learner_id", "status"])
    db.table("turns").create(
        {
            "id": int,
            "session_id": int,
            "seq": int,
            "role": str,
            "text": str,
            "moves": str,
            "points": int,
            "state_before": str,
            "state_after": str,
            "mood": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("session_id", "sessions", "id")],
        not_null={"session_id", "seq", "role", "text"},
    )
    db.table("turns").create_index(["session_id", "seq"], unique=True)
    db.table("inbound").create(
        {"learner_id": int, "message_id": str, "reply": str, "created_at": str},
        pk=("learner_id", "message_id"),
    )


@migrations()
def m002_session_position(db: Database) -> None:
    """The turn counter and the buyer's last line move out of the conversation's variables."""
    db.table("sessions").add_column("seq", int, not_null_default=0)
    db.table("sessions").add_column("last_line", str, not_null_default="")
    db.execute(
        "UPDATE sessions SET seq = COALESCE(json_extract(variables, '$.seq'), 0),"
        " last_line = COALESCE(json_extract(variables, '$.last_line'), ''),"
        " variables = json_remove(variables, '$.seq', '$.last_line')"
    )


@migrations()
def m003_inbox_outbox(db: Database) -> None:
    """The durable queues under every chat surface (see bot/delivery/)."""
    db.execute(
        """CREATE TABLE inbox (
            id INTEGER PRIMARY KEY,
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL DEFAULT '',
            message_id TEXT NOT NULL,
            text TEXT NOT NULL,
            destination TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            received_at TEXT NOT NULL,
            done_at TEXT,
            UNIQUE (platform, user_id, message_id)
        )"""
    )
    db.execute("CREATE INDEX inbox_pending ON inbox (status, platform, user_id, id)")
    db.execute(
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            inbox_id INTEGER NOT NULL REFERENCES inbox (id),
            platform TEXT NOT NULL,
            user_id TEXT NOT NULL,
            position INTEGER NOT NULL,
            destination TEXT NOT NULL,
            payload TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'pending',
            attempts INTEGER NOT NULL DEFAULT 0,
            claimed_by TEXT,
            claimed_at REAL,
            next_attempt_at REAL NOT NULL DEFAULT 0,
            platform_id TEXT,
            error TEXT,
            created_at REAL NOT NULL,
            sent_at REAL,
            UNIQUE (inbox_id, position)
        )"""
    )
    db.execute("CREATE INDEX outbox_open ON outbox (status, platform, user_id, id)")

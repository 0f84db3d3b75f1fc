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


@migrations()
def m004_teams(db: Database) -> None:
    """People, teams, assignments, certificates, one row per scored or missed move, and the
    move vocabulary as a table (refreshed from moves.yaml whenever the store opens).

    A person is a rep across platforms: every learner identity belongs to one, and an admin
    links identities (`roleplay team link`) by pointing them at the same person."""
    db.execute(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT '',"
        " created_at TEXT NOT NULL)"
    )
    db.execute("ALTER TABLE learners ADD COLUMN person_id INTEGER REFERENCES people (id)")
    db.execute(
        "INSERT INTO people (id, name, created_at)"
        " SELECT id, COALESCE(name, ''), COALESCE(created_at, '') FROM learners"
    )
    db.execute("UPDATE learners SET person_id = id")
    db.execute("CREATE INDEX learners_person ON learners (person_id)")
    db.execute("ALTER TABLE sessions ADD COLUMN mode TEXT NOT NULL DEFAULT 'practice'")
    db.execute("CREATE INDEX sessions_scenario ON sessions (scenario_id, status)")
    db.execute(
        """CREATE TABLE teams (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            leaderboard INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE team_members (
            team_id INTEGER NOT NULL REFERENCES teams (id),
            person_id INTEGER NOT NULL REFERENCES people (id),
            role TEXT NOT NULL CHECK (role IN ('rep', 'manager')),
            added_at TEXT NOT NULL,
            PRIMARY KEY (team_id, person_id, role)
        )"""
    )
    db.execute("CREATE INDEX team_members_person ON team_members (person_id, role)")
    db.execute(
        """CREATE TABLE assignments (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES teams (id),
            scenario_id TEXT NOT NULL,
            level TEXT NOT NULL,
            due_at TEXT NOT NULL,
            pass_mark INTEGER NOT NULL,
            min_attempts INTEGER NOT NULL DEFAULT 1,
            exam INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        """CREATE TABLE assignment_people (
            assignment_id INTEGER NOT NULL REFERENCES assignments (id),
            person_id INTEGER NOT NULL REFERENCES people (id),
            PRIMARY KEY (assignment_id, person_id)
        )"""
    )
    db.execute(
        """CREATE TABLE completions (
            assignment_id INTEGER NOT NULL REFERENCES assignments (id),
            person_id INTEGER NOT NULL REFERENCES people (id),
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            completed_at TEXT NOT NULL,
            PRIMARY KEY (assignment_id, person_id)
        )"""
    )
    db.execute(
        """CREATE TABLE reminders (
            assignment_id INTEGER NOT NULL REFERENCES assignments (id),
            person_id INTEGER NOT NULL REFERENCES people (id),
            sent_at TEXT NOT NULL,
            PRIMARY KEY (assignment_id, person_id)
        )"""
    )
    db.execute(
        """CREATE TABLE certificates (
            person_id INTEGER NOT NULL REFERENCES people (id),
            scenario_id TEXT NOT NULL,
            level TEXT NOT NULL,
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            score INTEGER NOT NULL,
            certified_at TEXT NOT NULL,
            PRIMARY KEY (person_id, scenario_id, level)
        )"""
    )
    db.execute(
        """CREATE TABLE turn_moves (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            seq INTEGER NOT NULL,
            move TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('made', 'mistake', 'missed')),
            points INTEGER NOT NULL,
            quote TEXT NOT NULL,
            created_at TEXT NOT NULL
        )"""
    )
    db.execute(
        "CREATE TABLE moves (id TEXT PRIMARY KEY, label TEXT NOT NULL, skill TEXT NOT NULL,"
        " skill_name TEXT NOT NULL, polarity TEXT NOT NULL, technique TEXT NOT NULL,"
        " link TEXT NOT NULL, tip TEXT NOT NULL)"
    )
    db.execute("CREATE INDEX turn_moves_session ON turn_moves (session_id, kind)")
    db.execute("CREATE INDEX turn_moves_move ON turn_moves (move, kind)")
    db.execute(
        "INSERT INTO turn_moves (session_id, seq, move, kind, points, quote, created_at)"
        " SELECT t.session_id, t.seq, json_extract(m.value, '$.move'),"
        " CASE WHEN json_extract(m.value, '$.points') < 0 THEN 'mistake' ELSE 'made' END,"
        " json_extract(m.value, '$.points'), COALESCE(json_extract(m.value, '$.quote'), ''),"
        " t.created_at FROM turns t, json_each(t.moves) m WHERE t.role = 'learner'"
    )


@migrations()
def m005_disputes(db: Database) -> None:
    """A rep contests a turn's scoring; a reviewer confirms or corrects it. The turn's own
    score is never rewritten: the correction sits beside it."""
    db.execute(
        """CREATE TABLE disputes (
            id INTEGER PRIMARY KEY,
            learner_id INTEGER NOT NULL REFERENCES learners (id),
            session_id INTEGER NOT NULL REFERENCES sessions (id),
            seq INTEGER NOT NULL,
            scenario_id TEXT NOT NULL,
            buyer TEXT NOT NULL,
            reply TEXT NOT NULL,
            moves TEXT NOT NULL,
            points INTEGER NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open', 'confirmed', 'corrected')),
            corrected_moves TEXT,
            reviewer TEXT,
            created_at TEXT NOT NULL,
            reviewed_at TEXT,
            UNIQUE (session_id, seq)
        )"""
    )
    db.execute("CREATE INDEX disputes_status ON disputes (status, id)")


@migrations()
def m006_report_indexes(db: Database) -> None:
    """Indexes the team report needs at 200 reps and 20,000 sessions (`roleplay team-bench`).

    A rep's attempts at one scenario are found from the rep, not by scanning every session
    of that scenario; a session's moves are read from the index alone (it covers kind, move
    and points), which makes the older (session_id, kind) index a redundant prefix."""
    db.execute(
        "CREATE INDEX sessions_learner_scenario ON sessions (learner_id, scenario_id, level)"
    )
    db.execute(
        "CREATE INDEX turn_moves_session_cover ON turn_moves (session_id, kind, move, points)"
    )
    db.execute("DROP INDEX turn_moves_session")

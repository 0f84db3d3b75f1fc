"""The team side of the SQLite store: people, teams, assignments, certificates, reports.

A mixin of `SqliteStore` (one connection, one transaction); kept apart so the learner's
own tables and the manager's stay readable."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.storage.base import (
    AssignmentRecord,
    CertificateRecord,
    DueReminder,
    LearnerRecord,
    SessionRecord,
    TeamRecord,
)
from bot.storage.rows import all_rows, learner_record, now, one, session_record
from bot.vocabulary import vocabulary

if TYPE_CHECKING:
    from sqlite_utils import Database

COUNTED = "s.status = 'ended' AND COALESCE(s.outcome, '') NOT IN ('', 'abandoned')"


class TeamTables:
    @property
    def db(self) -> Database:
        raise NotImplementedError  # the store's own connection

    def sync_vocabulary(self) -> None:
        """The `moves` table mirrors moves.yaml, so reports and the dashboard can join it."""
        vocab = vocabulary()
        self.db.execute("DELETE FROM moves")
        self.db.conn.executemany(
            "INSERT INTO moves (id, label, skill, skill_name, polarity, technique, link, tip)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    m.id,
                    m.label,
                    m.skill,
                    vocab.skills[m.skill],
                    m.polarity,
                    m.technique.name,
                    m.technique.link,
                    m.tip,
                )
                for m in vocab.moves.values()
            ],
        )

    # --- people ---------------------------------------------------------------------

    def find_learner(self, platform: str, user_id: str) -> LearnerRecord | None:
        row = one(
            self.db,
            "SELECT * FROM learners WHERE platform = ? AND user_id = ?",
            (platform, user_id),
        )
        return None if row is None else learner_record(row)

    def person_name(self, person_id: int) -> str:
        row = one(self.db, "SELECT name FROM people WHERE id = ?", (person_id,))
        return "" if row is None else row["name"]

    def find_people(self, name: str) -> list[int]:
        rows = all_rows(
            self.db,
            "SELECT id FROM people WHERE name = ? COLLATE NOCASE ORDER BY id",
            (name.strip(),),
        )
        return [row["id"] for row in rows]

    def person_sessions(self, person_id: int, limit: int = 20) -> list[SessionRecord]:
        rows = all_rows(
            self.db,
            "SELECT s.* FROM sessions s JOIN learners l ON l.id = s.learner_id"
            " WHERE l.person_id = ? ORDER BY s.started_at DESC, s.id DESC LIMIT ?",
            (person_id, limit),
        )
        return [session_record(row) for row in rows]

    def merge_person(self, source: int, target: int) -> None:
        """Fold person `source` into `target`: identities, teams, assignments, certificates."""
        self.db.execute("UPDATE learners SET person_id = ? WHERE person_id = ?", (target, source))
        for table, columns in PERSON_TABLES.items():
            self.db.execute(
                f"INSERT OR IGNORE INTO {table} (person_id, {columns})"
                f" SELECT ?, {columns} FROM {table} WHERE person_id = ?",
                (target, source),
            )
            self.db.execute(f"DELETE FROM {table} WHERE person_id = ?", (source,))
        self.db.execute("DELETE FROM people WHERE id = ?", (source,))

    # --- teams ----------------------------------------------------------------------

    def team(self, name: str) -> TeamRecord | None:
        row = one(self.db, "SELECT * FROM teams WHERE name = ? COLLATE NOCASE", (name,))
        return None if row is None else _team(row)

    def create_team(self, name: str) -> TeamRecord:
        self.db.execute(
            "INSERT INTO teams (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING",
            (name, now()),
        )
        team = self.team(name)
        assert team is not None
        return team

    def set_leaderboard(self, team_id: int, on: bool) -> None:
        self.db.execute("UPDATE teams SET leaderboard = ? WHERE id = ?", (int(on), team_id))

    def add_member(self, team_id: int, person_id: int, role: str) -> None:
        self.db.execute(
            "INSERT INTO team_members (team_id, person_id, role, added_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (team_id, person_id, role, now()),
        )

    def remove_member(self, team_id: int, person_id: int, role: str) -> None:
        self.db.execute(
            "DELETE FROM team_members WHERE team_id = ? AND person_id = ? AND role = ?",
            (team_id, person_id, role),
        )

    def teams_of(self, person_id: int, role: str) -> list[TeamRecord]:
        rows = all_rows(
            self.db,
            "SELECT t.* FROM teams t JOIN team_members m ON m.team_id = t.id"
            " WHERE m.person_id = ? AND m.role = ? ORDER BY t.name",
            (person_id, role),
        )
        return [_team(row) for row in rows]

    def manages(self, manager_id: int, person_id: int) -> bool:
        row = one(
            self.db,
            "SELECT 1 FROM team_members boss JOIN team_members rep ON rep.team_id = boss.team_id"
            " WHERE boss.person_id = ? AND boss.role = 'manager'"
            " AND rep.person_id = ? AND rep.role = 'rep' LIMIT 1",
            (manager_id, person_id),
        )
        return row is not None

    # --- assignments ----------------------------------------------------------------

    def add_assignment(
        self,
        team_id: int,
        scenario_id: str,
        level: str,
        due_at: str,
        pass_mark: int,
        min_attempts: int,
        exam: bool,
        people: Sequence[int] = (),
    ) -> AssignmentRecord:
        cursor = self.db.execute(
            "INSERT INTO assignments (team_id, scenario_id, level, due_at, pass_mark,"
            " min_attempts, exam, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (team_id, scenario_id, level, due_at, pass_mark, min_attempts, int(exam), now()),
        )
        assignment_id = int(cursor.lastrowid or 0)
        self.db.conn.executemany(
            "INSERT INTO assignment_people (assignment_id, person_id) VALUES (?, ?)",
            [(assignment_id, p) for p in people],
        )
        row = one(self.db, ASSIGNMENT + " WHERE a.id = ?", (assignment_id,))
        assert row is not None
        return _assignment(row)

    def open_assignments(self, person_id: int) -> list[AssignmentRecord]:
        rows = all_rows(
            self.db,
            ASSIGNMENT + " JOIN team_members m ON m.team_id = a.team_id AND m.role = 'rep'"
            " WHERE m.person_id = :person"
            " AND (NOT EXISTS (SELECT 1 FROM assignment_people x WHERE x.assignment_id = a.id)"
            "  OR EXISTS (SELECT 1 FROM assignment_people x WHERE x.assignment_id = a.id"
            "   AND x.person_id = :person))"
            " AND NOT EXISTS (SELECT 1 FROM completions c WHERE c.assignment_id = a.id"
            "  AND c.person_id = :person)"
            " ORDER BY a.due_at, a.id",
            {"person": person_id},
        )
        return [_assignment(row) for row in rows]

    def attempts(
        self, person_id: int, scenario_id: str, level: str, since: str, exam_only: bool
    ) -> list[SessionRecord]:
        mode = " AND s.mode = 'exam'" if exam_only else ""
        rows = all_rows(
            self.db,
            "SELECT s.* FROM sessions s JOIN learners l ON l.id = s.learner_id"
            f" WHERE l.person_id = ? AND s.scenario_id = ? AND s.level = ? AND {COUNTED}"
            f" AND s.started_at >= ?{mode} ORDER BY s.id",
            (person_id, scenario_id, level, since),
        )
        return [session_record(row) for row in rows]

    def complete(self, assignment_id: int, person_id: int, session_id: int) -> None:
        self.db.execute(
            "INSERT INTO completions (assignment_id, person_id, session_id, completed_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
            (assignment_id, person_id, session_id, now()),
        )

    def certify(
        self, person_id: int, scenario_id: str, level: str, session_id: int, score: int
    ) -> None:
        """A later pass of the same exam renews the certificate's date and score."""
        self.db.execute(
            "INSERT INTO certificates (person_id, scenario_id, level, session_id, score,"
            " certified_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET"
            " session_id = excluded.session_id, score = excluded.score,"
            " certified_at = excluded.certified_at",
            (person_id, scenario_id, level, session_id, score, now()),
        )

    def certificates(self, person_id: int) -> list[CertificateRecord]:
        rows = all_rows(
            self.db,
            "SELECT * FROM certificates WHERE person_id = ? ORDER BY certified_at DESC",
            (person_id,),
        )
        return [CertificateRecord(**row) for row in rows]

    def due_reminders(self, platform: str, today: str, until: str) -> list[DueReminder]:
        rows = all_rows(
            self.db, DUE_REMINDERS, {"platform": platform, "today": today, "until": until}
        )
        return [DueReminder(**row) for row in rows]

    def mark_reminded(self, assignment_id: int, person_id: int) -> bool:
        cursor = self.db.execute(
            "INSERT INTO reminders (assignment_id, person_id, sent_at) VALUES (?, ?, ?)"
            " ON CONFLICT DO NOTHING",
            (assignment_id, person_id, now()),
        )
        return cursor.rowcount == 1

    def read(self, sql: str, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        return all_rows(self.db, sql, dict(params))


PERSON_TABLES = {
    "team_members": "team_id, role, added_at",
    "assignment_people": "assignment_id",
    "completions": "assignment_id, session_id, completed_at",
    "reminders": "assignment_id, sent_at",
    "certificates": "scenario_id, level, session_id, score, certified_at",
}
# A linked person is reminded once, where they practised last (else where they joined last).
DUE_REMINDERS = """
WITH open_pairs AS (
  SELECT a.id AS assignment_id, m.person_id, a.scenario_id, a.due_at
  FROM assignments a
  JOIN team_members m ON m.team_id = a.team_id AND m.role = 'rep'
  WHERE a.due_at BETWEEN :today AND :until
    AND (NOT EXISTS (SELECT 1 FROM assignment_people x WHERE x.assignment_id = a.id)
      OR EXISTS (SELECT 1 FROM assignment_people x
                 WHERE x.assignment_id = a.id AND x.person_id = m.person_id))
    AND NOT EXISTS (SELECT 1 FROM completions c
                    WHERE c.assignment_id = a.id AND c.person_id = m.person_id)
    AND NOT EXISTS (SELECT 1 FROM reminders r
                    WHERE r.assignment_id = a.id AND r.person_id = m.person_id)
),
practised AS (
  SELECT l.*, (SELECT MAX(s.started_at) FROM sessions s WHERE s.learner_id = l.id) AS last
  FROM learners l
  WHERE l.person_id IN (SELECT person_id FROM open_pairs)
),
latest AS (
  SELECT person_id, platform, user_id, name,
    ROW_NUMBER() OVER (PARTITION BY person_id
      ORDER BY last IS NULL, last DESC, created_at DESC, id DESC) AS rank
  FROM practised
)
SELECT o.assignment_id, o.person_id, l.user_id, l.name, o.scenario_id, o.due_at
FROM open_pairs o JOIN latest l ON l.person_id = o.person_id AND l.rank = 1
WHERE l.platform = :platform
ORDER BY o.due_at, o.assignment_id, o.person_id
"""
ASSIGNMENT = "SELECT a.*, t.name AS team FROM assignments a JOIN teams t ON t.id = a.team_id"


def _team(row: Mapping[str, Any]) -> TeamRecord:
    return TeamRecord(row["id"], row["name"], bool(row["leaderboard"]))


def _assignment(row: Mapping[str, Any]) -> AssignmentRecord:
    return AssignmentRecord(
        id=row["id"],
        team_id=row["team_id"],
        team=row["team"],
        scenario_id=row["scenario_id"],
        level=row["level"],
        due_at=row["due_at"],
        pass_mark=row["pass_mark"],
        min_attempts=row["min_attempts"],
        exam=bool(row["exam"]),
        created_at=row["created_at"],
    )

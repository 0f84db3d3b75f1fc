"""The disputes table of the SQLite store (a mixin of `SqliteStore`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from bot.storage.base import DisputeRecord, ScoredMove, SessionRecord, TurnRecord
from bot.storage.rows import all_rows, now, one

if TYPE_CHECKING:
    from sqlite_utils import Database


class DisputeTables:
    @property
    def db(self) -> Database:
        raise NotImplementedError  # the store's own connection

    def dispute_turn(
        self, learner_id: int, session: SessionRecord, turn: TurnRecord, buyer: str, note: str
    ) -> DisputeRecord:
        moves = json.dumps([m.as_dict() for m in turn.moves])
        self.db.execute(
            "INSERT INTO disputes (learner_id, session_id, seq, scenario_id, buyer, reply, moves,"
            " points, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (session_id, seq) DO UPDATE SET note = excluded.note",
            (
                learner_id,
                session.id,
                turn.seq,
                session.scenario_id,
                buyer,
                turn.text,
                moves,
                turn.points,
                note,
                now(),
            ),
        )
        row = one(
            self.db,
            "SELECT * FROM disputes WHERE session_id = ? AND seq = ?",
            (session.id, turn.seq),
        )
        assert row is not None
        return _dispute(row)

    def disputes(self, status: str | None = None) -> list[DisputeRecord]:
        where, params = ("WHERE status = ?", [status]) if status else ("", [])
        rows = all_rows(self.db, f"SELECT * FROM disputes {where} ORDER BY id", params)
        return [_dispute(row) for row in rows]

    def dispute(self, dispute_id: int) -> DisputeRecord | None:
        row = one(self.db, "SELECT * FROM disputes WHERE id = ?", (dispute_id,))
        return None if row is None else _dispute(row)

    def review_dispute(
        self, dispute_id: int, status: str, moves: Sequence[str] | None, reviewer: str
    ) -> None:
        self.db.execute(
            "UPDATE disputes SET status = ?, corrected_moves = ?, reviewer = ?, reviewed_at = ?"
            " WHERE id = ?",
            (
                status,
                None if moves is None else json.dumps(sorted(moves)),
                reviewer,
                now(),
                dispute_id,
            ),
        )


def _dispute(row: Mapping[str, Any]) -> DisputeRecord:
    corrected = row["corrected_moves"]
    return DisputeRecord(
        id=row["id"],
        learner_id=row["learner_id"],
        session_id=row["session_id"],
        seq=row["seq"],
        scenario_id=row["scenario_id"],
        buyer=row["buyer"],
        reply=row["reply"],
        moves=tuple(ScoredMove.from_dict(m) for m in json.loads(row["moves"])),
        points=row["points"],
        note=row["note"],
        status=row["status"],
        corrected_moves=None if corrected is None else tuple(json.loads(corrected)),
        reviewer=row["reviewer"],
        created_at=row["created_at"],
        reviewed_at=row["reviewed_at"],
    )

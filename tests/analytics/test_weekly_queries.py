"""The weekly trend queries put every session of a week on that week's Monday."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from bot.analytics.team import run_query
from bot.cli import main
from bot.content.library import load_library
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner
from bot.storage.sqlite import SqliteStore

WIN = ["Before we talk numbers: if the terms work, are we the vendor you're choosing?"]


def test_a_monday_session_and_a_wednesday_one_share_their_week(tmp_path: Path) -> None:
    db = tmp_path / "roleplay.db"
    for args in (["team", "create", "West"], ["team", "add", "West", "terminal:ana"]):
        assert CliRunner().invoke(main, [*args, "--db", str(db)]).exit_code == 0
    store = SqliteStore(db)
    trainer = Trainer(load_library(), store)
    ana = Learner("terminal", "ana", "ana")
    for _ in range(2):
        trainer.handle(Inbound(ana, "/start cfo_best_price"))
        trainer.handle(Inbound(ana, WIN[0]))
        trainer.handle(Inbound(ana, "/quit"))
    today = datetime.now(UTC).date()
    monday = today - timedelta(days=today.weekday() + 7)
    with sqlite3.connect(db) as conn:
        for session_id, day in ((1, monday), (2, monday + timedelta(days=2))):
            stamp = f"{day.isoformat()}T09:00:00+00:00"
            conn.execute("UPDATE sessions SET started_at = ? WHERE id = ?", (stamp, session_id))
    for name in ("weekly_scores", "weekly_skills"):
        starts = {row["week_start"] for row in run_query(store, name, "West")}
        assert starts == {monday.isoformat()}, name

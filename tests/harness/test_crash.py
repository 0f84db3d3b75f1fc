"""The crash test, small: real bot processes killed with SIGKILL lose and double nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.harness.crash import CrashReport, run_crash_test


def assert_nothing_lost(report: CrashReport, kills: int, slow_sends: int = 0) -> None:
    assert report.kills == kills, report
    assert report.turns_sent > 0 and report.turns_stored == report.turns_sent, report
    assert report.lost_turns == 0, report
    assert report.replies_missing == 0, report
    assert report.duplicate_replies <= report.kills + slow_sends, report  # in flight per kill
    assert report.integrity == "ok", report
    assert report.clean_exits == report.workers, report  # SIGTERM drains and exits 0


@pytest.mark.parametrize("surface", ["slack", "telegram"])
def test_killed_and_restarted_bot_loses_nothing(surface: str, tmp_path: Path) -> None:
    report = asyncio.run(run_crash_test(surface, tmp_path, learners=6, kills=3, replies=4))
    assert_nothing_lost(report, 3)


def test_two_slack_workers_on_one_database_play_each_message_once(tmp_path: Path) -> None:
    report = asyncio.run(
        run_crash_test("slack", tmp_path, learners=6, kills=2, workers=2, replies=4, seed=7)
    )
    assert_nothing_lost(report, 2)


def test_a_slack_and_a_telegram_worker_share_one_database(tmp_path: Path) -> None:
    async def both() -> list[CrashReport]:
        runs = (
            run_crash_test(s, tmp_path, learners=4, kills=1, replies=3)
            for s in ("slack", "telegram")
        )
        return list(await asyncio.gather(*runs))

    for report in asyncio.run(both()):
        # two bots and the driver share two cores here: a send that times out may go twice
        assert_nothing_lost(report, 1, slow_sends=2)

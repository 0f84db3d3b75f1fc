"""Teams in Telegram, through the real PTB webhook: assignments, exams and who sees what."""

from __future__ import annotations

import pytest

from bot.harness.telegram_fake import TelegramUser

pytestmark = pytest.mark.anyio

FEATURES = "Our platform has dashboards, AI forecasting, integrations and alerts."
BEN, MARIA, OLGA = TelegramUser(43, "Ben"), TelegramUser(44, "Maria"), TelegramUser(45, "Olga")


def _team(tg) -> None:
    """West: manager Maria, reps Ana (the default user) and Ben. East: manager Olga."""
    store = tg.bot.bot.worker.trainer.store
    with store.transaction():
        west, east = store.create_team("West"), store.create_team("East")
        for user_id, name, where, role in (
            ("44", "Maria", west, "manager"),
            ("42", "Ana", west, "rep"),
            ("43", "Ben", west, "rep"),
            ("45", "Olga", east, "manager"),
        ):
            store.add_member(where.id, store.learner("telegram", user_id, name).person_id, role)
        store.add_assignment(west.id, "cfo_best_price", "normal", "2099-01-31", 70, 1, False)


async def _ana_practised(tg) -> None:
    _team(tg)
    await tg.say("/start cold_call")
    await tg.say(FEATURES)


async def test_assignments_list_what_the_manager_set(tg):
    _team(tg)
    [text] = await tg.say("/assignments", BEN)
    assert "The CFO asks for your best price" in text and "due 2099-01-31" in text
    assert "<code>/start cfo_best_price normal</code>" in text


async def test_only_the_reps_manager_reads_their_transcript(tg):
    await _ana_practised(tg)
    for other in (BEN, OLGA):
        texts = await tg.say("/transcript Ana", other)
        assert not any("dashboards, AI forecasting" in t for t in texts)
        assert any("manager can see" in t for t in texts)
    texts = await tg.say("/transcript Ana", MARIA)
    assert any("dashboards, AI forecasting" in t for t in texts)


async def test_team_summary_is_for_its_managers_only(tg):
    await _ana_practised(tg)
    [refused] = await tg.say("/team", BEN)
    assert "Only a manager" in refused
    texts = await tg.say("/team", MARIA)
    summary = "\n".join(texts)
    assert "<b>Team West</b>" in summary and "not done: Ana, Ben" in summary
    assert "dashboards" in summary  # the quoted example of the team's costly mistake
    assert "Team West" not in "\n".join(await tg.say("/team", OLGA))


async def test_an_exam_sends_no_per_reply_feedback(tg):
    opening = "\n".join(await tg.say("/exam cold_call", BEN))
    assert "Exam" in opening
    texts = await tg.say("Hi Dana, Sam from Kestrel here.", BEN)
    assert texts and not any("points</b>" in t for t in texts)  # the feedback header
    assert any("Hints are off" in t for t in await tg.say("/hint", BEN))


async def test_practice_does_send_feedback(tg):
    await tg.say("/start cold_call", BEN)
    texts = await tg.say("Hi Dana, Sam from Kestrel here.", BEN)
    assert any("points</b>" in t for t in texts)

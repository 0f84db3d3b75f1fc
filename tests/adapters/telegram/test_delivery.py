"""Webhook secret, redelivery, per-chat order and concurrency across chats."""

from __future__ import annotations

import asyncio

import pytest

from bot.harness.telegram_fake import TelegramUser

pytestmark = pytest.mark.anyio

OPENER = "Hi Dana, this is Sam from Kestrel. I'm calling because forecasting eats Mondays."


@pytest.mark.parametrize("secret", ["", "not-the-secret", "ünïcode"])
async def test_wrong_or_missing_secret_is_403_and_stores_nothing(tg, secret):
    update = tg.ana.message(tg.next_id(), "/start cold_call")
    assert await tg.post(update, secret=secret) == 403
    assert tg.api.sent() == []
    assert tg.rows("SELECT COUNT(*) FROM learners") == [(0,)]


async def test_a_body_that_is_not_an_update_is_400(tg):
    async with tg.http.post(tg.bot.url, data=b"{not json", headers=_secret(tg)) as response:
        assert response.status == 400


async def test_redelivered_update_makes_no_second_turn_and_no_second_message(tg):
    await tg.say("/start cold_call")
    update = tg.ana.message(tg.next_id(), OPENER)
    first = await tg.deliver(update)
    again = await tg.deliver(update)
    assert first and again == []
    assert tg.learner_turns() == [OPENER]
    assert tg.rows("SELECT turn_count FROM sessions") == [(1,)]
    assert tg.rows("SELECT COUNT(*), SUM(status = 'sent') FROM outbox") == [
        (len(tg.api.sent()),) * 2
    ]


async def test_flood_control_delays_the_reply_but_does_not_lose_it(tg):
    await tg.say("/start cold_call")
    tg.api.rate_limit(tg.ana.user["id"], retry_after=1)
    texts = await tg.say(OPENER)
    assert len(tg.api.refused) == 1  # Telegram said "retry after 1" once ...
    assert tg.api.refused[0].params["text"] == texts[0]  # ... and the same message went again
    assert "Sorry" not in " ".join(texts)
    assert tg.learner_turns() == [OPENER]


async def test_messages_in_one_chat_are_applied_in_order(tg):
    await tg.say("/start cold_call")
    hold = tg.api.hold(42)
    first = asyncio.create_task(tg.post(tg.ana.message(tg.next_id(), OPENER)))
    await asyncio.wait_for(hold.reached.wait(), 5)  # the first reply is on its way out
    second = asyncio.create_task(tg.post(tg.ana.message(tg.next_id(), "/hint")))
    assert await asyncio.gather(first, second) == [200, 200]  # both stored and acknowledged
    await asyncio.sleep(0.2)
    assert not tg.api.texts(42)[-1].startswith("💡 ")  # the hint waits for the reply before it
    hold.release.set()
    await tg.bot.bot.worker.join()
    texts = tg.api.texts(42)
    assert texts[-1].startswith("💡 ")
    assert texts[-3].startswith("<b>Dana Reyes:</b>")  # the persona line, then feedback, then hint


async def test_other_chats_are_stored_and_played_while_one_send_is_held(tg):
    bea = TelegramUser(43, "Bea")
    await tg.say("/start cold_call")
    hold = tg.api.hold(42)
    assert await tg.post(tg.ana.message(tg.next_id(), OPENER)) == 200
    await asyncio.wait_for(hold.reached.wait(), 5)
    assert await tg.post(bea.message(tg.next_id(), "/start cold_call")) == 200
    for _ in range(250):  # Bea's turn is played while Ana's reply is on its way out
        if tg.rows("SELECT COUNT(*) FROM sessions")[0][0] == 2:
            break
        await asyncio.sleep(0.02)
    assert tg.rows("SELECT COUNT(*) FROM sessions") == [(2,)]
    assert not tg.api.texts(43)  # sends go one at a time: a crash doubles at most one
    hold.release.set()
    await tg.bot.bot.worker.join()
    assert tg.api.texts(43) and tg.api.texts(42)[-1]


def _secret(tg) -> dict[str, str]:
    return {"X-Telegram-Bot-Api-Secret-Token": tg.bot.secret}

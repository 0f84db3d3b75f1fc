"""Conversations through the webhook, asserted on the Bot API calls the bot made."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.app import PRIVATE_ONLY, TEXT_ONLY
from bot.harness.telegram_fake import BOT_USER, TelegramUser

pytestmark = pytest.mark.anyio

OPENER = "Hi Dana, this is Sam from Kestrel. I'm calling because forecasting eats Mondays."


async def test_start_without_scenario_offers_a_picker(tg):
    [call] = await tg.deliver(tg.ana.message(tg.next_id(), "/start"))
    assert call.params["parse_mode"] == "HTML"
    assert "<b>Cold call a VP of Sales</b>" in call.params["text"]
    buttons = [row[0] for row in call.params["reply_markup"]["inline_keyboard"]]
    assert {"text": "Cold call a VP of Sales", "callback_data": "/start cold_call"} in buttons


async def test_scenarios_command_offers_the_same_picker(tg):
    [call] = await tg.deliver(tg.ana.message(tg.next_id(), "/scenarios"))
    assert "inline_keyboard" in call.params["reply_markup"]


async def test_tapping_a_scenario_starts_it_once(tg):
    sent = await tg.deliver(tg.ana.tap(tg.next_id(), "/start cold_call", on_message=777))
    [answer] = tg.api.calls_to("answerCallbackQuery")
    [edit] = tg.api.calls_to("editMessageReplyMarkup")
    assert "text" not in answer.params
    assert (edit.params["chat_id"], edit.params["message_id"]) == (42, 777)
    assert "reply_markup" not in edit.params  # the keyboard is removed
    assert sent[0].params["text"].startswith("<b>Cold call a VP of Sales</b> (normal)")
    assert sent[1].params["text"].startswith("<b>Dana Reyes:</b> ")
    assert tg.rows("SELECT scenario_id, status FROM sessions") == [("cold_call", "active")]


async def test_forged_button_data_is_refused_without_a_turn(tg):
    assert await tg.deliver(tg.ana.tap(tg.next_id(), "/quit")) == []
    [answer] = tg.api.calls_to("answerCallbackQuery")
    assert answer.params["show_alert"] is True
    assert tg.rows("SELECT COUNT(*) FROM learners") == [(0,)]


async def test_a_reply_gets_the_persona_line_then_feedback(tg):
    await tg.say("/start cold_call")
    persona, feedback = await tg.say(OPENER)
    assert persona.startswith("<b>Dana Reyes:</b> ")
    assert feedback.startswith("📝 <b>+")
    assert "State your reason" in feedback
    assert tg.learner_turns() == [OPENER]


async def test_learner_text_is_escaped_in_the_scorecard(tg):
    await tg.say("/start cold_call")
    await tg.say("Hi <b>Dana</b> & team, this is Sam")
    notice, card = await tg.say("/quit")
    assert notice == "Practice ended."
    assert card.startswith("<b>Scorecard: Cold call a VP of Sales</b>")
    assert "“Hi &lt;b&gt;Dana&lt;/b&gt; &amp; team, this is Sam”" in card


async def test_commands_pass_through_to_the_engine(tg):
    await tg.say("/start cold_call")
    [hint] = await tg.say("/hint")
    assert hint.startswith("💡 <i>Nudge:")
    assert await tg.say("/feedback off") == ["Per-reply feedback is off."]
    assert len(await tg.say(OPENER)) == 1  # the persona line, no feedback
    [score] = await tg.say("/score")
    assert "(in progress)" in score
    restarted = await tg.say("/restart")
    assert restarted[0].startswith("<b>Cold call a VP of Sales</b>")
    await tg.say("/quit")
    [progress] = await tg.say("/progress")
    assert progress.startswith("<b>Your progress</b>")
    [help_text] = await tg.say("/help@roleplay_test_bot")
    assert "/hint" in help_text


async def test_learner_is_the_telegram_user(tg):
    await tg.say("/help", TelegramUser(9001, "Bea"))
    assert tg.rows("SELECT platform, user_id, name FROM learners") == [("telegram", "9001", "Bea")]


@pytest.mark.parametrize("kind", ["sticker", "photo", "voice"])
async def test_media_gets_a_text_only_reply_and_no_turn(tg, kind):
    [call] = await tg.deliver(getattr(tg.ana, kind)(tg.next_id()))
    assert call.params["text"] == TEXT_ONLY
    assert tg.rows("SELECT COUNT(*) FROM learners") == [(0,)]


async def test_group_chat_points_to_a_private_chat(tg):
    group = {"id": -100123, "title": "Sales team", "type": "supergroup"}
    member = TelegramUser(42, "Ana", chat=group)
    [call] = await tg.deliver(member.message(tg.next_id(), "/start@roleplay_test_bot"))
    assert call.params["chat_id"] == -100123
    assert call.params["text"] == PRIVATE_ONLY
    [[button]] = call.params["reply_markup"]["inline_keyboard"]
    assert button["url"] == f"https://t.me/{BOT_USER['username']}"
    assert tg.rows("SELECT COUNT(*) FROM learners") == [(0,)]


async def test_plain_group_chatter_is_ignored(tg):
    group = {"id": -100123, "title": "Sales team", "type": "supergroup"}
    assert await tg.deliver(TelegramUser(42, chat=group).message(tg.next_id(), "lunch?")) == []

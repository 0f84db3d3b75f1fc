"""A learner practising in Slack, through the real Bolt pipeline over HTTP on loopback.

Expected persona lines come from a second trainer on its own database fed the same
messages, so these tests check the translation, not the content of the day.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.library import Library
from bot.engine.trainer import Trainer
from bot.harness.slack_fake import Call, dm_channel
from bot.messages import Inbound, Learner, PersonaLine, Reply
from bot.storage.sqlite import SqliteStore
from tests.helpers.slack import SlackWorld, count, posted

OPENING = "Hi Dana, this is Sam from Kestrel. Could I ask you a couple of quick questions?"


@pytest.fixture
def twin(library: Library, tmp_path: Path) -> Trainer:
    """The same engine on another database: what the Slack learner should be shown."""
    return Trainer(library, SqliteStore(tmp_path / "twin.db"))


def expect(twin: Trainer, text: str, user: str = "U1") -> Reply:
    return twin.handle(Inbound(Learner("slack", f"T1:{user}"), text))


def persona_texts(reply: Reply) -> list[str]:
    return [f"*{p.speaker}:* {p.text}" for p in reply.of_type(PersonaLine)]


def block_types(call: Call) -> list[str]:
    return [b["type"] for b in call.blocks]


def test_start_posts_the_briefing_as_thread_parent_and_the_persona_inside(
    slack: SlackWorld, twin: Trainer
) -> None:
    calls = posted(slack.command("U1", "start cold_call"))

    briefing, *thread = calls
    assert briefing.channel == dm_channel("U1") and briefing.thread_ts is None
    assert block_types(briefing)[0] == "header"
    assert "Your role" in briefing.shows() and "Success looks like" in briefing.shows()
    assert all(c.thread_ts == briefing.ts for c in thread)
    texts = [c.text for c in thread]
    assert texts[:-1] == persona_texts(expect(twin, "/start cold_call"))
    assert "`/roleplay hint`" in texts[-1]  # the engine's /hint, as typed in Slack


def test_a_reply_in_the_thread_is_answered_there_with_compact_feedback(
    slack: SlackWorld, twin: Trainer
) -> None:
    parent = posted(slack.command("U1", "start cold_call"))[0]
    expect(twin, "/start cold_call")

    calls = posted(slack.say("U1", OPENING, thread_ts=parent.ts))

    reply = expect(twin, OPENING)
    assert [c.text for c in calls if not c.blocks] == persona_texts(reply)
    feedback = [c for c in calls if c.blocks]
    assert len(feedback) == 1 and block_types(feedback[0]) == ["context", "actions"]
    assert feedback[0].shows().startswith("Feedback: ")
    assert all(c.thread_ts == parent.ts and c.channel == dm_channel("U1") for c in calls)


def test_a_top_level_message_is_answered_top_level(slack: SlackWorld) -> None:
    slack.command("U1", "start cold_call")
    calls = posted(slack.say("U1", OPENING))
    assert calls and all(c.thread_ts is None for c in calls)


def test_bare_roleplay_shows_the_picker_and_a_button_starts_the_level(
    slack: SlackWorld, trainer: Trainer
) -> None:
    (picker,) = posted(slack.command("U1", ""))
    buttons = [e for b in picker.blocks if b["type"] == "actions" for e in b["elements"]]
    ids = {s.id for s in trainer.scenarios().scenarios}
    assert {b["value"].split()[0] for b in buttons} == ids
    hard = next(b for b in buttons if b["value"] == "cold_call hard")

    calls = posted(slack.click("U1", hard["action_id"], hard["value"]))

    assert "*Level*\nhard" in calls[0].shows()
    assert calls[0].thread_ts is None and calls[1].thread_ts == calls[0].ts


def test_quit_posts_a_block_kit_scorecard_and_refreshes_home(slack: SlackWorld) -> None:
    parent = posted(slack.command("U1", "start cold_call"))[0]
    slack.say("U1", OPENING, thread_ts=parent.ts)

    calls = slack.command("U1", "quit")

    card = next(c for c in posted(calls) if c.text.startswith("Scorecard for"))
    assert block_types(card)[:2] == ["header", "section"]
    shown = card.shows()
    assert "Scorecard: Cold call a VP of Sales" in shown
    assert "pass mark" in shown and "Talk share" in shown and "What to work on" in shown
    assert "_because of:_ " in shown  # the words behind the best reply's points
    (home,) = [c for c in calls if c.method == "views.publish"]
    assert home.params["user_id"] == "U1" and home.params["view"]["type"] == "home"


def test_slash_commands_map_to_engine_commands(slack: SlackWorld) -> None:
    (help_,) = posted(slack.command("U1", "help"))
    assert "`/roleplay hint`" in help_.text and "`/roleplay feedback` on|off" in help_.text
    (off,) = posted(slack.command("U1", "feedback off"))
    assert off.text == "Per-reply feedback is off."
    (nothing,) = posted(slack.command("U1", "hint"))
    assert nothing.text.startswith("No practice is running.")


def test_feedback_off_leaves_only_persona_lines(slack: SlackWorld) -> None:
    slack.command("U1", "feedback off")
    slack.command("U1", "start cold_call")
    calls = posted(slack.say("U1", OPENING))
    assert calls and not any(c.blocks for c in calls)


def test_a_command_from_another_channel_answers_in_the_dm_and_says_so(slack: SlackWorld) -> None:
    calls = slack.command("U1", "progress", channel="C123")
    (progress,) = posted(calls)
    assert progress.channel == dm_channel("U1")
    (pointer,) = [c for c in calls if c.method == "response_url"]
    assert pointer.params["response_type"] == "ephemeral" and "direct messages" in pointer.text


def test_learner_text_is_escaped_when_quoted_back(slack: SlackWorld) -> None:
    slack.command("U1", "start cold_call")
    calls = slack.say("U1", "&lt;!channel&gt; Could I ask you a couple of quick questions?")
    slack.command("U1", "quit")
    shown = "\n".join(c.shows() for c in slack.fake.posts())
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown
    assert calls


# --- what must be ignored --------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {"subtype": "bot_message", "bot_id": "B2"},
        {"bot_id": "BBOT"},
        {"subtype": "message_changed"},
        {"subtype": "message_deleted"},
        {"channel_type": "channel", "channel": "C1"},
        {"channel_type": "group", "channel": "G1"},
    ],
    ids=["bot", "own-post", "edit", "delete", "channel", "private-channel"],
)
def test_bots_edits_and_other_channels_are_ignored(
    slack: SlackWorld, store: SqliteStore, extra: dict
) -> None:
    event = slack.sender.dm("U1", "/start cold_call", **extra)
    calls = slack.deliver(slack.sender.event(event))
    assert posted(calls) == []
    assert count(store, "learners") == 0


# --- one learner, one view ----------------------------------------------------------------------


def test_one_learner_never_sees_another_learners_session(
    slack: SlackWorld, store: SqliteStore
) -> None:
    a_parent = posted(slack.command("UA", "start cold_call"))[0]
    slack.say("UA", OPENING, thread_ts=a_parent.ts)

    b_score = posted(slack.command("UB", "score"))
    b_reply = posted(slack.say("UB", OPENING))

    assert [c.text for c in b_score] == [
        "No sessions yet. `/roleplay scenarios` lists what you can practise."
    ]
    assert b_reply[0].text.startswith("No practice is running.")
    assert {c.channel for c in slack.fake.posts()} == {dm_channel("UA"), dm_channel("UB")}
    assert all("UA" not in c.channel for c in b_score + b_reply)
    assert store.count("sessions") == 1
    assert store.count("sessions", "turn_count = ?", [1]) == 1


def test_the_same_user_id_in_two_workspaces_is_two_learners(slack: SlackWorld) -> None:
    slack.command("U1", "start cold_call")
    other = slack.sender.team_id
    slack.sender.team_id = "T2"
    try:
        (reply,) = posted(slack.command("U1", "score"))
    finally:
        slack.sender.team_id = other
    assert reply.text.startswith("No sessions yet.")

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from bot.content.library import load_library
from bot.engine.trainer import Trainer
from bot.messages import (
    Briefing,
    Feedback,
    Inbound,
    Learner,
    Notice,
    PersonaLine,
    Progress,
    ScenarioList,
    Scorecard,
)
from bot.storage.sqlite import SqliteStore

ASK = "Could I ask you a couple of questions about how you forecast?"
PLAIN = "ok"


def say(trainer: Trainer, text: str, message_id: str | None = None, user: str = "rep"):
    return trainer.handle(Inbound(Learner("test", user), text, message_id))


def session_row(trainer: Trainer, user: str = "rep"):
    with trainer.store.transaction():
        learner = trainer.store.learner("test", user)
        return trainer.store.last_session(learner.id)


def test_start_shows_briefing_and_the_persona_opens(tiny_trainer: Trainer) -> None:
    reply = say(tiny_trainer, "/start tiny_call")
    [briefing] = reply.of_type(Briefing)
    assert briefing.goal == "Ask permission." and briefing.persona == "Pat Lee, VP of Sales at Acme"
    assert reply.of_type(PersonaLine)[0].text in ("Pat here.", "Pat speaking.", "Yes?")
    turns = tiny_trainer.store.turns(reply.session_id)
    assert [t.role for t in turns] == ["persona"]


def test_a_winning_reply_is_scored_with_evidence_and_ends_with_a_scorecard(
    tiny_trainer: Trainer,
) -> None:
    say(tiny_trainer, "/start tiny_call")
    reply = say(tiny_trainer, ASK)
    [feedback] = reply.of_type(Feedback)
    item = next(i for i in feedback.items if i.move == "permission_ask")
    assert item.points == 1 and item.quote in ASK and item.link.startswith("docs/techniques.md#")
    [card] = reply.of_type(Scorecard)
    assert reply.ended and card.outcome == "won" and card.passed and card.score == 100
    row = session_row(tiny_trainer)
    assert (row.status, row.outcome, row.passed) == ("ended", "won", True)
    learner_turn = next(t for t in tiny_trainer.store.turns(row.id) if t.role == "learner")
    assert learner_turn.state_before == "start" and learner_turn.state_after == "done"
    move = next(m for m in learner_turn.moves if m.move == "permission_ask")
    assert ASK[move.start : move.end] == move.quote and move.rule


def test_the_same_message_id_gets_the_same_reply_and_no_second_turn(tiny_trainer: Trainer) -> None:
    say(tiny_trainer, "/start tiny_call", "m1")
    first = say(tiny_trainer, PLAIN, "m2")
    again = say(tiny_trainer, PLAIN, "m2")
    assert again == first
    assert say(tiny_trainer, "/start tiny_call", "m1").session_id == first.session_id
    learner_turns = [t for t in tiny_trainer.store.turns(first.session_id) if t.role == "learner"]
    assert len(learner_turns) == 1


def test_concurrent_messages_of_one_learner_are_all_applied(db_path: Path, content: Path) -> None:
    library = load_library(content)
    trainer = Trainer(library, SqliteStore(db_path))
    say(trainer, "/start tiny_call")
    texts = [f"hmm {i}" for i in range(20)]

    def send(text: str) -> None:
        Trainer(library, trainer.store).handle(Inbound(Learner("test", "rep"), text, text))

    threads = [threading.Thread(target=send, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    row = session_row(trainer)
    turns = trainer.store.turns(row.id)
    assert sorted(t.text for t in turns if t.role == "learner") == sorted(texts)
    assert [t.seq for t in turns] == list(range(1, len(turns) + 1))
    assert row.turn_count == 20


def test_a_restart_resumes_the_session_where_it_was(db_path: Path, content: Path) -> None:
    library = load_library(content)
    first = Trainer(library, SqliteStore(db_path))
    say(first, "/start tiny_call")
    say(first, "What CRM are you on today?")
    first.store.close()
    second = Trainer(library, SqliteStore(db_path))
    row = session_row(second)
    assert (row.status, row.state, row.turn_count) == ("active", "start", 1)
    assert say(second, ASK).ended


def test_hints_escalate_from_nudge_to_example(tiny_trainer: Trainer) -> None:
    say(tiny_trainer, "/start tiny_call")
    texts = [say(tiny_trainer, "/hint").of_type(Notice)[0].text for _ in range(4)]
    assert texts == [
        "Nudge: Nudge.",
        "Hint: Prompt.",
        "Example reply: Example.",
        "Example reply: Example.",
    ]


BAD_INPUTS = ["", "   \n\t ", "x" * 20_000, "\x00\x07\x1b[31m", "/nosuchcommand", "/"]


@pytest.mark.parametrize(
    "text", BAD_INPUTS, ids=["empty", "blank", "huge", "control", "unknown-command", "bare-slash"]
)
def test_bad_input_gets_a_clear_message_and_leaves_the_session_intact(
    tiny_trainer: Trainer, text: str
) -> None:
    say(tiny_trainer, "/start tiny_call")
    before = session_row(tiny_trainer)
    [notice] = say(tiny_trainer, text).of_type(Notice)
    assert notice.kind == "error" and notice.text
    after = session_row(tiny_trainer)
    assert (after.state, after.turn_count, after.status) == (
        before.state,
        before.turn_count,
        "active",
    )


@pytest.mark.parametrize(
    "text",
    [
        "🙂👍",
        "مرحبا، هل يمكنني أن أسألك سؤالا؟",
        "ok\x00 then",
        "can I ask one question? \ud83d",  # a lone surrogate: valid JSON, invalid UTF-8
        "thanks \ud83d\ude00",  # an emoji that arrived as its two surrogates
    ],
)
def test_emoji_rtl_control_characters_and_surrogates_are_ordinary_turns(
    tiny_trainer: Trainer, text: str
) -> None:
    say(tiny_trainer, "/start tiny_call")
    reply = say(tiny_trainer, text)
    assert reply.of_type(PersonaLine)
    [turn] = [t for t in tiny_trainer.store.turns(reply.session_id) if t.role == "learner"]
    assert "\x00" not in turn.text
    turn.text.encode("utf-8")  # stored as well-formed text
    assert "\ud83d" not in text or turn.text.endswith(("\ufffd", "😀"))


def test_a_reply_after_the_session_ended_is_explained(tiny_trainer: Trainer) -> None:
    say(tiny_trainer, "/start tiny_call")
    say(tiny_trainer, ASK)
    [notice] = say(tiny_trainer, "hello again").of_type(Notice)
    assert "No practice is running" in notice.text
    assert session_row(tiny_trainer).status == "ended"


def test_unknown_scenario_and_level_are_explained(tiny_trainer: Trainer) -> None:
    [a] = say(tiny_trainer, "/start nope").of_type(Notice)
    [b] = say(tiny_trainer, "/start tiny_call impossible").of_type(Notice)
    assert "Unknown scenario 'nope'" in a.text and "tiny_call" in a.text
    assert "Unknown level 'impossible'" in b.text and "normal" in b.text
    assert session_row(tiny_trainer) is None


def test_feedback_can_be_turned_off_and_on(tiny_trainer: Trainer) -> None:
    say(tiny_trainer, "/start tiny_call")
    say(tiny_trainer, "/feedback off")
    assert not say(tiny_trainer, PLAIN).of_type(Feedback)
    say(tiny_trainer, "/feedback on")
    assert say(tiny_trainer, PLAIN).of_type(Feedback)


def test_score_quit_progress_and_list(tiny_trainer: Trainer) -> None:
    assert say(tiny_trainer, "/scenarios").of_type(ScenarioList)[0].scenarios[0].id == "tiny_call"
    say(tiny_trainer, "/start tiny_call")
    [interim] = say(tiny_trainer, "/score").of_type(Scorecard)
    assert not interim.finished and interim.outcome == "in progress"
    [card] = say(tiny_trainer, "/quit").of_type(Scorecard)
    assert card.outcome == "quit" and not card.passed
    say(tiny_trainer, "/restart")
    say(tiny_trainer, ASK)
    [progress] = say(tiny_trainer, "/progress").of_type(Progress)
    assert [(r.outcome, r.passed) for r in progress.rows] == [("won", True), ("quit", False)]


def test_learners_never_see_each_others_sessions(tiny_trainer: Trainer) -> None:
    say(tiny_trainer, "/start tiny_call", user="ann")
    [notice] = say(tiny_trainer, "/hint", user="bob").of_type(Notice)
    assert "No practice is running" in notice.text


def test_a_session_whose_content_broke_is_kept_and_explained(db_path: Path, content: Path) -> None:
    say(Trainer(load_library(content), SqliteStore(db_path)), "/start tiny_call")
    flow = content / "state_machines" / "tiny.yaml"
    flow.write_text(flow.read_text().replace("to: done", "to: gone"))
    broken = Trainer(load_library(content), SqliteStore(db_path))
    [notice] = say(broken, ASK).of_type(Notice)
    assert "cannot be played right now" in notice.text
    row = session_row(broken)
    assert (row.status, row.turn_count) == ("active", 0)


def test_moves_detected_before_the_lock_are_used_only_for_the_same_session_position(
    tiny_trainer: Trainer,
) -> None:
    who = Learner("test", "prep")
    tiny_trainer.handle(Inbound(who, "/start tiny_call"))
    ask = Inbound(who, ASK)
    early = tiny_trainer.prepare(ask)
    assert early is not None and {d.move for d in early.detections} >= {"permission_ask"}
    session = tiny_trainer.store.active_session_of("test", "prep")
    assert early.fits(session, ASK)
    tiny_trainer.handle(Inbound(who, "/hint"))  # a hint does not move the conversation
    tiny_trainer.handle(ask, early)
    moved = tiny_trainer.store.session(session.id)
    assert not early.fits(moved, ASK)  # a later reply would detect again, with the new line
    assert tiny_trainer.prepare(Inbound(who, "/hint")) is None  # commands detect nothing

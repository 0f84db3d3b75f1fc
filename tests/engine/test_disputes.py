"""`/dispute` records the rep's last scored reply once, with the buyer line it answered."""

from __future__ import annotations

from bot.engine.trainer import Trainer
from bot.messages import Notice
from tests.helpers.teams import ASK, FEATURES, make_team


def test_the_last_reply_is_disputed_once_and_the_note_can_change(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    team.say("ana", "/start tiny_call")
    team.say("ana", FEATURES)
    first = team.say("ana", "/dispute")
    assert "Add why" in first.of_type(Notice)[0].text
    team.say("ana", "/dispute it was a question really")
    [d] = tiny_trainer.store.disputes()
    assert (d.reply, d.note, d.status) == (FEATURES, "it was a question really", "open")
    assert d.buyer in ("Pat here.", "Pat speaking.", "Yes?")
    assert [m.move for m in d.moves] == ["feature_dump"] and d.points < 0


def test_a_finished_sessions_last_reply_can_be_disputed(tiny_trainer: Trainer) -> None:
    team = make_team(tiny_trainer)
    team.say("ana", "/start tiny_call")
    assert team.say("ana", ASK).ended
    team.say("ana", "/dispute")
    [d] = tiny_trainer.store.disputes("open")
    assert d.reply == ASK and d.points > 0

"""Slack's delivery rules: signatures, retries, the 3-second acknowledgement, App Home."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from bot.harness.slack_fake import dm_channel
from bot.messages import Learner
from bot.storage.sqlite import SqliteStore
from tests.helpers.slack import SlackWorld, count, posted

REPLY = "Hi Dana, this is Sam from Kestrel. Could I ask you a couple of quick questions?"


# --- signatures ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forgery",
    [{"secret": "not-the-secret"}, {"timestamp": int(time.time()) - 6 * 60}],
    ids=["wrong-secret", "stale-timestamp"],
)
def test_a_bad_or_stale_signature_gets_401_and_stores_nothing(
    slack: SlackWorld, store: SqliteStore, forgery: dict
) -> None:
    for payload in (
        slack.sender.command("U1", "start cold_call"),
        slack.sender.event(slack.sender.dm("U1", "/start cold_call")),
        slack.sender.click("U1", "start:cold_call:normal", "cold_call normal"),
    ):
        assert slack.post(payload, **forgery).status == 401
    slack.settle()
    assert slack.fake.posts() == []
    assert [count(store, t) for t in ("learners", "sessions", "inbound")] == [0, 0, 0]


def test_a_request_without_signature_headers_gets_401(
    slack: SlackWorld, store: SqliteStore
) -> None:
    import httpx

    body = "command=%2Froleplay&text=start+cold_call&user_id=U1&team_id=T1&trigger_id=t1"
    response = httpx.post(
        slack.url, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 401
    assert count(store, "learners") == 0


# --- retries ---------------------------------------------------------------------------------


def test_a_retried_event_makes_no_second_turn_and_no_second_answer(
    slack: SlackWorld, store: SqliteStore
) -> None:
    slack.command("U1", "start cold_call")
    event = slack.sender.event(slack.sender.dm("U1", REPLY))
    first = posted(slack.deliver(event))
    turns = count(store, "turns")

    again = slack.deliver(event, retry=1)
    twice = slack.deliver(event, retry=2)

    assert first and posted(again) == [] and posted(twice) == []
    assert count(store, "turns") == turns


def test_a_rate_limited_answer_is_sent_again_not_lost(
    slack: SlackWorld, store: SqliteStore
) -> None:
    slack.command("U1", "start cold_call")
    slack.fake.rate_limit(dm_channel("U1"), retry_after=1)

    answer = posted(slack.deliver(slack.sender.event(slack.sender.dm("U1", REPLY))))

    assert len(slack.fake.refused) == 1  # Slack said "ratelimited, retry after 1 s" once
    assert answer and answer[0].text == slack.fake.refused[0].params["text"]
    assert "Sorry" not in " ".join(c.text for c in answer)


def test_a_redelivery_after_a_restart_posts_nothing_and_plays_no_turn(
    slack: SlackWorld, store: SqliteStore
) -> None:
    slack.command("U1", "start cold_call")
    event = slack.sender.event(slack.sender.dm("U1", REPLY))
    assert posted(slack.deliver(event))
    turns = count(store, "turns")

    slack.loop.run(slack.stop())  # a new process: nothing remembered but the database
    slack.loop.run(slack.start())
    again = posted(slack.deliver(event, retry=1))

    assert again == []
    assert count(store, "turns") == turns


def test_two_deliveries_at_once_make_one_turn_and_one_answer(
    slack: SlackWorld, store: SqliteStore
) -> None:
    slack.command("U1", "start cold_call")
    before = len(slack.fake.posts())
    event = slack.sender.event(slack.sender.dm("U1", REPLY))
    assert slack.post(event).status == 200
    assert slack.post(event, retry=1).status == 200  # before the first is answered
    slack.settle()
    assert store.count("turns", "role = ?", ["learner"]) == 1
    answer = slack.fake.posts()[before:]
    assert len({c.text for c in answer}) == len(answer)  # nothing posted twice


# --- the 3-second acknowledgement -------------------------------------------------------------


def test_the_ack_waits_for_the_inbox_write_and_comes_within_slacks_3_seconds(
    slack: SlackWorld, store: SqliteStore
) -> None:
    slack.command("U1", "start cold_call")
    answered = len(slack.fake.posts())
    blocker = sqlite3.connect(store.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the database for 0.5 s
    released = threading.Timer(0.5, lambda: blocker.execute("ROLLBACK"))
    released.start()
    started = time.monotonic()
    try:
        acks = [
            slack.post(slack.sender.event(slack.sender.dm("U1", REPLY))),
            slack.post(slack.sender.command("U1", "hint")),
            slack.post(slack.sender.click("U1", "start:cold_call:easy", "cold_call easy")),
        ]
    finally:
        released.join()
        blocker.close()
    slack.settle()

    assert [a.status for a in acks] == [200, 200, 200]
    assert acks[0].seconds >= 0.3  # acknowledged only once the message was on disk
    assert time.monotonic() - started < 3.0
    assert count(store, "inbox") == 4  # the start command before, and the three above
    assert len(slack.fake.posts()) > answered


# --- App Home ---------------------------------------------------------------------------------


def test_home_tab_shows_sessions_skills_and_what_next(slack: SlackWorld) -> None:
    (empty,) = [c for c in slack.open_home("U1") if c.method == "views.publish"]
    assert "No finished sessions yet." in empty.shows()
    next_id = slack.trainer.progress(Learner("slack", "T1:U1")).practise_next
    titles = {s.id: s.title for s in slack.trainer.scenarios().scenarios}
    assert f"*Practise next:* {titles[next_id]}" in empty.shows()

    parent = posted(slack.command("U1", "start cold_call"))[0]
    slack.say("U1", REPLY, thread_ts=parent.ts)
    slack.command("U1", "quit")
    (home,) = [c for c in slack.open_home("U1") if c.method == "views.publish"]

    shown = home.shows()
    assert home.params["user_id"] == "U1"
    assert "Last session:* Cold call a VP of Sales" in shown
    assert "*Skills*\n`" in shown  # one bar per skill the session scored
    assert "Cold call a VP of Sales" in shown and "quit" in shown
    buttons = [
        e
        for b in home.params["view"]["blocks"]
        for e in ([b["accessory"]] if "accessory" in b else b.get("elements", []))
        if e.get("type") == "button"
    ]
    assert any(b["value"].startswith("cold_call") for b in buttons)


def test_the_messages_tab_publishes_nothing(slack: SlackWorld) -> None:
    calls = slack.open_home("U1", tab="messages")
    assert [c for c in calls if c.method == "views.publish"] == []


def test_home_of_one_learner_is_published_to_that_learner_only(slack: SlackWorld) -> None:
    slack.command("UA", "start cold_call")
    slack.command("UA", "quit")
    (home,) = [c for c in slack.open_home("UB") if c.method == "views.publish"]
    assert home.params["user_id"] == "UB"
    assert "No finished sessions yet." in home.shows()


# --- health ----------------------------------------------------------------------------------


def test_healthz_reports_the_inbox_and_outbox_backlog(slack: SlackWorld) -> None:
    import httpx

    health = slack.url.replace("/slack/events", "/healthz")
    slack.command("U1", "start cold_call")
    empty = httpx.get(health).json()
    assert empty == {
        "ok": True,
        "inbox_pending": 0,
        "inbox_failed": 0,
        "outbox_pending": 0,
        "outbox_failed": 0,
    }
    slack.fake.rate_limit(dm_channel("U1"), retry_after=1)
    assert slack.post(slack.sender.event(slack.sender.dm("U1", REPLY))).status == 200
    waiting = httpx.get(health).json()  # stored, and its answer waits out Slack's 429
    assert waiting["inbox_pending"] + waiting["outbox_pending"] >= 1
    slack.settle()
    assert httpx.get(health).json()["outbox_pending"] == 0

"""Teams in Slack, through the real Bolt pipeline: who may see what, and the App Home."""

from __future__ import annotations

from bot.engine.trainer import Trainer
from bot.harness.slack_fake import Call, dm_channel
from tests.helpers.slack import SlackWorld, posted

FEATURES = "Our platform has dashboards, AI forecasting, integrations and alerts."


def _team(slack: SlackWorld) -> None:
    """West: manager UM, reps U1 and U2. East: manager UE."""
    store = slack.trainer.store
    team = slack.fake.team_id
    with store.transaction():
        west, east = store.create_team("West"), store.create_team("East")
        for user, name, where, role in (
            ("UM", "Maria", west, "manager"),
            ("U1", "Ana", west, "rep"),
            ("U2", "Ben", west, "rep"),
            ("UE", "Olga", east, "manager"),
        ):
            person = store.learner("slack", f"{team}:{user}", name).person_id
            store.add_member(where.id, person, role)
        store.add_assignment(west.id, "cfo_best_price", "normal", "2099-01-31", 70, 1, False)
    slack.command("U1", "start cold_call")
    parent = posted(slack.fake.calls)[0].ts
    slack.say("U1", FEATURES, thread_ts=parent)


def _shown(calls: list[Call]) -> str:
    return "\n".join(c.shows() for c in calls)


def test_a_rep_cannot_read_another_reps_transcript(slack: SlackWorld) -> None:
    _team(slack)
    for user in ("U2", "UE"):
        shown = _shown(slack.command(user, "transcript Ana"))
        assert "dashboards, AI forecasting" not in shown and "manager can see" in shown


def test_the_reps_manager_reads_it(slack: SlackWorld) -> None:
    _team(slack)
    calls = posted(slack.command("UM", "transcript Ana"))
    assert calls and calls[0].channel == dm_channel("UM")
    assert "dashboards, AI forecasting" in _shown(calls)


def test_a_reps_home_shows_their_assignments_first_and_no_team(slack: SlackWorld) -> None:
    _team(slack)
    [home] = [c for c in slack.open_home("U2") if c.method == "views.publish"]
    shown = home.shows()
    assert "The CFO asks for your best price" in shown
    assert shown.index("The CFO asks") < shown.index("Scenarios")
    assert "Team West" not in shown and "dashboards" not in shown and "Ana" not in shown


def test_the_managers_home_summarises_the_team(slack: SlackWorld) -> None:
    _team(slack)
    [home] = [c for c in slack.open_home("UM") if c.method == "views.publish"]
    shown = home.shows()
    assert "Team West" in shown and "not done: Ana, Ben" in shown
    assert "Feature dump" in shown and "dashboards" in shown  # the quoted example
    [other] = [c for c in slack.open_home("UE") if c.method == "views.publish"]
    assert "Team West" not in other.shows()


def test_a_rep_gets_the_team_refusal_and_cannot_promote_themselves(
    slack: SlackWorld, trainer: Trainer
) -> None:
    _team(slack)
    before = trainer.store.count("team_members")
    shown = _shown(slack.command("U1", "team"))
    assert "Only a manager" in shown and "Team West" not in shown
    slack.command("U1", "team add-manager U1")
    assert trainer.store.count("team_members") == before


def test_an_exam_in_slack_posts_no_per_reply_feedback(slack: SlackWorld) -> None:
    calls = posted(slack.command("U3", "exam cold_call"))
    assert "Exam" in _shown(calls)
    replied = slack.say("U3", "Hi Dana, Sam from Kestrel here.", thread_ts=calls[0].ts)
    assert posted(replied) and ":dart:" not in _shown(replied)
    hint = _shown(slack.command("U3", "hint"))
    assert "Hints are off" in hint


def test_a_reminder_reaches_the_reps_dm_once(slack: SlackWorld) -> None:
    from datetime import UTC, datetime

    store, worker = slack.trainer.store, slack.worker
    assert worker is not None
    today = datetime.now(UTC).date().isoformat()
    with store.transaction():
        team = store.create_team("North")
        rep = store.learner("slack", f"{slack.fake.team_id}:U7", "Cy").person_id
        store.add_member(team.id, rep, "rep")
        store.add_assignment(team.id, "gatekeeper", "normal", today, 70, 1, False)

    async def remind() -> None:
        for user in worker.queue_reminders():
            worker.kick(user)
        await worker.join()

    before = len(slack.fake.calls)
    slack.loop.run(remind())
    slack.loop.run(remind())  # nothing more the second time
    reminders = posted(slack.fake.calls[before:])
    assert [c.channel for c in reminders] == [dm_channel("U7")]
    assert "Reminder" in reminders[0].shows() and "Get past the gatekeeper" in reminders[0].shows()

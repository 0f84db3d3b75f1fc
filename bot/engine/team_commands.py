"""The team commands every surface shares: `/assignments`, `/team` and `/transcript`.

Access is decided here, once, for every surface: a rep sees their own assignments and
transcripts; only a manager of a rep's team sees that rep's transcripts and the team's
report. Managers are made by an admin (`roleplay team add-manager`), never by a message."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

from bot.analytics.assignments import open_assignments
from bot.analytics.team import run_query, team_report, team_summary
from bot.engine.cast import Cast
from bot.messages import Assignments, Notice, Reply, Transcript, TranscriptLine
from bot.storage.base import LearnerRecord, Store
from bot.vocabulary import vocabulary

LEADERS = 5
NOT_A_MANAGER = "Only a manager of a team can see its report. Ask your admin if that is you."
NO_ACCESS = (
    "You can see your own transcripts, and a manager can see those of their team's reps. "
    "/transcript NAME names a rep of a team you manage."
)


def titles_of(casts: Mapping[str, Cast]) -> dict[str, str]:
    return {sid: cast.scenario.title for sid, cast in casts.items()}


def skill_scenarios(casts: Mapping[str, Cast]) -> dict[str, str]:
    """For each skill, the scenario whose moments call for it most often."""
    best: dict[str, tuple[int, str]] = {}
    vocab = vocabulary()
    for sid, cast in casts.items():
        counts = Counter(
            vocab[m].skill for s in cast.flow.states.values() for m in s.expects if m in vocab
        )
        for skill, n in counts.items():
            if n > best.get(skill, (0, ""))[0]:
                best[skill] = (n, sid)
    return {skill: sid for skill, (_, sid) in best.items()}


def assignments_of(
    store: Store, learner: LearnerRecord, casts: Mapping[str, Cast], reminder: bool = False
) -> Assignments:
    today = datetime.now(UTC).date()
    return open_assignments(store, learner.person_id, titles_of(casts), today, reminder)


def assignments_reply(
    store: Store, learner: LearnerRecord, args: tuple[str, ...], casts: Mapping[str, Cast]
) -> Reply:
    """`/assignments`; the delivery layer's reminder sends `/assignments reminder`."""
    reminder = args[:1] == ("reminder",)
    return Reply((assignments_of(store, learner, casts, reminder),))


def team_reply(
    store: Store, learner: LearnerRecord, args: tuple[str, ...], casts: Mapping[str, Cast]
) -> Reply:
    managed = store.teams_of(learner.person_id, "manager")
    if args:
        wanted = " ".join(args).lower()
        managed = [t for t in managed if t.name.lower() == wanted]
    if not managed:
        return Reply((Notice(NOT_A_MANAGER, "error"),))
    titles, skills = titles_of(casts), skill_scenarios(casts)
    return Reply(tuple(team_summary(team_report(store, t.name, titles, skills)) for t in managed))


def transcript_reply(
    store: Store, learner: LearnerRecord, args: tuple[str, ...], casts: Mapping[str, Cast]
) -> Reply:
    """`/transcript` (your last session) or `/transcript NAME` (a rep you manage)."""
    if args:
        name = " ".join(args).lstrip("@")
        people = [
            p
            for p in store.find_people(name)
            if p == learner.person_id or store.manages(learner.person_id, p)
        ]
        if not people:
            return Reply((Notice(NO_ACCESS, "error"),))
        person = people[0]
    else:
        person = learner.person_id
    sessions = [s for s in store.person_sessions(person, limit=5) if s.turn_count > 0]
    if not sessions:
        return Reply((Notice("No sessions with replies yet."),))
    session = sessions[0]
    cast = casts.get(session.scenario_id)
    rep = store.person_name(person) or "Rep"

    def speaker(state: str | None) -> str:
        if cast is None:
            return "Buyer"
        return cast.speaker(state).name if state in cast.flow.states else cast.lead.name

    lines = tuple(
        TranscriptLine(rep, turn.text, turn.points)
        if turn.role == "learner"
        else TranscriptLine(speaker(turn.state_after), turn.text)
        for turn in store.turns(session.id)
    )
    title = cast.scenario.title if cast else session.scenario_id
    return Reply(
        (Transcript(rep, title, session.started_at, session.outcome or "", session.score, lines),)
    )


def leaderboard_reply(
    store: Store, learner: LearnerRecord, args: tuple[str, ...], casts: Mapping[str, Cast]
) -> Reply:
    """`/leaderboard [SCENARIO]`: best scores on the rep's teams, unless a team opted out."""
    titles = titles_of(casts)
    teams = store.teams_of(learner.person_id, "rep") + store.teams_of(learner.person_id, "manager")
    parts = []
    for team in dict.fromkeys(teams):
        if not team.leaderboard:
            continue
        rows = [
            r
            for r in run_query(store, "leaderboard", team.name)
            if not args or r["scenario"] == args[0]
        ]
        lines = [
            f"{titles.get(r['scenario'], r['scenario'])}: {r['rank']}. {r['rep']} {r['best_score']}"
            for r in rows
            if r["rank"] <= LEADERS
        ]
        if lines:
            parts.append(Notice(f"Leaderboard, {team.name}:\n" + "\n".join(lines)))
    return Reply(tuple(parts) or (Notice("No leaderboard for your teams yet."),))

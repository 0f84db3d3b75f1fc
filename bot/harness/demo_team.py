"""`roleplay demo-team`: a team of simulated reps whose history was played through the
real engine, so the team report and the dashboard have something true to show.

Each rep gets a seeded skill: at every step of a scripted conversation (demo_reps.yaml)
they say a strong phrasing with that probability, a weak one otherwise, and their skill
grows a little over the eight weeks. Sessions are played in date order through
`Trainer.handle`, then backdated (see backdate.py). The same seed gives the same team."""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.analytics.team import run_query
from bot.engine.trainer import Trainer
from bot.harness.backdate import backdate_assignment, backdate_people, backdate_session
from bot.harness.demo_scripts import DemoScripts, Step, load_demo_scripts
from bot.messages import Inbound, Learner
from bot.storage.sqlite import SqliteStore

PLATFORM = "terminal"
MANAGER = Learner(PLATFORM, "manager", "Morgan (manager)")
HISTORY_DAYS = 56
CFO_SCENARIO = "cfo_best_price"
EXAM_SCENARIO = "cold_call"
CFO_SET_DAYS_AGO, CFO_DUE_IN_DAYS = 12, 7
EXAM_SET_DAYS_AGO, EXAM_DUE_IN_DAYS = 30, 14
LEARNING_GAIN = 0.15  # how much a rep's skill grows over the whole history
# (share of the team, lowest and highest skill): strong, middling and weak reps
TIERS = ((0.35, 0.85, 0.97), (0.35, 0.55, 0.8), (0.30, 0.15, 0.45))
PRACTICE_WEIGHTS = {
    "cold_call": 5,
    "gatekeeper": 4,
    "spin_discovery": 3,
    "cfo_best_price": 2,
    "procurement_negotiation": 2,
    "sponsor_prep": 2,
    "anti_sponsor": 1,
    "cfo_concerns": 1,
    "ceo_two_minutes": 2,
    "deal_journey": 1,
}


class DemoTeamError(Exception):
    """The demo team cannot be built (the team exists already, unknown content...)."""


@dataclass(frozen=True)
class Rep:
    name: str
    user_id: str
    skill: float
    skips_cfo: bool
    takes_exam: bool

    @property
    def learner(self) -> Learner:
        return Learner(PLATFORM, self.user_id, self.name)


@dataclass(frozen=True)
class Planned:
    """One session to play: when, who (an index into the reps), what and how."""

    at: datetime
    rep: int
    scenario: str
    mode: str


@dataclass(frozen=True)
class DemoTeam:
    team: str
    reps: tuple[Rep, ...]
    sessions: int
    turns: int
    average_score: float | None
    certified: tuple[str, ...]
    cfo_not_done: tuple[str, ...]
    assignments: int


def rep_names(names: Sequence[str], count: int) -> list[str]:
    """The scripted names in order; past the list they come round again with a number."""
    return [
        names[i % len(names)] + ("" if i < len(names) else f" {i // len(names) + 1}")
        for i in range(count)
    ]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", ".", text.lower()).strip(".")


def make_reps(names: Sequence[str], count: int, team: str, rng: random.Random) -> list[Rep]:
    """Reps of mixed skill; their accounts are named after the team too, so two demo teams
    in one database never share a rep."""
    tiers = [tier for share, *tier in TIERS for _ in range(round(share * count))]
    tiers = (tiers + [list(TIERS[1][1:])] * count)[:count]
    rng.shuffle(tiers)
    reps = []
    for name, (low, high) in zip(rep_names(names, count), tiers, strict=True):
        reps.append(
            Rep(
                name=name,
                user_id=f"{slug(team)}.{slug(name)}",
                skill=round(rng.uniform(low, high), 3),
                skips_cfo=rng.random() < 0.3,
                takes_exam=rng.random() < 0.7,
            )
        )
    return reps


def plan_sessions(
    reps: Sequence[Rep], scenarios: Sequence[str], today: datetime, rng: random.Random
) -> list[Planned]:
    """Practice spread over the history; the CFO assignment's attempts after it was set
    (except by reps who skip it); one exam for reps who take it, after it was set."""
    start = today - timedelta(days=HISTORY_DAYS)
    cfo_set = today - timedelta(days=CFO_SET_DAYS_AGO)
    exam_set = today - timedelta(days=EXAM_SET_DAYS_AGO)
    practice = [s for s in PRACTICE_WEIGHTS if s in scenarios]
    weights = [PRACTICE_WEIGHTS[s] for s in practice]
    plan: list[Planned] = []

    def at_between(low: datetime, high: datetime) -> datetime:
        moment = low + (high - low) * rng.random()
        # whole minutes: the wall clock's microseconds would reorder two builds' sessions
        return moment.replace(
            hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=0, microsecond=0
        )

    for i, rep in enumerate(reps):
        for _ in range(rng.randint(5, 9)):
            scenario = rng.choices(practice, weights)[0]
            if scenario == CFO_SCENARIO:
                when = at_between(start, cfo_set - timedelta(days=1))
            else:
                when = at_between(start, today - timedelta(days=1))
            plan.append(Planned(when, i, scenario, "practice"))
        if not rep.skips_cfo and CFO_SCENARIO in scenarios:
            for _ in range(rng.randint(1, 2)):
                when = at_between(cfo_set + timedelta(days=1), today - timedelta(days=1))
                plan.append(Planned(when, i, CFO_SCENARIO, "practice"))
        if rep.takes_exam and EXAM_SCENARIO in scenarios:
            when = at_between(exam_set + timedelta(days=1), today - timedelta(days=1))
            plan.append(Planned(when, i, EXAM_SCENARIO, "exam"))
    return sorted(plan, key=lambda p: (p.at, p.rep, p.scenario))


def skill_at(rep: Rep, moment: datetime, today: datetime) -> float:
    progress = 1 - (today - moment) / timedelta(days=HISTORY_DAYS)
    return min(0.98, rep.skill + LEARNING_GAIN * max(0.0, progress))


def replies_for(steps: Sequence[Step], skill: float, rng: random.Random) -> list[str]:
    return [rng.choice(step.strong if rng.random() < skill else step.weak) for step in steps]


def play_session(
    trainer: Trainer, learner: Learner, scenario: str, mode: str, replies: Sequence[str]
) -> int:
    """Play one session to its end (or /quit it) and return its id."""
    command = "/exam" if mode == "exam" else "/start"
    opened = trainer.handle(Inbound(learner, f"{command} {scenario}"))
    if opened.session_id is None:
        raise DemoTeamError(f"could not start {scenario}: {opened.parts}")
    for text in replies:
        if trainer.handle(Inbound(learner, text)).ended:
            return opened.session_id
    trainer.handle(Inbound(learner, "/quit"))
    return opened.session_id


def build_demo_team(
    trainer: Trainer,
    store: SqliteStore,
    team: str = "Demo team",
    reps: int = 24,
    seed: int = 1,
    today: datetime | None = None,
    scripts: DemoScripts | None = None,
) -> DemoTeam:
    """Create `team` with its manager, `reps` simulated reps, their assignments and eight
    weeks of sessions played through `trainer`."""
    scripts = scripts or load_demo_scripts()
    scripts.check_scenarios(trainer.casts)
    # midnight: at any time of day the same seed plans the same days and skills
    today = (today or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    rng = random.Random(seed)
    if store.team(team) is not None:
        raise DemoTeamError(f"team {team!r} exists already; pick another --team or --db")
    people = make_reps(scripts.names, reps, team, rng)
    plan = plan_sessions(people, list(scripts.scenarios), today, rng)
    with store.transaction():
        found = store.create_team(team)
        manager = store.learner(MANAGER.platform, MANAGER.user_id, MANAGER.name)
        store.add_member(found.id, manager.person_id, "manager")
        person_ids = [manager.person_id]
        for rep in people:
            record = store.learner(PLATFORM, rep.user_id, rep.name)
            store.add_member(found.id, record.person_id, "rep")
            person_ids.append(record.person_id)
        backdate_people(store, person_ids, today - timedelta(days=HISTORY_DAYS + 1))
    assignments = [
        (today - timedelta(days=EXAM_SET_DAYS_AGO), EXAM_SCENARIO, True, EXAM_DUE_IN_DAYS),
        (today - timedelta(days=CFO_SET_DAYS_AGO), CFO_SCENARIO, False, CFO_DUE_IN_DAYS),
    ]
    for n, planned in enumerate(plan):
        while assignments and assignments[0][0] <= planned.at:
            _assign(trainer, store, found.id, today, *assignments.pop(0))
        rep = people[planned.rep]
        choices = random.Random(f"{seed}:{n}")
        steps = scripts.scenarios[planned.scenario]
        said = replies_for(steps, skill_at(rep, planned.at, today), choices)
        session_id = play_session(trainer, rep.learner, planned.scenario, planned.mode, said)
        with store.transaction():
            backdate_session(store, session_id, planned.at)
    for pending in assignments:
        _assign(trainer, store, found.id, today, *pending)
    return summarise(store, found.name, tuple(people))


def _assign(
    trainer: Trainer,
    store: SqliteStore,
    team_id: int,
    today: datetime,
    created: datetime,
    scenario: str,
    exam: bool,
    due_in_days: int,
) -> None:
    cast = trainer.casts[scenario]
    due = (today + timedelta(days=due_in_days)).date().isoformat()
    with store.transaction():
        assignment = store.add_assignment(
            team_id,
            scenario,
            cast.scenario.start_level,
            due,
            cast.scenario.rubric.pass_mark,
            1,
            exam,
        )
        backdate_assignment(store, assignment.id, created)


def summarise(store: SqliteStore, team: str, reps: tuple[Rep, ...]) -> DemoTeam:
    """What the team looks like, read back through the report's own queries."""
    totals = store.read(
        "SELECT COUNT(DISTINCT s.id) AS sessions, ROUND(AVG(s.score), 1) AS average,"
        " (SELECT COUNT(*) FROM turns t JOIN sessions x ON x.id = t.session_id"
        "  JOIN learners y ON y.id = x.learner_id JOIN team_members z"
        "  ON z.person_id = y.person_id JOIN teams w ON w.id = z.team_id"
        "  WHERE w.name = :team AND t.role = 'learner') AS turns"
        " FROM teams t JOIN team_members m ON m.team_id = t.id AND m.role = 'rep'"
        " JOIN learners l ON l.person_id = m.person_id JOIN sessions s ON s.learner_id = l.id"
        " WHERE t.name = :team",
        {"team": team},
    )[0]
    certified = sorted({row["rep"] for row in run_query(store, "certified", team)})
    not_done = [
        row["rep"] for row in run_query(store, "not_done", team) if row["scenario"] == CFO_SCENARIO
    ]
    assignments = run_query(store, "assignment_completion", team)
    return DemoTeam(
        team=team,
        reps=reps,
        sessions=totals["sessions"],
        turns=totals["turns"] or 0,
        average_score=totals["average"],
        certified=tuple(certified),
        cfo_not_done=tuple(not_done),
        assignments=len(assignments),
    )

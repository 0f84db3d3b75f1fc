"""`roleplay team ...`: the admin's commands for teams, managers, links and assignments,
and the manager's report. Whoever runs these has the server's shell: that is the admin."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.analytics.team import TeamReport, queries, team_report
from bot.cli.options import content_option, db_option, open_service
from bot.engine.team_commands import skill_scenarios, titles_of
from bot.engine.trainer import Trainer
from bot.storage.base import LearnerRecord, TeamRecord
from bot.storage.sqlite import SqliteStore

IDENTITY_HELP = "PLATFORM:USER_ID, e.g. slack:T0123:U0456, telegram:123456789, terminal:ana"


@click.group("team")
def team_group() -> None:
    """Teams, managers, linked accounts, assignments and the manager's report."""


def _open(content_root: Path | None, db_path: Path | None) -> tuple[Trainer, SqliteStore]:
    return open_service(content_root, db_path)


def _identity(store: SqliteStore, identity: str, name: str = "") -> LearnerRecord:
    platform, sep, user_id = identity.partition(":")
    if not sep or not platform or not user_id:
        raise click.BadParameter(f"{identity!r} is not {IDENTITY_HELP}")
    return store.learner(platform, user_id, name or user_id)


def _team(store: SqliteStore, name: str) -> TeamRecord:
    team = store.team(name)
    if team is None:
        raise click.ClickException(f"no team {name!r}; create it with `roleplay team create`")
    return team


@team_group.command("create")
@click.argument("name")
@click.option("--no-leaderboard", is_flag=True, help="Opt this team out of the leaderboard.")
@db_option
@content_option
def create_command(name: str, no_leaderboard: bool, db_path, content_root) -> None:
    """Create team NAME (again: no change)."""
    _, store = _open(content_root, db_path)
    with store.transaction():
        team = store.create_team(name.strip())
        if no_leaderboard:
            store.set_leaderboard(team.id, False)
    click.echo(f"team {team.name} (leaderboard {'off' if no_leaderboard else 'on'})")


@team_group.command("leaderboard")
@click.argument("team")
@click.argument("choice", type=click.Choice(["on", "off"]))
@db_option
@content_option
def leaderboard_command(team: str, choice: str, db_path, content_root) -> None:
    """Turn TEAM's leaderboard on or off."""
    _, store = _open(content_root, db_path)
    with store.transaction():
        store.set_leaderboard(_team(store, team).id, choice == "on")
    click.echo(f"leaderboard of {team}: {choice}")


@team_group.command("add")
@click.argument("team")
@click.argument("identities", nargs=-1, required=True, metavar="IDENTITY...")
@click.option("--manager", is_flag=True, help="Add them as managers of the team, not reps.")
@click.option("--name", default="", help="Display name (one identity only).")
@db_option
@content_option
def add_command(
    team: str, identities: tuple[str, ...], manager: bool, name: str, db_path, content_root
) -> None:
    """Add reps (or managers) to TEAM by identity: PLATFORM:USER_ID (slack:T0123:U0456,
    telegram:123456789, terminal:ana)."""
    if name and len(identities) > 1:
        raise click.UsageError("--name names one identity")
    _, store = _open(content_root, db_path)
    role = "manager" if manager else "rep"
    with store.transaction():
        found = _team(store, team)
        for identity in identities:
            learner = _identity(store, identity, name)
            store.add_member(found.id, learner.person_id, role)
            click.echo(
                f"{role} {store.person_name(learner.person_id)} ({identity}) in {found.name}"
            )


@team_group.command("remove")
@click.argument("team")
@click.argument("identity")
@click.option("--manager", is_flag=True, help="Remove them as a manager, not as a rep.")
@db_option
@content_option
def remove_command(team: str, identity: str, manager: bool, db_path, content_root) -> None:
    """Remove a rep (or a manager) from TEAM."""
    _, store = _open(content_root, db_path)
    role = "manager" if manager else "rep"
    with store.transaction():
        store.remove_member(_team(store, team).id, _identity(store, identity).person_id, role)
    click.echo(f"removed {identity} as {role} of {team}")


@team_group.command("link")
@click.argument("identity")
@click.argument("others", nargs=-1, required=True, metavar="OTHER...")
@db_option
@content_option
def link_command(identity: str, others: tuple[str, ...], db_path, content_root) -> None:
    """Make OTHER accounts the same person as IDENTITY: their history, teams and
    certificates follow the rep from one platform to the other."""
    _, store = _open(content_root, db_path)
    with store.transaction():
        person = _identity(store, identity).person_id
        for other in others:
            learner = _identity(store, other)
            if learner.person_id != person:
                store.merge_person(learner.person_id, person)
            click.echo(f"{other} is now {store.person_name(person)} ({identity})")


@team_group.command("assign")
@click.argument("team")
@click.argument("scenario")
@click.option("--level", default=None, help="Level [default: the scenario's first level].")
@click.option("--due", "due", required=True, type=click.DateTime(["%Y-%m-%d"]), help="YYYY-MM-DD")
@click.option(
    "--pass-mark", type=click.IntRange(0, 100), default=None, help="[default: the scenario's]"
)
@click.option("--attempts", type=click.IntRange(1, 100), default=1, help="Minimum attempts.")
@click.option("--exam", is_flag=True, help="Only exam attempts count (certification).")
@click.option("--rep", "reps", multiple=True, help="Only these reps (IDENTITY); default: all.")
@db_option
@content_option
def assign_command(
    team: str,
    scenario: str,
    level: str | None,
    due,
    pass_mark: int | None,
    attempts: int,
    exam: bool,
    reps: tuple[str, ...],
    db_path,
    content_root,
) -> None:
    """Set TEAM (or some of its reps) SCENARIO, due by a date."""
    trainer, store = _open(content_root, db_path)
    cast = trainer.casts.get(scenario)
    if cast is None:
        raise click.BadParameter(
            f"unknown scenario {scenario!r}; known: {', '.join(trainer.casts)}"
        )
    level = level or cast.scenario.start_level
    if level not in cast.scenario.levels:
        raise click.BadParameter(
            f"unknown level {level!r}; levels: {', '.join(cast.scenario.level_names)}"
        )
    if due.date() < date.today():
        raise click.BadParameter(f"the due date {due.date()} is in the past")
    mark = cast.scenario.rubric.pass_mark if pass_mark is None else pass_mark
    with store.transaction():
        found = _team(store, team)
        people = [_identity(store, rep).person_id for rep in reps]
        assignment = store.add_assignment(
            found.id, scenario, level, due.date().isoformat(), mark, attempts, exam, people
        )
    who = f"{len(people)} reps" if people else "the whole team"
    click.echo(
        f"assignment {assignment.id}: {cast.scenario.title} ({level}) for {who} of {found.name},"
        f" due {assignment.due_at}, pass mark {mark}, {attempts} attempt(s)"
        + (", exam" if exam else "")
    )


@team_group.command("report")
@click.argument("team")
@click.option("--json", "as_json", is_flag=True, help="Print every section as JSON.")
@click.option(
    "--csv",
    "csv_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write one CSV per section into this folder (for the LMS).",
)
@db_option
@content_option
def report_command(team: str, as_json: bool, csv_dir: Path | None, db_path, content_root) -> None:
    """The manager's view of TEAM: completion, scores per skill, missed moves, trend,
    certificates, leaderboard and what each rep should practise next."""
    trainer, store = _open(content_root, db_path)
    found = _team(store, team)
    report = team_report(
        store, found.name, titles_of(trainer.casts), skill_scenarios(trainer.casts)
    )
    if as_json:
        click.echo(json.dumps(report.as_json(), indent=2))
    elif csv_dir is not None:
        for path in write_csv(report, csv_dir):
            click.echo(str(path))
    else:
        print_report(report, Console(highlight=False))


def write_csv(report: TeamReport, folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, rows in report.sections.items():
        path = folder / f"{name}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            columns = list(rows[0]) if rows else []
            writer = csv.DictWriter(out, fieldnames=columns)
            writer.writeheader()
            writer.writerows(rows)
        written.append(path)
    return written


def print_report(report: TeamReport, console: Console) -> None:
    console.rule(f"Team {escape(report.team)}")
    titles = {name: q.title for name, q in queries().items()}
    titles["practise_next"] = "What each rep should practise next"
    layout: dict[str, tuple[str, ...]] = {
        "assignment_completion": ("title", "level", "due", "completed", "assigned", "percent_done"),
        "not_done": ("title", "due", "rep", "attempts", "best_score"),
        "missed_moves": ("label", "kind", "times", "reps", "example", "example_rep"),
        "certified": ("rep", "title", "level", "score", "certified_on"),
        "reps": ("rep", "sessions", "average_score", "passed", "last_practised"),
        "practise_next": ("rep", "weakest_skill", "skill_score", "title"),
        "leaderboard": ("title", "rank", "rep", "best_score"),
    }
    for name, columns in layout.items():
        _table(console, titles[name], columns, report.rows(name))
    _pivot(
        console,
        "Score per rep per skill",
        report.rows("skill_scores"),
        "rep",
        "skill_name",
        "score",
    )
    _pivot(
        console,
        "Score trend per rep (weekly average)",
        report.rows("weekly_scores"),
        "rep",
        "week",
        "average_score",
    )
    _pivot(
        console,
        "Score trend per skill (weekly)",
        report.rows("weekly_skills"),
        "skill",
        "week",
        "score",
    )


def _table(
    console: Console, title: str, columns: tuple[str, ...], rows: list[dict[str, Any]]
) -> None:
    if not rows:
        console.print(f"{title}: none", style="dim")
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column.replace("_", " "))
    for row in rows:
        table.add_row(*(escape("" if row.get(c) is None else str(row[c])) for c in columns))
    console.print(table)


def _pivot(
    console: Console,
    title: str,
    rows: list[dict[str, Any]],
    row_key: str,
    column_key: str,
    value: str,
) -> None:
    if not rows:
        console.print(f"{title}: none", style="dim")
        return
    columns = sorted({r[column_key] for r in rows})
    cells: dict[str, dict[str, Any]] = {}
    for r in rows:
        cells.setdefault(r[row_key], {})[r[column_key]] = r[value]
    table = Table(title=title, title_justify="left")
    table.add_column(row_key)
    for column in columns:
        table.add_column(str(column), justify="right")
    for key, values in cells.items():
        table.add_row(
            escape(str(key)), *("" if values.get(c) is None else str(values[c]) for c in columns)
        )
    console.print(table)

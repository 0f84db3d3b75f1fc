"""`roleplay demo-team`: seed a team of simulated reps to try the team report on."""

from __future__ import annotations

import shlex
from pathlib import Path

import click

from bot.cli.options import content_option, db_option, open_service, resolve_db
from bot.harness.demo_scripts import DemoScriptError
from bot.harness.demo_team import DemoTeamError, build_demo_team


@click.command("demo-team")
@click.option("--reps", type=click.IntRange(1, 1000), default=24, show_default=True)
@click.option("--team", default="Demo team", show_default=True, help="Name of the new team.")
@click.option("--seed", default=1, show_default=True, help="Same seed, same team.")
@db_option
@content_option
def demo_team_command(
    reps: int, team: str, seed: int, db_path: Path | None, content_root: Path | None
) -> None:
    """Create TEAM with a manager and simulated reps whose eight weeks of practice, exams
    and assignments are played through the real engine (then backdated)."""
    trainer, store = open_service(content_root, db_path)
    try:
        demo = build_demo_team(trainer, store, team.strip(), reps, seed)
    except (DemoTeamError, DemoScriptError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(
        f"team {demo.team}: manager Morgan (terminal:manager), {len(demo.reps)} reps,"
        f" {demo.sessions} sessions, {demo.turns} replies, average score {demo.average_score},"
        f" {demo.assignments} assignments"
    )
    click.echo(f"certified ({len(demo.certified)}): {', '.join(demo.certified) or 'nobody'}")
    click.echo(
        f"not done the CFO assignment ({len(demo.cfo_not_done)}):"
        f" {', '.join(demo.cfo_not_done) or 'nobody'}"
    )
    db = "" if db_path is None else f" --db {shlex.quote(str(resolve_db(db_path)))}"
    quoted = shlex.quote(demo.team)
    click.echo("try next:")
    click.echo(f"  roleplay team report {quoted}{db}")
    click.echo(f"  roleplay dashboard --team {quoted}{db}")

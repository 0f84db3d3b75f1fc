"""`roleplay team-bench`: time the team report on a big simulated team."""

from __future__ import annotations

import json
import tempfile
from dataclasses import asdict
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from bot.cli.options import content_option, open_service
from bot.harness import team_bench


@click.command("team-bench")
@click.option("--reps", type=click.IntRange(1, 100_000), default=200, show_default=True)
@click.option("--sessions", type=click.IntRange(1, 10_000_000), default=20_000, show_default=True)
@click.option(
    "--played",
    type=click.IntRange(10, 100_000),
    default=300,
    show_default=True,
    help="About how many sessions to play through the engine before copying them.",
)
@click.option("--runs", type=click.IntRange(1, 1000), default=20, show_default=True)
@click.option("--seed", default=1, show_default=True)
@click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Build (or reuse, if it holds the bench team) this file [default: a temporary one].",
)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@content_option
def team_bench_command(
    reps: int,
    sessions: int,
    played: int,
    runs: int,
    seed: int,
    db_path: Path | None,
    as_json: bool,
    content_root: Path | None,
) -> None:
    """Build a team of REPS reps with SESSIONS sessions, then time every report query, the
    whole report and the three manager questions (p50, p95, max over RUNS runs)."""
    with tempfile.TemporaryDirectory() as tmp:
        trainer, store = open_service(content_root, db_path or Path(tmp) / "team-bench.db")
        if store.team(team_bench.TEAM) is None:
            size = team_bench.build_bench_db(trainer, store, reps, sessions, played, seed)
        else:
            size = team_bench.measure_size(store, 0, 0.0)
        timings = team_bench.time_report(trainer, store, runs=runs)
        store.close()
    if as_json:
        figures = {"size": asdict(size), "timings": [t.as_json() for t in timings]}
        click.echo(json.dumps(figures, indent=2))
        return
    console = Console(highlight=False)
    console.print(
        f"{size.reps} reps, {size.sessions:,} ended sessions ({size.played} played through the"
        f" engine), {size.turns:,} turns, {size.turn_moves:,} turn_moves rows,"
        f" {size.megabytes:.0f} MB; built in {size.build_seconds:.1f} s"
    )
    table = Table(title=f"Team report timings over {runs} runs (ms)", title_justify="left")
    for column in ("what", "p50", "p95", "max", "rows"):
        table.add_column(column, justify="left" if column == "what" else "right")
    for t in timings:
        slow = " [red](over 1 s)[/red]" if t.p95 > 1000 else ""
        table.add_row(t.label + slow, f"{t.p50:.1f}", f"{t.p95:.1f}", f"{t.max:.1f}", str(t.rows))
    console.print(table)

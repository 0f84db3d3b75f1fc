"""`roleplay validate` and `roleplay diagram`: commands for content authors."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.options import content_option
from bot.content.library import default_content_root, load_library
from bot.engine.machine import FlowMachine


@click.command("validate")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@content_option
def validate_command(paths: tuple[Path, ...], content_root: Path | None) -> None:
    """Check all content (or PATHs, with the library they refer to); list every problem."""
    root = content_root or default_content_root()
    files = [f for p in paths for f in (sorted(p.glob("*.y*ml")) if p.is_dir() else [p])]
    library = load_library(root, files)
    for problem in library.problems:
        click.echo(str(problem))
    counts = (
        f"{len(library.personas)} personas, {len(library.flows)} flows, "
        f"{len(library.scenarios)} scenarios"
    )
    if library.problems:
        raise click.ClickException(f"{len(library.problems)} problem(s); loaded {counts}")
    click.echo(f"ok: {counts}")


@click.command("diagram")
@click.argument("scenario")
@content_option
def diagram_command(scenario: str, content_root: Path | None) -> None:
    """Print a scenario's flow as mermaid state-diagram text."""
    library = load_library(content_root)
    if scenario not in library.scenarios:
        known = ", ".join(library.scenarios) or "none"
        raise click.ClickException(f"unknown scenario {scenario!r}; scenarios: {known}")
    flow = library.flow(library.scenario(scenario).flow)
    click.echo(FlowMachine(flow).mermaid(), nl=False)

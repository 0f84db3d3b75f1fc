"""`roleplay docs`: regenerate docs/scenarios.md and docs/techniques.md (or check them)."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.options import content_option
from bot.content.library import default_content_root, load_library
from bot.docs import generated_docs, stale_docs


@click.command("docs")
@click.option("--check", is_flag=True, help="Only check; exit non-zero if a doc is stale.")
@content_option
def docs_command(check: bool, content_root: Path | None) -> None:
    """Generate docs/scenarios.md and docs/techniques.md from the content."""
    root = content_root or default_content_root()
    library = load_library(root)
    if library.problems:
        raise click.ClickException(
            f"{len(library.problems)} content problem(s); run `roleplay validate` first"
        )
    if check:
        stale = stale_docs(library, root)
        for path in stale:
            click.echo(f"stale: {path.relative_to(root)}")
        if stale:
            raise click.ClickException("generated docs are stale; run `roleplay docs`")
        click.echo("docs are up to date")
        return
    for path, text in generated_docs(library, root).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        click.echo(f"wrote {path.relative_to(root)}")

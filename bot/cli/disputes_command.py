"""`roleplay disputes`: review the turns reps contested; a correction becomes training data."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.cli.options import content_option, db_option, open_service
from bot.content.library import default_content_root
from bot.scoring.labelled_file import upsert_example
from bot.storage.base import DisputeRecord
from bot.vocabulary import vocabulary

LABELS = Path("eval", "train", "disputes.jsonl")


@click.group("disputes", invoke_without_command=True)
@click.pass_context
def disputes_group(ctx: click.Context) -> None:
    """Review contested scoring: list, show, confirm or correct."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(list_command)


@disputes_group.command("list")
@click.option("--all", "show_all", is_flag=True, help="Reviewed disputes too.")
@db_option
@content_option
def list_command(show_all: bool = False, db_path=None, content_root=None) -> None:
    """The open disputes (with --all: every one), oldest first."""
    _, store = open_service(content_root, db_path)
    rows = store.disputes(None if show_all else "open")
    if not rows:
        click.echo("No open disputes." if not show_all else "No disputes.")
        return
    table = Table(title="Disputes", title_justify="left")
    for column in ("id", "status", "scenario", "reply", "scored", "note"):
        table.add_column(column)
    for d in rows:
        table.add_row(
            str(d.id), d.status, d.scenario_id, escape(d.reply), _scored(d), escape(d.note)
        )
    Console(highlight=False).print(table)


@disputes_group.command("show")
@click.argument("dispute_id", type=int)
@db_option
@content_option
def show_command(dispute_id: int, db_path, content_root) -> None:
    """One dispute: the buyer's line, the reply, what was scored, the note and the review."""
    _, store = open_service(content_root, db_path)
    d = _find(store, dispute_id)
    click.echo(f"dispute {d.id} ({d.status}), {d.scenario_id}, session {d.session_id}")
    click.echo(f"buyer: {d.buyer}")
    click.echo(f"reply: {d.reply}")
    click.echo(f"scored {d.points:+d}:")
    for m in d.moves:
        click.echo(f'  {m.move} {m.points:+d} "{m.quote}" [{m.rule}]')
    click.echo(f"note: {d.note or '-'}")
    if d.status != "open":
        corrected = ", ".join(d.corrected_moves or ()) if d.status == "corrected" else "confirmed"
        click.echo(f"review by {d.reviewer}: {corrected or 'no moves'}")


@disputes_group.command("confirm")
@click.argument("dispute_id", type=int)
@click.option("--reviewer", default="reviewer", help="Who reviewed it.")
@db_option
@content_option
def confirm_command(dispute_id: int, reviewer: str, db_path, content_root) -> None:
    """The scoring was right: close the dispute."""
    _, store = open_service(content_root, db_path)
    with store.transaction():
        _find(store, dispute_id)
        store.review_dispute(dispute_id, "confirmed", None, reviewer)
    click.echo(f"dispute {dispute_id} confirmed")


@disputes_group.command("correct")
@click.argument("dispute_id", type=int)
@click.option(
    "--moves",
    required=True,
    help="The moves the reply really makes, comma-separated ('' for none).",
)
@click.option("--reviewer", default="reviewer", help="Who reviewed it.")
@click.option(
    "--labels",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Labelled file for the corrected reply [default: eval/train/disputes.jsonl of the"
    " content checkout, which training reads].",
)
@db_option
@content_option
def correct_command(
    dispute_id: int, moves: str, reviewer: str, labels: Path | None, db_path, content_root
) -> None:
    """The scoring was wrong: record the right moves and add the reply to the training data.
    The turn's original score stays as it was, beside the correction."""
    chosen = sorted({m.strip() for m in moves.split(",") if m.strip()})
    unknown = [m for m in chosen if m not in vocabulary()]
    if unknown:
        raise click.BadParameter(f"unknown move id(s): {', '.join(unknown)}", param_hint="--moves")
    _, store = open_service(content_root, db_path)
    with store.transaction():
        d = _find(store, dispute_id)
        store.review_dispute(dispute_id, "corrected", chosen, reviewer)
    example = {
        "id": f"dispute-{d.id}",
        "buyer": d.buyer,
        "reply": d.reply,
        "moves": chosen,
        "scenario": d.scenario_id,
    }
    labels = labels or (content_root or default_content_root()) / LABELS
    added = upsert_example(labels, example)
    was = ", ".join(m.move for m in d.moves) or "no moves"
    click.echo(
        f"dispute {d.id} corrected: {', '.join(chosen) or 'no moves'} (was {was});"
        f" {'added to' if added else 'updated in'} {labels}"
    )


def _find(store, dispute_id: int) -> DisputeRecord:
    d = store.dispute(dispute_id)
    if d is None:
        raise click.ClickException(f"no dispute {dispute_id}; `roleplay disputes list` shows them")
    return d


def _scored(d: DisputeRecord) -> str:
    return f"{d.points:+d} " + (", ".join(f"{m.move} {m.points:+d}" for m in d.moves) or "-")

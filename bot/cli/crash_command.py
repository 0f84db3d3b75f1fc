"""`roleplay crash-test`: SIGKILL the real bot at random moments; count lost and doubled."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import click

MISSING_EXTRA = (
    "the crash test needs the chat extras: pip install 'roleplay-trainer[slack,telegram]'"
)


@click.command("crash-test")
@click.argument("surface", type=click.Choice(["slack", "telegram"]))
@click.option("--learners", default=40, show_default=True, help="Learners practising at once.")
@click.option("--kills", default=25, show_default=True, help="SIGKILLs at random moments.")
@click.option("--workers", default=1, show_default=True, help="Bot processes on one database.")
@click.option("--replies", default=6, show_default=True, help="Replies per learner after /start.")
@click.option("--seed", default=1, show_default=True, help="Seed of the random kill moments.")
@click.option(
    "--keep",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the database and bot logs in this folder.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def crash_test_command(
    surface: str,
    learners: int,
    kills: int,
    workers: int,
    replies: int,
    seed: int,
    keep: Path | None,
    as_json: bool,
) -> None:
    """Run the bot (HTTP mode / webhook) against a fake platform on loopback, kill it with
    SIGKILL KILLS times, restart it, then report turns sent and stored, lost turns, replies
    missing, duplicate replies and the database's integrity. Exits 1 if anything was lost."""
    try:
        from bot.harness.crash import run_crash_test
    except ImportError as exc:
        raise click.ClickException(MISSING_EXTRA) from exc
    if learners < 1 or workers < 1 or kills < 0 or not 0 <= replies <= 6:
        raise click.UsageError("need learners ≥ 1, workers ≥ 1, kills ≥ 0 and 0 ≤ replies ≤ 6")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        report = asyncio.run(
            run_crash_test(
                surface,
                workdir,
                learners=learners,
                kills=kills,
                workers=workers,
                replies=replies,
                seed=seed,
            )
        )
    if as_json:
        click.echo(json.dumps(report.as_dict()))
    else:
        for line in report.lines():
            click.echo(line)
    if report.lost_turns or report.replies_missing or report.integrity != "ok":
        raise SystemExit(1)

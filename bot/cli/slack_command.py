"""`roleplay slack` runs the Slack app; `roleplay slack-load` measures it under load.

Slack libraries are imported inside the commands, so `roleplay` works without the
`slack` extra installed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from pathlib import Path

import click

from bot.cli.options import content_option, db_option, open_service, open_trainer

MISSING_EXTRA = "the Slack app needs its extra: pip install 'roleplay-trainer[slack]'"


@click.command("slack")
@click.option(
    "--mode",
    type=click.Choice(["socket", "http"]),
    default=None,
    help="Transport [default: socket if SLACK_APP_TOKEN is set, else http].",
)
@db_option
@content_option
def slack_command(mode: str | None, db_path: Path | None, content_root: Path | None) -> None:
    """Run the Slack app until Ctrl-C.

    Reads SLACK_BOT_TOKEN plus SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET
    (HTTP mode on SLACK_HOST:SLACK_PORT, default 0.0.0.0:3000, path /slack/events).
    """
    try:
        from bot.adapters.slack.settings import SettingsError, from_env
        from bot.adapters.slack.transports import serve
    except ImportError as exc:
        raise click.ClickException(MISSING_EXTRA) from exc
    try:
        settings = from_env(mode=mode)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    trainer, store = open_service(content_root, db_path)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    where = (
        "Socket Mode"
        if settings.mode == "socket"
        else f"HTTP on {settings.host}:{settings.port}{settings.path}"
    )
    click.echo(f"Slack app running ({where}). Ctrl-C stops it.", err=True)
    with contextlib.suppress(KeyboardInterrupt):
        serve(settings, trainer, store)


@click.command("slack-load")
@click.option("-n", "--learners", default=50, show_default=True, help="Concurrent learners.")
@click.option("--scenario", default=None, help="Scenario id [default: cold_call or the first].")
@db_option
@content_option
def slack_load_command(
    learners: int, scenario: str | None, db_path: Path | None, content_root: Path | None
) -> None:
    """Drive simulated learners through the HTTP endpoint on loopback and print
    acknowledgement latency (p50, p99) and turns per second.

    Uses a fresh temporary database unless --db is given.
    """
    try:
        from bot.harness.slack_load import run_load
    except ImportError as exc:
        raise click.ClickException(MISSING_EXTRA) from exc
    if learners < 1:
        raise click.BadParameter("at least one learner", param_hint="--learners")
    with tempfile.TemporaryDirectory() as tmp:
        db = db_path or Path(tmp) / "load.db"
        open_trainer(content_root, db).store.close()  # report content problems here, once
        report = asyncio.run(run_load(content_root, db, learners, scenario=scenario))
    for line in report.lines():
        click.echo(line)

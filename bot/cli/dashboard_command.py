"""`roleplay dashboard`: the team reports and their charts in a browser, read-only.

Datasette is imported inside the command, so `roleplay` works without the `dashboard`
extra installed.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from urllib.parse import quote

import click

from bot.analytics.dashboard import DASHBOARD, DATABASE
from bot.cli.options import db_option, resolve_db

MISSING_EXTRA = "the dashboard needs its extra: pip install 'roleplay-trainer[dashboard]'"


@click.command("dashboard")
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8001, show_default=True, type=int, help="Port to listen on.")
@click.option("--team", default=None, help="The team the dashboard opens on.")
def dashboard_command(db_path: Path | None, host: str, port: int, team: str | None) -> None:
    """Serve the team reports (Datasette canned queries) and their charts, read-only,
    until Ctrl-C."""
    try:
        import uvicorn

        from bot.adapters.dashboard import dashboard_app
    except ImportError as exc:
        raise click.ClickException(MISSING_EXTRA) from exc
    path = resolve_db(db_path)
    try:
        app = dashboard_app(path, team)
    except (OSError, ValueError, sqlite3.Error) as exc:
        raise click.ClickException(str(exc)) from exc
    base = f"http://{host}:{port}"
    suffix = f"?team={quote(team)}" if team else ""
    click.echo(f"Charts:  {base}/-/dashboards/{DASHBOARD}{suffix}")
    click.echo(f"Reports: {base}/{DATABASE} (e.g. {base}/{DATABASE}/not_done{suffix})")
    click.echo("Read-only. Ctrl-C to stop.")
    uvicorn.run(app, host=host, port=port, log_level="warning")

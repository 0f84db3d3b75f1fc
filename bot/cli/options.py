"""Options shared by several commands (database and content locations)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import click

from bot.content.library import load_library
from bot.engine.trainer import Trainer
from bot.storage.base import default_db_path
from bot.storage.sqlite import SqliteStore

db_option = click.option(
    "--db",
    "db_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="SQLite database file [default: $ROLEPLAY_DB or ~/.local/share/roleplay/roleplay.db].",
)
content_option = click.option(
    "--content",
    "content_root",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    envvar="ROLEPLAY_CONTENT",
    help="Folder holding personas/, state_machines/ and scenarios/ [default: this checkout].",
)


def resolve_db(db_path: Path | None) -> Path:
    return db_path or default_db_path()


def open_trainer(content_root: Path | None, db_path: Path | None) -> Trainer:
    """Load the content library (reporting, not crashing on, broken files) and open storage."""
    return open_service(content_root, db_path)[0]


def open_service(content_root: Path | None, db_path: Path | None) -> tuple[Trainer, SqliteStore]:
    """The trainer and its store, for the chat surfaces (they also use the delivery queues)."""
    library = load_library(content_root)
    for problem in library.problems:
        click.echo(f"warning: {problem}", err=True)
    if not library.scenarios:
        raise click.ClickException("no scenario could be loaded; run `roleplay validate`")
    path = resolve_db(db_path)
    try:
        store = SqliteStore(path)
    except (sqlite3.Error, OSError) as exc:
        raise click.ClickException(f"cannot open the database {path}: {exc}") from exc
    return Trainer(library, store), store

"""The manager's dashboard surface: Datasette over the roleplay database, read-only.

Read-only holds at three levels. Every SQLite connection Datasette opens, including the
one it would use for writes, is `mode=ro`, so SQLite itself refuses a write. No write
plugin is installed and no canned query is a write query. And only GET and HEAD are
answered, carrying SQL only if it is the exact text of a report query: the chart plugin
fetches its data through Datasette's SQL endpoint (so `execute-sql` must stay on), but a
free SQL console over every rep's transcripts is not a manager's tool; for the same reason
the raw tables are hidden and only the reports show.

The file is opened in Datasette's normal (mutable) mode, not `--immutable`: the bot keeps
writing to it, and an immutable open would neither see new sessions nor be safe while the
file changes."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from datasette.app import Datasette
from datasette.database import Database

from bot.analytics.dashboard import DATABASE, allowed_sql, metadata

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUIRED_TABLES = ("teams", "team_members", "sessions", "turn_moves", "moves", "certificates")


class ReadOnlyDatabase(Database):
    """A Datasette database whose every connection, the write one too, is read-only."""

    def connect(self, write: bool = False) -> sqlite3.Connection:
        return super().connect(write=False)


def check_database(path: Path) -> list[str]:
    """The file's tables and views; fails early, with a reason, on a file that is missing
    or predates teams."""
    if not path.is_file():
        raise FileNotFoundError(f"no database at {path}")
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
        names = sorted(row[0] for row in rows)
    missing = [t for t in REQUIRED_TABLES if t not in names]
    if missing:
        raise ValueError(
            f"{path} has no {', '.join(missing)} table; run `roleplay team create` or the "
            "bot once against it to bring it up to date"
        )
    return names


def datasette(path: Path, team: str | None = None, tables: Iterable[str] = ()) -> Datasette:
    """Datasette serving `path` as the `roleplay` database with the report queries, and
    `tables` hidden."""
    ds = Datasette(
        metadata=metadata(team, tables),
        settings={"sql_time_limit_ms": 3000, "allow_download": False},
    )
    ds.add_database(ReadOnlyDatabase(ds, path=str(path), is_mutable=True), name=DATABASE)
    return ds


def only_report_sql(app: App, allowed: frozenset[str]) -> App:
    """Answer only GET and HEAD, and refuse (403) a request whose `sql` argument is not one
    of the report queries, or that adds SQL to a table page (`_where`)."""

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            query = scope.get("query_string", b"").decode("latin-1")
            args = parse_qs(query, keep_blank_values=True)
            if scope["method"] not in ("GET", "HEAD"):
                await _refuse(send, 405, "The dashboard is read-only: GET only.")
                return
            if "_where" in args or any(sql not in allowed for sql in args.get("sql", [])):
                await _refuse(send, 403, "Only the team report queries run here.")
                return
        await app(scope, receive, send)

    return guarded


async def _refuse(send: Send, status: int, text: str) -> None:
    headers = [(b"content-type", b"text/plain; charset=utf-8")]
    if status == 405:
        headers.append((b"allow", b"GET, HEAD"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": text.encode() + b"\n"})


def dashboard_app(path: Path, team: str | None = None) -> App:
    """The ASGI app to serve: Datasette behind the SQL guard."""
    tables = check_database(path)
    return only_report_sql(datasette(path, team, tables).app(), allowed_sql())

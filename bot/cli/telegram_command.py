"""`roleplay telegram` (run the bot) and `roleplay telegram-load` (measure it on loopback).

The Telegram adapter is imported inside the commands so the rest of the CLI works without
the `telegram` extra installed.
"""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

import click

from bot.adapters.telegram.settings import SettingsError, TelegramSettings
from bot.cli.options import content_option, db_option, open_service

MISSING_EXTRA = "the Telegram adapter is not installed: pip install 'roleplay-trainer[telegram]'"


@click.command("telegram")
@db_option
@content_option
def telegram_command(db_path: Path | None, content_root: Path | None) -> None:
    """Run the Telegram bot: long polling, or a webhook if TELEGRAM_WEBHOOK_URL is set.

    Reads TELEGRAM_BOT_TOKEN, and for a webhook TELEGRAM_WEBHOOK_URL,
    TELEGRAM_WEBHOOK_SECRET and TELEGRAM_WEBHOOK_LISTEN (see docs/telegram.md).
    """
    try:
        settings = TelegramSettings.from_env()
    except SettingsError as error:
        raise click.ClickException(str(error)) from error
    try:
        from bot.adapters.telegram.serve import serve
    except ImportError as error:
        raise click.ClickException(MISSING_EXTRA) from error
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    trainer, store = open_service(content_root, db_path)
    click.echo(f"Telegram bot starting ({settings.mode}); Ctrl+C stops it.", err=True)
    serve(settings, trainer, store)


@click.command("telegram-load")
@click.option("--chats", default=50, show_default=True, help="Concurrent chats.")
@click.option("--turns", default=10, show_default=True, help="Replies per chat after /start.")
@click.option("--scenario", default=None, help="Scenario to play [default: the first one].")
@click.option(
    "--max-rate",
    default=0,
    show_default=True,
    help="Cap on messages/s the bot sends, as TELEGRAM_MAX_MESSAGES_PER_SECOND (0: off).",
)
@db_option
@content_option
def telegram_load_command(
    chats: int,
    turns: int,
    scenario: str | None,
    max_rate: int,
    db_path: Path | None,
    content_root: Path | None,
) -> None:
    """Drive N concurrent chats through the webhook on loopback; print p50, p99 and turns/s.

    Needs no token or network: a fake Bot API runs in the same process. Uses a throw-away
    database unless --db is given.
    """
    try:
        from bot.harness.telegram_load import run_load
    except ImportError as error:
        raise click.ClickException(MISSING_EXTRA) from error
    with tempfile.TemporaryDirectory() as tmp:
        trainer, store = open_service(content_root, db_path or Path(tmp) / "load.db")
        scenario = scenario or trainer.scenarios().scenarios[0].id
        result = asyncio.run(run_load(trainer, store, chats, turns, scenario, max_rate))
        store.close()
    click.echo(result.summary())
    if not max_rate:
        click.echo("(no cap on sends: a real bot is also held to Telegram's ~30 messages/s)")

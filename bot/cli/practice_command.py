"""`roleplay practice` and `roleplay progress`: practise in the terminal."""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

import click
from rich.console import Console

from bot.adapters.terminal import TerminalRenderer, TerminalSession, script_lines
from bot.cli.options import content_option, db_option, open_trainer
from bot.engine.trainer import Trainer
from bot.messages import Learner
from bot.scoring.learned import warm_up

learner_option = click.option(
    "--learner",
    default=None,
    envvar="ROLEPLAY_LEARNER",
    help="Your learner name in the terminal [default: your login name].",
)


def _learner(name: str | None) -> Learner:
    try:
        default = getpass.getuser()
    except (KeyError, OSError):
        default = "me"
    return Learner("terminal", name or default, name or default)


@click.command("practice")
@click.argument("scenario", required=False)
@click.option("--level", default=None, help="Difficulty level, e.g. easy or hard.")
@click.option("--exam", is_flag=True, help="Certify: no hints or feedback, one attempt.")
@click.option(
    "--replies",
    "replies_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="Play non-interactively: one reply per line ('-' for stdin).",
)
@learner_option
@db_option
@content_option
def practice_command(
    scenario: str | None,
    level: str | None,
    exam: bool,
    replies_file,
    learner: str | None,
    db_path: Path | None,
    content_root: Path | None,
) -> None:
    """Practise SCENARIO in the terminal (no SCENARIO: resume your session or list them)."""
    console = Console(highlight=False)
    trainer = open_trainer(content_root, db_path)
    warm_up()
    session = TerminalSession(trainer, _learner(learner), console)
    scripted = replies_file is not None or not sys.stdin.isatty()
    assignments = trainer.assignments(session.learner)
    if assignments.assignments:
        session.render.assignments(assignments)  # what a manager set comes first
    if scenario is None:
        if not _resume(session, trainer):
            session.render.scenarios(trainer.scenarios())
            return
    else:
        verb = "exam" if exam else "start"
        reply = session.send(f"/{verb} {scenario} {level or ''}".strip())
        if reply.session_id is None:
            raise SystemExit(1)
    if scripted:
        lines = script_lines((replies_file or sys.stdin).read())
        last = session.play(lines, echo=True)
        if last is None or not last.ended:
            session.send("/score")
        return
    _interactive(session, console)


def _resume(session: TerminalSession, trainer: Trainer) -> bool:
    active = trainer.resumable(session.learner)
    if active is None:
        return False
    session.render.console.print(
        f"Resuming your {active.scenario_id} session ({active.replies} replies so far). "
        f"Last line: {active.last_line}",
        style="dim",
        markup=False,
    )
    return True


def _interactive(session: TerminalSession, console: Console) -> None:
    while True:
        try:
            text = console.input("[bold green]You:[/bold green] ")
        except (EOFError, KeyboardInterrupt):
            console.print(
                "\nSession saved. `roleplay practice` (or `./run practice`) picks it up again."
            )
            return
        reply = session.send(text)
        if reply.ended:
            return


@click.command("progress")
@learner_option
@db_option
@content_option
def progress_command(learner: str | None, db_path: Path | None, content_root: Path | None) -> None:
    """Show your past sessions and score trend."""
    trainer = open_trainer(content_root, db_path)
    TerminalRenderer(Console(highlight=False)).progress(trainer.progress(_learner(learner)))

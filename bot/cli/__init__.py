"""The `roleplay` command line: one module per command, registered on one group."""

from __future__ import annotations

import click

from bot.cli.agreement_command import agreement_command
from bot.cli.bench_command import bench_command
from bot.cli.content_commands import diagram_command, validate_command
from bot.cli.crash_command import crash_test_command
from bot.cli.dashboard_command import dashboard_command
from bot.cli.demo_command import demo_team_command
from bot.cli.disputes_command import disputes_group
from bot.cli.docs_command import docs_command
from bot.cli.eval_command import eval_command
from bot.cli.external_command import eval_external_command
from bot.cli.practice_command import practice_command, progress_command
from bot.cli.slack_command import slack_command, slack_load_command
from bot.cli.team_bench_command import team_bench_command
from bot.cli.team_command import team_group
from bot.cli.telegram_command import telegram_command, telegram_load_command
from bot.cli.train_command import train_command


@click.group(help="Roleplay trainer for B2B sales reps.")
@click.version_option(package_name="roleplay-trainer")
def main() -> None:
    """Entry point of the `roleplay` console script."""


for command in (
    practice_command,
    progress_command,
    validate_command,
    diagram_command,
    docs_command,
    eval_command,
    eval_external_command,
    train_command,
    bench_command,
    slack_command,
    slack_load_command,
    telegram_command,
    telegram_load_command,
    crash_test_command,
    team_group,
    disputes_group,
    agreement_command,
    dashboard_command,
    demo_team_command,
    team_bench_command,
):
    main.add_command(command)

"""The `roleplay` command line: one module per command, registered on one group."""

from __future__ import annotations

import click

from bot.cli.eval_command import eval_command


@click.group(help="Roleplay trainer for B2B sales reps.")
@click.version_option(package_name="roleplay-trainer")
def main() -> None:
    """Entry point of the `roleplay` console script."""


main.add_command(eval_command)

"""`roleplay agreement FIRST SECOND`: how far two labellings of the same replies agree."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.scoring.agreement import AgreementError, agreement
from bot.scoring.evaluate import LabelFileError, load_examples
from bot.vocabulary import vocabulary

LabelFile = click.Path(exists=True, dir_okay=False, path_type=Path)


@click.command("agreement")
@click.argument("first", type=LabelFile)
@click.argument("second", type=LabelFile)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def agreement_command(first: Path, second: Path, as_json: bool) -> None:
    """Per-move agreement between two labelled files of the same replies (matched by id):
    positive agreement and Cohen's kappa."""
    try:
        result = agreement(load_examples(first), load_examples(second), vocabulary().ids)
    except (LabelFileError, AgreementError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(result.as_dict(), indent=2))
        return
    header = f"{'move':<24} {'both':>5} {'1 only':>6} {'2 only':>6} {'agree':>6} {'kappa':>6}"
    click.echo(header)
    click.echo("-" * len(header))
    for move, m in result.moves.items():
        if m.both + m.first_only + m.second_only == 0:
            continue
        click.echo(
            f"{move:<24} {m.both:>5} {m.first_only:>6} {m.second_only:>6} "
            f"{m.positive:>6.3f} {m.kappa:>6.3f}"
        )
    click.echo("-" * len(header))
    click.echo(
        f"{result.replies} replies, {result.exact} labelled identically; positive agreement"
        f" (micro) {result.micro_positive:.3f}, mean kappa {result.mean_kappa:.3f}"
    )

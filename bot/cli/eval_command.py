"""`roleplay eval FILE.jsonl`: precision, recall and F1 of the move detector."""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.scoring.detect import RuleError
from bot.scoring.evaluate import LabelFileError, Report, evaluate_file


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--errors", is_flag=True, help="Also list false positives and false negatives.")
def eval_command(file: Path, as_json: bool, errors: bool) -> None:
    """Score the move detector against a labelled jsonl FILE."""
    try:
        report = evaluate_file(file)
    except (LabelFileError, RuleError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        data = report.as_dict()
        if errors:
            data["errors"] = [_error_dict(e) for e in report.errors]
        click.echo(json.dumps(data, indent=2))
        return
    if errors:
        _print_errors(report)
    _print_table(report)
    micro = report.micro
    click.echo(f"micro-F1 {micro.f1:.3f} macro-F1 {report.macro_f1:.3f}")


def _error_dict(error) -> dict:
    out = {
        "kind": error.kind,
        "move": error.move,
        "id": error.example.id,
        "reply": error.example.reply,
    }
    if error.detection is not None:
        ev = error.detection.evidence
        out["evidence"] = {"rule": ev.rule, "quote": ev.quote, "start": ev.start, "end": ev.end}
    return out


def _print_errors(report: Report) -> None:
    for kind, title in (("fp", "False positives"), ("fn", "False negatives")):
        items = [e for e in report.errors if e.kind == kind]
        click.echo(f"{title} ({len(items)}):")
        for e in sorted(items, key=lambda e: (e.move, e.example.line)):
            line = f"  {e.move:<24} {e.example.id}: {e.example.reply}"
            if e.detection is not None:
                ev = e.detection.evidence
                line += f"\n  {'':<24} evidence [{ev.rule}] {ev.quote!r}"
            click.echo(line)
        click.echo("")


def _print_table(report: Report) -> None:
    header = f"{'move':<24} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"
    click.echo(header)
    click.echo("-" * len(header))
    for move, s in report.scores.items():
        click.echo(f"{move:<24} {s.precision:>9.3f} {s.recall:>7.3f} {s.f1:>6.3f} {s.support:>8d}")
    click.echo("-" * len(header))
    micro = report.micro
    click.echo(
        f"{'micro':<24} {micro.precision:>9.3f} {micro.recall:>7.3f} {micro.f1:>6.3f} "
        f"{micro.support:>8d}"
    )
    click.echo(f"{'macro (support > 0)':<24} {'':>9} {'':>7} {report.macro_f1:>6.3f}")

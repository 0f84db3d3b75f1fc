"""`roleplay eval FILE.jsonl`: precision, recall and F1 of the move detector.

The table is the product's detector (rules and model combined); then rules alone, model
alone and combined side by side, and the learning curve of the combined detector trained on
25, 50 and 100% of the training files, both on FILE.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from bot.scoring.detect import RuleError
from bot.scoring.evaluate import Error, LabelFileError, Report, load_examples
from bot.scoring.learned.comparison import CURVE, Comparison, compare


def _stderr(message: str) -> None:
    click.echo(message, err=True)


@click.command("eval")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
@click.option("--errors", is_flag=True, help="Also list false positives and false negatives.")
@click.option(
    "--detector",
    type=click.Choice(["combined", "rules", "model"]),
    default="combined",
    show_default=True,
    help="Which detector the per-move table (and --errors) is about.",
)
@click.option(
    "--curve/--no-curve",
    default=True,
    show_default=True,
    help="Also train on 25% and 50% of the training files (cached) for the learning curve.",
)
def eval_command(file: Path, as_json: bool, errors: bool, detector: str, curve: bool) -> None:
    """Score the move detectors against a labelled jsonl FILE."""
    try:
        comparison = compare(load_examples(file), curve=CURVE if curve else (), announce=_stderr)
    except (LabelFileError, RuleError) as exc:
        raise click.ClickException(str(exc)) from exc
    report = comparison.reports[detector]
    if as_json:
        data = report.as_dict()
        data["detector"] = detector
        data |= comparison.as_dict()
        if errors:
            data["errors"] = [_error_dict(e) for e in report.errors]
        click.echo(json.dumps(data, indent=2))
        return
    if errors:
        _print_errors(report)
    _print_table(report, detector)
    _print_comparison(comparison)
    micro = report.micro
    click.echo(f"micro-F1 {micro.f1:.3f} macro-F1 {report.macro_f1:.3f}")


def _error_dict(error: Error) -> dict[str, object]:
    out: dict[str, object] = {
        "kind": error.kind,
        "move": error.move,
        "id": error.example.id,
        "reply": error.example.reply,
    }
    if error.detection is not None:
        ev = error.detection.evidence
        out["evidence"] = {
            "rule": ev.rule,
            "quote": ev.quote,
            "start": ev.start,
            "end": ev.end,
            "spans": [{"start": s, "end": e, "quote": q} for s, e, q in ev.spans],
        }
    return out


def _print_errors(report: Report) -> None:
    for kind, title in (("fp", "False positives"), ("fn", "False negatives")):
        items = [e for e in report.errors if e.kind == kind]
        click.echo(f"{title} ({len(items)}):")
        for e in sorted(items, key=lambda e: (e.move, e.example.line)):
            line = f"  {e.move:<24} {e.example.id}: {e.example.reply}"
            if e.detection is not None:
                ev = e.detection.evidence
                spans = ", ".join(f"{q!r} {s}-{t}" for s, t, q in ev.spans)
                line += f"\n  {'':<24} evidence [{ev.rule}] {spans}"
            click.echo(line)
        click.echo("")


def _print_table(report: Report, detector: str) -> None:
    header = f"{'move':<24} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8}"
    click.echo(f"detector: {detector}")
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


def _print_comparison(comparison: Comparison) -> None:
    reports = comparison.reports
    click.echo("")
    click.echo(f"{'F1 per move':<24} {'rules':>7} {'model':>7} {'combined':>8}")
    for move in reports["combined"].scores:
        cells = [reports[name].scores[move] for name in ("rules", "model", "combined")]
        if cells[0].support == 0:
            continue
        click.echo(f"{move:<24} {cells[0].f1:>7.3f} {cells[1].f1:>7.3f} {cells[2].f1:>8.3f}")
    for label, value in (("micro-F1", "micro"), ("macro-F1", "macro")):
        figures = [
            r.micro.f1 if value == "micro" else r.macro_f1
            for r in (reports["rules"], reports["model"], reports["combined"])
        ]
        click.echo(f"{label:<24} {figures[0]:>7.3f} {figures[1]:>7.3f} {figures[2]:>8.3f}")
    if comparison.curve:
        click.echo("")
        click.echo("learning curve (combined, trained on a share of eval/train):")
        for p in comparison.curve:
            click.echo(
                f"  {p.fraction:>4.0%} ({p.train_examples:>5} replies)  "
                f"macro-F1 {p.report.macro_f1:.3f}  micro-F1 {p.report.micro.f1:.3f}"
            )
    click.echo("")

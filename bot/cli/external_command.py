"""`roleplay eval-external`: the move detectors on the external human-labelled reference.

Non-sales utterances labelled by their corpora's own annotators (../shared/eval/external):
how the question, listening and rapport detectors hold up on language nobody here wrote.
Reference only; nothing is tuned on it.
"""

from __future__ import annotations

import json
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table

from bot.content.library import default_content_root
from bot.scoring.detect import Detector, default_detector
from bot.scoring.external import (
    GOLD_FILE,
    ExternalFileError,
    ExternalReport,
    evaluate_external,
    load_mapping,
    load_utterances,
)
from bot.scoring.learned import LearnedDetector, cached_model, product_detector


def default_file() -> Path:
    return default_content_root().parent / "shared" / "eval" / "external" / GOLD_FILE


@click.command("eval-external")
@click.option(
    "--file",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help=f"The reference rows [default: ../shared/eval/external/{GOLD_FILE}].",
)
@click.option(
    "--every",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Score every Nth row only (a quicker look).",
)
@click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")
def eval_external_command(path: Path | None, every: int, as_json: bool) -> None:
    """Score rules, model and combined on the external reference, per external move."""
    try:
        rows = load_utterances(path or default_file())[::every]
    except ExternalFileError as exc:
        raise click.ClickException(str(exc)) from exc
    mapping = load_mapping()
    detectors: dict[str, Detector] = {
        "rules": default_detector(),
        "model": LearnedDetector(cached_model(variant="model"), None),
        "combined": product_detector(),
    }
    reports = {name: evaluate_external(rows, d, mapping) for name, d in detectors.items()}
    clean = [m for m, q in mapping.quality.items() if q == "clean"]
    if as_json:
        click.echo(json.dumps(_as_dict(reports, clean, len(rows)), indent=2))
        return
    _print(reports, mapping.quality, clean, len(rows))


def _as_dict(reports: dict[str, ExternalReport], clean: list[str], count: int) -> dict:
    return {
        "rows": count,
        **{
            name: {
                "macro_f1_clean": round(r.macro_f1(clean), 4),
                "moves": {m: s.as_dict() for m, s in r.scores.items()},
                "by_source": {
                    source: {m: s.as_dict() for m, s in scores.items()}
                    for source, scores in r.by_source.items()
                },
            }
            for name, r in reports.items()
        },
    }


def _print(
    reports: dict[str, ExternalReport], quality: dict[str, str], clean: list[str], count: int
) -> None:
    table = Table(title=f"External reference: {count:,} utterances (F1; P/R of combined)")
    for column in ("external move", "mapping", "support", "rules", "model", "combined", "P", "R"):
        table.add_column(
            column, justify="left" if column in ("external move", "mapping") else "right"
        )
    combined = reports["combined"]
    for move, score in combined.scores.items():
        table.add_row(
            move,
            quality[move],
            str(score.support),
            *(f"{reports[name].scores[move].f1:.3f}" for name in ("rules", "model", "combined")),
            f"{score.precision:.3f}",
            f"{score.recall:.3f}",
        )
    console = Console()
    console.print(table)
    macro = "  ".join(f"{name} {r.macro_f1(clean):.3f}" for name, r in reports.items())
    console.print(f"macro-F1 over the clean mappings: {macro}")

"""`roleplay train`: build the move model from the labelled files of this checkout."""

from __future__ import annotations

import json
import time

import click

from bot.scoring.detect import RuleError, default_detector
from bot.scoring.evaluate import LabelFileError
from bot.scoring.learned import (
    Corpus,
    build,
    data_key,
    load_training,
    model_path,
    training_files,
    tune,
)
from bot.scoring.learned.train import TUNING_FILE, VARIANTS


@click.command("train")
@click.option(
    "--tune",
    "retune",
    is_flag=True,
    help="First choose C, thresholds and policies again by 5-fold cross-validation on the "
    "training files (minutes) and rewrite tuning.json.",
)
@click.option(
    "--if-stale",
    is_flag=True,
    help="Do nothing if the cache already holds the model of this checkout's data (setup).",
)
def train_command(retune: bool, if_stale: bool) -> None:
    """Train the move model on eval/train/*.jsonl (fixed seeds) and cache it by data hash."""
    files = training_files()
    if not files:
        raise click.ClickException("no training files in eval/train/*.jsonl")
    if if_stale and not retune and all(model_path(data_key(), v).exists() for v in VARIANTS):
        return
    started = time.perf_counter()
    inputs = data_key(with_tuning=not retune)  # what this run reads; --tune writes tuning.json
    try:
        corpus = Corpus.build(load_training(), default_detector())
    except (LabelFileError, RuleError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(corpus.examples)} labelled replies from {len(files)} files")
    if retune:
        settings = {v: tune(corpus, use_rules=v == "combined") for v in VARIANTS}
        TUNING_FILE.write_text(json.dumps(settings, indent=1) + "\n", encoding="utf-8")
        click.echo(f"tuned by cross-validation in {time.perf_counter() - started:.0f} s")
    key = data_key()
    for variant in VARIANTS:
        t0 = time.perf_counter()
        model = build(variant=variant, corpus=corpus)
        if data_key(with_tuning=not retune) != inputs:
            raise click.ClickException(
                "the training data changed while training; nothing cached: run roleplay train again"
            )
        path = model_path(key, variant)
        model.save(path)
        click.echo(
            f"{variant:<9} {len(model.vocab.names):,} features, trained in "
            f"{time.perf_counter() - t0:.1f} s, {path.stat().st_size / 1e6:.1f} MB: {path}"
        )
    click.echo(f"data key {key[:16]}; total {time.perf_counter() - started:.1f} s")

"""`roleplay bench`: print engine latency, throughput, validation time and memory."""

from __future__ import annotations

from pathlib import Path

import click

from bot.cli.options import content_option
from bot.harness import bench as benchmark


@click.command("bench")
@click.option("--turns", default=10_000, show_default=True, help="Turns per measurement.")
@click.option("--scenario", default="cold_call", show_default=True)
@click.option("--learners", default=50, show_default=True, help="Learners sharing the database.")
@content_option
def bench_command(turns: int, scenario: str, learners: int, content_root: Path | None) -> None:
    """Measure per-turn latency (p50, p99) with and without storage."""
    if turns < 100:
        raise click.BadParameter("use at least 100 turns", param_hint="--turns")
    try:
        figures, extra = benchmark.run(turns, scenario, learners, content_root)
    except benchmark.UnknownScenario as exc:
        raise click.BadParameter(str(exc), param_hint="--scenario") from exc
    low, median, high = extra["reply_words"]
    click.echo(f"{turns} turns of {low}-{high} words (median {median}) on scenario {scenario}")
    for f in figures:
        click.echo(
            f"{f.label:<22} p50 {f.p50:7.3f} ms   p99 {f.p99:7.3f} ms   "
            f"{f.per_second:9,.0f} turns/s"
        )
    click.echo(f"validate whole library  {extra['validate_ms']:.1f} ms (after start-up)")
    click.echo(f"peak memory (RSS)       {extra['peak_rss_mib']:.0f} MiB")

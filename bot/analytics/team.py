"""A team as its manager sees it: the report queries of queries.yaml, run and summarised.

Every surface (the `roleplay team report` command, the chat summary, the dashboard) reads
the same named queries, so the numbers a manager sees agree wherever they look."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from bot.messages import AssignmentStatus, MissedMove, RepLine, TeamSummary
from bot.storage.base import Store

QUERIES_FILE = Path(__file__).with_name("queries.yaml")
SUMMARY_MISSED = 5
SUMMARY_NAMES = 8


@dataclass(frozen=True)
class Query:
    name: str
    title: str
    description: str
    sql: str


@cache
def queries() -> dict[str, Query]:
    raw = yaml.safe_load(QUERIES_FILE.read_text(encoding="utf-8"))
    return {
        name: Query(name, spec["title"], spec["description"], spec["sql"])
        for name, spec in raw["queries"].items()
    }


def run_query(store: Store, name: str, team: str) -> list[dict[str, Any]]:
    return store.read(queries()[name].sql, {"team": team})


@dataclass(frozen=True)
class TeamReport:
    """Each query's rows by name, plus what each rep should practise next."""

    team: str
    sections: dict[str, list[dict[str, Any]]]

    def rows(self, name: str) -> list[dict[str, Any]]:
        return self.sections[name]

    def as_json(self) -> dict[str, Any]:
        return {"team": self.team, **self.sections}


def team_report(
    store: Store, team: str, titles: Mapping[str, str], skill_scenarios: Mapping[str, str]
) -> TeamReport:
    """`titles` maps scenario ids to titles; `skill_scenarios` maps a skill to the scenario
    that trains it best (the first in the library that scores it)."""
    sections = {name: run_query(store, name, team) for name in queries()}
    for name in ("assignment_completion", "not_done", "certified", "leaderboard"):
        for row in sections[name]:
            row["title"] = titles.get(row["scenario"], row["scenario"])
    sections["practise_next"] = practise_next(
        sections["reps"], sections["skill_scores"], skill_scenarios, titles
    )
    return TeamReport(team, sections)


def practise_next(
    reps: Sequence[Mapping[str, Any]],
    skill_scores: Sequence[Mapping[str, Any]],
    skill_scenarios: Mapping[str, str],
    titles: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Each rep's weakest skill and the scenario that trains it; a rep with no scored
    moves yet starts with the first scenario."""
    weakest: dict[str, Mapping[str, Any]] = {}
    for row in skill_scores:
        known = weakest.get(row["rep"])
        if known is None or (row["score"], row["skill"]) < (known["score"], known["skill"]):
            weakest[row["rep"]] = row
    first = next(iter(titles), None)
    out = []
    for rep in reps:
        weak = weakest.get(rep["rep"])
        scenario = skill_scenarios.get(weak["skill"]) if weak else first
        out.append(
            {
                "rep": rep["rep"],
                "weakest_skill": weak["skill_name"] if weak else None,
                "skill_score": weak["score"] if weak else None,
                "scenario": scenario,
                "title": titles.get(scenario, scenario) if scenario else None,
            }
        )
    return out


def team_summary(report: TeamReport) -> TeamSummary:
    """The short form for a chat message or an App Home."""
    missing: dict[int, list[str]] = {}
    for row in report.rows("not_done"):
        missing.setdefault(row["assignment"], []).append(row["rep"])
    completion = tuple(
        AssignmentStatus(
            row["title"],
            row["level"],
            row["due"][:10],
            row["completed"],
            row["assigned"],
            tuple(missing.get(row["assignment"], [])[:SUMMARY_NAMES]),
        )
        for row in report.rows("assignment_completion")
    )
    missed = tuple(
        MissedMove(
            row["label"],
            row["kind"],
            row["times"],
            row["reps"],
            row["example"],
            row["example_rep"],
            row["link"],
        )
        for row in report.rows("missed_moves")[:SUMMARY_MISSED]
    )
    nexts = {row["rep"]: row for row in report.rows("practise_next")}
    reps = tuple(
        RepLine(
            row["rep"],
            row["sessions"],
            row["average_score"],
            nexts[row["rep"]]["weakest_skill"],
            nexts[row["rep"]]["title"],
        )
        for row in report.rows("reps")
    )
    certified = tuple(
        f"{row['rep']}: {row['title']} ({row['level']}, {row['certified_on']})"
        for row in report.rows("certified")
    )
    leaders = tuple(
        f"{row['title']}: {row['rank']}. {row['rep']} ({row['best_score']})"
        for row in report.rows("leaderboard")
        if row["rank"] <= 3
    )
    return TeamSummary(report.team, completion, missed, reps, certified, leaders)

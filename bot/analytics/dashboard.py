"""The manager's dashboard as configuration: Datasette canned queries and chart specs.

Everything is generated from queries.yaml, so the dashboard runs the very SQL text that
`roleplay team report` runs. This module only builds dictionaries; the surface that serves
them (bot.adapters.dashboard) is the one that imports Datasette."""

from __future__ import annotations

from collections.abc import Iterable
from html import escape
from typing import Any
from urllib.parse import urlencode

from bot.analytics.team import queries

DATABASE = "roleplay"
DASHBOARD = "team"
TEAMS_SQL = "SELECT name FROM teams ORDER BY name"

# Each chart: the report query it draws and its Vega-Lite encoding (datasette-dashboards).
CHARTS: dict[str, tuple[str, dict[str, Any]]] = {
    "score_trend": (
        "weekly_scores",
        {
            "mark": {"type": "line", "point": True, "tooltip": True},
            "encoding": {
                "x": {"field": "week_start", "type": "temporal", "title": "week"},
                "y": {"field": "average_score", "type": "quantitative", "title": "score"},
                "color": {"field": "rep", "type": "nominal"},
            },
        },
    ),
    "skill_trend": (
        "weekly_skills",
        {
            "mark": {"type": "line", "point": True, "tooltip": True},
            "encoding": {
                "x": {"field": "week_start", "type": "temporal", "title": "week"},
                "y": {"field": "score", "type": "quantitative", "title": "score"},
                "color": {"field": "skill", "type": "nominal"},
            },
        },
    ),
    "completion": (
        "assignment_completion",
        {
            "mark": {"type": "bar", "tooltip": True},
            "encoding": {
                "y": {"field": "scenario", "type": "nominal", "title": "assignment"},
                "x": {
                    "field": "percent_done",
                    "type": "quantitative",
                    "title": "% of reps done",
                    "scale": {"domain": [0, 100]},
                },
            },
        },
    ),
}


def canned_queries() -> dict[str, dict[str, Any]]:
    """One read-only canned query per report query, with :team as its parameter."""
    return {
        name: {
            "sql": query.sql,
            "title": query.title,
            "description": query.description,
            "params": ["team"],
        }
        for name, query in queries().items()
    }


def charts() -> dict[str, dict[str, Any]]:
    return {
        slug: {
            "title": queries()[name].title,
            "db": DATABASE,
            "query": queries()[name].sql,
            "library": "vega-lite",
            "display": display,
        }
        for slug, (name, display) in CHARTS.items()
    }


def metadata(team: str | None = None, tables: Iterable[str] = ()) -> dict[str, Any]:
    """Datasette metadata: the canned queries and one dashboard of charts, filtered by
    team (`team` is the filter's default). The raw `tables` are hidden: the dashboard shows
    the reports, not every rep's transcripts."""
    team_filter: dict[str, Any] = {"name": "Team", "type": "select", "db": DATABASE}
    team_filter["query"] = TEAMS_SQL
    if team:
        team_filter["default"] = team
    return {
        "title": "Roleplay trainer: team dashboard",
        "description": "Read-only team reports; every query takes the team's name.",
        "databases": {
            DATABASE: {
                "queries": canned_queries(),
                "tables": {table: {"allow": False} for table in tables},
                **_links(team),
            }
        },
        "plugins": {
            "datasette-dashboards": {
                DASHBOARD: {
                    "title": "Team progress",
                    "description": "Score trend per rep and per skill, completion per assignment.",
                    "layout": [["score_trend", "skill_trend"], ["completion", "completion"]],
                    "filters": {"team": team_filter},
                    "charts": charts(),
                }
            }
        },
    }


def _links(team: str | None) -> dict[str, str]:
    """Canned queries have no default parameter values: link each report for `team`."""
    if not team:
        return {}
    items = "".join(
        f'<li><a href="/{DATABASE}/{name}?{urlencode({"team": team})}">{escape(q.title)}</a></li>'
        for name, q in queries().items()
    )
    charts = f"/-/dashboards/{DASHBOARD}?{urlencode({'team': team})}"
    return {
        "description_html": f'<p>Team {escape(team)}: <a href="{charts}">charts</a></p>'
        f"<ul>{items}</ul>"
    }


def allowed_sql() -> frozenset[str]:
    """The only SQL texts the dashboard will run on request: the report queries (the
    charts fetch their data through Datasette's SQL endpoint with exactly this text)."""
    return frozenset(query.sql for query in queries().values())

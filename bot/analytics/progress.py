"""A learner's progress over time: past sessions, score trend and what to practise next."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bot.messages import Progress, ProgressRow
from bot.storage.base import SessionRecord, Store

HISTORY = 50


SKILL_SCORES = """
SELECT mv.skill, mv.skill_name,
  100.0 * SUM(MAX(tm.points, 0)) / SUM(ABS(tm.points)) AS score
FROM learners l
JOIN sessions s ON s.learner_id = l.id
JOIN turn_moves tm ON tm.session_id = s.id AND tm.kind != 'missed'
JOIN moves mv ON mv.id = tm.move
WHERE l.person_id = :person
GROUP BY mv.skill
HAVING SUM(ABS(tm.points)) > 0
ORDER BY score, mv.skill
"""


def learner_progress(
    store: Store,
    person_id: int,
    titles: Mapping[str, str],
    skill_scenarios: Mapping[str, str] | None = None,
) -> Progress:
    """A person's progress on every platform they are linked on. `titles` maps every
    playable scenario id to its title, in the library's order; `skill_scenarios` maps a
    skill to the scenario that trains it, so the weakest skill picks what to practise."""
    sessions = store.person_sessions(person_id, limit=HISTORY)
    rows = [s for s in sessions if s.status == "ended"]
    weakest = next(
        (
            w
            for w in store.read(SKILL_SCORES, {"person": person_id})
            if (skill_scenarios or {}).get(w["skill"]) in titles
        ),
        None,
    )
    titled = tuple(
        ProgressRow(
            s.scenario_id,
            titles.get(s.scenario_id, s.scenario_id),
            s.started_at,
            s.outcome or "",
            s.score,
            s.passed,
        )
        for s in rows
    )
    return Progress(
        titled,
        trend([s.score for s in rows if s.score is not None]),
        (skill_scenarios or {})[weakest["skill"]] if weakest else practise_next(rows, list(titles)),
        weakest["skill_name"] if weakest else None,
    )


def practise_next(rows: Sequence[SessionRecord], playable: Sequence[str]) -> str | None:
    """The first scenario not tried yet, else the one with the lowest best score."""
    best: dict[str, int] = {}
    for s in rows:
        best[s.scenario_id] = max(best.get(s.scenario_id, 0), s.score or 0)
    untried = [sid for sid in playable if sid not in best]
    if untried:
        return untried[0]
    failing = sorted((score, sid) for sid, score in best.items() if sid in playable)
    return failing[0][1] if failing else None


def trend(scores: Sequence[int]) -> str:
    """Newest first: compare the last three sessions with the three before."""
    if len(scores) < 2:
        return "not enough sessions yet"
    recent, earlier = scores[:3], scores[3:6] or scores[-1:]
    delta = sum(recent) / len(recent) - sum(earlier) / len(earlier)
    if delta > 5:
        return f"improving (+{delta:.0f})"
    if delta < -5:
        return f"slipping ({delta:.0f})"
    return "steady"

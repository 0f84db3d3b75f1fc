"""The end-of-session scorecard, computed from stored turns only."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import yaml

from bot.content.models import Persona, Scenario, State
from bot.messages import LedgerLine, QuotedReply, Scorecard, SkillScore, Tip
from bot.storage.base import TurnRecord
from bot.vocabulary import vocabulary

TALK_TARGET = 0.43  # learner share of words in a good conversation [CS]
OUTCOME_WEIGHT = 40
TECHNIQUE_WEIGHT = 60
DISCOVERY = {
    "situation_question",
    "problem_question",
    "implication_question",
    "need_payoff_question",
    "popcorn_question",
    "qualification_question",
    "open_question",
}
PITCH = {"value_statement", "feature_dump"}
WORD = re.compile(r"[\w']+")
STOPWORDS_FILE = Path(__file__).with_name("stopwords.yaml")


def _stopwords() -> frozenset[str]:
    """The words of ``stopwords.yaml``: too general to count as the buyer's own words."""
    return frozenset(yaml.safe_load(STOPWORDS_FILE.read_text(encoding="utf-8"))["stopwords"])


STOPWORDS = _stopwords()


def build_scorecard(
    scenario: Scenario,
    states: dict[str, State],
    turns: Sequence[TurnRecord],
    outcome: str,
    personas: Sequence[Persona],
    revealed_pains: Sequence[str],
    ledger: Sequence[dict[str, str]],
    finished: bool = True,
) -> Scorecard:
    learner = [t for t in turns if t.role == "learner"]
    earned = sum(m.points for t in learner for m in t.moves if m.points > 0)
    lost = -sum(m.points for t in learner for m in t.moves if m.points < 0)
    technique = earned / (earned + lost) if earned + lost else 0.0
    won = outcome in scenario.rubric.pass_outcomes
    score = round(OUTCOME_WEIGHT * won + TECHNIQUE_WEIGHT * technique)
    best, worst = _extremes(learner)
    return Scorecard(
        scenario_id=scenario.id,
        title=scenario.title,
        outcome=outcome,
        score=score,
        passed=won and score >= scenario.rubric.pass_mark,
        pass_mark=scenario.rubric.pass_mark,
        skills=_skills(learner),
        talk_share=_talk_share(turns),
        talk_target=TALK_TARGET,
        discovery_before_pitch=_discovery_before_pitch(learner),
        tailored_value=_tailored_value(learner, personas, revealed_pains),
        best=best,
        worst=worst,
        tips=_tips(scenario, states, learner, turns),
        ledger=tuple(LedgerLine(e.get("give", ""), e.get("get", "")) for e in ledger),
        turns=len(learner),
        finished=finished,
    )


def _skills(learner: Sequence[TurnRecord]) -> tuple[SkillScore, ...]:
    vocab = vocabulary()
    earned: Counter[str] = Counter()
    lost: Counter[str] = Counter()
    for turn in learner:
        for m in turn.moves:
            skill = vocab[m.move].skill
            (earned if m.points > 0 else lost)[skill] += abs(m.points)
    skills = [s for s in vocab.skills if earned[s] + lost[s]]
    return tuple(
        SkillScore(s, vocab.skills[s], round(100 * earned[s] / (earned[s] + lost[s])))
        for s in skills
    )


def _talk_share(turns: Sequence[TurnRecord]) -> float:
    words: Counter[bool] = Counter()
    for turn in turns:
        words[turn.role == "learner"] += len(WORD.findall(turn.text))
    total = words[True] + words[False]
    return round(words[True] / total, 2) if total else 0.0


def _discovery_before_pitch(learner: Sequence[TurnRecord]) -> int:
    count = 0
    for turn in learner:
        moves = {m.move for m in turn.moves}
        if moves & PITCH:
            break
        count += bool(moves & DISCOVERY)
    return count


def _content_words(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if len(w) > 3 and w not in STOPWORDS}


def _tailored_value(
    learner: Sequence[TurnRecord], personas: Sequence[Persona], revealed: Sequence[str]
) -> str | None:
    """The first value statement that reuses the buyer's own words about a revealed pain."""
    pains = [p for persona in personas for p in persona.pains if p.id in revealed]
    keywords = {k.lower() for p in pains for k in p.keywords}
    words = {w for p in pains for w in _content_words(" ".join((*p.text, *p.implication)))}
    for turn in learner:
        text = turn.text.lower()
        pitched = any(m.move == "value_statement" for m in turn.moves)
        if pitched and (_content_words(text) & words or any(k in text for k in keywords)):
            return turn.text
    return None


def _extremes(learner: Sequence[TurnRecord]) -> tuple[QuotedReply | None, QuotedReply | None]:
    if not learner:
        return None, None
    best = max(learner, key=lambda t: t.points)
    worst = min(learner, key=lambda t: t.points)
    worst_reply = (
        QuotedReply(worst.text, worst.points, _why(worst, -1))
        if worst.points < best.points
        else None
    )
    return QuotedReply(best.text, best.points, _why(best, 1)), worst_reply


def _why(turn: TurnRecord, sign: int) -> str:
    """The spans behind a quoted reply's points of one sign: '"tmrw 10ish" (meeting +2)'."""
    vocab = vocabulary()
    return "; ".join(
        f'"{m.shown}" ({vocab[m.move].label} {m.points:+d})'
        for m in turn.moves
        if m.points * sign > 0
    )


def _tips(
    scenario: Scenario,
    states: dict[str, State],
    learner: Sequence[TurnRecord],
    turns: Sequence[TurnRecord],
) -> tuple[Tip, ...]:
    """The two or three most useful tips: costly mistakes first, then what was missed."""
    vocab = vocabulary()
    cost: Counter[str] = Counter()
    for turn in learner:
        for m in turn.moves:
            if m.points < 0:
                cost[m.move] -= m.points
    seen = {m.move for t in learner for m in t.moves}
    visited = [t.state_before for t in learner if t.state_before in states]
    missed = [m for s in dict.fromkeys(visited) for m in states[s].expects if m not in seen]
    missed.sort(key=lambda m: -scenario.rubric.weights.get(m, 1))
    candidates = [m for m, _ in cost.most_common()] + missed
    if _talk_share(turns) > 0.6:
        candidates.insert(min(1, len(candidates)), "open_question")
    tips: dict[str, Tip] = {}
    for move in candidates:
        technique = vocab[move].technique
        if technique.id not in tips:
            text = scenario.tips.get(move, vocab[move].tip)
            tips[technique.id] = Tip(technique.name, text, technique.link)
    return tuple(tips.values())[:3]

"""Engine reply parts → Slack messages (plain text or Block Kit), and the App Home view.

Persona lines and notices are ordinary messages so the conversation reads like a chat;
per-turn feedback is one compact context block; briefings, scenario pickers, scorecards
and progress are Block Kit. Every string from the engine or the learner is escaped, so a
quoted reply can never ping `<!channel>` or break the markup.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import singledispatch
from typing import Any

from bot.engine.commands import ALIASES
from bot.messages import (
    Assignments,
    Briefing,
    Certified,
    Feedback,
    Notice,
    Part,
    PersonaLine,
    Progress,
    Reply,
    ScenarioInfo,
    ScenarioList,
    Scorecard,
    TeamSummary,
    Transcript,
)

Block = dict[str, Any]
SLASH = "/roleplay"
START_ACTION = re.compile(r"^start:")
DISPUTE_ACTION = "dispute"  # the button under feedback: the same as typing /dispute
SECTION_LIMIT = 3000
HEADER_LIMIT = 150
MAX_SCENARIOS = 15  # 3 blocks each, under Slack's 50 blocks per message
MAX_LINES = 40  # transcript lines per message, ten to a section
NOTICE_ICONS = {"hint": ":bulb: ", "error": ":warning: "}
_COMMAND = re.compile(r"(?<![\w/`])/(" + "|".join(sorted(ALIASES, key=len, reverse=True)) + r")\b")


@dataclass(frozen=True)
class SlackMessage:
    text: str  # notification and fallback text; the whole message when there are no blocks
    blocks: tuple[Block, ...] = ()
    starts_thread: bool = False  # posted top-level; the rest of the reply goes in its thread


def render(reply: Reply) -> list[SlackMessage]:
    """One Slack message per reply part, in order."""
    return [render_part(part) for part in reply.parts]


# --- text helpers -----------------------------------------------------------------------


def escape(text: str) -> str:
    """Slack's three control characters; everything else is shown as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Slack sends message text with &, < and > escaped; the engine wants what was typed."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def slack_commands(text: str) -> str:
    """Engine command syntax (`/hint`) → what works in Slack (`/roleplay hint`)."""
    return _COMMAND.sub(lambda m: f"`{SLASH} {m.group(1)}`", text)


def clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quote(text: str) -> str:
    return "“" + escape(text) + "”"


def section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text)}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(*pairs: tuple[str, str]) -> Block:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": clip(f"*{k}*\n{v}", 2000)} for k, v in pairs],
    }


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": clip(text, HEADER_LIMIT)}}


def context(*texts: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": clip(t, 2000)} for t in texts[:10]],
    }


def button(text: str, action_id: str, value: str, primary: bool = False) -> Block:
    block: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75)},
        "action_id": action_id,
        "value": value,
    }
    if primary:
        block["style"] = "primary"
    return block


def bar(score: int) -> str:
    filled = max(0, min(10, round(score / 10)))
    return "█" * filled + "░" * (10 - filled)


# --- parts --------------------------------------------------------------------------------


@singledispatch
def render_part(part: Part) -> SlackMessage:
    raise TypeError(f"no Slack rendering for {type(part).__name__}")


@render_part.register
def _notice(part: Notice) -> SlackMessage:
    return SlackMessage(NOTICE_ICONS.get(part.kind, "") + slack_commands(escape(part.text)))


@render_part.register
def _line(part: PersonaLine) -> SlackMessage:
    return SlackMessage(f"*{escape(part.speaker)}:* {escape(part.text)}")


@render_part.register
def _feedback(part: Feedback) -> SlackMessage:
    items = [
        f"{escape(i.label)} *{i.points:+d}* {quote(i.quote)} · _{escape(i.technique)}_"
        if i.quote
        else f"{escape(i.label)} *{i.points:+d}* · _{escape(i.technique)}_"
        for i in part.items
    ]
    texts = [f":dart: *{part.points:+d}*", *items]
    if part.note:
        texts.append(slack_commands(escape(part.note)))
    plain = f"Feedback: {part.points:+d}" + (f". {part.note}" if part.note else "")
    dispute = {"type": "actions", "elements": [button("Dispute this score", DISPUTE_ACTION, "")]}
    return SlackMessage(plain, (context(*texts), dispute))


@render_part.register
def _briefing(part: Briefing) -> SlackMessage:
    blocks = [
        header(part.title),
        fields(("Level", escape(part.level)), ("You are talking to", escape(part.persona))),
        section(f"*Your role*\n{escape(part.role)}"),
        section(f"*Goal*\n{escape(part.goal)}"),
        section(f"*Success looks like*\n{escape(part.success)}"),
    ]
    if part.situation:
        blocks.append(section(f"*Situation*\n{escape(part.situation)}"))
    blocks.append(context("Reply in this thread: that is where the conversation happens."))
    return SlackMessage(f"Practice: {part.title}", tuple(blocks), starts_thread=True)


@render_part.register
def _scenarios(part: ScenarioList) -> SlackMessage:
    blocks = [header("Pick a scenario to practise"), *scenario_blocks(part)]
    blocks.append(context(f"`{SLASH} help` lists every command."))
    return SlackMessage("Scenarios you can practise", tuple(blocks))


def scenario_blocks(part: ScenarioList) -> list[Block]:
    blocks: list[Block] = []
    for info in part.scenarios[:MAX_SCENARIOS]:
        blocks.append(section(f"*{escape(info.title)}*\n{escape(info.summary)}"))
        if info.skills:
            blocks.append(context("Skills: " + escape(", ".join(info.skills))))
        blocks.append({"type": "actions", "elements": start_buttons(info)})
    return blocks


def start_buttons(info: ScenarioInfo) -> list[Block]:
    """The first level is the scenario's default; the others are offered beside it."""
    levels = info.levels or ("",)
    return [
        button(
            "Start" if i == 0 else level.capitalize(),
            f"start:{info.id}:{level}",
            f"{info.id} {level}".strip(),
            primary=i == 0,
        )
        for i, level in enumerate(levels[:5])
    ]


@render_part.register
def _scorecard(part: Scorecard) -> SlackMessage:
    verdict = "Passed" if part.passed else "Not passed"
    blocks: list[Block] = [
        header(f"Scorecard: {part.title}"),
        fields(
            ("Score", f"*{part.score}* / 100 (pass mark {part.pass_mark})"),
            ("Result", f"{':white_check_mark:' if part.passed else ':x:'} {verdict}"),
            ("Outcome", escape(part.outcome.replace("_", " "))),
            ("Your replies", str(part.turns)),
        ),
    ]
    if not part.finished:
        blocks.append(context("Session still in progress: the score so far."))
    if part.skills:
        blocks.append(section("*Skills*\n" + skill_lines(part)))
    blocks.append(section("*This session*\n" + measure_lines(part)))
    blocks.extend(quoted_replies(part))
    if part.tips:
        tips = "\n".join(f"• *{escape(t.technique)}*: {escape(t.text)}" for t in part.tips)
        blocks.append(section("*What to work on*\n" + tips))
    if part.ledger:
        trades = "\n".join(f"• gave {escape(g.give)} → got {escape(g.get)}" for g in part.ledger)
        blocks.append(section("*Concessions traded*\n" + trades))
    text = f"Scorecard for {part.title}: {part.score}/100, {verdict.lower()}"
    return SlackMessage(text, tuple(blocks))


def skill_lines(card: Scorecard) -> str:
    return "\n".join(f"`{bar(s.score)}` {s.score:>3}  {escape(s.label)}" for s in card.skills)


def measure_lines(card: Scorecard) -> str:
    value = quote(card.tailored_value) if card.tailored_value else "not yet"
    return "\n".join(
        (
            f"• Talk share {card.talk_share:.0%} (aim for {card.talk_target:.0%} or less)",
            f"• Discovery questions before your first pitch: {card.discovery_before_pitch}",
            f"• Tailored value statement: {value}",
        )
    )


def quoted_replies(card: Scorecard) -> list[Block]:
    quotes = [
        f"*{label}* ({q.points:+d})\n>{quote(q.text)}"
        + (f"\n_because of:_ {escape(q.why)}" if q.why else "")
        for label, q in (("Best reply", card.best), ("Weakest reply", card.worst))
        if q is not None
    ]
    return [section(text) for text in quotes]


@render_part.register
def _progress(part: Progress) -> SlackMessage:
    blocks = [header("Your progress"), *progress_blocks(part)]
    return SlackMessage(f"Your progress: {part.trend}", tuple(blocks))


def progress_blocks(part: Progress, titles: dict[str, str] | None = None) -> list[Block]:
    blocks = [section("*Recent sessions*\n" + session_lines(part))]
    blocks.append(context(f"Trend: {escape(part.trend)}"))
    next_id = part.practise_next
    if next_id:
        titles = {**{row.scenario_id: row.title for row in part.rows}, **(titles or {})}
        blocks.append(
            section(
                f"*Practise next:* {escape(titles.get(next_id, next_id))}",
                button("Start", f"start:{next_id}:", next_id, primary=True),
            )
        )
    return blocks


def session_lines(part: Progress, limit: int = 10) -> str:
    if not part.rows:
        return "No finished sessions yet."
    lines = []
    for row in part.rows[:limit]:
        score = "–" if row.score is None else f"{row.score}"
        mark = "" if row.passed is None else (":white_check_mark:" if row.passed else ":x:")
        outcome = escape(row.outcome.replace("_", " "))
        lines.append(f"• {row.started_at[:10]}  *{escape(row.title)}*  {score} {mark} {outcome}")
    return "\n".join(lines)


@render_part.register
def _assignments(part: Assignments) -> SlackMessage:
    title = ":alarm_clock: Reminder: your assignments" if part.reminder else "Your assignments"
    blocks = [header(title.replace(":alarm_clock: ", "")), *assignment_blocks(part)]
    return SlackMessage(title, tuple(blocks))


def assignment_blocks(part: Assignments) -> list[Block]:
    if not part.assignments:
        blocks = [section("No open assignments.")]
    else:
        lines = [
            f"• *{escape(a.title)}* ({escape(a.level)}{', exam' if a.exam else ''}) due {a.due}"
            + (" :warning: overdue" if a.overdue else "")
            + f" · {a.attempts}/{a.min_attempts} attempts · pass mark {a.pass_mark}"
            + f" · {escape(a.team)}"
            for a in part.assignments[:20]
        ]
        more = len(part.assignments) - 20
        blocks = [section("\n".join(lines) + (f"\n… and {more} more" if more > 0 else ""))]
    if part.certified:
        blocks.append(context("Certified: " + escape("; ".join(part.certified))))
    return blocks


@render_part.register
def _certified(part: Certified) -> SlackMessage:
    what = f"{escape(part.title)} ({escape(part.level)})"
    text = f":trophy: Certified: {what}, score {part.score}, on {part.date}"
    return SlackMessage(text)


@render_part.register
def _team(part: TeamSummary) -> SlackMessage:
    return SlackMessage(f"Team {part.team}", tuple(team_blocks(part)))


def team_blocks(part: TeamSummary) -> list[Block]:
    blocks: list[Block] = [header(f"Team {part.team}")]
    if part.completion:
        lines = [
            f"• *{escape(a.title)}* ({escape(a.level)}, due {a.due}):"
            f" {a.completed}/{a.assigned} done"
            + (f" · not done: {escape(', '.join(a.not_done))}" if a.not_done else "")
            for a in part.completion
        ]
        blocks.append(section("*Assignments*\n" + "\n".join(lines)))
    if part.missed:
        lines = [
            f"• *{escape(m.label)}* ({'missed' if m.kind == 'missed' else 'costly mistake'},"
            f" {m.times}×, {m.reps} reps) e.g. {escape(m.example_rep)}:"
            f" {quote(clip(m.example, 200))}"
            for m in part.missed
        ]
        blocks.append(section("*What the team misses most*\n" + "\n".join(lines)))
    if part.reps:
        lines = [
            f"• {escape(r.rep)}: {r.sessions} sessions,"
            f" avg {'–' if r.average is None else round(r.average)}"
            + (f", weakest {escape(r.weakest_skill)}" if r.weakest_skill else "")
            + (f", next: {escape(r.practise_next)}" if r.practise_next else "")
            for r in part.reps
        ]
        blocks.append(section("*Reps*\n" + "\n".join(lines)))
    if part.certified:
        blocks.append(
            section("*Certified*\n" + "\n".join(f"• {escape(c)}" for c in part.certified))
        )
    if part.leaders:
        blocks.append(context("Leaderboard: " + escape("; ".join(part.leaders))))
    return blocks


@render_part.register
def _transcript(part: Transcript) -> SlackMessage:
    score = "" if part.score is None else f", score {part.score}"
    lines = [
        f"*{escape(line.speaker)}:* {escape(line.text)}"
        + ("" if line.points is None else f" _({line.points:+d})_")
        for line in part.lines[:MAX_LINES]
    ]
    if len(part.lines) > MAX_LINES:
        lines.append(f"… and {len(part.lines) - MAX_LINES} more lines")
    chunks = [lines[i : i + 10] for i in range(0, len(lines), 10)]
    blocks = [
        header(f"{part.rep}: {part.title}"),
        context(f"{part.started_at[:10]} · {escape(part.outcome or 'in progress')}{score}"),
        *(section("\n".join(chunk)) for chunk in chunks),
    ]
    return SlackMessage(f"Transcript: {part.rep}, {part.title}", tuple(blocks))


# --- App Home -------------------------------------------------------------------------------


def home_view(
    progress: Progress,
    scorecard: Scorecard | None,
    scenarios: ScenarioList,
    assignments: Assignments | None = None,
    teams: tuple[TeamSummary, ...] = (),
) -> Block:
    """The learner's own Home tab: open assignments first, then (for a manager) each team's
    summary, then the last scorecard's skills, what next, recent sessions and scenarios."""
    blocks: list[Block] = [header("Your sales practice")]
    if assignments is not None and (assignments.assignments or assignments.certified):
        blocks.extend(assignment_blocks(assignments))
        blocks.append({"type": "divider"})
    for team in teams:
        blocks.extend(team_blocks(team))
        blocks.append({"type": "divider"})
    if scorecard is not None:
        state = "so far" if not scorecard.finished else f"{scorecard.score}/100"
        blocks.append(section(f"*Last session:* {escape(scorecard.title)} ({state})"))
        if scorecard.skills:
            blocks.append(section("*Skills*\n" + skill_lines(scorecard)))
    titles = {info.id: info.title for info in scenarios.scenarios}
    blocks.extend(progress_blocks(progress, titles))
    blocks.append({"type": "divider"})
    blocks.append(header("Scenarios"))
    blocks.extend(scenario_blocks(scenarios))
    blocks.append(context(f"Practise in a direct message with me, or use `{SLASH}`."))
    return {"type": "home", "blocks": blocks[:100]}

"""Engine reply parts → short HTML messages for a phone, split at Telegram's length limit.

Every line is closed HTML on its own (tags open and close on the same line), so a long
message can be split on any line boundary without breaking markup. All engine text goes
through `html.escape`.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import singledispatch
from itertools import groupby

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
    ScenarioList,
    Scorecard,
    TeamSummary,
    Transcript,
)

MAX_CHARS = 4096  # Telegram's limit per message, in UTF-16 code units
QUOTE_CHARS = 200
NOTICE_ICONS = {"error": "⚠️ ", "hint": "💡 ", "help": "", "info": ""}
TAG = re.compile(r"<[^>]+>")


def escape(text: str) -> str:
    """Telegram's HTML needs only <, > and & escaped outside tags."""
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class OutMessage:
    """One Telegram message: HTML text, plus the scenarios to offer as buttons, if any, or
    the button that disputes the score (under per-reply feedback)."""

    html: str
    picker: ScenarioList | None = None
    dispute: bool = False


def render(reply: Reply) -> list[OutMessage]:
    """Consecutive persona lines share a message; every other part gets its own."""
    messages: list[OutMessage] = []
    for is_line, parts in groupby(reply.parts, key=lambda p: isinstance(p, PersonaLine)):
        if is_line:
            lines = [persona_line(p) for p in parts if isinstance(p, PersonaLine)]
            messages += _chunks("\n".join(lines))
            continue
        for p in parts:
            picker = p if isinstance(p, ScenarioList) else None
            messages += _chunks(part(p), picker, isinstance(p, Feedback))
    return messages


def _chunks(
    html: str, picker: ScenarioList | None = None, dispute: bool = False
) -> list[OutMessage]:
    """Split one block; the buttons go under its last chunk."""
    chunks = split_html(html)
    last = len(chunks) - 1
    return [
        OutMessage(c, picker if i == last else None, dispute and i == last)
        for i, c in enumerate(chunks)
    ]


@singledispatch
def part(p: Part) -> str:
    raise TypeError(f"no Telegram rendering for {type(p).__name__}")


@part.register
def notice(n: Notice) -> str:
    text = f"<i>{escape(n.text)}</i>" if n.kind == "hint" else escape(n.text)
    return NOTICE_ICONS.get(n.kind, "") + text


@part.register
def scenario_list(s: ScenarioList) -> str:
    if not s.scenarios:
        return "No scenarios are loaded right now."
    lines = ["<b>Scenarios</b>"]
    for info in s.scenarios:
        lines += [
            "",
            f"<b>{escape(info.title)}</b>",
            escape(info.summary),
            f"<code>/start {escape(info.id)}</code> · levels: {escape(', '.join(info.levels))}",
        ]
    return "\n".join([*lines, "", "Tap a scenario to start it."])


@part.register
def briefing(b: Briefing) -> str:
    lines = [
        f"<b>{escape(b.title)}</b> ({escape(b.level)})",
        f"You are talking to {escape(b.persona)}.",
        "",
        f"<b>Your role:</b> {escape(b.role)}",
        f"<b>Goal:</b> {escape(b.goal)}",
        f"<b>Success:</b> {escape(b.success)}",
    ]
    if b.situation:
        lines.append(f"<b>Situation:</b> {escape(b.situation)}")
    return "\n".join(lines)


@part.register
def persona_line(p: PersonaLine) -> str:
    return f"<b>{escape(p.speaker)}:</b> {escape(p.text)}"


@part.register
def feedback(f: Feedback) -> str:
    lines = [f"📝 <b>{_signed(f.points)} points</b>"]
    lines += [
        f"{'✅' if i.points > 0 else '❌'} {escape(i.label)} {_signed(i.points)}: "
        f"{_quote(i.quote)} ({escape(i.technique)})"
        for i in f.items
    ]
    if f.note:
        lines.append(f"<i>{escape(f.note)}</i>")
    return "\n".join(lines)


@part.register
def scorecard(c: Scorecard) -> str:
    verdict = "✅ passed" if c.passed else "❌ not passed"
    lines = [
        f"<b>Scorecard: {escape(c.title)}</b>" + ("" if c.finished else " (in progress)"),
        f"Outcome: {escape(c.outcome)} · your replies: {c.turns}",
        f"<b>Score {c.score}/100</b> {verdict} (pass mark {c.pass_mark})",
    ]
    if c.skills:
        lines += ["", "<b>Skills</b>"]
        lines += [f"{_bar(s.score)} {s.score} {escape(s.label)}" for s in c.skills]
    lines += ["", "<b>Measures</b>", *_measures(c)]
    lines += _quotes(c)
    if c.tips:
        lines += ["", "<b>Tips</b>"]
        lines += [f"• <b>{escape(t.technique)}:</b> {escape(t.text)}" for t in c.tips]
    if c.ledger:
        lines += ["", "<b>Trades</b>"]
        lines += [f"• gave {escape(g.give)} → got {escape(g.get)}" for g in c.ledger]
    return "\n".join(lines)


def _measures(c: Scorecard) -> list[str]:
    lines = [
        f"Your talk share: {c.talk_share:.0%} (aim for about {c.talk_target:.0%})",
        f"Discovery questions before your first pitch: {c.discovery_before_pitch}",
    ]
    if c.tailored_value:
        lines.append(f"Tailored value: <i>{escape(_short(c.tailored_value))}</i>")
    return lines


def _quotes(c: Scorecard) -> list[str]:
    lines: list[str] = []
    for title, quoted in (("Best reply", c.best), ("Weakest reply", c.worst)):
        if quoted is not None:
            lines += [
                "",
                f"<b>{title}</b> ({_signed(quoted.points)}): {_quote(quoted.text)}",
            ]
            if quoted.why:
                lines.append(f"<i>because of:</i> {escape(quoted.why)}")
    return lines


@part.register
def progress(p: Progress) -> str:
    lines = ["<b>Your progress</b>", f"Trend: {escape(p.trend)}"]
    if not p.rows:
        lines.append("No finished sessions yet.")
    for row in p.rows:
        score = "–" if row.score is None else str(row.score)
        mark = {True: " ✅", False: " ❌", None: ""}[row.passed]
        lines.append(
            f"• {escape(row.started_at[:10])} {escape(row.title)}: "
            f"{escape(row.outcome or 'ended')}, {score}{mark}"
        )
    if p.practise_next:
        lines += ["", f"Practise next: <code>/start {escape(p.practise_next)}</code>"]
    return "\n".join(lines)


@part.register
def assignments(a: Assignments) -> str:
    lines = ["⏰ <b>Reminder: your assignments</b>" if a.reminder else "<b>Your assignments</b>"]
    if not a.assignments:
        lines.append("No open assignments.")
    for line in a.assignments:
        overdue = " ⚠️ overdue" if line.overdue else ""
        verb = "exam" if line.exam else "start"
        lines.append(
            f"• <b>{escape(line.title)}</b> ({escape(line.level)}) due {line.due}{overdue}, "
            f"{line.attempts}/{line.min_attempts} attempts, pass mark {line.pass_mark}: "
            f"<code>/{verb} {escape(line.scenario_id)} {escape(line.level)}</code>"
        )
    lines += [f"🏆 Certified: {escape(c)}" for c in a.certified]
    return "\n".join(lines)


@part.register
def certified(c: Certified) -> str:
    return f"🏆 <b>Certified: {escape(c.title)}</b> ({escape(c.level)}), score {c.score}, {c.date}"


@part.register
def team_summary(t: TeamSummary) -> str:
    lines = [f"<b>Team {escape(t.team)}</b>"]
    for a in t.completion:
        missing = f"; not done: {escape(', '.join(a.not_done))}" if a.not_done else ""
        lines.append(
            f"• {escape(a.title)} ({escape(a.level)}, due {a.due}): "
            f"{a.completed}/{a.assigned} done{missing}"
        )
    if t.missed:
        lines += ["", "<b>What the team misses most</b>"]
    for m in t.missed:
        what = "missed" if m.kind == "missed" else "costly mistake"
        lines.append(
            f"• {escape(m.label)} ({what}, {m.times}×, {m.reps} reps), "
            f"{escape(m.example_rep)}: {_quote(m.example)}"
        )
    if t.reps:
        lines += ["", "<b>Reps</b>"]
    for r in t.reps:
        average = "–" if r.average is None else str(round(r.average))
        weakest = f", weakest {escape(r.weakest_skill)}" if r.weakest_skill else ""
        lines.append(f"• {escape(r.rep)}: {r.sessions} sessions, avg {average}{weakest}")
    lines += [f"🏆 {escape(c)}" for c in t.certified]
    lines += [f"Leaderboard: {escape(line)}" for line in t.leaders]
    return "\n".join(lines)


@part.register
def transcript(t: Transcript) -> str:
    score = "" if t.score is None else f", score {t.score}"
    lines = [f"<b>{escape(t.rep)}: {escape(t.title)}</b> ({t.started_at[:10]}{score})"]
    for line in t.lines:
        points = "" if line.points is None else f" <i>({_signed(line.points)})</i>"
        lines.append(f"<b>{escape(line.speaker)}:</b> {escape(line.text)}{points}")
    return "\n".join(lines)


def _signed(points: int) -> str:
    return f"{points:+d}"


def _quote(text: str) -> str:
    return f"<i>“{escape(_short(text))}”</i>"


def _short(text: str) -> str:
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _bar(score: int, width: int = 5) -> str:
    filled = max(0, min(width, round(score / 100 * width)))
    return "▰" * filled + "▱" * (width - filled)


# --- splitting ------------------------------------------------------------------------


def units(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); markup counted too, to be safe."""
    return len(text.encode("utf-16-le")) // 2


def split_html(text: str, limit: int = MAX_CHARS) -> list[str]:
    """Split on line boundaries so each chunk fits; an overlong line is cut as plain text."""
    chunks: list[str] = []
    current: list[str] = []
    size = 0
    for line in _fitting_lines(text, limit):
        extra = units(line) + (1 if current else 0)
        if current and size + extra > limit:
            chunks.append("\n".join(current).strip("\n"))
            current, size = [], 0
            extra = units(line)
        current.append(line)
        size += extra
    chunks.append("\n".join(current).strip("\n"))
    return [c for c in chunks if c.strip()] or [""]


def _fitting_lines(text: str, limit: int) -> list[str]:
    lines: list[str] = []
    for line in text.split("\n"):
        lines.extend([line] if units(line) <= limit else _cut(TAG.sub("", line), limit))
    return lines


def _cut(plain: str, limit: int) -> list[str]:
    """Cut escaped text without tags into pieces, never inside an `&amp;`-style entity."""
    pieces: list[str] = []
    while units(plain) > limit:
        end = limit
        while units(plain[:end]) > limit:
            end -= 1
        amp = plain.rfind("&", 0, end)
        if amp != -1 and ";" not in plain[amp:end]:
            end = amp
        space = plain.rfind(" ", 0, end)
        end = space if space > limit // 2 else end
        pieces.append(plain[:end])
        plain = plain[end:].lstrip(" ")
    return [*pieces, plain]

"""The terminal surface: render reply parts with rich, read replies from a person or a file.

Like every adapter it only translates: typed lines become `Trainer.handle` calls and reply
parts become console output. The console is injected so tests capture it as a string.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import singledispatchmethod

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from bot.engine.trainer import Trainer
from bot.messages import (
    Assignments,
    Briefing,
    Certified,
    Feedback,
    Inbound,
    Learner,
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


class TerminalRenderer:
    def __init__(self, console: Console) -> None:
        self.console = console

    def reply(self, reply: Reply) -> None:
        for part in reply.parts:
            self.part(part)

    @singledispatchmethod
    def part(self, part: Part) -> None:
        raise TypeError(f"no terminal rendering for {type(part).__name__}")

    @part.register
    def notice(self, notice: Notice) -> None:
        style = {"error": "bold red", "hint": "yellow", "help": ""}.get(notice.kind, "dim")
        self.console.print(escape(notice.text), style=style)

    @part.register
    def scenarios(self, listing: ScenarioList) -> None:
        table = Table(title="Scenarios", show_lines=False)
        for column in ("id", "title", "levels", "skills"):
            table.add_column(column)
        for s in listing.scenarios:
            table.add_row(s.id, s.title, ", ".join(s.levels), ", ".join(s.skills))
        self.console.print(table)
        self.console.print(
            "Start one with: roleplay practice SCENARIO [--level LEVEL]", style="dim"
        )

    @part.register
    def briefing(self, b: Briefing) -> None:
        self.console.rule(f"{escape(b.title)} ({b.level})")
        for label, text in (
            ("You are", b.role),
            ("Situation", b.situation),
            ("Goal", b.goal),
            ("Success", b.success),
            ("Talking to", b.persona),
        ):
            if text:
                self.console.print(f"[bold]{label}:[/bold] {escape(text)}")
        self.console.print()

    @part.register
    def persona(self, line: PersonaLine) -> None:
        self.console.print(f"[bold cyan]{escape(line.speaker)}:[/bold cyan] {escape(line.text)}")

    def learner(self, text: str) -> None:
        self.console.print(f"[bold green]You:[/bold green] {escape(text)}")

    @part.register
    def feedback(self, feedback: Feedback) -> None:
        for item in feedback.items:
            sign = "+" if item.points > 0 else ""
            style = "green" if item.points > 0 else "red"
            self.console.print(
                f"  [{style}]{sign}{item.points} {escape(item.label)}[/{style}] "
                f'"{escape(item.quote)}" [dim]({escape(item.technique)}: {item.link})[/dim]'
            )
        if feedback.note:
            self.console.print(f"  [dim]{escape(feedback.note)}[/dim]")

    @part.register
    def scorecard(self, card: Scorecard) -> None:
        verdict = "PASS" if card.passed else "FAIL"
        status = "" if card.finished else " (so far)"
        self.console.rule(f"Scorecard{status}: {escape(card.title)}")
        self.console.print(
            f"[bold]{card.score}/100 {verdict}[/bold] (pass mark {card.pass_mark}), "
            f"outcome: {card.outcome}, {card.turns} replies"
        )
        if card.skills:
            table = Table(show_header=True)
            table.add_column("skill")
            table.add_column("score", justify="right")
            for skill in card.skills:
                table.add_row(skill.label, str(skill.score))
            self.console.print(table)
        self.console.print(
            f"Talk share: {card.talk_share:.0%} of the words (target about {card.talk_target:.0%})"
        )
        self.console.print(
            f"Discovery questions before your first pitch: {card.discovery_before_pitch}"
        )
        tailored = f'yes: "{escape(card.tailored_value)}"' if card.tailored_value else "no"
        self.console.print(f"Value in the buyer's own words: {tailored}")
        for label, quoted in (("Best reply", card.best), ("Weakest reply", card.worst)):
            if quoted:
                self.console.print(f'{label} ({quoted.points:+d}): "{escape(quoted.text)}"')
                if quoted.why:
                    self.console.print(f"  [dim]because of: {escape(quoted.why)}[/dim]")
        for line in card.ledger:
            self.console.print(f"Gave: {escape(line.give) or '-'} | Got: {escape(line.get) or '-'}")
        for tip in card.tips:
            self.console.print(
                f"Tip ({escape(tip.technique)}): {escape(tip.text)} [dim]{tip.link}[/dim]"
            )

    @part.register
    def progress(self, progress: Progress) -> None:
        if not progress.rows:
            self.console.print("No finished sessions yet.")
        else:
            table = Table(title="Your sessions")
            for column in ("when", "scenario", "outcome", "score", "result"):
                table.add_column(column)
            for row in progress.rows:
                result = "" if row.passed is None else ("pass" if row.passed else "fail")
                score = "" if row.score is None else str(row.score)
                table.add_row(
                    row.started_at[:16].replace("T", " "), row.title, row.outcome, score, result
                )
            self.console.print(table)
        self.console.print(f"Trend: {progress.trend}")
        if progress.practise_next:
            why = (
                f" (your weakest skill: {progress.weakest_skill})" if progress.weakest_skill else ""
            )
            self.console.print(f"Practise next: {progress.practise_next}{escape(why)}")

    @part.register
    def assignments(self, listing: Assignments) -> None:
        if listing.reminder:
            self.console.print("[bold yellow]Reminder: an assignment is due soon.[/bold yellow]")
        if listing.assignments:
            table = Table(title="Your assignments")
            for column in ("due", "scenario", "level", "team", "done", "to pass"):
                table.add_column(column)
            for a in listing.assignments:
                due = f"[red]{a.due} overdue[/red]" if a.overdue else a.due
                kind = " (exam)" if a.exam else ""
                table.add_row(
                    due,
                    escape(a.title) + kind,
                    a.level,
                    escape(a.team),
                    f"{a.attempts}/{a.min_attempts} attempts",
                    f"score {a.pass_mark}+",
                )
            self.console.print(table)
            self.console.print(
                "Start one with /start SCENARIO LEVEL (or /exam for an exam).", style="dim"
            )
        else:
            self.console.print("No open assignments.", style="dim")
        for line in listing.certified:
            self.console.print(f"Certified: {escape(line)}")

    @part.register
    def certified(self, c: Certified) -> None:
        self.console.print(
            f"[bold green]Certified: {escape(c.title)} ({c.level}), score {c.score}, "
            f"on {c.date}.[/bold green]"
        )

    @part.register
    def team(self, summary: TeamSummary) -> None:
        self.console.rule(f"Team {escape(summary.team)}")
        for a in summary.completion:
            missing = ", ".join(a.not_done)
            self.console.print(
                f"{escape(a.title)} ({a.level}, due {a.due}): {a.completed}/{a.assigned} done"
                + (f"; not done: {escape(missing)}" if missing else "")
            )
        for m in summary.missed:
            what = "missed" if m.kind == "missed" else "costly mistake"
            self.console.print(
                f"{escape(m.label)} ({what}, {m.times} times, {m.reps} reps): "
                f'"{escape(m.example)}" ({escape(m.example_rep)}) [dim]{m.link}[/dim]'
            )
        for r in summary.reps:
            average = "-" if r.average is None else f"{r.average:.0f}"
            self.console.print(
                f"{escape(r.rep)}: {r.sessions} sessions, average {average}, weakest "
                f"{escape(r.weakest_skill or '-')}, next {escape(r.practise_next or '-')}"
            )
        for line in summary.certified:
            self.console.print(f"Certified: {escape(line)}")
        for line in summary.leaders:
            self.console.print(f"Leaderboard: {escape(line)}")

    @part.register
    def transcript(self, t: Transcript) -> None:
        score = "" if t.score is None else f", score {t.score}"
        self.console.rule(f"{escape(t.rep)}: {escape(t.title)} ({t.started_at[:10]}{score})")
        for line in t.lines:
            points = "" if line.points is None else f" [dim]({line.points:+d})[/dim]"
            self.console.print(f"[bold]{escape(line.speaker)}:[/bold] {escape(line.text)}{points}")


class TerminalSession:
    """Feeds lines to the trainer for one learner and renders every reply."""

    def __init__(self, trainer: Trainer, learner: Learner, console: Console) -> None:
        self.trainer = trainer
        self.learner = learner
        self.render = TerminalRenderer(console)

    def send(self, text: str, echo: bool = False) -> Reply:
        if echo:
            self.render.learner(text)
        try:
            reply = self.trainer.handle(Inbound(self.learner, text))
        except Exception as exc:  # the terminal's one top-level handler: keep the rep going
            reply = Reply(
                (
                    Notice(
                        f"Something went wrong ({exc.__class__.__name__}); nothing "
                        "from this reply was saved. Please try again.",
                        "error",
                    ),
                )
            )
        self.render.reply(reply)
        return reply

    def play(self, lines: Iterable[str], echo: bool) -> Reply | None:
        """Send each line until the session ends; return the last reply."""
        reply = None
        for line in lines:
            reply = self.send(line, echo=echo)
            if reply.ended:
                break
        return reply


def script_lines(text: str) -> list[str]:
    """Replies from a file: one per line; blank lines and `#` comments are skipped."""
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]

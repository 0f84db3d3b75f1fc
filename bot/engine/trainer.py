"""The engine's port: every surface turns a platform event into `Trainer.handle(...)`.

Each call is one storage transaction: the learner's turn, the persona's lines and the
session's new state are committed before the reply is returned, and a message id seen
before gets the stored reply instead of a second turn.
"""

from __future__ import annotations

import re

from bot.content.library import Library
from bot.engine.cast import Cast, build_casts
from bot.engine.commands import HELP, Command, parse_command
from bot.engine.conversation import Conversation
from bot.engine.turn import opening_lines, play_turn
from bot.messages import (
    Briefing,
    Feedback,
    Inbound,
    Learner,
    Notice,
    PersonaLine,
    Progress,
    ProgressRow,
    Reply,
    ScenarioInfo,
    ScenarioList,
    Scorecard,
)
from bot.scoring.detect import Detector, default_detector
from bot.scoring.rubric import feedback_items, missing_note
from bot.scoring.scorecard import build_scorecard
from bot.storage.sqlite import LearnerRow, SessionRow, Store

MAX_REPLY_CHARS = 2000
CONTROL_CHARS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
HINT_LABELS = ("Nudge", "Hint", "Example reply")


def clean_text(text: str) -> str:
    """Drop control characters and terminal escapes; keep newlines, tabs, emoji and RTL text."""
    return CONTROL_CHARS.sub("", text).strip()


class Trainer:
    def __init__(self, library: Library, store: Store, detector: Detector | None = None) -> None:
        self.library = library
        self.store = store
        self.detector = detector or default_detector()
        self.casts: dict[str, Cast] = build_casts(library)

    # --- the port -------------------------------------------------------------------

    def handle(self, inbound: Inbound) -> Reply:
        """Apply one inbound message (a reply or a /command) and return what to show."""
        with self.store.transaction():
            learner = self._learner(inbound.learner)
            if inbound.message_id:
                stored = self.store.inbound_reply(learner.id, inbound.message_id)
                if stored is not None:
                    return Reply.from_json(stored)
            reply = self._dispatch(learner, inbound.text)
            if inbound.message_id:
                self.store.record_inbound(learner.id, inbound.message_id, reply.to_json())
            return reply

    def scenarios(self) -> ScenarioList:
        return ScenarioList(
            tuple(
                ScenarioInfo(
                    cast.scenario.id,
                    cast.scenario.title,
                    cast.scenario.summary,
                    cast.scenario.level_names,
                    cast.skills,
                )
                for cast in self.casts.values()
            )
        )

    def progress(self, learner: Learner) -> Progress:
        with self.store.transaction():
            return self._progress(self._learner(learner))

    def _learner(self, learner: Learner) -> LearnerRow:
        return self.store.learner(learner.platform, learner.user_id, learner.name)

    # --- dispatch -------------------------------------------------------------------

    def _dispatch(self, learner: LearnerRow, text: str) -> Reply:
        command = parse_command(text)
        if command is not None:
            return self._command(learner, command)
        text = clean_text(text)
        if not text:
            return _notice(
                "That message was empty. Type your reply, or /help for commands.", "error"
            )
        if len(text) > MAX_REPLY_CHARS:
            return _notice(
                f"That message is {len(text):,} characters long. Keep a reply under "
                f"{MAX_REPLY_CHARS:,} characters, as you would on a call.",
                "error",
            )
        session = self.store.active_session(learner.id)
        if session is None:
            return _notice(
                "No practice is running. /scenarios lists what you can practise; "
                "/start SCENARIO begins one."
            )
        return self._turn(learner, session, text)

    def _command(self, learner: LearnerRow, command: Command) -> Reply:
        handlers = {
            "list": lambda: Reply((self.scenarios(),)),
            "start": lambda: self._start(learner, command.args),
            "hint": lambda: self._hint(learner),
            "restart": lambda: self._restart(learner),
            "quit": lambda: self._quit(learner),
            "score": lambda: self._score(learner),
            "progress": lambda: Reply((self._progress(learner),)),
            "feedback": lambda: self._feedback(learner, command.args),
            "help": lambda: _notice(help_text(), "help"),
        }
        handler = handlers.get(command.name)
        if handler is None:
            return _notice(f"Unknown command /{command.raw}. /help lists the commands.", "error")
        return handler()

    # --- sessions -------------------------------------------------------------------

    def _start(self, learner: LearnerRow, args: tuple[str, ...]) -> Reply:
        if not args:
            return Reply((self.scenarios(),))
        cast = self.casts.get(args[0])
        if cast is None:
            known = ", ".join(self.casts) or "none loaded"
            return _notice(f"Unknown scenario {args[0]!r}. Scenarios: {known}.", "error")
        level = args[1] if len(args) > 1 else cast.scenario.start_level
        if level not in cast.scenario.levels:
            levels = ", ".join(cast.scenario.level_names)
            return _notice(
                f"Unknown level {level!r} for {cast.scenario.id}. Levels: {levels}.", "error"
            )
        active = self.store.active_session(learner.id)
        if active is not None:
            self.store.end_session(
                active.id, status="ended", outcome="abandoned", score=None, passed=None
            )
        return self._open(learner, cast, level)

    def _open(self, learner: LearnerRow, cast: Cast, level_name: str) -> Reply:
        level = cast.scenario.levels[level_name]
        c = Conversation(
            state=cast.flow.initial, mood=level.mood, level=level_name, flags=set(level.flags)
        )
        self._carry(learner, cast, c)
        session_id = self.store.create_session(
            learner.id, cast.scenario.id, cast.version, level_name, c.state, c.mood, c.variables()
        )
        lines = opening_lines(cast, c, (session_id, 0))
        self._save(session_id, c, lines, seq=0, turn_count=0)
        briefing = cast.scenario.briefing
        lead = cast.lead
        parts = (
            Briefing(
                cast.scenario.id,
                cast.scenario.title,
                level_name,
                f"{lead.name}, {lead.title} at {lead.company}",
                briefing.role,
                briefing.goal,
                briefing.success,
                briefing.situation,
            ),
            *lines,
            Notice("Type your reply. /hint if you are stuck, /help for commands."),
        )
        return Reply(parts, session_id=session_id)

    def _carry(self, learner: LearnerRow, cast: Cast, c: Conversation) -> None:
        """A deal journey carries what earlier stages revealed and agreed into this one."""
        for earlier in cast.scenario.carry_from:
            session = self.store.last_won_session(learner.id, earlier)
            if session is None:
                continue
            before = Conversation.restore(session.state, 0, "", session.variables)
            c.flags |= before.flags
            for kind, ids in before.revealed.items():
                c.revealed.setdefault(kind, []).extend(
                    i for i in ids if i not in c.revealed.get(kind, [])
                )

    def _save(
        self,
        session_id: int,
        c: Conversation,
        lines: tuple[PersonaLine, ...],
        *,
        seq: int,
        turn_count: int,
        last_line: str = "",
    ) -> None:
        for line in lines:
            seq += 1
            self.store.add_turn(
                session_id, seq, "persona", line.text, state_after=c.state, mood=c.mood
            )
        variables = c.variables()
        variables["seq"] = seq
        variables["last_line"] = lines[-1].text if lines else last_line
        self.store.update_session(
            session_id, state=c.state, mood=c.mood, variables=variables, turn_count=turn_count
        )

    def _turn(self, learner: LearnerRow, session: SessionRow, text: str) -> Reply:
        cast = self._cast_for(session)
        if isinstance(cast, Reply):
            return cast
        c = Conversation.restore(session.state, session.mood, session.level, session.variables)
        detections = self.detector.detect(text, session.variables.get("last_line", ""))
        result = play_turn(cast, c, detections, (session.id, session.turn_count + 1))
        seq = int(session.variables.get("seq", 0)) + 1
        self.store.add_turn(
            session.id,
            seq,
            "learner",
            text,
            moves=[s.as_dict() for s in result.scored],
            points=result.points,
            state_before=result.state_before,
            state_after=c.state,
            mood=c.mood,
        )
        self._save(
            session.id,
            c,
            result.lines,
            seq=seq,
            turn_count=session.turn_count + 1,
            last_line=session.variables.get("last_line", ""),
        )
        parts: list = list(result.lines)
        if learner.feedback_on:
            note = missing_note(cast.state(result.state_before), result.scored)
            parts.append(Feedback(result.points, feedback_items(result.scored), note))
        if result.outcome is None:
            return Reply(tuple(parts), session_id=session.id)
        card = self._finish(session.id, cast, c, result.outcome)
        return Reply((*parts, card), session_id=session.id, ended=True)

    def _cast_for(self, session: SessionRow) -> Cast | Reply:
        cast = self.casts.get(session.scenario_id)
        if cast is None or session.state not in cast.flow.states:
            return _notice(
                f"The scenario {session.scenario_id!r} cannot be played right now (its content "
                "has a problem or changed). Your session is saved; /quit ends it, or try later.",
                "error",
            )
        return cast

    def _finish(
        self, session_id: int, cast: Cast, c: Conversation, outcome: str, finished: bool = True
    ) -> Scorecard:
        card = self._scorecard(session_id, cast, c, outcome, finished)
        self.store.end_session(
            session_id, status="ended", outcome=outcome, score=card.score, passed=card.passed
        )
        return card

    def _scorecard(
        self, session_id: int, cast: Cast, c: Conversation, outcome: str, finished: bool
    ) -> Scorecard:
        return build_scorecard(
            cast.scenario,
            cast.flow.states,
            self.store.turns(session_id),
            outcome,
            list(cast.personas.values()),
            c.revealed.get("pain", []),
            c.ledger,
            finished,
        )

    # --- commands -------------------------------------------------------------------

    def _active(self, learner: LearnerRow) -> tuple[SessionRow, Cast] | Reply:
        session = self.store.active_session(learner.id)
        if session is None:
            return _notice("No practice is running. /scenarios lists what you can practise.")
        cast = self._cast_for(session)
        return cast if isinstance(cast, Reply) else (session, cast)

    def _hint(self, learner: LearnerRow) -> Reply:
        active = self._active(learner)
        if isinstance(active, Reply):
            return active
        session, cast = active
        hints = cast.state(session.state).hint
        if not hints:
            return _notice("No hint for this moment: trust your training.", "hint")
        c = Conversation.restore(session.state, session.mood, session.level, session.variables)
        used = c.hints.get(session.state, 0)
        index = min(used, len(hints) - 1)
        c.hints[session.state] = used + 1
        variables = {**session.variables, **c.variables()}
        self.store.update_session(
            session.id,
            state=session.state,
            mood=session.mood,
            variables=variables,
            turn_count=session.turn_count,
        )
        label = HINT_LABELS[index] if len(hints) == len(HINT_LABELS) else "Hint"
        return _notice(f"{label}: {hints[index]}", "hint")

    def _restart(self, learner: LearnerRow) -> Reply:
        session = self.store.active_session(learner.id) or self.store.last_session(learner.id)
        if session is None:
            return _notice("Nothing to restart yet. /scenarios lists what you can practise.")
        return self._start(learner, (session.scenario_id, session.level))

    def _quit(self, learner: LearnerRow) -> Reply:
        active = self._active(learner)
        if isinstance(active, Reply):
            return active
        session, cast = active
        c = Conversation.restore(session.state, session.mood, session.level, session.variables)
        card = self._finish(session.id, cast, c, "quit")
        return Reply((Notice("Practice ended."), card), session_id=session.id, ended=True)

    def _score(self, learner: LearnerRow) -> Reply:
        session = self.store.active_session(learner.id) or self.store.last_session(learner.id)
        if session is None:
            return _notice("No sessions yet. /scenarios lists what you can practise.")
        cast = self._cast_for(session)
        if isinstance(cast, Reply):
            return cast
        c = Conversation.restore(session.state, session.mood, session.level, session.variables)
        finished = session.status != "active"
        outcome = session.outcome or "in progress"
        card = self._scorecard(session.id, cast, c, outcome, finished)
        return Reply((card,), session_id=session.id)

    def _feedback(self, learner: LearnerRow, args: tuple[str, ...]) -> Reply:
        choice = args[0].lower() if args else ("off" if learner.feedback_on else "on")
        if choice not in ("on", "off"):
            return _notice("Use /feedback on or /feedback off.", "error")
        self.store.set_feedback(learner.id, choice == "on")
        return _notice(f"Per-reply feedback is {choice}.")

    def _progress(self, learner: LearnerRow) -> Progress:
        rows = [s for s in self.store.sessions(learner.id, limit=50) if s.status == "ended"]
        titled = tuple(
            ProgressRow(
                s.scenario_id,
                self._title(s.scenario_id),
                s.started_at,
                s.outcome or "",
                s.score,
                s.passed,
            )
            for s in rows
        )
        return Progress(
            titled,
            _trend([s.score for s in rows if s.score is not None]),
            self._practise_next(rows),
        )

    def _title(self, scenario_id: str) -> str:
        cast = self.casts.get(scenario_id)
        return cast.scenario.title if cast else scenario_id

    def _practise_next(self, rows: list[SessionRow]) -> str | None:
        best: dict[str, int] = {}
        for s in rows:
            best[s.scenario_id] = max(best.get(s.scenario_id, 0), s.score or 0)
        untried = [sid for sid in self.casts if sid not in best]
        if untried:
            return untried[0]
        failing = sorted((score, sid) for sid, score in best.items() if sid in self.casts)
        return failing[0][1] if failing else None


def _trend(scores: list[int]) -> str:
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


def _notice(text: str, kind: str = "info") -> Reply:
    return Reply((Notice(text, kind),))


def help_text() -> str:
    return "Commands:\n" + "\n".join(f"  {cmd} - {what}" for cmd, what in HELP)

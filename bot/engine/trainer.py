"""The engine's port: every surface turns a platform event into `Trainer.handle(...)`.

Each call is one storage transaction: the learner's turn, the persona's lines and the
session's new state are committed before the reply is returned, and a message id seen
before gets the stored reply instead of a second turn.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.analytics.assignments import settle
from bot.analytics.progress import learner_progress
from bot.content.library import Library
from bot.engine.cast import Cast, build_casts
from bot.engine.commands import HELP, Command, parse_command
from bot.engine.conversation import Conversation
from bot.engine.disputes import dispute_reply
from bot.engine.team_commands import (
    assignments_of,
    assignments_reply,
    leaderboard_reply,
    skill_scenarios,
    team_reply,
    transcript_reply,
)
from bot.engine.turn import opening_lines, play_turn
from bot.messages import (
    Assignments,
    Briefing,
    Certified,
    Feedback,
    Inbound,
    Learner,
    Notice,
    Part,
    Progress,
    Reply,
    Resumable,
    ScenarioInfo,
    ScenarioList,
    Scorecard,
    TeamSummary,
)
from bot.scoring.detect import Detection, Detector
from bot.scoring.learned import ProductDetector
from bot.scoring.rubric import feedback_items, missing_note
from bot.scoring.scorecard import build_scorecard
from bot.storage.base import LearnerRecord, LearnerTurn, SessionRecord, Store

MAX_REPLY_CHARS = 2000
CONTROL_CHARS = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
HINT_LABELS = ("Nudge", "Hint", "Example reply")
REPORTS = ("team", "leaderboard")  # read-only commands, answered outside the write lock
EXAM_RULES = (
    "Exam: hints and per-reply feedback are off, and this attempt counts. "
    "Your scorecard comes at the end; pass it to be certified."
)


def clean_text(text: str) -> str:
    """Drop control characters and terminal escapes; keep newlines, tabs, emoji and RTL text."""
    return CONTROL_CHARS.sub("", text).strip()


@dataclass(frozen=True)
class Prepared:
    """Moves detected for a reply outside the turn's transaction (`Trainer.prepare`)."""

    session_id: int
    seq: int
    text: str
    detections: tuple[Detection, ...]
    report: Reply | None = None  # a team report's reply, read without the write lock

    def fits(self, session: SessionRecord, text: str) -> bool:
        return (self.session_id, self.seq, self.text) == (session.id, session.seq, text)


class Trainer:
    def __init__(self, library: Library, store: Store, detector: Detector | None = None) -> None:
        self.library = library
        self.store = store
        self.detector = detector or ProductDetector()
        self.casts: dict[str, Cast] = build_casts(library)

    # --- the port -------------------------------------------------------------------

    def prepare(self, inbound: Inbound) -> Prepared | None:
        """Detect a reply's moves before the write lock is taken: detection is most of a
        turn's time, and other writers (a platform's acknowledgement waits on the inbox
        insert) should not wait for it. The turn uses them only if the session has not
        moved on in between."""
        command = parse_command(inbound.text)
        if command is not None:
            if command.name not in REPORTS:
                return None
            return Prepared(0, 0, inbound.text, (), self._report(inbound.learner, command))
        text = clean_text(inbound.text)
        if not text or len(text) > MAX_REPLY_CHARS:
            return None
        who = inbound.learner
        session = self.store.active_session_of(who.platform, who.user_id)
        if session is None:
            return None
        detections = self.detector.detect(text, session.last_line)
        return Prepared(session.id, session.seq, text, detections)

    def handle(self, inbound: Inbound, prepared: Prepared | None = None) -> Reply:
        """Apply one inbound message (a reply or a /command) and return what to show."""
        prepared = prepared or self.prepare(inbound)
        with self.store.transaction():
            learner = self._learner(inbound.learner)
            if inbound.message_id:
                stored = self.store.inbound_reply(learner.id, inbound.message_id)
                if stored is not None:
                    return Reply.from_json(stored)
            if prepared is not None and prepared.report is not None:
                reply = prepared.report
            else:
                reply = self._dispatch(learner, inbound.text, prepared)
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

    def assignments(self, learner: Learner) -> Assignments:
        """The learner's open assignments and certificates (a surface shows these first)."""
        with self.store.transaction():
            return assignments_of(self.store, self._learner(learner), self.casts)

    def team_summaries(self, learner: Learner) -> tuple[TeamSummary, ...]:
        """The summary of every team the learner manages; none for a rep."""
        report = self._report(learner, Command("team"))
        return tuple(report.of_type(TeamSummary))

    def _report(self, learner: Learner, command: Command) -> Reply:
        """`/team` and `/leaderboard` only read, and at 200 reps a report takes a second:
        they run outside the write transaction, so no other writer waits for them."""
        known = self.store.find_learner(learner.platform, learner.user_id)
        if known is None:
            known = LearnerRecord(0, learner.platform, learner.user_id, learner.name, True, 0)
        if command.name == "team":
            return team_reply(self.store, known, command.args, self.casts)
        return leaderboard_reply(self.store, known, command.args, self.casts)

    def resumable(self, learner: Learner) -> Resumable | None:
        """The learner's running practice, if any (a surface says so on reconnect)."""
        with self.store.transaction():
            session = self.store.active_session(self._learner(learner).id)
        if session is None:
            return None
        return Resumable(session.scenario_id, session.turn_count, session.last_line)

    def _learner(self, learner: Learner) -> LearnerRecord:
        return self.store.learner(learner.platform, learner.user_id, learner.name)

    # --- dispatch -------------------------------------------------------------------

    def _dispatch(self, learner: LearnerRecord, text: str, prepared: Prepared | None) -> Reply:
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
        return self._turn(learner, session, text, prepared)

    def _command(self, learner: LearnerRecord, command: Command) -> Reply:
        handlers = {
            "list": lambda: Reply((self.scenarios(),)),
            "start": lambda: self._start(learner, command.args),
            "exam": lambda: self._start(learner, command.args, mode="exam"),
            "assignments": lambda: assignments_reply(self.store, learner, command.args, self.casts),
            "team": lambda: team_reply(self.store, learner, command.args, self.casts),
            "transcript": lambda: transcript_reply(self.store, learner, command.args, self.casts),
            "dispute": lambda: dispute_reply(self.store, learner, command.args),
            "leaderboard": lambda: leaderboard_reply(self.store, learner, command.args, self.casts),
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

    def _start(
        self, learner: LearnerRecord, args: tuple[str, ...], mode: str = "practice"
    ) -> Reply:
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
        ended = self._leave(learner)
        return ended + self._open(learner, cast, level, mode)

    def _leave(self, learner: LearnerRecord) -> Reply:
        """End the running session before another starts: a practice is abandoned, but an
        exam left unfinished is scored as it stands, since an exam has one attempt."""
        active = self.store.active_session(learner.id)
        if active is None:
            return Reply()
        cast = self.casts.get(active.scenario_id)
        if active.mode == "exam" and cast is not None:
            parts = self._finish(learner, active, cast, Conversation.from_session(active), "quit")
            return Reply((Notice("Your unfinished exam counts as it stood."), *parts))
        self.store.end_session(
            active.id, status="ended", outcome="abandoned", score=None, passed=None
        )
        return Reply()

    def _open(self, learner: LearnerRecord, cast: Cast, level_name: str, mode: str) -> Reply:
        level = cast.scenario.levels[level_name]
        c = Conversation(
            state=cast.flow.initial, mood=level.mood, level=level_name, flags=set(level.flags)
        )
        self._carry(learner, cast, c)
        session = self.store.create_session(
            learner.id, cast.scenario.id, cast.version, level_name, c.session_state(0), mode
        )
        lines = opening_lines(cast, c, (session.id, 0))
        self.store.save_turn(session, None, [line.text for line in lines], c.session_state(0))
        briefing = cast.scenario.briefing
        lead = cast.lead
        parts: tuple[Part, ...] = (
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
            Notice(
                EXAM_RULES
                if mode == "exam"
                else "Type your reply. /hint if you are stuck, /help for commands."
            ),
        )
        return Reply(parts, session_id=session.id)

    def _carry(self, learner: LearnerRecord, cast: Cast, c: Conversation) -> None:
        """A deal journey carries what earlier stages revealed and agreed into this one."""
        for earlier in cast.scenario.carry_from:
            session = self.store.last_won_session(learner.id, earlier)
            if session is None:
                continue
            before = Conversation.from_session(session)
            c.flags |= before.flags
            for kind, ids in before.revealed.items():
                c.revealed.setdefault(kind, []).extend(
                    i for i in ids if i not in c.revealed.get(kind, [])
                )

    def _turn(
        self,
        learner: LearnerRecord,
        session: SessionRecord,
        text: str,
        prepared: Prepared | None = None,
    ) -> Reply:
        cast = self._cast_for(session)
        if isinstance(cast, Reply):
            return cast
        c = Conversation.from_session(session)
        if prepared is not None and prepared.fits(session, text):
            detections = prepared.detections
        else:
            detections = self.detector.detect(text, session.last_line)
        result = play_turn(cast, c, detections, (session.id, session.turn_count + 1))
        made = {m.move for m in result.scored}
        missed = tuple(m for m in cast.state(result.state_before).expects if m not in made)
        said = LearnerTurn(text, result.scored, result.points, result.state_before, missed)
        self.store.save_turn(
            session,
            said,
            [line.text for line in result.lines],
            c.session_state(session.turn_count + 1),
        )
        parts: list = list(result.lines)
        if learner.feedback_on and session.mode != "exam":
            note = missing_note(cast.state(result.state_before), result.scored)
            parts.append(Feedback(result.points, feedback_items(result.scored), note))
        if result.outcome is None:
            return Reply(tuple(parts), session_id=session.id)
        parts += self._finish(learner, session, cast, c, result.outcome)
        return Reply(tuple(parts), session_id=session.id, ended=True)

    def _cast_for(self, session: SessionRecord) -> Cast | Reply:
        cast = self.casts.get(session.scenario_id)
        if cast is None or session.state not in cast.flow.states:
            return _notice(
                f"The scenario {session.scenario_id!r} cannot be played right now (its content "
                "has a problem or changed). Your session is saved; /quit ends it, or try later.",
                "error",
            )
        return cast

    def _finish(
        self,
        learner: LearnerRecord,
        session: SessionRecord,
        cast: Cast,
        c: Conversation,
        outcome: str,
    ) -> tuple[Part, ...]:
        """End the session, then settle the assignments and the certificate it earns."""
        card = self._scorecard(session.id, cast, c, outcome, True)
        self.store.end_session(
            session.id, status="ended", outcome=outcome, score=card.score, passed=card.passed
        )
        parts: list[Part] = [card]
        ended = replace(session, status="ended", outcome=outcome, score=card.score)
        for done in settle(self.store, learner.person_id, ended):
            parts.append(Notice(f"Assignment complete: {cast.scenario.title} for {done.team}."))
        if session.mode == "exam" and card.passed:
            self.store.certify(
                learner.person_id, cast.scenario.id, session.level, session.id, card.score
            )
            day = datetime.now(UTC).date().isoformat()
            parts.append(
                Certified(cast.scenario.id, cast.scenario.title, session.level, card.score, day)
            )
        return tuple(parts)

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

    def _active(self, learner: LearnerRecord) -> tuple[SessionRecord, Cast] | Reply:
        session = self.store.active_session(learner.id)
        if session is None:
            return _notice("No practice is running. /scenarios lists what you can practise.")
        cast = self._cast_for(session)
        return cast if isinstance(cast, Reply) else (session, cast)

    def _hint(self, learner: LearnerRecord) -> Reply:
        active = self._active(learner)
        if isinstance(active, Reply):
            return active
        session, cast = active
        if session.mode == "exam":
            return _notice("Hints are off in an exam: trust your training.", "hint")
        hints = cast.state(session.state).hint
        if not hints:
            return _notice("No hint for this moment: trust your training.", "hint")
        c = Conversation.from_session(session)
        used = c.hints.get(session.state, 0)
        index = min(used, len(hints) - 1)
        c.hints[session.state] = used + 1
        self.store.save_state(session, c.session_state(session.turn_count))
        label = HINT_LABELS[index] if len(hints) == len(HINT_LABELS) else "Hint"
        return _notice(f"{label}: {hints[index]}", "hint")

    def _restart(self, learner: LearnerRecord) -> Reply:
        session = self.store.active_session(learner.id) or self.store.last_session(learner.id)
        if session is not None and session.mode == "exam" and session.status == "active":
            return _notice("An exam has one attempt. /quit ends it and shows your scorecard.")
        if session is None:
            return _notice("Nothing to restart yet. /scenarios lists what you can practise.")
        return self._start(learner, (session.scenario_id, session.level))

    def _quit(self, learner: LearnerRecord) -> Reply:
        active = self._active(learner)
        if isinstance(active, Reply):
            return active
        session, cast = active
        c = Conversation.from_session(session)
        parts = self._finish(learner, session, cast, c, "quit")
        ended = Notice("Exam ended." if session.mode == "exam" else "Practice ended.")
        return Reply((ended, *parts), session_id=session.id, ended=True)

    def _score(self, learner: LearnerRecord) -> Reply:
        session = self.store.active_session(learner.id) or self.store.last_session(learner.id)
        if session is not None and session.mode == "exam" and session.status == "active":
            return _notice("In an exam your scorecard comes at the end.")
        if session is None:
            return _notice("No sessions yet. /scenarios lists what you can practise.")
        cast = self._cast_for(session)
        if isinstance(cast, Reply):
            return cast
        c = Conversation.from_session(session)
        finished = session.status != "active"
        outcome = session.outcome or "in progress"
        card = self._scorecard(session.id, cast, c, outcome, finished)
        return Reply((card,), session_id=session.id)

    def _feedback(self, learner: LearnerRecord, args: tuple[str, ...]) -> Reply:
        choice = args[0].lower() if args else ("off" if learner.feedback_on else "on")
        if choice not in ("on", "off"):
            return _notice("Use /feedback on or /feedback off.", "error")
        self.store.set_feedback(learner.id, choice == "on")
        return _notice(f"Per-reply feedback is {choice}.")

    def _progress(self, learner: LearnerRecord) -> Progress:
        titles = {sid: cast.scenario.title for sid, cast in self.casts.items()}
        return learner_progress(self.store, learner.person_id, titles, skill_scenarios(self.casts))


def _notice(text: str, kind: str = "info") -> Reply:
    return Reply((Notice(text, kind),))


def help_text() -> str:
    return "Commands:\n" + "\n".join(f"  {cmd} - {what}" for cmd, what in HELP)

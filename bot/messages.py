"""What crosses the port between adapters and the engine: an inbound message and a reply.

A reply is a tuple of typed parts; each adapter decides how a part looks on its surface.
Parts are plain frozen dataclasses so a reply can be stored and replayed as JSON.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


def well_formed(text: str) -> str:
    """``text`` with a surrogate pair that arrived as two characters joined, and a lone
    surrogate (valid JSON, invalid UTF-8) replaced by U+FFFD, so it can be stored."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


@dataclass(frozen=True)
class Learner:
    platform: str
    user_id: str
    name: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", well_formed(self.name))


@dataclass(frozen=True)
class Inbound:
    """A message from a learner, as every surface hands it to the engine."""

    learner: Learner
    text: str
    message_id: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", well_formed(self.text))


@dataclass(frozen=True)
class Resumable:
    """A practice left running: enough to tell the learner where they are."""

    scenario_id: str
    replies: int
    last_line: str


@dataclass(frozen=True)
class Notice:
    text: str
    kind: str = "info"  # info | error | help | hint


@dataclass(frozen=True)
class ScenarioInfo:
    id: str
    title: str
    summary: str
    levels: tuple[str, ...]
    skills: tuple[str, ...]


@dataclass(frozen=True)
class ScenarioList:
    scenarios: tuple[ScenarioInfo, ...]


@dataclass(frozen=True)
class Briefing:
    scenario_id: str
    title: str
    level: str
    persona: str
    role: str
    goal: str
    success: str
    situation: str | None = None


@dataclass(frozen=True)
class PersonaLine:
    speaker: str
    text: str


@dataclass(frozen=True)
class FeedbackItem:
    move: str
    label: str
    points: int
    quote: str
    technique: str
    link: str


@dataclass(frozen=True)
class Feedback:
    points: int
    items: tuple[FeedbackItem, ...]
    note: str = ""


@dataclass(frozen=True)
class SkillScore:
    skill: str
    label: str
    score: int


@dataclass(frozen=True)
class QuotedReply:
    text: str
    points: int
    why: str = ""  # the words that earned (or cost) its points, with the move and points


@dataclass(frozen=True)
class Tip:
    technique: str
    text: str
    link: str


@dataclass(frozen=True)
class LedgerLine:
    give: str
    get: str


@dataclass(frozen=True)
class Scorecard:
    scenario_id: str
    title: str
    outcome: str
    score: int
    passed: bool
    pass_mark: int
    skills: tuple[SkillScore, ...]
    talk_share: float
    talk_target: float
    discovery_before_pitch: int
    tailored_value: str | None
    best: QuotedReply | None
    worst: QuotedReply | None
    tips: tuple[Tip, ...]
    ledger: tuple[LedgerLine, ...] = ()
    turns: int = 0
    finished: bool = True


@dataclass(frozen=True)
class ProgressRow:
    scenario_id: str
    title: str
    started_at: str
    outcome: str
    score: int | None
    passed: bool | None


@dataclass(frozen=True)
class Progress:
    rows: tuple[ProgressRow, ...]
    trend: str
    practise_next: str | None = None
    weakest_skill: str | None = None


@dataclass(frozen=True)
class AssignmentLine:
    id: int
    team: str
    scenario_id: str
    title: str
    level: str
    due: str  # a date, YYYY-MM-DD
    pass_mark: int
    min_attempts: int
    attempts: int
    exam: bool
    overdue: bool


@dataclass(frozen=True)
class Assignments:
    """A rep's open assignments, soonest due first, and the certificates they hold."""

    assignments: tuple[AssignmentLine, ...]
    certified: tuple[str, ...] = ()
    reminder: bool = False


@dataclass(frozen=True)
class Certified:
    scenario_id: str
    title: str
    level: str
    score: int
    date: str


@dataclass(frozen=True)
class AssignmentStatus:
    title: str
    level: str
    due: str
    completed: int
    assigned: int
    not_done: tuple[str, ...]


@dataclass(frozen=True)
class MissedMove:
    label: str
    kind: str  # missed | mistake
    times: int
    reps: int
    example: str
    example_rep: str
    link: str


@dataclass(frozen=True)
class RepLine:
    rep: str
    sessions: int
    average: float | None
    weakest_skill: str | None
    practise_next: str | None


@dataclass(frozen=True)
class TeamSummary:
    """What a manager sees of a team: the same queries as `roleplay team report`."""

    team: str
    completion: tuple[AssignmentStatus, ...]
    missed: tuple[MissedMove, ...]
    reps: tuple[RepLine, ...]
    certified: tuple[str, ...]
    leaders: tuple[str, ...] = ()


@dataclass(frozen=True)
class TranscriptLine:
    speaker: str
    text: str
    points: int | None = None


@dataclass(frozen=True)
class Transcript:
    rep: str
    title: str
    started_at: str
    outcome: str
    score: int | None
    lines: tuple[TranscriptLine, ...]


Part = (
    Notice
    | ScenarioList
    | Briefing
    | PersonaLine
    | Feedback
    | Scorecard
    | Progress
    | Assignments
    | Certified
    | TeamSummary
    | Transcript
)
PART_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Notice,
        ScenarioList,
        Briefing,
        PersonaLine,
        Feedback,
        Scorecard,
        Progress,
        Assignments,
        Certified,
        TeamSummary,
        Transcript,
    )
}
_NESTED: dict[str, type] = {
    "scenarios": ScenarioInfo,
    "items": FeedbackItem,
    "skills": SkillScore,
    "best": QuotedReply,
    "worst": QuotedReply,
    "tips": Tip,
    "ledger": LedgerLine,
    "rows": ProgressRow,
    "assignments": AssignmentLine,
    "completion": AssignmentStatus,
    "missed": MissedMove,
    "reps": RepLine,
    "lines": TranscriptLine,
}


@dataclass(frozen=True)
class Reply:
    parts: tuple[Part, ...] = ()
    session_id: int | None = None
    ended: bool = False

    def __add__(self, other: Reply) -> Reply:
        return Reply(self.parts + other.parts, other.session_id or self.session_id, other.ended)

    def of_type(self, cls: type) -> list[Any]:
        return [part for part in self.parts if isinstance(part, cls)]

    def to_json(self) -> dict[str, Any]:
        return {
            "parts": [{"type": type(p).__name__, **dataclasses.asdict(p)} for p in self.parts],
            "session_id": self.session_id,
            "ended": self.ended,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            tuple(_part(dict(p)) for p in data["parts"]),
            data.get("session_id"),
            data.get("ended", False),
        )


def _part(data: dict[str, Any]) -> Part:
    part_type = PART_TYPES[data.pop("type")]
    for key, nested in _NESTED.items():
        value = data.get(key)
        if isinstance(value, list):
            data[key] = tuple(nested(**v) for v in value)
        elif isinstance(value, dict):
            data[key] = nested(**value)
    for key, value in data.items():
        if isinstance(value, list):
            data[key] = tuple(value)
    return part_type(**data)

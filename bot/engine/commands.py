"""Commands shared by every surface: `/hint`, `/start cold_call hard`, `/feedback off`..."""

from __future__ import annotations

from dataclasses import dataclass

ALIASES = {
    "scenarios": "list",
    "list": "list",
    "ls": "list",
    "start": "start",
    "play": "start",
    "practice": "start",
    "practise": "start",
    "hint": "hint",
    "restart": "restart",
    "quit": "quit",
    "stop": "quit",
    "end": "quit",
    "score": "score",
    "scorecard": "score",
    "progress": "progress",
    "feedback": "feedback",
    "help": "help",
    "exam": "exam",
    "certify": "exam",
    "assignments": "assignments",
    "assigned": "assignments",
    "team": "team",
    "transcript": "transcript",
    "dispute": "dispute",
    "leaderboard": "leaderboard",
    "contest": "dispute",
}
HELP = (
    ("/scenarios", "list the scenarios you can practise"),
    ("/start SCENARIO [LEVEL]", "start a scenario (levels such as easy or hard)"),
    ("/hint", "a hint for this moment; ask again for a more specific one"),
    ("/restart", "start the current scenario again"),
    ("/quit", "end the current practice and see your scorecard"),
    ("/score", "your scorecard so far (or of your last session)"),
    ("/progress", "your past sessions and score trend"),
    ("/feedback on|off", "turn per-reply feedback on or off"),
    ("/dispute [NOTE]", "contest how your last reply was scored; a reviewer looks at it"),
    ("/assignments", "what your manager has set you, soonest due first"),
    ("/exam SCENARIO [LEVEL]", "certify: no hints, no per-reply feedback, one attempt"),
    ("/transcript [NAME]", "your last session word for word (managers: a rep's)"),
    ("/leaderboard [SCENARIO]", "best scores on your team (unless it opted out)"),
    ("/team [TEAM]", "managers: the team's completion, weak moves and certificates"),
    ("/help", "this list"),
)


@dataclass(frozen=True)
class Command:
    name: str
    args: tuple[str, ...] = ()
    raw: str = ""


def parse_command(text: str) -> Command | None:
    """A command if `text` starts with '/', else None. Unknown names keep their raw form."""
    stripped = text.strip()
    if not stripped.startswith("/") or stripped.startswith("//"):
        return None
    words = stripped[1:].split()
    if not words:
        return Command("", raw="/")
    word, *args = words
    name = word.split("@", 1)[0].lower()  # Telegram sends /hint@SomeBot in groups
    return Command(ALIASES.get(name, ""), tuple(args), raw=word)

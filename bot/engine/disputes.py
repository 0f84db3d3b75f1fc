"""`/dispute [note]`: the rep contests how their last reply was scored.

The turn and what was detected in it are kept as they were; a reviewer confirms or
corrects them with `roleplay disputes`, and a corrected turn becomes a labelled reply."""

from __future__ import annotations

from bot.messages import Notice, Reply
from bot.storage.base import LearnerRecord, Store

MAX_NOTE = 500


def dispute_reply(store: Store, learner: LearnerRecord, args: tuple[str, ...]) -> Reply:
    session = store.active_session(learner.id) or store.last_session(learner.id)
    turns = store.turns(session.id) if session is not None else []
    said = [t for t in turns if t.role == "learner"]
    if session is None or not said:
        return Reply((Notice("Nothing to dispute yet: reply in a practice first."),))
    turn = said[-1]
    buyer = next((t.text for t in reversed(turns) if t.seq < turn.seq and t.role == "persona"), "")
    note = " ".join(args)[:MAX_NOTE]
    store.dispute_turn(learner.id, session, turn, buyer, note)
    scored = ", ".join(f"{m.move} {m.points:+d}" for m in turn.moves) or "no moves"
    return Reply(
        (
            Notice(
                f'Noted for review: your reply "{_short(turn.text)}" (scored {turn.points:+d}:'
                f" {scored}). A reviewer will confirm or correct it; your score stays as it is"
                " until then." + ("" if note else " Add why with /dispute YOUR NOTE.")
            ),
        ),
        session_id=session.id,
    )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

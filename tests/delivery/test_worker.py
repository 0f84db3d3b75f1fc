"""The delivery worker with a recording surface: failures, ordering and redelivery."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from bot.delivery import SORRY, DeliveryWorker, PermanentError
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Notice, Reply
from bot.storage.base import OutboxItem

ANA = Learner("test", "ana", "Ana")


class Recording:
    """A platform that records what it is sent and can be told to refuse."""

    platform = "test"
    max_in_flight = 0

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.refuse: list[Exception] = []  # raised by the next sends, in order
        self.broken_turns = False

    def direct(self, user_id: str) -> dict[str, Any]:
        return {"dm": user_id}

    def render(self, reply: Reply, destination: Mapping[str, Any]) -> list[dict[str, Any]]:
        notices = [p.text for p in reply.parts if isinstance(p, Notice)]
        if self.broken_turns and SORRY not in notices:
            raise RuntimeError("rendering failed")
        return [{"part": type(p).__name__, "text": getattr(p, "text", "")} for p in reply.parts]

    async def send(self, item: OutboxItem, earlier: Sequence[OutboxItem]) -> str:
        if self.refuse:
            raise self.refuse.pop(0)
        self.sent.append(item.payload)
        return f"m{len(self.sent)}"


def run(trainer: Trainer, surface: Recording, *texts: str, sweep: float = 0.05) -> DeliveryWorker:
    async def go() -> DeliveryWorker:
        worker = DeliveryWorker(trainer, trainer.store, surface, sweep_seconds=sweep)
        await worker.start()
        for n, text in enumerate(texts):
            await worker.accept(Inbound(ANA, text, f"m{n}"), {})
        for _ in range(200):
            await worker.join()
            backlog = await worker.backlog()
            if not backlog.inbox_pending and not backlog.outbox_pending:
                break
            await asyncio.sleep(0.05)
        await worker.close()
        return worker

    return asyncio.run(go())


def test_replies_go_out_in_order_and_a_redelivery_sends_nothing(tiny_trainer: Trainer) -> None:
    surface = Recording()

    async def go() -> tuple[bool, bool]:
        worker = DeliveryWorker(tiny_trainer, tiny_trainer.store, surface)
        await worker.start()
        first = await worker.accept(Inbound(ANA, "/help", "same"), {})
        again = await worker.accept(Inbound(ANA, "/help", "same"), {})
        await worker.join()
        await worker.close()
        return first, again

    assert asyncio.run(go()) == (True, False)
    assert len(surface.sent) == 1 and surface.sent[0]["part"] == "Notice"
    assert tiny_trainer.store.count("inbox") == 1


def test_a_turn_that_keeps_failing_is_marked_failed_and_answered_with_an_apology(
    tiny_trainer: Trainer,
) -> None:
    surface = Recording()
    surface.broken_turns = True
    worker = run(tiny_trainer, surface, "/help")
    assert [m["text"] for m in surface.sent] == [SORRY]
    assert worker.store.count("inbox", "status = ?", ["failed"]) == 1


def test_a_refused_message_is_failed_and_the_next_one_still_goes(tiny_trainer: Trainer) -> None:
    surface = Recording()
    surface.refuse = [PermanentError("bot was blocked by the user")]
    worker = run(tiny_trainer, surface, "/help", "/scenarios")
    assert worker.store.count("outbox", "status = ?", ["failed"]) == 1
    assert [m["part"] for m in surface.sent] == ["ScenarioList"]


def test_a_transient_failure_is_sent_again_later(tiny_trainer: Trainer) -> None:
    surface = Recording()
    surface.refuse = [ConnectionError("reset by peer")]
    worker = run(tiny_trainer, surface, "/help")
    assert [m["part"] for m in surface.sent] == ["Notice"]
    assert worker.store.count("outbox", "status = ? AND attempts = ?", ["sent", 2]) == 1

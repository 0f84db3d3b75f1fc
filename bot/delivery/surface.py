"""What a chat adapter gives the delivery layer: how to render a reply and how to send it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from bot.messages import Reply
from bot.storage.base import OutboxItem

Payload = dict[str, Any]


class PermanentError(Exception):
    """The platform will never accept this message (blocked bot, deleted channel...)."""


class Surface(Protocol):
    platform: str
    # Messages sent at once by one worker; 0: no cap. A message in flight when the process
    # dies is sent again, so a platform that cannot tell us it already has one caps this.
    max_in_flight: int

    def direct(self, user_id: str) -> dict[str, Any]:
        """Where to send a message the learner did not ask for (a reminder): their DM."""
        ...

    def render(self, reply: Reply, destination: Mapping[str, Any]) -> Sequence[Payload]:
        """The platform messages that show `reply`, as JSON-ready dicts, in sending order.

        Called inside the turn's transaction, so it must be pure and quick."""
        ...

    async def send(self, item: OutboxItem, earlier: Sequence[OutboxItem]) -> str:
        """Send one message and return the platform's id for it.

        `earlier` holds the messages of the same reply already sent (with their ids), for a
        platform where later parts refer to earlier ones (a Slack thread). Raise
        `PermanentError` when retrying cannot help; any other exception is retried."""
        ...

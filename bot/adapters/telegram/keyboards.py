"""Inline keyboards: the scenario picker, the dispute button, and the link from a group to
a private chat.

A picker button carries the command it stands for ("/start cold_call") as callback data,
so a tap is handled exactly like the typed command. Callback data comes back from the
client and could be forged, so only a well-formed `/start` command is accepted.
"""

from __future__ import annotations

import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.messages import ScenarioList

MAX_CALLBACK_BYTES = 64  # Telegram's limit on callback_data
PICK = re.compile(r"/start [A-Za-z_][A-Za-z0-9_]*( [A-Za-z_][A-Za-z0-9_]*)?")
DISPUTE = "/dispute"


def pick_data(scenario_id: str, level: str | None = None) -> str:
    data = f"/start {scenario_id}" + (f" {level}" if level else "")
    if len(data.encode()) > MAX_CALLBACK_BYTES:
        raise ValueError(f"scenario id too long for a Telegram button: {scenario_id!r}")
    return data


def scenario_keyboard(listing: ScenarioList) -> InlineKeyboardMarkup:
    """One row per scenario: its title starts the default level."""
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(info.title, callback_data=pick_data(info.id))]
            for info in listing.scenarios
        ]
    )


def dispute_keyboard() -> InlineKeyboardMarkup:
    """Under per-reply feedback: contest the score of the reply it is about."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("Dispute this score", callback_data=DISPUTE)]]
    )


def parse_pick(data: str | None) -> str | None:
    """The command a button stands for (`/start ...` or `/dispute`), or None if the data
    is not ours."""
    return data if data and (PICK.fullmatch(data) or data == DISPUTE) else None


def private_chat_keyboard(bot_username: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton("Practise in a private chat", url=f"https://t.me/{bot_username}")]]
    )

"""Build the PTB Application: Telegram update → inbox → engine turn → outbox → messages.

Handlers only translate: a text or a picker tap becomes an engine `Inbound` handed to the
shared `DeliveryWorker`, which stores it before the webhook answers Telegram 200. What a
learner sees comes from the engine's reply, rendered by `format` and sent from the outbox
by `TelegramSurface`; the only words written here are about Telegram itself (text only,
private chats).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from telegram import BotCommand, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest, Forbidden
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.telegram.format import OutMessage, render
from bot.adapters.telegram.keyboards import (
    dispute_keyboard,
    parse_pick,
    private_chat_keyboard,
    scenario_keyboard,
)
from bot.adapters.telegram.ordering import ChatOrderedProcessor
from bot.adapters.telegram.settings import TelegramSettings
from bot.delivery import DeliveryWorker, PermanentError
from bot.engine.commands import HELP
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Reply
from bot.storage.base import OutboxItem, QueueStore

log = logging.getLogger(__name__)

PLATFORM = "telegram"
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)
TEXT_ONLY = "I can only read text. Type your reply as a message, or send /help for commands."
PRIVATE_ONLY = (
    "Practice happens in a private chat with me, so your replies and scores stay yours. "
    "Tap below to open one."
)
EXPIRED_BUTTON = "That button is no longer valid. Send /scenarios for a fresh list."
# Telegram answers 429 "retry after N" when a bot sends too fast. The rate limiter keeps the
# bot under the flood limit and, when Telegram still refuses, waits and sends again: the turn
# is already committed, so a reply given up on would be a reply the learner never sees.
SEND_RETRIES = 5
Context = ContextTypes.DEFAULT_TYPE
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
NOT_TEXT = ~filters.TEXT & ~filters.StatusUpdate.ALL
GROUP_ASKS = (
    filters.ChatType.GROUPS
    & filters.UpdateType.MESSAGE
    & (filters.COMMAND | filters.Entity("mention"))
)


def bot_commands() -> list[BotCommand]:
    """The `/` menu on a phone, from the engine's own command list."""
    return [BotCommand(usage.split()[0].lstrip("/"), what[:256]) for usage, what in HELP]


def message_key(update: Update) -> str:
    """The idempotency key: the same for every delivery of one Telegram message or tap.

    Message ids never repeat within a chat, while Bot API update ids may restart at a
    random number after a week without updates, so the message (or callback) id is used.
    """
    if update.callback_query is not None:
        return f"tg:cb:{update.callback_query.id}"
    message = update.effective_message
    assert message is not None
    return f"tg:m:{message.chat_id}:{message.message_id}"


def learner_of(update: Update) -> Learner:
    user = update.effective_user
    assert user is not None
    return Learner(PLATFORM, str(user.id), user.first_name or "")


class TelegramSurface:
    """Renders replies as Telegram messages for the outbox and sends them."""

    platform = PLATFORM
    # A bot cannot read its chats back, so a message in flight at a crash may go twice; one
    # at a time bounds that to one message per crash (measured: 4 at a time doubled about
    # three per crash). Telegram's flood limit (about 30 messages/s per bot) caps the rate
    # anyway; the price is that a slow send delays the other chats' sends behind it.
    max_in_flight = 1

    def __init__(self, application: Application) -> None:
        self.application = application

    def direct(self, user_id: str) -> dict[str, Any]:
        return {"chat_id": int(user_id)}  # a private chat's id is the user's id

    def render(self, reply: Reply, destination: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [_payload(out) for out in render(reply)]

    async def send(self, item: OutboxItem, earlier: Sequence[OutboxItem]) -> str:
        keyboard = item.payload.get("keyboard")
        markup = InlineKeyboardMarkup.de_json(keyboard, self.application.bot) if keyboard else None
        try:
            sent = await self.application.bot.send_message(
                item.destination["chat_id"],
                item.payload["html"],
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
            )
        except (Forbidden, BadRequest) as exc:  # blocked by the user, chat gone, bad markup
            raise PermanentError(str(exc)) from exc
        return f"{sent.chat_id} {sent.message_id}"


def _payload(out: OutMessage) -> dict[str, Any]:
    keyboard = None
    if out.picker:
        keyboard = scenario_keyboard(out.picker).to_dict()
    elif out.dispute:
        keyboard = dispute_keyboard().to_dict()
    return {"html": out.html, "keyboard": keyboard}


@dataclass
class TelegramHandlers:
    """The callbacks registered on the Application; they share one delivery worker."""

    worker: DeliveryWorker
    failed: set[int] = field(default_factory=set)  # update ids not stored: no 200 for them

    async def on_text(self, update: Update, context: Context) -> None:
        """A reply or a /command in a private chat: into the inbox."""
        message = update.effective_message
        assert message is not None and message.text is not None
        await self._accept(update, message.text, message.chat_id)

    async def on_pick(self, update: Update, context: Context) -> None:
        """A tap on the scenario picker or a Dispute button: the same as typing its command."""
        query, chat = update.callback_query, update.effective_chat
        assert query is not None and chat is not None
        command = parse_pick(query.data or "")
        if command is None or chat.type != ChatType.PRIVATE:
            await query.answer(EXPIRED_BUTTON, show_alert=True)
            return
        await self._accept(update, command, chat.id)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(None)  # a second tap cannot start it twice

    async def on_not_text(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice notes...: nothing reaches the engine."""
        assert update.effective_message is not None
        await update.effective_message.reply_text(TEXT_ONLY)

    async def on_group(self, update: Update, context: Context) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            PRIVATE_ONLY, reply_markup=private_chat_keyboard(context.bot.username)
        )

    async def on_error(self, update: object, context: Context) -> None:
        """The one error handler: log it; an update not stored is not acknowledged."""
        log.error("update failed: %r", update, exc_info=context.error)
        if isinstance(update, Update):
            self.failed.add(update.update_id)

    async def _accept(self, update: Update, text: str, chat_id: int) -> None:
        await self.worker.accept(
            Inbound(learner_of(update), text, message_key(update)), {"chat_id": chat_id}
        )


@dataclass(frozen=True)
class TelegramBot:
    application: Application
    handlers: TelegramHandlers

    @property
    def worker(self) -> DeliveryWorker:
        return self.handlers.worker


def build_bot(settings: TelegramSettings, trainer: Trainer, store: QueueStore) -> TelegramBot:
    """The Application with our handlers; polling keeps PTB's Updater, a webhook does not."""
    builder = Application.builder().token(settings.token)
    builder = builder.concurrent_updates(ChatOrderedProcessor())
    limiter = AIORateLimiter(overall_max_rate=settings.max_rate, max_retries=SEND_RETRIES)
    builder = builder.rate_limiter(limiter)  # type: ignore[arg-type]  # PTB's stubs: None only
    if settings.api_url:
        api = settings.api_url.rstrip("/")
        builder = builder.base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
    if settings.mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    worker = DeliveryWorker(trainer, store, TelegramSurface(application))
    handlers = TelegramHandlers(worker)
    add_handlers(application, handlers)
    return TelegramBot(application, handlers)


def add_handlers(application: Application, handlers: TelegramHandlers) -> None:
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT, handlers.on_text))
    application.add_handler(MessageHandler(PRIVATE & NOT_TEXT, handlers.on_not_text))
    application.add_handler(MessageHandler(GROUP_ASKS, handlers.on_group))
    application.add_handler(CallbackQueryHandler(handlers.on_pick))
    application.add_error_handler(handlers.on_error)

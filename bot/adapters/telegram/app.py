"""Build the PTB Application: Telegram update → `Inbound` → `Trainer.handle` → messages.

Handlers only translate. What a learner sees comes from the engine's reply (rendered by
`format`); the only words written here are about Telegram itself (text only, private
chats, a failure on our side).
"""

from __future__ import annotations

import asyncio
import logging

from telegram import BotCommand, Message, Update
from telegram.constants import ChatType, ParseMode
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.adapters.telegram.format import render
from bot.adapters.telegram.keyboards import parse_pick, private_chat_keyboard, scenario_keyboard
from bot.adapters.telegram.ordering import ChatOrderedProcessor
from bot.adapters.telegram.settings import TelegramSettings
from bot.engine.commands import HELP
from bot.engine.trainer import Trainer
from bot.messages import Inbound, Learner, Reply

log = logging.getLogger(__name__)

PLATFORM = "telegram"
ALLOWED_UPDATES = (Update.MESSAGE, Update.CALLBACK_QUERY)
TEXT_ONLY = "I can only read text. Type your reply as a message, or send /help for commands."
PRIVATE_ONLY = (
    "Practice happens in a private chat with me, so your replies and scores stay yours. "
    "Tap below to open one."
)
EXPIRED_BUTTON = "That button is no longer valid. Send /scenarios for a fresh list."
FAILED = "Sorry, something went wrong on our side. Your practice is saved; send that again."

# SQLite applies one write at a time anyway (BEGIN IMMEDIATE); more engine calls in flight
# only add lock waits. Measured with `roleplay telegram-load`: one is fastest. Chats still
# run concurrently everywhere else (Bot API calls), where the time goes.
ENGINE_CALLS = 1
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
    return f"tg:m:{message.chat_id}:{message.message_id}"


def learner_of(update: Update) -> Learner:
    user = update.effective_user
    return Learner(PLATFORM, str(user.id), user.first_name or "")


class TelegramHandlers:
    """The callbacks registered on the Application; they share one Trainer."""

    def __init__(self, trainer: Trainer) -> None:
        self.trainer = trainer
        self._engine = asyncio.Semaphore(ENGINE_CALLS)

    async def on_text(self, update: Update, context: Context) -> None:
        """A reply or a /command in a private chat: one engine call."""
        message = update.effective_message
        reply = await self._handle(update, message.text)
        await send_reply(context, message.chat_id, reply)

    async def on_pick(self, update: Update, context: Context) -> None:
        """A tap on the scenario picker: the same as typing the button's /start command."""
        query = update.callback_query
        command = parse_pick(query.data)
        if command is None or update.effective_chat.type != ChatType.PRIVATE:
            await query.answer(EXPIRED_BUTTON, show_alert=True)
            return
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.edit_reply_markup(None)  # a second tap cannot start it twice
        reply = await self._handle(update, command)
        await send_reply(context, update.effective_chat.id, reply)

    async def on_not_text(self, update: Update, context: Context) -> None:
        """Stickers, photos, voice notes...: nothing reaches the engine."""
        await update.effective_message.reply_text(TEXT_ONLY)

    async def on_group(self, update: Update, context: Context) -> None:
        await update.effective_message.reply_text(
            PRIVATE_ONLY, reply_markup=private_chat_keyboard(context.bot.username)
        )

    async def on_error(self, update: object, context: Context) -> None:
        """The one error handler: log, and tell the learner their work is safe."""
        log.error("update failed: %r", update, exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            await context.bot.send_message(update.effective_chat.id, FAILED)

    async def _handle(self, update: Update, text: str) -> Reply:
        inbound = Inbound(learner_of(update), text, message_key(update))
        async with self._engine:
            return await asyncio.to_thread(self.trainer.handle, inbound)


async def send_reply(context: Context, chat_id: int, reply: Reply) -> None:
    for out in render(reply):
        markup = scenario_keyboard(out.picker) if out.picker else None
        await context.bot.send_message(
            chat_id, out.html, parse_mode=ParseMode.HTML, reply_markup=markup
        )


def build_application(settings: TelegramSettings, trainer: Trainer) -> Application:
    """The Application with our handlers; polling keeps PTB's Updater, a webhook does not."""
    builder = Application.builder().token(settings.token)
    builder = builder.concurrent_updates(ChatOrderedProcessor())
    builder = builder.rate_limiter(
        AIORateLimiter(overall_max_rate=settings.max_rate, max_retries=SEND_RETRIES)
    )
    if settings.api_url:
        api = settings.api_url.rstrip("/")
        builder = builder.base_url(f"{api}/bot").base_file_url(f"{api}/file/bot")
    if settings.mode == "webhook":
        builder = builder.updater(None)
    application = builder.build()
    add_handlers(application, TelegramHandlers(trainer))
    return application


def add_handlers(application: Application, handlers: TelegramHandlers) -> None:
    application.add_handler(MessageHandler(PRIVATE & filters.TEXT, handlers.on_text))
    application.add_handler(MessageHandler(PRIVATE & NOT_TEXT, handlers.on_not_text))
    application.add_handler(MessageHandler(GROUP_ASKS, handlers.on_group))
    application.add_handler(CallbackQueryHandler(handlers.on_pick))
    application.add_error_handler(handlers.on_error)

"""Telegram surface: translate Telegram updates to `Trainer.handle` and replies to messages.

`build_bot` wires handlers on a python-telegram-bot `Application`; `serve` runs it
by long polling or behind a webhook (see docs/telegram.md).
"""

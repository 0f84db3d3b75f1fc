"""Telegram settings, read from the environment once and passed down as a frozen dataclass."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bot.adapters.settings import SettingsError

TOKEN = "TELEGRAM_BOT_TOKEN"
WEBHOOK_URL = "TELEGRAM_WEBHOOK_URL"
WEBHOOK_SECRET = "TELEGRAM_WEBHOOK_SECRET"
WEBHOOK_LISTEN = "TELEGRAM_WEBHOOK_LISTEN"
API_URL = "TELEGRAM_API_URL"
MAX_RATE = "TELEGRAM_MAX_MESSAGES_PER_SECOND"
DEFAULT_MAX_RATE = 30  # Telegram's documented flood limit for one bot
DEFAULT_LISTEN = "127.0.0.1:8080"
SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as secret_token


@dataclass(frozen=True)
class TelegramSettings:
    token: str = field(repr=False)
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    listen_host: str = "127.0.0.1"
    listen_port: int = 8080
    api_url: str | None = None  # a local Bot API server (or a fake); None means Telegram's
    max_rate: int = DEFAULT_MAX_RATE  # messages per second the bot sends at most (0: no cap)

    @property
    def mode(self) -> str:
        return "webhook" if self.webhook_url else "polling"

    @property
    def webhook_path(self) -> str:
        """The path Telegram posts to: the path of the public webhook URL."""
        return urlsplit(self.webhook_url or "").path or "/"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TelegramSettings:
        env = os.environ if env is None else env
        token = _get(env, TOKEN)
        if not token:
            raise SettingsError(f"{TOKEN} is not set: create a bot with @BotFather and export it")
        if ":" not in token:
            raise SettingsError(f"{TOKEN} does not look like a bot token (expected 123456:ABC...)")
        webhook_url, secret = _get(env, WEBHOOK_URL), _get(env, WEBHOOK_SECRET)
        host, port = _listen(_get(env, WEBHOOK_LISTEN) or DEFAULT_LISTEN)
        if webhook_url:
            _check_webhook(webhook_url, secret)
        max_rate = _max_rate(_get(env, MAX_RATE))
        return cls(token, webhook_url, secret, host, port, _get(env, API_URL), max_rate)


def _get(env: Mapping[str, str], name: str) -> str | None:
    return (env.get(name) or "").strip() or None


def _check_webhook(url: str, secret: str | None) -> None:
    if urlsplit(url).scheme != "https":
        raise SettingsError(f"{WEBHOOK_URL} must be an https:// URL (Telegram requires TLS)")
    if not secret:
        raise SettingsError(f"{WEBHOOK_SECRET} is not set: a webhook needs a secret token")
    if not SECRET_PATTERN.fullmatch(secret):
        raise SettingsError(f"{WEBHOOK_SECRET} must be 1-256 characters of A-Z, a-z, 0-9, _ or -")


def _listen(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise SettingsError(f"{WEBHOOK_LISTEN} must be HOST:PORT, e.g. {DEFAULT_LISTEN}")
    return host.strip("[]"), int(port)


def _max_rate(value: str | None) -> int:
    if value is None:
        return DEFAULT_MAX_RATE
    if not value.isdigit():
        raise SettingsError(f"{MAX_RATE} must be a whole number of messages per second (0: no cap)")
    return int(value)

"""Slack settings, read from the environment once and passed down as a frozen dataclass."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from bot.adapters.settings import SettingsError

SLACK_API_URL = "https://slack.com/api/"
MODES = ("socket", "http")


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str
    mode: str  # socket | http
    app_token: str = ""
    signing_secret: str = ""
    host: str = "0.0.0.0"
    port: int = 3000
    path: str = "/slack/events"
    api_url: str = SLACK_API_URL

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise SettingsError(f"unknown Slack mode {self.mode!r}; use one of {MODES}")
        if self.mode == "socket" and not self.app_token:
            raise SettingsError("SLACK_APP_TOKEN is not set; Socket Mode needs an xapp- token")
        if self.mode == "http" and not self.signing_secret:
            raise SettingsError("SLACK_SIGNING_SECRET is not set; HTTP mode verifies every request")


def from_env(env: Mapping[str, str] | None = None, mode: str | None = None) -> SlackSettings:
    """Settings from `env` (default: os.environ).

    The mode is `mode` if given, else socket when SLACK_APP_TOKEN is set, else http.
    """
    env = os.environ if env is None else env
    bot_token = env.get("SLACK_BOT_TOKEN", "")
    if not bot_token:
        raise SettingsError("SLACK_BOT_TOKEN is not set; copy the xoxb- token of your Slack app")
    app_token = env.get("SLACK_APP_TOKEN", "")
    signing_secret = env.get("SLACK_SIGNING_SECRET", "")
    if mode is None and not app_token and not signing_secret:
        raise SettingsError("set SLACK_APP_TOKEN (Socket Mode) or SLACK_SIGNING_SECRET (HTTP mode)")
    return SlackSettings(
        bot_token=bot_token,
        mode=mode or ("socket" if app_token else "http"),
        app_token=app_token,
        signing_secret=signing_secret,
        host=env.get("SLACK_HOST", "0.0.0.0"),
        port=_port(env.get("SLACK_PORT") or env.get("PORT") or "3000"),
        path=env.get("SLACK_PATH", "/slack/events"),
        api_url=_api_url(env.get("SLACK_API_URL", SLACK_API_URL)),
    )


def _port(value: str) -> int:
    try:
        port = int(value)
    except ValueError:
        raise SettingsError(f"SLACK_PORT must be a number, not {value!r}") from None
    if not 0 <= port <= 65535:
        raise SettingsError(f"SLACK_PORT must be between 0 and 65535, not {port}")
    return port


def _api_url(value: str) -> str:
    """slack_sdk joins method names onto the base URL, so it must end with a slash."""
    return value if value.endswith("/") else value + "/"

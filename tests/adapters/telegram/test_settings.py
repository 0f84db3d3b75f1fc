"""Environment → settings, with errors that name the variable to fix."""

from __future__ import annotations

import pytest

from bot.adapters.telegram.settings import SettingsError, TelegramSettings

TOKEN = {"TELEGRAM_BOT_TOKEN": "123456:ABC-def"}
WEBHOOK = {
    **TOKEN,
    "TELEGRAM_WEBHOOK_URL": "https://bot.example.com/telegram/hook",
    "TELEGRAM_WEBHOOK_SECRET": "s3cret_token-1",
}


def test_token_alone_means_polling():
    settings = TelegramSettings.from_env(TOKEN)
    assert settings.mode == "polling"
    assert "ABC-def" not in repr(settings)


def test_webhook_settings():
    settings = TelegramSettings.from_env({**WEBHOOK, "TELEGRAM_WEBHOOK_LISTEN": "0.0.0.0:8443"})
    assert settings.mode == "webhook"
    assert settings.webhook_path == "/telegram/hook"
    assert (settings.listen_host, settings.listen_port) == ("0.0.0.0", 8443)
    assert "s3cret" not in repr(settings)


@pytest.mark.parametrize(
    ("env", "names"),
    [
        ({}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "  "}, "TELEGRAM_BOT_TOKEN"),
        ({"TELEGRAM_BOT_TOKEN": "nocolon"}, "TELEGRAM_BOT_TOKEN"),
        ({**WEBHOOK, "TELEGRAM_WEBHOOK_SECRET": ""}, "TELEGRAM_WEBHOOK_SECRET"),
        ({**WEBHOOK, "TELEGRAM_WEBHOOK_SECRET": "has space"}, "TELEGRAM_WEBHOOK_SECRET"),
        ({**WEBHOOK, "TELEGRAM_WEBHOOK_URL": "http://bot.example.com/"}, "TELEGRAM_WEBHOOK_URL"),
        ({**TOKEN, "TELEGRAM_WEBHOOK_LISTEN": "8080"}, "TELEGRAM_WEBHOOK_LISTEN"),
    ],
)
def test_errors_name_the_variable(env, names):
    with pytest.raises(SettingsError, match=names):
        TelegramSettings.from_env(env)

"""Settings from the environment, Slack text rules, and the two commands."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from bot.adapters.slack.blocks import escape, slack_commands, unescape
from bot.adapters.slack.settings import SettingsError, from_env
from bot.cli.slack_command import slack_command, slack_load_command


def test_bot_token_is_required_and_named() -> None:
    with pytest.raises(SettingsError, match="SLACK_BOT_TOKEN"):
        from_env({"SLACK_APP_TOKEN": "xapp-1"})


def test_app_token_selects_socket_mode_and_signing_secret_http() -> None:
    assert from_env({"SLACK_BOT_TOKEN": "b", "SLACK_APP_TOKEN": "a"}).mode == "socket"
    http = from_env({"SLACK_BOT_TOKEN": "b", "SLACK_SIGNING_SECRET": "s", "SLACK_PORT": "8080"})
    assert (http.mode, http.port, http.path) == ("http", 8080, "/slack/events")


@pytest.mark.parametrize(
    ("env", "mode", "missing"),
    [
        ({"SLACK_BOT_TOKEN": "b"}, None, "SLACK_APP_TOKEN"),
        ({"SLACK_BOT_TOKEN": "b", "SLACK_APP_TOKEN": "a"}, "http", "SLACK_SIGNING_SECRET"),
        ({"SLACK_BOT_TOKEN": "b", "SLACK_SIGNING_SECRET": "s"}, "socket", "SLACK_APP_TOKEN"),
    ],
)
def test_the_missing_variable_is_named(env: dict, mode: str | None, missing: str) -> None:
    with pytest.raises(SettingsError, match=missing):
        from_env(env, mode=mode)


def test_api_url_gets_its_trailing_slash() -> None:
    env = {"SLACK_BOT_TOKEN": "b", "SLACK_APP_TOKEN": "a", "SLACK_API_URL": "http://x/api"}
    assert from_env(env).api_url == "http://x/api/"


def test_engine_commands_read_as_slack_commands() -> None:
    assert slack_commands("Type /hint or /help.") == "Type `/roleplay hint` or `/roleplay help`."
    assert slack_commands("see docs/hint and http://a/help") == "see docs/hint and http://a/help"


def test_escaping_round_trip() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert unescape(escape("a < b && c > d")) == "a < b && c > d"


def test_slack_command_names_the_missing_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(slack_command, [])
    assert result.exit_code == 1
    assert "SLACK_BOT_TOKEN is not set" in result.output


def test_slack_load_runs_and_prints_the_figures(tmp_path: Path) -> None:
    group = click.Group(commands=[slack_load_command])
    result = CliRunner().invoke(
        group, ["slack-load", "-n", "3", "--db", str(tmp_path / "load.db")], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert "turns               27 in" in result.output
    assert "ack latency         p50" in result.output and "non-200 answers     0" in result.output

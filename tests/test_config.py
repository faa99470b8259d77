"""Settings read from the environment: what TIPBOT_TIMEZONE accepts."""

import pytest

from bot.config import load_settings
from bot.errors import ConfigError


def settings_with_timezone(zone: str) -> str:
    """The timezone Settings hold for TIPBOT_TIMEZONE=`zone`."""
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "TIPBOT_TIMEZONE": zone}
    return load_settings(env).timezone


def test_the_default_timezone_is_stored_in_canonical_spelling() -> None:
    """TIPBOT_TIMEZONE in any case becomes tzdata's spelling, as `/tip subscribe` stores it."""
    assert settings_with_timezone("europe/berlin") == "Europe/Berlin"
    assert settings_with_timezone("") == "UTC"


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posix/Europe/Berlin", "Mars/Base"])
def test_a_default_timezone_tipbot_would_refuse_from_users_is_a_config_error(zone: str) -> None:
    """The default must be a name `/tip subscribe` accepts, or every bare subscribe fails."""
    with pytest.raises(ConfigError, match="TIPBOT_TIMEZONE"):
        settings_with_timezone(zone)


OAUTH = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "shh", "SLACK_SIGNING_SECRET": "s"}


def test_a_client_id_and_secret_without_a_bot_token_is_oauth_mode() -> None:
    """No SLACK_BOT_TOKEN needed: each workspace's token comes from its install."""
    settings = load_settings(OAUTH)
    assert settings.oauth
    assert (settings.client_id, settings.client_secret, settings.bot_token) == ("1.2", "shh", "")
    assert "shh" not in repr(settings)


def test_a_bot_token_alone_is_single_workspace_mode() -> None:
    """Today's settings are untouched by OAuth mode."""
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s"})
    assert not settings.oauth


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (OAUTH | {"SLACK_BOT_TOKEN": "xoxb-x"}, "are both set"),
        ({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "s"}, "SLACK_CLIENT_SECRET is not"),
        ({"SLACK_CLIENT_SECRET": "shh", "SLACK_BOT_TOKEN": "x"}, "SLACK_CLIENT_ID is not"),
        (OAUTH | {"SLACK_APP_TOKEN": "xapp-1"}, "Socket Mode"),
    ],
)
def test_contradictory_slack_settings_stop_tipbot_at_start(env: dict[str, str], said: str) -> None:
    """Both modes at once, half of OAuth's credentials, or OAuth over Socket Mode."""
    with pytest.raises(ConfigError, match=said):
        load_settings(env)


def test_oauth_mode_still_needs_the_signing_secret() -> None:
    """Slack's requests are checked in OAuth mode as in any HTTP mode."""
    env = {key: value for key, value in OAUTH.items() if key != "SLACK_SIGNING_SECRET"}
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET is not set"):
        load_settings(env)

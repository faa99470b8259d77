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

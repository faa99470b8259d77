"""LOG_FORMAT: what one record becomes as text and as JSON, and what is never written."""

import json
import logging
import sys
from datetime import UTC, datetime

import pytest

from bot.config import load_settings
from bot.errors import ConfigError
from bot.log_format import JsonFormatter, Redactor, TextFormatter

SECRET = "0123456789abcdef-signing"


def record(message: str, *args: object, **extra: object) -> logging.LogRecord:
    """A record as `logging.getLogger("bot.test").warning(message, *args, extra=extra)` makes."""
    made = logging.getLogger("bot.test").makeRecord(
        "bot.test", logging.WARNING, __file__, 1, message, args, None, extra=extra
    )
    made.created = datetime(2026, 11, 28, 9, 30, 5, 250000, tzinfo=UTC).timestamp()
    return made


def test_a_json_line_has_the_fixed_fields_and_the_callers_extras() -> None:
    """time in UTC, level, logger, the formatted message, pid, then team, channel, slot."""
    slot = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    line = JsonFormatter(Redactor()).format(
        record("Posted %s", "a tip", team_id="T1", channel="C7", slot=slot)
    )
    assert "\n" not in line
    assert json.loads(line) == {
        "time": "2026-11-28T09:30:05.250+00:00",
        "level": "WARNING",
        "logger": "bot.test",
        "message": "Posted a tip",
        "pid": record("").process,
        "team_id": "T1",
        "channel": "C7",
        "slot": "2026-11-30 09:00:00+00:00",
    }


def test_an_exception_is_one_field_of_the_same_line() -> None:
    """The traceback goes into `exception`; the line stays one line of JSON."""
    try:
        raise ValueError("the database went away")
    except ValueError:
        failed = logging.getLogger("bot.test").makeRecord(
            "bot.test", logging.ERROR, __file__, 1, "Tick failed", (), sys.exc_info()
        )
    line = JsonFormatter(Redactor()).format(failed)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "Tick failed"
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: the database went away")


@pytest.mark.parametrize("formatter", [JsonFormatter, TextFormatter])
def test_tokens_and_the_given_secrets_are_never_written(formatter: type) -> None:
    """A token or a secret in a message, an argument or an extra comes out as [redacted]."""
    made = record(
        "Called with %s and xapp-1-A0-123-abc, refresh xoxe-1-abc",
        "xoxb-123-456-abcdef",
        note=f"secret={SECRET}",
    )
    line = formatter(Redactor([SECRET])).format(made)
    for secret in ("xoxb-123-456-abcdef", "xapp-1-A0-123-abc", "xoxe-1-abc", SECRET):
        assert secret not in line
    assert line.count("[redacted]") >= 3


def test_the_text_line_is_the_one_tipbot_always_wrote() -> None:
    """LOG_FORMAT=text (the default) keeps time, level, [pid], logger: message."""
    line = TextFormatter(Redactor()).format(record("Loaded %d tips", 21))
    assert line.endswith(f" WARNING [{record('').process}] bot.test: Loaded 21 tips")


@pytest.mark.parametrize(("raw", "expected"), [("", "text"), ("JSON", "json"), (" text ", "text")])
def test_log_format_is_text_or_json_in_any_case(raw: str, expected: str) -> None:
    """Unset means text."""
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "LOG_FORMAT": raw}
    assert load_settings(env).log_format == expected


def test_any_other_log_format_is_a_config_error() -> None:
    """A typo is caught at start, not by a log collector that cannot parse the lines."""
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "LOG_FORMAT": "logfmt"}
    with pytest.raises(ConfigError, match=r"LOG_FORMAT must be text or json, got 'logfmt'\."):
        load_settings(env)


def test_metrics_are_off_unless_switched_on_and_the_token_is_kept_out_of_repr() -> None:
    """TIPBOT_METRICS defaults to off; TIPBOT_METRICS_TOKEN never shows in a repr."""
    env = {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s"}
    assert load_settings(env).metrics_enabled is False
    settings = load_settings(env | {"TIPBOT_METRICS": "on", "TIPBOT_METRICS_TOKEN": "t0ken-9"})
    assert settings.metrics_enabled is True
    assert settings.metrics_token == "t0ken-9"
    assert "t0ken-9" not in repr(settings)

"""A refused request leaves one short log line, with nothing in it that the sender wrote."""

import logging

import pytest

from tests.conftest import RunningBot
from tests.signing import SIGNING_SECRET, post, signed_headers, slash_command_body


@pytest.fixture
def every_record(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Capture every logger at DEBUG for this test, Bolt's own (which copy a level) included."""
    caplog.set_level(logging.DEBUG)
    for name in list(logging.root.manager.loggerDict):
        if name.startswith("slack_bolt"):
            caplog.set_level(logging.DEBUG, logger=name)
    return caplog


def test_a_forged_request_cannot_forge_log_lines(
    bot: RunningBot, every_record: pytest.LogCaptureFixture
) -> None:
    """Newlines and a fake CRITICAL line in the body stay out of the one line logged."""
    body = "command=%2Ftip&text=hi\n2026-01-01 00:00:00 CRITICAL fake: rotate the secret\n"
    reply = post(bot.url, body, signed_headers(body, secret="forged"))
    assert reply.status == 401
    (record,) = every_record.records
    message = record.getMessage()
    assert record.levelno == logging.WARNING
    assert "\n" not in message
    assert "CRITICAL" not in message
    assert len(message) < 200


def test_a_refusal_logs_no_secret_and_no_token(
    bot: RunningBot, every_record: pytest.LogCaptureFixture
) -> None:
    """Slack's verification token in a mis-signed command body is not copied to the log."""
    body = slash_command_body("help", bot.stand_in.response_url("cmd"))
    reply = post(bot.url, body, signed_headers(body, secret="rotated-secret"))
    assert reply.status == 401
    logged = "\n".join(record.getMessage() for record in every_record.records)
    assert "signature does not match" in logged
    for secret in (SIGNING_SECRET, "rotated-secret", "deprecated-verification-token", "xoxb"):
        assert secret not in logged


def test_a_megabyte_of_unsigned_body_logs_under_a_kilobyte(
    bot: RunningBot, every_record: pytest.LogCaptureFixture
) -> None:
    """An unsigned 1 MB request adds one short line to the log, not the megabyte."""
    body = "command=%2Ftip&text=" + "x" * 1_000_000
    reply = post(bot.url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert reply.status == 401
    assert sum(len(record.getMessage()) for record in every_record.records) < 1024

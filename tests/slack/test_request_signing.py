"""Forged, unsigned and stale requests are refused with 401 and change nothing."""

import time

import pytest

from tests.conftest import RunningBot
from tests.signing import block_action_body, post, signed_headers, slash_command_body


@pytest.fixture
def body(bot: RunningBot) -> str:
    """A `/tip` command body whose response would otherwise be a tip."""
    return slash_command_body("", bot.stand_in.response_url("cmd"))


def refused(bot: RunningBot, body: str, headers: dict[str, str]) -> None:
    """Assert the bot answered 401 and made no call to Slack."""
    calls_before = len(bot.stand_in.calls)
    reply = post(bot.url, body, headers)
    assert reply.status == 401
    assert "header" not in reply.body
    time.sleep(0.2)  # a lazy listener, if one wrongly ran, would call Slack by now
    assert len(bot.stand_in.calls) == calls_before


def test_correctly_signed_request_is_answered(bot: RunningBot, body: str) -> None:
    """The control case: the same body, signed with the right secret, gets a tip."""
    assert bot.signed(body).status == 200


def test_forged_signature_is_refused(bot: RunningBot, body: str) -> None:
    """A body signed with another secret gets 401."""
    refused(bot, body, signed_headers(body, secret="not-the-secret"))


def test_unsigned_request_is_refused(bot: RunningBot, body: str) -> None:
    """A request with no signature headers gets 401."""
    refused(bot, body, {"Content-Type": "application/x-www-form-urlencoded"})


def test_stale_request_is_refused(bot: RunningBot, body: str) -> None:
    """A correctly signed request from ten minutes ago (a replay) gets 401."""
    refused(bot, body, signed_headers(body, timestamp=int(time.time()) - 600))


def test_tampered_body_is_refused(bot: RunningBot, body: str) -> None:
    """Changing the body after signing breaks the signature."""
    headers = signed_headers(body)
    refused(bot, body.replace("text=", "text=help"), headers)


def test_forged_button_click_shares_nothing(bot: RunningBot) -> None:
    """A forged "Share in channel" click posts nothing to the channel."""
    tip = bot.services.library.current.tips[0]
    value = f'{{"tip":"{tip.id}","topic":""}}'
    forged = block_action_body("tip_share", value, bot.stand_in.response_url("btn"))
    refused(bot, forged, signed_headers(forged, secret="forged"))

"""Malformed requests get a short 400 or 401 without a traceback, and the bot keeps answering."""

import json
import logging
from urllib.parse import urlencode

import pytest

from tests.conftest import RunningBot
from tests.signing import HttpReply, post, signed_bytes_headers, signed_headers

# A well-formed but wrong signature: what a forger without the secret can send.
FORGED = "v0=" + "0" * 64
DEEP = "[" * 5000 + "]" * 5000
CLICK = {"type": "block_actions", "user": {"id": "U1"}, "team": {"id": "T1"}}


def form(payload: str) -> str:
    """An interactivity request's body: the payload as one form field, as Slack posts it."""
    return urlencode({"payload": payload})


def headers_with(timestamp: str, signature: str) -> dict[str, str]:
    """Form headers carrying exactly these signature values."""
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": signature,
    }


def assert_refused(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, reply: HttpReply, status: int
) -> None:
    """A short plain answer, at most one WARNING line, no traceback; the next /tip works."""
    assert reply.status == status
    assert len(reply.body) < 120
    assert "Traceback" not in reply.body
    logged = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(logged) <= 1, [record.getMessage() for record in logged]
    assert all(record.exc_info is None for record in caplog.records)
    assert all(record.levelno < logging.ERROR for record in caplog.records)
    assert bot.command("help").status == 200


@pytest.mark.parametrize(
    "timestamp",
    ["abc", "", "1e9", "0x10", "9" * 5000, "-1", " 1", "²"],
    ids=["letters", "empty", "exponent", "hex", "5000-digits", "negative", "space", "superscript"],
)
def test_a_timestamp_that_is_not_whole_seconds_gets_401(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, timestamp: str
) -> None:
    """A signature timestamp that int() chokes on (or that is not plain digits) is a 401."""
    body = "command=%2Ftip&text=help"
    reply = post(bot.url, body, headers_with(timestamp, FORGED))
    assert_refused(bot, caplog, reply, 401)


@pytest.mark.parametrize(
    "signature",
    ["v0=é", "v0=" + "é" * 64, "v0=" + "A" * 64, "v1=" + "0" * 64],
    ids=["short-non-ascii", "non-ascii", "upper-case", "v1"],
)
def test_a_signature_that_is_not_v0_hex_gets_401(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, signature: str
) -> None:
    """Non-ASCII or otherwise ill-formed signatures are a 401, not a TypeError in compare_digest."""
    body = "command=%2Ftip&text=help"
    reply = post(
        bot.url, body, headers_with(signed_headers(body)["X-Slack-Request-Timestamp"], signature)
    )
    assert_refused(bot, caplog, reply, 401)


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
def test_a_body_that_is_not_utf8_gets_400(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, signed: bool
) -> None:
    """Slack sends UTF-8; other bytes are refused before anything decodes them."""
    body = b"command=%2Ftip&text=\xff\xfe"
    headers = signed_bytes_headers(body) if signed else headers_with("1", FORGED)
    assert_refused(bot, caplog, post(bot.url, body, headers), 400)


@pytest.mark.parametrize("payload", ["[1, 2]", '"a string"', "42", "null", "{not json"], ids=str)
def test_a_signed_payload_that_is_not_a_json_object_gets_400(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, payload: str
) -> None:
    """Even a correctly signed payload must be a JSON object for Bolt to read it."""
    body = form(payload)
    assert_refused(bot, caplog, bot.signed(body), 400)


def test_a_signed_json_body_that_is_a_list_gets_400(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """An Events API style JSON body must be an object too."""
    body = "[1, 2, 3]"
    headers = {**signed_headers(body), "Content-Type": "application/json"}
    assert_refused(bot, caplog, post(bot.url, body, headers), 400)


def test_a_signed_click_with_empty_actions_gets_400(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A block_actions payload with no action in it cannot be routed: 400."""
    body = form(json.dumps({**CLICK, "actions": []}))
    assert_refused(bot, caplog, bot.signed(body), 400)


@pytest.mark.parametrize(
    "action", [{"value": "x", "type": "button"}, {"action_id": 7}, "tip_share"], ids=str
)
def test_a_signed_click_on_an_action_without_an_action_id_gets_400(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, action: object
) -> None:
    """An action with no string action_id cannot be routed: 400, not a KeyError in Bolt."""
    body = form(json.dumps({**CLICK, "actions": [action]}))
    assert_refused(bot, caplog, bot.signed(body), 400)


def test_a_signed_click_without_a_user_gets_400(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Every button listener reads who clicked; a click without a user is refused up front."""
    click = {"type": "block_actions", "actions": [{"action_id": "tip_another", "value": "{}"}]}
    assert_refused(bot, caplog, bot.signed(form(json.dumps(click))), 400)


@pytest.mark.parametrize("as_json", [False, True], ids=["form-payload", "json-body"])
def test_signed_json_nested_5000_deep_gets_400(
    bot: RunningBot, caplog: pytest.LogCaptureFixture, as_json: bool
) -> None:
    """JSON deeper than Python's recursion limit is a 400, not a RecursionError and a 500."""
    if as_json:
        body = '{"type": "event_callback", "event": ' + DEEP + "}"
        headers = {**signed_headers(body), "Content-Type": "application/json"}
    else:
        body = form('{"type": "block_actions", "actions": ' + DEEP + "}")
        headers = signed_headers(body)
    assert_refused(bot, caplog, post(bot.url, body, headers), 400)


def test_unsigned_deep_json_is_refused_as_unsigned_before_it_is_parsed(
    bot: RunningBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Without a good signature nothing is parsed: 401, and the log names the signature."""
    body = form(DEEP)
    assert_refused(bot, caplog, post(bot.url, body, signed_headers(body, secret="forged")), 401)
    assert any("signature does not match" in record.getMessage() for record in caplog.records)


def test_slacks_unsigned_ssl_check_gets_an_empty_200(bot: RunningBot) -> None:
    """Slack's certificate check on the command URL is answered, as Bolt answers it."""
    calls_before = len(bot.stand_in.calls)
    body = "token=deprecated-verification-token&ssl_check=1"
    reply = post(bot.url, body, {"Content-Type": "application/x-www-form-urlencoded"})
    assert (reply.status, reply.body) == (200, "")
    assert len(bot.stand_in.calls) == calls_before

"""Bolt's ASGI handler, made to refuse malformed and unsigned requests before it parses them.

Bolt's own adapter decodes and parses the body (JSON included) before its middleware checks
the signature, and lets whatever fails raise: a 500 and a traceback, for anyone on the
internet. Here the order is the safe one: the body is read (at most 1 MB, within 10
seconds), decoded (Slack sends UTF-8), the signature headers are vetted and the signature
checked, and only a request Slack signed is parsed. Every refusal is a 4xx with a short
plain body and one WARNING line built from our own words alone.

Reading and checking run on the event loop, where a slow or idle client costs nothing but a
socket. Bolt's dispatch then runs on the loop too, as Bolt's own ASGI adapter runs it: a
`/tip` is answered from memory and one short database transaction, and handing it to a
thread cost more than the work (measured: a third fewer requests a second, and p99 three
times longer, from threads waiting on each other for Python's interpreter lock). Anything
slow, the Web API calls after a button click, runs in Bolt's lazy listeners on threads.
"""

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.asgi import SlackRequestHandler
from slack_bolt.adapter.asgi.http_request import AsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.slack.command_metrics import dispatch_counted
from bot.slack.payload_shape import payload_problem

logger = logging.getLogger(__name__)

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]

# Slack signs with the current Unix time in seconds; twelve digits reach the year 33658.
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# Slack's limit on a request's age, as slack-sdk's SignatureVerifier applies it.
MAX_AGE_SECONDS = 5 * 60
# Slack's requests are a few kilobytes; anything near this is not from Slack.
MAX_BODY_BYTES = 1_048_576
# A client still sending its body after this long is not Slack, which sends at once.
BODY_TIMEOUT_SECONDS = 10.0
# What Bolt may raise while it parses a body it cannot read (a RecursionError from JSON
# nested thousands deep, a TypeError or LookupError from fields of an unexpected type).
UNREADABLE = (ValueError, TypeError, LookupError, AttributeError, RecursionError)
REFUSAL_BODIES = {
    401: "Not signed by Slack.\n",
    408: "The request body took too long to arrive.\n",
    413: "The request body is too large.\n",
}


class Refused(Exception):
    """A request answered without Bolt: the HTTP status, and why, for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(receive: Receive, declared_length: str | None) -> bytes:
    """The request body, refused when it is over MAX_BODY_BYTES or the client goes away."""
    if declared_length is not None:
        if not declared_length.isascii() or not declared_length.isdigit():
            raise Refused(400, "Content-Length is not a number")
        if int(declared_length) > MAX_BODY_BYTES:
            raise Refused(413, "the body is over 1 MB")
    body = bytearray()
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise Refused(400, "the client went away before sending its body")
        body.extend(message.get("body", b""))
        if len(body) > MAX_BODY_BYTES:
            raise Refused(413, "the body is over 1 MB")
        if not message.get("more_body", False):
            return bytes(body)


def decode(body: bytes) -> str:
    """The body as text; Slack always sends UTF-8."""
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(400, "the body is not UTF-8") from None


def check_signature(verifier: SignatureVerifier, text: str, timestamp: str, signature: str) -> None:
    """Raise Refused(401) unless Slack signed `text` within the last five minutes."""
    if not timestamp and not signature:
        raise Refused(401, "no Slack signature headers")
    # SignatureVerifier calls int() on the timestamp and compares the signature as str,
    # which raise on "1e9", 5,000 digits or a non-ASCII signature; vet both first.
    if not TIMESTAMP.fullmatch(timestamp):
        raise Refused(401, "the timestamp header is not a number of seconds")
    if not SIGNATURE.fullmatch(signature):
        raise Refused(401, "the signature header is not v0= and 64 hex digits")
    if abs(verifier.clock.now() - int(timestamp)) > MAX_AGE_SECONDS:
        raise Refused(401, "the timestamp is more than 5 minutes off (a replay, or a wrong clock)")
    if not verifier.is_valid(text, timestamp, signature):
        raise Refused(401, "the signature does not match the body")


def is_ssl_check(text: str) -> bool:
    """Slack's certificate check on a slash command URL, which Bolt answers unsigned too."""
    return parse_qs(text).get("ssl_check") == ["1"]


def parse(text: str, query: str, headers: dict[str, str]) -> BoltRequest:
    """The signed body parsed by Bolt, if Bolt and our listeners can read it."""
    bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
    try:
        bolt_request = BoltRequest(body=text, query=query, headers=bolt_headers)
    except UNREADABLE as error:
        raise Refused(400, f"Bolt could not read the payload ({type(error).__name__})") from None
    problem = payload_problem(bolt_request.body)
    if problem is not None:
        raise Refused(400, problem)
    return bolt_request


class CheckedRequestHandler(SlackRequestHandler):
    """Bolt's ASGI SlackRequestHandler that hands Bolt only signed requests it can parse."""

    def __init__(self, app: App, signing_secret: str, path: str) -> None:
        super().__init__(app, path=path)
        self.verifier = SignatureVerifier(signing_secret)

    async def dispatch(self, request: AsgiHttpRequest) -> BoltResponse:
        """Check the request, then let Bolt route it; refusals never reach Bolt."""
        size = 0
        try:
            headers = read_headers(request)
            reading = read_body(request.receive, _header(headers, "content-length"))
            try:
                body = await asyncio.wait_for(reading, BODY_TIMEOUT_SECONDS)
            except TimeoutError:
                raise Refused(408, "the body took over 10 seconds to arrive") from None
            size = len(body)
            text = decode(body)
            if is_ssl_check(text):
                # Bolt answers these before its signature check too; nothing else happens.
                return BoltResponse(status=200, body="")
            timestamp = _header(headers, "x-slack-request-timestamp") or ""
            signature = _header(headers, "x-slack-signature") or ""
            check_signature(self.verifier, text, timestamp, signature)
            bolt_request = parse(text, request.query_string, headers)
        except Refused as refused:
            return self.refuse(refused, size)
        return dispatch_counted(self.app, bolt_request)

    def refuse(self, refused: Refused, size: int) -> BoltResponse:
        """Answer without Bolt, logging one line with no part of the request in it."""
        # Nothing the sender wrote goes into the line (not even a prefix of the body, which
        # may hold a verification token), so it can neither forge log lines nor flood the log.
        logger.warning(
            "Refused a request to %s with %d: %s (%d bytes)",
            self.path,
            refused.status,
            refused.reason,
            size,
            extra={"status": refused.status},
        )
        body = REFUSAL_BODIES.get(refused.status, f"Bad request: {refused.reason}.\n")
        return BoltResponse(status=refused.status, body=body)


def read_headers(request: AsgiHttpRequest) -> dict[str, str]:
    """The request's headers as text, decoded as HTTP defines them (ISO-8859-1), as WSGI does.

    Bolt's own reading decodes them as UTF-8 and raises on anything else.
    """
    return {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in request.raw_headers
    }


def _header(headers: dict[str, Any], name: str) -> str | None:
    value = headers.get(name)
    return None if value is None else str(value)

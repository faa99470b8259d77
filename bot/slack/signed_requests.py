"""Bolt's WSGI handler, made to refuse malformed and unsigned requests before it parses them.

Bolt's own adapter decodes and parses the body (JSON included) before its middleware checks
the signature, and lets whatever fails raise: a 500 and a traceback, for anyone on the
internet. Here the order is the safe one: the body is only decoded (Slack sends UTF-8), the
signature headers are vetted and the signature checked, and only a request Slack signed is
parsed. Every refusal is a 400 or 401 with a short plain body and one WARNING line built
from our own words alone.
"""

import logging
import re
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.signature import SignatureVerifier

from bot.slack.payload_shape import payload_problem

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

logger = logging.getLogger(__name__)

# Slack signs with the current Unix time in seconds; twelve digits reach the year 33658.
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# Slack's limit on a request's age, as slack-sdk's SignatureVerifier applies it.
MAX_AGE_SECONDS = 5 * 60
# What Bolt may raise while it parses a body it cannot read (a RecursionError from JSON
# nested thousands deep, a TypeError or LookupError from fields of an unexpected type).
UNREADABLE = (ValueError, TypeError, LookupError, AttributeError, RecursionError)


class Refused(Exception):
    """A request answered without Bolt: the HTTP status, and why, for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def read_body(environ: "WSGIEnvironment") -> bytes:
    """The request body as the server passed it on, exactly Content-Length bytes."""
    length = str(environ.get("CONTENT_LENGTH") or "0")
    if not length.isascii() or not length.isdigit():
        raise Refused(400, "Content-Length is not a number")
    body: bytes = environ["wsgi.input"].read(int(length))
    return body


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


def parse(request: WsgiHttpRequest, text: str) -> BoltRequest:
    """The signed body parsed by Bolt, if Bolt and our listeners can read it."""
    try:
        bolt_request = BoltRequest(
            body=text, query=request.query_string, headers=request.get_headers()
        )
    except UNREADABLE as error:
        raise Refused(400, f"Bolt could not read the payload ({type(error).__name__})") from None
    problem = payload_problem(bolt_request.body)
    if problem is not None:
        raise Refused(400, problem)
    return bolt_request


class CheckedRequestHandler(SlackRequestHandler):
    """SlackRequestHandler that hands Bolt only signed requests it can parse."""

    def __init__(self, app: App, signing_secret: str, path: str) -> None:
        super().__init__(app, path=path)
        self.verifier = SignatureVerifier(signing_secret)

    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        """Check the request, then let Bolt route it; refusals never reach Bolt."""
        environ = request.environ
        size = 0
        try:
            body = read_body(environ)
            size = len(body)
            text = decode(body)
            if is_ssl_check(text):
                # Bolt answers these before its signature check too; nothing else happens.
                return BoltResponse(status=200, body="")
            timestamp = str(environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP", ""))
            signature = str(environ.get("HTTP_X_SLACK_SIGNATURE", ""))
            check_signature(self.verifier, text, timestamp, signature)
            return self.app.dispatch(parse(request, text))
        except Refused as refused:
            return self.refuse(refused, size)

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
        )
        if refused.status == 401:
            return BoltResponse(status=401, body="Not signed by Slack.\n")
        return BoltResponse(status=400, body=f"Bad request: {refused.reason}.\n")

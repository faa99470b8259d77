"""Requests signed and encoded exactly as Slack sends them."""

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

SIGNING_SECRET = "test-signing-secret"
_triggers = itertools.count(1)


def new_trigger_id() -> str:
    """A trigger id no other request in this run has, as Slack gives every interaction."""
    return f"{next(_triggers)}.1717405230.0f1e2d3c4b5a69788796a5b4c3d2e1f0"


@dataclass(frozen=True)
class HttpReply:
    """What the bot's HTTP server answered."""

    status: int
    body: str

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


def slash_command_body(text: str, response_url: str, **overrides: str) -> str:
    """A slash-command payload, form-encoded as Slack posts it."""
    fields = {
        "token": "deprecated-verification-token",
        "team_id": "T1",
        "team_domain": "acme",
        "channel_id": "C1",
        "channel_name": "general",
        "user_id": "U1",
        "user_name": "ada",
        "command": "/tip",
        "text": text,
        "api_app_id": "A1",
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": new_trigger_id(),
    }
    fields.update(overrides)
    return urlencode(fields)


def block_action_body(
    action_id: str, value: str, response_url: str, user_id: str = "U1", channel_id: str = "C1"
) -> str:
    """A block_actions payload from a button on an ephemeral message, as Slack posts it."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": "ada", "team_id": "T1"},
        "api_app_id": "A1",
        "token": "deprecated-verification-token",
        "container": {"type": "message", "message_ts": "1.1", "is_ephemeral": True},
        "trigger_id": new_trigger_id(),
        "team": {"id": "T1", "domain": "acme"},
        "channel": {"id": channel_id, "name": "general"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "button"},
                "value": value,
                "type": "button",
                "action_ts": "1.2",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def signed_headers(
    body: str, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """Headers with a real v0 Slack signature over `body`."""
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature or "",
    }


def signed_bytes_headers(body: bytes, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """A v0 signature over raw bytes, for bodies that are not text (Slack signs the bytes)."""
    stamp = str(int(time.time()))
    base = b"v0:" + stamp.encode() + b":" + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": f"v0={digest}",
    }


def post(url: str, body: str | bytes, headers: dict[str, str], timeout: float = 5.0) -> HttpReply:
    """POST over a real socket and return the status and body, even for error statuses."""
    data = body.encode() if isinstance(body, str) else body
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return HttpReply(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return HttpReply(error.code, error.read().decode())

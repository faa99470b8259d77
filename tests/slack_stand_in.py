"""A stand-in for Slack's Web API and response URLs on loopback, recording every call.

Like the mock Web API server in slack-bolt's own test suite: the bot is pointed at it with
SLACK_API_URL and talks real HTTP to it. Faults can be scripted for a call *after* it has
been recorded, as when Slack posted a message and the answer was lost on the way back.

For many workspaces it knows which workspace a call is for from its bot token (`teams`),
and can limit a method per workspace and per channel as Slack does, answer one workspace's
every call with an error, answer every call after a set `latency`, and report the most
calls it ever had in progress at once (`max_in_flight`).
"""

import itertools
import json
import math
import socket
import struct
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from enum import Enum
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

BOT_USER_ID = "UBOT"


@dataclass(frozen=True)
class Call:
    """One request the bot made: the API method (or response-URL name) and its parameters."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float
    # The workspace the call's token belongs to (see `SlackStandIn.teams`), if known.
    team: str | None = None
    # The HTTP status it was answered with (500 for a workspace that answers 500).
    status: int = 200

    @property
    def token(self) -> str | None:
        """The token the call was made with: its bearer header, or a `token` parameter."""
        for name, value in self.headers.items():
            if name.lower() == "authorization" and value.startswith("Bearer "):
                return value.removeprefix("Bearer ")
        token = self.params.get("token")
        return str(token) if token else None


@dataclass(frozen=True)
class Grant:
    """What oauth.v2.access answers for one code: a workspace's install, or an org's."""

    bot_token: str
    installer: str
    team_id: str | None = None
    team_name: str | None = None
    enterprise_id: str | None = None
    enterprise_name: str | None = None
    app_id: str = "A1"
    scope: str = "commands,chat:write"

    @property
    def is_enterprise_install(self) -> bool:
        """An org-wide install names the org and no workspace."""
        return self.team_id is None

    def answer(self) -> dict[str, Any]:
        """oauth.v2.access's body, shaped as Slack sends it."""
        team = {"id": self.team_id, "name": self.team_name} if self.team_id else None
        enterprise = (
            {"id": self.enterprise_id, "name": self.enterprise_name} if self.enterprise_id else None
        )
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": self.installer},
            "scope": self.scope,
            "token_type": "bot",
            "access_token": self.bot_token,
            "bot_user_id": BOT_USER_ID,
            "team": team,
            "enterprise": enterprise,
            "is_enterprise_install": self.is_enterprise_install,
        }


class Fault(Enum):
    """How an answer goes wrong on the wire after the call has been recorded (and acted on)."""

    RESET = "the connection is reset (TCP RST) instead of an answer"
    CLOSE = "the connection is closed with no answer"
    SLOW = "the answer comes after `delay` seconds, later than the client waits"


@dataclass(frozen=True)
class Reply:
    """A scripted answer: HTTP status, JSON body, extra headers, or a fault on the wire."""

    body: dict[str, Any]
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    fault: Fault | None = None
    delay: float = 0.0


def acted_then(fault: Fault | int, delay: float = 2.0) -> Reply:
    """What to answer after acting (see `SlackStandIn.fail_after_acting`): an HTTP error
    status (500, 503) with Slack's error body, or a fault on the wire."""
    if isinstance(fault, int):
        return Reply({"ok": False, "error": "internal_error"}, status=fault)
    return Reply({}, fault=fault, delay=delay)


class SlackStandIn:
    """Serves /api/<method> and /response/<name>; script replies, enforce rate limits, inspect."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self._scripts: dict[str, deque[Reply]] = defaultdict(deque)
        self._faults: dict[str, deque[Reply | None]] = defaultdict(deque)
        self._buckets: dict[str, _TokenBucket] = {}
        # Per-workspace and per-channel limits: method -> rate, and the buckets by key.
        self._team_rates: dict[str, float] = {}
        self._channel_rates: dict[str, float] = {}
        self._keyed_buckets: dict[tuple[str, ...], _TokenBucket] = {}
        # Bot token -> team id; a call with a token not listed has no team.
        self.teams: dict[str, str] = {}
        # Team id -> what every call from that workspace is answered with.
        self._team_replies: dict[str, Reply] = {}
        # Team id -> answers for that workspace's next calls, before anything else.
        self._team_scripts: dict[str, deque[Reply]] = defaultdict(deque)
        # Seconds every call waits before it is answered, as a far-away Slack would.
        self.latency = 0.0
        self.in_flight = 0
        self.max_in_flight = 0
        self._ts = itertools.count(1)
        self._lock = threading.Condition()
        self.rate_limited = 0
        # What users.info says each person's timezone is; people not listed have none.
        self.timezones: dict[str, str] = {}
        # Workspace roles users.info reports ("admin" or "owner"); people not listed have none.
        self.roles: dict[str, str] = {}
        # oauth.v2.access: the install each code grants; any other code is invalid_code.
        self.grants: dict[str, Grant] = {}
        self._views = itertools.count(1)
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                raw = self.rfile.read(length).decode("utf-8")
                # In progress from a whole request read until just before the answer goes
                # out, so a client can never start its next call while this one counts.
                stand_in.entered()
                try:
                    reply = stand_in.handle(self.path, dict(self.headers.items()), raw)
                    if stand_in.latency:
                        time.sleep(stand_in.latency)
                finally:
                    stand_in.left()
                if reply.fault is Fault.RESET:
                    # SO_LINGER with a zero timeout makes close() send RST, not FIN.
                    linger = struct.pack("ii", 1, 0)
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, linger)
                    self.connection.close()
                    self.close_connection = True
                    return
                if reply.fault is Fault.CLOSE:
                    self.close_connection = True
                    return
                if reply.fault is Fault.SLOW:
                    time.sleep(reply.delay)
                payload = json.dumps(reply.body).encode()
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST

            def log_message(self, format: str, *args: Any) -> None:
                """Keep test output quiet."""

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def api_url(self) -> str:
        """What SLACK_API_URL should be set to."""
        return f"http://127.0.0.1:{self.port}/api/"

    def response_url(self, name: str = "cmd") -> str:
        """A response_url to put in a payload; posts to it are recorded as `response:<name>`."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    def start(self) -> "SlackStandIn":
        """Begin serving."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        self.server.shutdown()
        self.server.server_close()

    def script(self, method: str, *replies: Reply) -> None:
        """Answer the next calls to `method` with `replies`, in order, then go back to defaults."""
        with self._lock:
            self._scripts[method].extend(replies)

    def fail_after_acting(self, method: str, reply: Reply, *, skip: int = 0) -> None:
        """Act on a call to `method` as usual (a post gets its ts), then answer `reply`.

        The fault hits the next call, or the one after `skip` calls answered as usual. For a
        wire fault the usual answer is computed and thrown away; for an HTTP error status
        the error body is sent: either way the caller cannot tell that Slack acted.
        """
        with self._lock:
            self._faults[method].extend([None] * skip)
            self._faults[method].append(reply)

    def limit_rate(self, method: str, per_second: float) -> None:
        """Answer 429 with Retry-After when `method` is called faster than `per_second`.

        Like Slack, the limit allows bursts: a token bucket refilled at `per_second` that holds
        a second's worth of calls (at least one). Refused calls are not recorded in `calls`,
        only counted in `rate_limited`.
        """
        with self._lock:
            self._buckets[method] = _TokenBucket(per_second, time.monotonic())

    def limit_per_workspace(self, method: str, per_second: float) -> None:
        """Answer 429 when one workspace calls `method` faster than `per_second` (see `teams`).

        Each workspace has its own bucket, as `limit_rate` describes; calls with a token
        not in `teams` are not limited by it.
        """
        with self._lock:
            self._team_rates[method] = per_second

    def limit_per_channel(self, method: str, per_second: float) -> None:
        """Answer 429 when one channel of one workspace gets `method` faster than `per_second`."""
        with self._lock:
            self._channel_rates[method] = per_second

    def answer_team(self, team: str, reply: Reply) -> None:
        """Answer every call from workspace `team` with `reply` (say invalid_auth, or a 500).

        Each such call is recorded with the reply's status, before any rate limit: after
        a 500 Slack may have acted, after an error like invalid_auth it certainly did not.
        """
        with self._lock:
            self._team_replies[team] = reply

    def script_team(self, team: str, *replies: Reply) -> None:
        """Answer workspace `team`'s next calls with `replies`, in order (say a storm of 429s).

        A scripted 429 is counted in `rate_limited`, not recorded; any other is recorded.
        """
        with self._lock:
            self._team_scripts[team].extend(replies)

    def entered(self) -> None:
        """Count a request in progress, for `max_in_flight`."""
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def left(self) -> None:
        """A request was answered (or its client hung up)."""
        with self._lock:
            self.in_flight -= 1

    def handle(self, path: str, headers: dict[str, str], raw: str) -> Reply:
        """Record one request and decide the reply."""
        if path.startswith("/response/"):
            method = "response:" + path.removeprefix("/response/")
        else:
            method = path.removeprefix("/api/").split("?")[0]
        params = _params(headers, raw)
        team = self.teams.get(_bearer_token(headers) or "")
        with self._lock:
            answer = self._team_replies.get(team) if team is not None else None
            if team is not None and self._team_scripts.get(team):
                answer = self._team_scripts[team].popleft()
                if answer.status == 429:
                    self.rate_limited += 1
                    return answer
            if answer is not None:
                self.calls.append(
                    Call(method, params, headers, time.monotonic(), team, answer.status)
                )
                self._lock.notify_all()
                return answer
            limited = self._rate_limited(method) or self._team_limited(method, team, params)
            if not limited:
                self.calls.append(Call(method, params, headers, time.monotonic(), team))
            self._lock.notify_all()
            if limited:
                self.rate_limited += 1
                return limited
            fault = self._faults[method].popleft() if self._faults.get(method) else None
            scripted = self._scripts.get(method)
            token = Call(method, params, headers, 0.0).token
            reply = scripted.popleft() if scripted else self._default(method, params, token)
        if fault is None:
            return reply
        if fault.fault is Fault.SLOW:
            return Reply(reply.body, reply.status, reply.headers, Fault.SLOW, fault.delay)
        return fault

    def _rate_limited(self, method: str) -> Reply | None:
        bucket = self._buckets.get(method)
        if bucket is None:
            return None
        wait = bucket.take(time.monotonic())
        return None if wait is None else _too_many(wait)

    def _team_limited(self, method: str, team: str | None, params: dict[str, Any]) -> Reply | None:
        """A 429 when the workspace's or the channel's bucket for `method` is empty.

        Both buckets are checked before either is spent, so a call refused by one limit
        does not use up the other.
        """
        if team is None:
            return None
        now = time.monotonic()
        buckets = []
        if method in self._team_rates:
            buckets.append(self._bucket((method, team), self._team_rates[method], now))
        if method in self._channel_rates:
            channel = str(params.get("channel", ""))
            key = (method, team, channel)
            buckets.append(self._bucket(key, self._channel_rates[method], now))
        wait = max((bucket.wait(now) for bucket in buckets), default=0.0)
        if wait > 0:
            return _too_many(wait)
        for bucket in buckets:
            bucket.take(now)
        return None

    def _bucket(self, key: tuple[str, ...], rate: float, now: float) -> "_TokenBucket":
        bucket = self._keyed_buckets.get(key)
        if bucket is None:
            bucket = self._keyed_buckets[key] = _TokenBucket(rate, now)
        return bucket

    def _default(self, method: str, params: dict[str, Any], token: str | None) -> Reply:
        """Slack's answer when nothing is scripted (see the methods below); else plain ok."""
        if method == "auth.test":
            return self._auth_test(token)
        answer = {
            "oauth.v2.access": self._oauth_access,
            "chat.postMessage": self._posted,
            "conversations.open": self._opened_dm,
            "users.info": self._user,
            "views.open": self._opened_view,
            "chat.update": self._updated,
        }.get(method)
        return answer(params) if answer else Reply({"ok": True})

    def _auth_test(self, token: str | None) -> Reply:
        """Who a token belongs to: an install's team or org when a grant issued it."""
        grant = next((g for g in self.grants.values() if g.bot_token == token), None)
        if grant is None:
            return Reply({"ok": True, "user_id": BOT_USER_ID, "bot_id": "BBOT", "team_id": "T1"})
        return Reply(
            {
                "ok": True,
                "user_id": BOT_USER_ID,
                "bot_id": "BBOT",
                "team_id": grant.team_id or grant.enterprise_id,
                "enterprise_id": grant.enterprise_id,
                "url": "https://acme.enterprise.slack.com/",
            }
        )

    def _oauth_access(self, params: dict[str, Any]) -> Reply:
        grant = self.grants.get(str(params.get("code", "")))
        if grant is None:
            return Reply({"ok": False, "error": "invalid_code"})
        return Reply(grant.answer())

    def _posted(self, params: dict[str, Any]) -> Reply:
        """A new ts; a post to a user id lands in their DM, channel "D" + the id."""
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        channel = str(params.get("channel", ""))
        channel = f"D{channel}" if channel.startswith("U") else channel
        return Reply({"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}})

    def _opened_dm(self, params: dict[str, Any]) -> Reply:
        return Reply({"ok": True, "channel": {"id": "D" + str(params.get("users", "X"))}})

    def _user(self, params: dict[str, Any]) -> Reply:
        """The person, with the timezone `timezones` gives them, if any."""
        user_id = str(params.get("user", ""))
        user: dict[str, Any] = {"id": user_id}
        if user_id in self.timezones:
            user["tz"] = self.timezones[user_id]
        role = self.roles.get(user_id)
        user["is_admin"] = role in ("admin", "owner")
        user["is_owner"] = role == "owner"
        return Reply({"ok": True, "user": user})

    def _opened_view(self, _params: dict[str, Any]) -> Reply:
        return Reply({"ok": True, "view": {"id": f"V{next(self._views)}"}})

    def _updated(self, params: dict[str, Any]) -> Reply:
        return Reply({"ok": True, "channel": params.get("channel"), "ts": params.get("ts")})

    def calls_to(self, method: str) -> list[Call]:
        """Every recorded call to `method`, oldest first."""
        with self._lock:
            return [call for call in self.calls if call.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Wait until `method` has been called `count` times; fail with what was seen if not."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                found = [call for call in self.calls if call.method == method]
                remaining = deadline - time.monotonic()
                if len(found) >= count or remaining <= 0:
                    break
                self._lock.wait(remaining)
        if len(found) < count:
            seen = [call.method for call in self.calls]
            message = f"expected {count} call(s) to {method}, saw {len(found)}; all: {seen}"
            raise AssertionError(message)
        return found


class _QuietServer(ThreadingHTTPServer):
    """Leaves out the traceback when a client hung up first, as scripted faults make it do."""

    # socketserver's default backlog of 5 resets connections when a fan-out's threads from
    # two schedulers connect at once; Slack does not, and a reset post is never re-sent.
    # 64 calls in flight from each of two schedulers, with room to spare.
    request_queue_size = 256

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Ignore errors writing to a client that is gone; those are the test's own doing."""


class _TokenBucket:
    """`rate` tokens a second, holding at most a second's worth (and at least one)."""

    def __init__(self, rate: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate)
        self.tokens = self.capacity
        self.updated = now

    def take(self, now: float) -> float | None:
        """Spend a token and return None, or return the seconds until one is available."""
        wait = self.wait(now)
        if wait > 0:
            return wait
        self.tokens -= 1.0
        return None

    def wait(self, now: float) -> float:
        """Seconds until a token is available (0 when one is), spending nothing."""
        elapsed = max(0.0, now - self.updated)
        self.tokens = min(self.capacity, self.tokens + elapsed * self.rate)
        self.updated = now
        return 0.0 if self.tokens >= 1.0 else (1.0 - self.tokens) / self.rate


def _too_many(wait: float) -> Reply:
    """Slack's 429: Retry-After in whole seconds and never 0, so a client may wait up to a
    second longer than it had to."""
    retry_after = max(1, math.ceil(wait))
    body = {"ok": False, "error": "ratelimited"}
    return Reply(body, status=429, headers={"Retry-After": str(retry_after)})


def _bearer_token(headers: dict[str, str]) -> str | None:
    """The token of an `Authorization: Bearer <token>` header, as slack-sdk sends it."""
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _params(headers: dict[str, str], raw: str) -> dict[str, Any]:
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "json" in content_type:
        loaded = json.loads(raw) if raw else {}
        return loaded if isinstance(loaded, dict) else {"_": loaded}
    params: dict[str, Any] = dict(parse_qsl(raw))
    for key in ("blocks", "attachments"):
        if isinstance(params.get(key), str):
            params[key] = json.loads(params[key])
    return params

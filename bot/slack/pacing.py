"""Web API calls paced the way Slack limits them: per workspace, per channel, and in total.

Slack counts calls per method, per app and per workspace. So each workspace has its own
lane here: its own pause after a 429, for as long as that workspace's Retry-After said, and,
when a rate is set (`PaceLimits.per_workspace`, TIPBOT_SLACK_WORKSPACE_RATE), its own rate:
a burst of that many, then evenly spread. A 429 in one workspace never holds back another's
calls. A channel gets at most `per_channel` posts a second, as Slack allows. Across every
workspace at most `in_flight` calls wait on Slack at once (README, "Fan-out at scale", says
why 64).

No rate per workspace is assumed by default: Slack does not publish one figure for
chat.postMessage ("several hundred a minute" per workspace), a guess too low would slow a
single large workspace for nothing, and a guess too high is what Retry-After corrects.

A thread waiting for its workspace's turn holds no call slot: only the call itself does,
so a workspace that is paused, or slow, costs the others nothing but that thread.

429s are waited out here, not by slack-sdk's retry handler, because slack-sdk sleeps
inside the call: the paused workspace's threads would hold call slots for the whole
Retry-After. Clients used with a `Pacer` come from `posting_client` (bot/slack/
workspace_clients.py), which leaves 429s to it.
"""

import math
import random
import threading
import time
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.slack.retrying import DEFAULT_RETRY_AFTER_SECONDS, JITTER_FRACTION

T = TypeVar("T")

# Calls waiting on Slack at once, across every workspace (TIPBOT_SLACK_CALLS_IN_FLIGHT).
CALLS_IN_FLIGHT = 64
# chat.postMessage: Slack allows about one post a second per channel, with short bursts.
PER_CHANNEL_PER_SECOND = 1.0
# How often one call is sent again after a 429 before the caller hears about it (as
# slack-sdk's handler did for every client).
RATE_LIMIT_RETRIES = 5
# Per-channel pacing only needs the last second or so; forget older channels past this many.
CHANNELS_REMEMBERED = 10_000


@dataclass(frozen=True)
class PaceLimits:
    """How fast calls may go: in total, per workspace (None: as Slack's 429s say), per channel.

    `workspace_burst` calls of one workspace may go at once before `per_workspace` applies;
    None means a second's worth.
    """

    in_flight: int = CALLS_IN_FLIGHT
    per_workspace: float | None = None
    workspace_burst: int | None = None
    per_channel: float = PER_CHANNEL_PER_SECOND


def pace_limits(settings: Settings) -> PaceLimits:
    """The limits TIPBOT_SLACK_CALLS_IN_FLIGHT and TIPBOT_SLACK_WORKSPACE_RATE ask for."""
    return PaceLimits(
        in_flight=settings.slack_calls_in_flight,
        per_workspace=settings.slack_workspace_rate or None,
    )


class _Lane:
    """One workspace: when its next call may go (a rate with a burst) and its 429 pause.

    The rate is kept as the time the next call would be due if calls came evenly
    (`due`); a call may go up to `burst - 1` intervals early, which is the burst.
    """

    def __init__(self, limits: PaceLimits) -> None:
        rate = limits.per_workspace
        burst = limits.workspace_burst or max(1, int(rate or 1))
        self.interval = 1.0 / rate if rate else 0.0
        self.tolerance = (max(1, burst) - 1) * self.interval
        self.due = -math.inf
        self.paused_until = -math.inf

    def earliest(self, now: float) -> float:
        """The soonest the rate lets the next call go."""
        return max(now, self.due - self.tolerance)

    def spend(self, at: float) -> None:
        """Book a call going at `at`."""
        self.due = max(self.due, at) + self.interval


class Pacer:
    """Decides when each Web API call may go; shared by every poster of one process."""

    def __init__(
        self,
        limits: PaceLimits | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
    ) -> None:
        self.limits = limits or PaceLimits()
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random()
        self._lock = threading.Lock()
        self._calls = threading.BoundedSemaphore(self.limits.in_flight)
        self._lanes: dict[Hashable, _Lane] = {}
        # (workspace, channel) -> when that channel's next post may go.
        self._channels: dict[tuple[Hashable, str], float] = {}

    def call(
        self,
        workspace: Hashable,
        channel: str | None,
        send: Callable[[], T],
        *,
        retries: int = RATE_LIMIT_RETRIES,
    ) -> T:
        """Send one call for `workspace` (to `channel`, if it posts) when its turn comes.

        A 429 pauses the workspace for Retry-After (plus up to a tenth as jitter) and the
        call goes again at its next turn, up to `retries` times; then the SlackApiError is
        raised. Anything else `send` raises goes straight to the caller.
        """
        for attempt in range(retries + 1):
            self.wait_turn(workspace, channel)
            try:
                with self._calls:
                    return send()
            except SlackApiError as error:
                if error.response.status_code != 429:
                    raise
                seconds = retry_after_seconds(error.response.headers)
                self.hold(workspace, seconds + self.rng.uniform(0, JITTER_FRACTION * seconds))
                if attempt == retries:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def wait_turn(self, workspace: Hashable, channel: str | None) -> None:
        """Sleep until `workspace` (and `channel`) may send another call, and book it."""
        while True:
            with self._lock:
                now = self.clock()
                lane = self._lanes.get(workspace)
                if lane is None:
                    lane = self._lanes[workspace] = _Lane(self.limits)
                if lane.paused_until > now:
                    go = None
                    wait = lane.paused_until - now
                else:
                    go = max(lane.earliest(now), self._channel_free(workspace, channel, now))
                    lane.spend(go)
                    if channel is not None:
                        self._channels[(workspace, channel)] = go + 1.0 / self.limits.per_channel
                    wait = go - now
            if wait > 0:
                self.sleep(wait)
            if go is not None and not self._paused_meanwhile(lane):
                return

    def hold(self, workspace: Hashable, seconds: float) -> None:
        """Pause every call of `workspace` for `seconds` (Slack's Retry-After)."""
        with self._lock:
            lane = self._lanes.get(workspace)
            if lane is None:
                lane = self._lanes[workspace] = _Lane(self.limits)
            lane.paused_until = max(lane.paused_until, self.clock() + seconds)

    def _paused_meanwhile(self, lane: _Lane) -> bool:
        """Whether a 429 paused the lane while this caller slept until its booked time."""
        with self._lock:
            return lane.paused_until > self.clock()

    def _channel_free(self, workspace: Hashable, channel: str | None, now: float) -> float:
        if channel is None:
            return now
        if len(self._channels) > CHANNELS_REMEMBERED:
            self._channels = {key: at for key, at in self._channels.items() if at > now}
        return max(now, self._channels.get((workspace, channel), now))


def retry_after_seconds(headers: Mapping[str, Any]) -> float:
    """A 429's Retry-After in seconds (Slack sends whole seconds), else the default."""
    for name, value in headers.items():
        if name.lower() != "retry-after":
            continue
        raw = value[0] if isinstance(value, list | tuple) and value else value
        try:
            return max(0.0, float(raw))
        except (TypeError, ValueError):
            return DEFAULT_RETRY_AFTER_SECONDS
    return DEFAULT_RETRY_AFTER_SECONDS

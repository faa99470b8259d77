"""Which Slack calls slack-sdk may send again, and when: never twice for a call that creates.

A retry is only safe when sending the request twice cannot act twice. So:

* Every call is retried after a **429** (Slack turned it away without acting) and when the
  request **never left**: the connection was refused or the host never resolved.
* Only **repeatable** calls (reads, and writes that set a state rather than create
  something: `chat.update`, `views.publish`, `conversations.open`) are also retried after a
  5xx, a reset or a dropped connection. For `chat.postMessage` and the like, those may come
  after Slack has acted, so the caller hears about them and decides (the fan-out records the
  slot as failed rather than post it twice).

Rate limits are waited out for exactly as long as Slack asks, and barely longer. slack-sdk's
`RateLimitErrorRetryHandler` sleeps Retry-After plus a random 0 to 1 second; Slack's limits
refill continuously and Retry-After is already rounded up to whole seconds, so every extra
moment asleep is capacity thrown away (a fan-out under a sustained limit ran about 1.5 times
slower than the limit allows). A tenth of the wait as jitter still spreads clients (two
scheduler processes, say) told the same Retry-After, and costs at most a tenth of the time.
"""

import random
import socket
import time
import urllib.error
from collections.abc import Callable
from urllib.parse import urlsplit

from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

# When a 429 comes without a usable Retry-After (Slack always sends one), wait this long.
DEFAULT_RETRY_AFTER_SECONDS = 1.0
# The random extra wait, as a fraction of Retry-After.
JITTER_FRACTION = 0.1
# Web API methods that do the same thing however often they are sent. Anything not listed
# (chat.postMessage, chat.postEphemeral, views.open, response URLs, ...) may create
# something, so it is only re-sent when Slack certainly did nothing.
REPEATABLE_METHODS = frozenset(
    {
        "auth.test",
        "chat.update",
        "conversations.info",
        "conversations.open",
        "users.info",
        "views.publish",
        "views.update",
    }
)


def api_method(request: HttpRequest) -> str:
    """The Web API method a request calls: the last part of its URL path."""
    return urlsplit(request.url).path.rstrip("/").rsplit("/", 1)[-1]


def is_repeatable(request: HttpRequest) -> bool:
    """Whether sending `request` twice cannot act twice."""
    return api_method(request) in REPEATABLE_METHODS


def never_reached_slack(error: BaseException | None) -> bool:
    """True when the request provably never left: refused connection or unresolved host."""
    reason = error.reason if isinstance(error, urllib.error.URLError) else error
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


class NeverSentRetryHandler(RetryHandler):
    """Retries any call whose connection was refused or whose host did not resolve."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is None and never_reached_slack(error)


class RepeatableOnly(RetryHandler):
    """Lets `inner` retry a call only when the call is repeatable (see REPEATABLE_METHODS)."""

    def __init__(self, inner: RetryHandler) -> None:
        super().__init__(
            max_retry_count=inner.max_retry_count, interval_calculator=inner.interval_calculator
        )
        self.inner = inner

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return is_repeatable(request) and self.inner.can_retry(
            state=state, request=request, response=response, error=error
        )

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Wait as `inner` would before the next attempt."""
        self.inner.prepare_for_next_attempt(
            state=state, request=request, response=response, error=error
        )


class RetryAfterHandler(RateLimitErrorRetryHandler):
    """Retries a 429 after exactly Retry-After seconds plus up to `jitter` of that again."""

    def __init__(
        self,
        max_retry_count: int = 1,
        *,
        jitter: float = JITTER_FRACTION,
        rng: random.Random | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.jitter = jitter
        self.rng = rng or random.Random()
        self.sleep = sleep

    def wait_for(self, response: HttpResponse | None) -> float:
        """How long to sleep before retrying after `response`."""
        retry_after = _retry_after(response)
        return retry_after + self.rng.uniform(0.0, self.jitter * retry_after)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        """Sleep for `wait_for(response)`, then let slack-sdk send the request again."""
        state.next_attempt_requested = True
        self.sleep(self.wait_for(response))
        state.increment_current_attempt()


def web_api_retry_handlers() -> list[RetryHandler]:
    """The retry policy of every Web API client: see the module docstring."""
    return [
        NeverSentRetryHandler(max_retry_count=2),
        RetryAfterHandler(max_retry_count=5),
        RepeatableOnly(ConnectionErrorRetryHandler(max_retry_count=2)),
        RepeatableOnly(ServerErrorRetryHandler(max_retry_count=2)),
    ]


def paced_retry_handlers() -> list[RetryHandler]:
    """The policy of clients used through a Pacer: as above, but 429s are left to the Pacer,
    which waits them out without holding a call slot (see bot/slack/pacing.py)."""
    return [
        NeverSentRetryHandler(max_retry_count=2),
        RepeatableOnly(ConnectionErrorRetryHandler(max_retry_count=2)),
        RepeatableOnly(ServerErrorRetryHandler(max_retry_count=2)),
    ]


def response_url_retry_handlers() -> list[RetryHandler]:
    """Posts to a response URL may create a message, so only never-sent ones are retried."""
    return [NeverSentRetryHandler(max_retry_count=2), RetryAfterHandler(max_retry_count=2)]


def _retry_after(response: HttpResponse | None) -> float:
    """The Retry-After header in seconds (Slack sends whole seconds), else the default."""
    if response is None:
        return DEFAULT_RETRY_AFTER_SECONDS
    for name, values in response.headers.items():
        if name.lower() != "retry-after" or not values:
            continue
        try:
            seconds = float(values[0])
        except ValueError:
            return DEFAULT_RETRY_AFTER_SECONDS
        return max(0.0, seconds)
    return DEFAULT_RETRY_AFTER_SECONDS

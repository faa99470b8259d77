"""Waiting out Slack's rate limits for as long as Slack asks, and barely longer.

slack-sdk's `RateLimitErrorRetryHandler` sleeps Retry-After plus a random 0 to 1 second.
Slack's limits refill continuously and Retry-After is already rounded up to whole seconds,
so by the time it has elapsed the bucket is full again: every extra moment asleep is
capacity thrown away. Under a sustained limit (a fan-out to a thousand channels at Slack's
rate) the SDK's jitter makes the whole run about 1.5 times slower than the limit allows.

Some jitter is still worth having: clients (our two scheduler processes, say) told the same
Retry-After would otherwise all wake at the same instant and trip the limit again together.
A tenth of the wait is enough to spread them apart and costs at most a tenth of the time.
"""

import random
import time
from collections.abc import Callable

from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

# When a 429 comes without a usable Retry-After (Slack always sends one), wait this long.
DEFAULT_RETRY_AFTER_SECONDS = 1.0
# The random extra wait, as a fraction of Retry-After.
JITTER_FRACTION = 0.1


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

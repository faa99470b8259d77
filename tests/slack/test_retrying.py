"""Rate limits are waited out for Retry-After seconds plus a little jitter, not a second more."""

import random
import time

from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.config import Settings
from bot.slack.app import create_client
from bot.slack.retrying import RetryAfterHandler
from tests.slack_stand_in import Reply, SlackStandIn

REQUEST = HttpRequest(method="POST", url="http://127.0.0.1/api/chat.postMessage", headers={})


def limited(**headers: str) -> HttpResponse:
    """A 429 response as slack-sdk hands it to retry handlers."""
    return HttpResponse(status_code=429, headers=dict(headers))


def test_a_429_is_retried_once_after_retry_after_and_not_much_longer(
    settings: Settings, stand_in: SlackStandIn
) -> None:
    """Retry-After: 1 then ok: the client from create_client retries once, about 1 s later."""
    stand_in.script(
        "chat.postMessage",
        Reply({"ok": False, "error": "ratelimited"}, status=429, headers={"Retry-After": "1"}),
    )
    client = create_client(settings)
    started = time.monotonic()
    response = client.chat_postMessage(channel="C1", text="hello")
    elapsed = time.monotonic() - started
    assert response["ok"] is True
    first, second = stand_in.calls_to("chat.postMessage")
    # The SDK's own handler would wait 1 to 2 s; ours 1 to 1.1 s, plus loopback round trips.
    assert 1.0 <= second.at - first.at < 1.25
    assert elapsed < 1.3


def test_the_stand_in_refuses_calls_beyond_its_burst_and_the_client_waits(
    settings: Settings, stand_in: SlackStandIn
) -> None:
    """At 5/s the sixth quick call gets a 429 (Retry-After: 1) and lands after one retry."""
    stand_in.limit_rate("chat.postMessage", 5)
    client = create_client(settings)
    for index in range(6):
        client.chat_postMessage(channel=f"C{index}", text="hello")
    posts = stand_in.calls_to("chat.postMessage")
    assert [post.params["channel"] for post in posts] == [f"C{index}" for index in range(6)]
    assert stand_in.rate_limited == 1
    assert 1.0 <= posts[5].at - posts[4].at < 1.25


def test_the_wait_is_retry_after_plus_at_most_a_tenth_of_it() -> None:
    """Retry-After: 3 sleeps between 3 and 3.3 s; each attempt is counted."""
    slept: list[float] = []
    handler = RetryAfterHandler(max_retry_count=5, rng=random.Random(1), sleep=slept.append)
    state = RetryState()
    for _ in range(20):
        handler.prepare_for_next_attempt(
            state=state, request=REQUEST, response=limited(**{"Retry-After": "3"})
        )
    assert all(3.0 <= seconds <= 3.3 for seconds in slept)
    assert len(set(slept)) > 1, "the jitter spreads clients told the same Retry-After"
    assert state.current_attempt == 20
    assert state.next_attempt_requested


def test_a_missing_or_unreadable_retry_after_waits_about_a_second() -> None:
    """Without a usable header the handler waits the default second, plus jitter."""
    handler = RetryAfterHandler(rng=random.Random(1))
    assert 1.0 <= handler.wait_for(limited()) <= 1.1
    assert 1.0 <= handler.wait_for(limited(**{"retry-after": "soon"})) <= 1.1
    assert handler.wait_for(limited(**{"retry-after": "0"})) == 0.0


def test_only_rate_limits_are_retried() -> None:
    """A 500 is left to the server-error handler; a 429 is retried until the count runs out."""
    handler = RetryAfterHandler(max_retry_count=1)
    state = RetryState()
    server_error = HttpResponse(status_code=500, headers={})
    assert not handler.can_retry(state=state, request=REQUEST, response=server_error)
    assert handler.can_retry(state=state, request=REQUEST, response=limited())
    state.increment_current_attempt()
    assert not handler.can_retry(state=state, request=REQUEST, response=limited())

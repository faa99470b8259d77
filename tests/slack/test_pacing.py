"""The Pacer: each workspace at its own rate and its own Retry-After, a cap on calls in flight."""

import random
import threading
import time

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from bot.slack.pacing import RATE_LIMIT_RETRIES, PaceLimits, Pacer, retry_after_seconds


class FakeTime:
    """A clock that only moves when someone sleeps (one thread at a time)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def fake() -> FakeTime:
    return FakeTime()


def pacer(fake: FakeTime, **limits: float) -> Pacer:
    return Pacer(
        PaceLimits(**limits),  # type: ignore[arg-type]
        clock=fake.clock,
        sleep=fake.sleep,
        rng=random.Random(0),
    )


def rate_limited(retry_after: str) -> SlackApiError:
    """What slack-sdk raises for a 429 when no handler of its own retried it."""
    response = SlackResponse(
        client=None,
        http_verb="POST",
        api_url="http://127.0.0.1/api/chat.postMessage",
        req_args={},
        data={"ok": False, "error": "ratelimited"},
        headers={"Retry-After": retry_after},
        status_code=429,
    )
    return SlackApiError("ratelimited", response)


def test_a_workspace_gets_its_burst_then_its_rate(fake: FakeTime) -> None:
    """20 a second with a burst of 20: 20 calls go at once, the next ones 50 ms apart."""
    paced = pacer(fake, per_workspace=20.0, workspace_burst=20)
    times = []
    for _ in range(23):
        paced.wait_turn("T1", None)
        times.append(fake.now - 100.0)
    assert times[:20] == [0.0] * 20
    assert times[20:] == pytest.approx([0.05, 0.10, 0.15])


def test_workspaces_have_separate_rates(fake: FakeTime) -> None:
    """T1 using up its burst does not make T2 wait."""
    paced = pacer(fake, per_workspace=2.0, workspace_burst=2)
    for _ in range(2):
        paced.wait_turn("T1", None)
    paced.wait_turn("T2", None)
    assert fake.slept == []
    paced.wait_turn("T1", None)
    assert fake.slept == [pytest.approx(0.5)]


def test_a_retry_after_pauses_only_its_workspace(fake: FakeTime) -> None:
    """After T1's 429 with Retry-After 2, T2 goes at once and T1 waits the 2 s."""
    paced = pacer(fake)
    paced.wait_turn("T1", None)
    paced.hold("T1", 2.0)
    paced.wait_turn("T2", None)
    assert fake.slept == []
    paced.wait_turn("T1", None)
    assert fake.slept == [pytest.approx(2.0)]


def test_one_post_a_second_per_channel(fake: FakeTime) -> None:
    """The same channel twice: a second apart; another channel, or workspace, at once."""
    paced = pacer(fake)
    paced.wait_turn("T1", "C1")
    paced.wait_turn("T1", "C2")
    paced.wait_turn("T2", "C1")
    assert fake.slept == []
    paced.wait_turn("T1", "C1")
    assert fake.slept == [pytest.approx(1.0)]


def test_a_429_is_waited_out_and_the_call_sent_again(fake: FakeTime) -> None:
    """One 429 (Retry-After 3): the call goes again 3 to 3.3 s later and its answer returns."""
    paced = pacer(fake)
    answers: list[Exception | str] = [rate_limited("3"), "ok"]
    sent_at: list[float] = []

    def send() -> str:
        sent_at.append(fake.now)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert paced.call("T1", "C1", send) == "ok"
    assert 3.0 <= sent_at[1] - sent_at[0] <= 3.3


def test_a_429_past_the_retries_reaches_the_caller(fake: FakeTime) -> None:
    """Slack refusing every attempt: after RATE_LIMIT_RETRIES more, the 429 is raised."""
    paced = pacer(fake)
    attempts = []

    def send() -> str:
        attempts.append(fake.now)
        raise rate_limited("1")

    with pytest.raises(SlackApiError):
        paced.call("T1", None, send)
    assert len(attempts) == RATE_LIMIT_RETRIES + 1


def test_other_errors_are_not_retried(fake: FakeTime) -> None:
    """A 500 may have posted: the Pacer hands it straight back."""
    paced = pacer(fake)
    calls = []
    error = rate_limited("1")
    error.response.status_code = 500

    def send() -> str:
        calls.append(1)
        raise error

    with pytest.raises(SlackApiError):
        paced.call("T1", None, send)
    assert calls == [1]


def test_no_more_calls_in_flight_than_the_cap() -> None:
    """12 threads in 12 workspaces, a cap of 3: never more than 3 sends at once."""
    paced = Pacer(PaceLimits(in_flight=3))
    lock = threading.Lock()
    now_in, most = [0], [0]

    def send() -> None:
        with lock:
            now_in[0] += 1
            most[0] = max(most[0], now_in[0])
        time.sleep(0.02)
        with lock:
            now_in[0] -= 1

    threads = [threading.Thread(target=paced.call, args=(f"T{n}", "C1", send)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 3


def test_retry_after_is_read_in_any_case_and_defaults_to_a_second() -> None:
    """Header names are case-insensitive; a missing or unreadable value means 1 s."""
    assert retry_after_seconds({"retry-after": "4"}) == 4.0
    assert retry_after_seconds({"Retry-After": ["2"]}) == 2.0
    assert retry_after_seconds({"Retry-After": "soon"}) == 1.0
    assert retry_after_seconds({}) == 1.0

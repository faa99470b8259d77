"""Exactly once under Slack's faults: a post Slack may have made is never made again.

The stand-in records each post (as Slack would publish it) and *then* fails the answer: a
500, a 503, a reset connection, a connection closed with no answer, or an answer later than
the client waits. Whatever the fault, at most one post per channel per slot reaches Slack,
the ledger says "failed: Slack may have posted it" as README promises, and a replayed
signed request does not act twice.
"""

import json
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.runner import load_current_library, open_store
from bot.scheduler import NuggetJob
from bot.services import Services
from bot.slack.app import create_client
from bot.slack.posting import SlackNotifier, SlackPoster
from bot.store.sql import SqlStore
from tests.conftest import RunningBot, start_bot
from tests.signing import (
    HttpReply,
    block_action_body,
    post,
    signed_headers,
    slash_command_body,
)
from tests.slack_stand_in import Fault, Reply, SlackStandIn, acted_then
from tests.teams import TEAM

# Monday 3 June 2024, 09:00 UTC, and a tick half a minute later.
SLOT = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
JUST_AFTER = SLOT + timedelta(seconds=30)
CHANNELS = ("C1", "C2", "C3")
# The client gives up after this many seconds; a SLOW answer comes later than that.
CLIENT_TIMEOUT = 1
SLOW_ANSWER = 2.0
FAULTS = [500, 503, Fault.RESET, Fault.CLOSE, Fault.SLOW]
FAULT_IDS = ["http-500", "http-503", "reset", "closed-no-answer", "slower-than-timeout"]


def fault_reply(fault: Fault | int) -> Reply:
    """The stand-in's answer after it has acted, for one fault."""
    return acted_then(fault, delay=SLOW_ANSWER)


class Scheduler:
    """One scheduler process: its own store connection, Web API client and NuggetJob."""

    def __init__(self, settings: Settings, clock_at: datetime) -> None:
        self.store = open_store(settings)
        services = Services(
            settings=settings,
            library=load_current_library(settings),
            store=self.store,
            clock=lambda: clock_at,
        )
        client = create_client(settings, timeout=CLIENT_TIMEOUT)
        self.job = NuggetJob(services, SlackPoster(client), SlackNotifier(client, "/tip"))

    def tick(self) -> None:
        """Run the every-minute job once."""
        self.job.run()


@pytest.fixture
def subscribed(settings: Settings) -> Iterator[SqlStore]:
    """Three channels subscribed for Mondays 09:00 UTC, an hour before SLOT."""
    store = open_store(settings)
    for channel in CHANNELS:
        schedule = Schedule(0, "09:00", "UTC")
        store.save_subscription(
            Subscription.new(TEAM, channel, schedule, "U1", SLOT - timedelta(hours=1))
        )
    yield store.for_workspace(TEAM)
    store.engine.dispose()


def run_racing(schedulers: list[Scheduler]) -> None:
    """Tick every scheduler at the same moment on its own thread."""
    barrier = threading.Barrier(len(schedulers))

    def tick(scheduler: Scheduler) -> None:
        barrier.wait()
        scheduler.tick()

    threads = [threading.Thread(target=tick, args=(s,)) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def posts_per_channel(stand_in: SlackStandIn) -> Counter[str]:
    """How many chat.postMessage calls reached Slack for each channel."""
    return Counter(call.params["channel"] for call in stand_in.calls_to("chat.postMessage"))


@pytest.mark.parametrize("schedulers", [1, 2], ids=["one-scheduler", "two-racing"])
@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_a_weekly_post_slack_may_have_made_is_never_made_again(
    settings: Settings,
    stand_in: SlackStandIn,
    subscribed: SqlStore,
    fault: Fault | int,
    schedulers: int,
) -> None:
    """Each post is recorded then fails: one post per channel, ledger failed, none re-posted."""
    for _ in CHANNELS:
        stand_in.fail_after_acting("chat.postMessage", fault_reply(fault))
    running = [Scheduler(settings, JUST_AFTER) for _ in range(schedulers)]
    run_racing(running)
    later = [Scheduler(settings, JUST_AFTER + timedelta(minutes=m)) for m in (1, 5, 60)]
    for scheduler in later:
        scheduler.tick()

    assert posts_per_channel(stand_in) == dict.fromkeys(CHANNELS, 1)
    rows = sorted(subscribed.deliveries(), key=lambda row: row.channel_id)
    assert [(row.channel_id, row.status) for row in rows] == [(c, "failed") for c in CHANNELS]
    for row in rows:
        assert "Slack may have posted it" in str(row.reason)
        assert "not retried to avoid a duplicate" in str(row.reason)
        assert row.attempts == 1
    for scheduler in running + later:
        scheduler.store.engine.dispose()


def test_a_rate_limit_is_the_one_answer_after_which_a_post_is_sent_again(
    settings: Settings, stand_in: SlackStandIn, subscribed: SqlStore
) -> None:
    """A 429 means Slack did nothing: the SDK waits Retry-After and posts; one post each."""
    limited = Reply({"ok": False, "error": "ratelimited"}, 429, {"Retry-After": "0"})
    stand_in.script("chat.postMessage", limited, limited)
    scheduler = Scheduler(settings, JUST_AFTER)
    scheduler.tick()
    calls = Counter(call.params["channel"] for call in stand_in.calls_to("chat.postMessage"))
    assert sum(calls.values()) == len(CHANNELS) + 2, "two refused attempts, then the posts"
    assert [row.status for row in subscribed.deliveries()] == ["sent"] * len(CHANNELS)
    scheduler.store.engine.dispose()


@pytest.fixture
def impatient_bot(settings: Settings, stand_in: SlackStandIn) -> Iterator[RunningBot]:
    """The bot over HTTP, its Web API client (and response URLs) waiting CLIENT_TIMEOUT s."""
    with start_bot(settings, stand_in, create_client(settings, timeout=CLIENT_TIMEOUT)) as bot:
        yield bot


class Captured:
    """A signed request as it went over the wire, to be sent again byte for byte."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.headers = signed_headers(body)

    def send(self, url: str) -> HttpReply:
        """POST the same body with the same timestamp and signature."""
        return post(url, self.body, self.headers)


def share(bot: RunningBot, tip_id: str, channel_id: str = "C1") -> Captured:
    """Click "Share in channel" on a tip, as Slack posts it; returns the request sent."""
    value = json.dumps({"tip": tip_id, "topic": ""})
    url = bot.stand_in.response_url("btn")
    request = Captured(block_action_body("tip_share", value, url, channel_id=channel_id))
    reply = request.send(bot.url)
    assert (reply.status, reply.body) == (200, "")
    return request


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_a_share_slack_may_have_posted_is_not_posted_again(
    impatient_bot: RunningBot, fault: Fault | int
) -> None:
    """Share in channel: one post reaches Slack; the user is told to look before re-sharing."""
    bot = impatient_bot
    bot.stand_in.fail_after_acting("chat.postMessage", fault_reply(fault))
    tip = bot.services.library.current.tips[0]
    share(bot, tip.id)
    (note,) = bot.stand_in.wait_for("response:btn", timeout=10)
    assert "may or may not be in the channel" in note.params["text"]
    assert note.params["response_type"] == "ephemeral"
    assert len(bot.stand_in.calls_to("chat.postMessage")) == 1
    assert bot.store.shares_by_tip() == {}, "an unconfirmed share is not counted"


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_a_share_through_the_response_url_is_not_posted_again(
    impatient_bot: RunningBot, fault: Fault | int
) -> None:
    """The bot is not in the channel: one in-channel post to the response URL, whatever fails."""
    bot = impatient_bot
    bot.stand_in.script("chat.postMessage", Reply({"ok": False, "error": "not_in_channel"}))
    bot.stand_in.fail_after_acting("response:btn", fault_reply(fault))
    tip = bot.services.library.current.tips[0]
    share(bot, tip.id, channel_id="C9")
    shared, note = bot.stand_in.wait_for("response:btn", count=2, timeout=10)
    assert shared.params["response_type"] == "in_channel"
    assert "may or may not be in the channel" in note.params["text"]
    in_channel = [
        call
        for call in bot.stand_in.calls_to("response:btn")
        if call.params.get("response_type") == "in_channel"
    ]
    assert len(in_channel) == 1


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
def test_the_paused_subscription_dm_is_not_sent_twice(
    settings: Settings, stand_in: SlackStandIn, subscribed: SqlStore, fault: Fault | int
) -> None:
    """The DM telling a subscriber their channel was paused reaches Slack at most once."""
    for channel in CHANNELS[1:]:
        subscribed.delete_subscription(channel)
    stand_in.script("chat.postMessage", Reply({"ok": False, "error": "is_archived"}))
    stand_in.fail_after_acting("chat.postMessage", fault_reply(fault), skip=1)  # the DM
    scheduler = Scheduler(settings, JUST_AFTER)
    scheduler.tick()
    dms = [call for call in stand_in.calls_to("chat.postMessage") if call.params["channel"] == "U1"]
    assert len(dms) == 1
    assert "Unarchive the channel" in dms[0].params["text"]
    scheduler.store.engine.dispose()


def test_calls_that_set_a_state_are_still_retried_after_a_fault(
    settings: Settings, stand_in: SlackStandIn
) -> None:
    """chat.update and views.publish do the same thing twice, so a 500 or a reset is retried."""
    client = create_client(settings, timeout=CLIENT_TIMEOUT)
    stand_in.fail_after_acting("chat.update", fault_reply(500))
    stand_in.fail_after_acting("views.publish", fault_reply(Fault.RESET))
    assert client.chat_update(channel="C1", ts="1.1", text="relabelled")["ok"] is True
    assert client.views_publish(user_id="U1", view={"type": "home", "blocks": []})["ok"] is True
    assert len(stand_in.calls_to("chat.update")) == 2
    assert len(stand_in.calls_to("views.publish")) == 2


def test_a_post_after_a_500_is_left_to_the_caller(
    settings: Settings, stand_in: SlackStandIn
) -> None:
    """chat.postMessage is not re-sent after a 500: one call, and the caller sees the error."""
    client = create_client(settings, timeout=CLIENT_TIMEOUT)
    stand_in.fail_after_acting("chat.postMessage", fault_reply(500))
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="C1", text="hello")
    assert len(stand_in.calls_to("chat.postMessage")) == 1


def test_a_replayed_share_posts_once(bot: RunningBot) -> None:
    """One signed "Share in channel" sent three times inside Slack's 5 minutes posts once."""
    tip = bot.services.library.current.tips[2]
    request = share(bot, tip.id)
    bot.stand_in.wait_for("response:btn")
    for _ in range(2):
        reply = request.send(bot.url)
        assert (reply.status, reply.body) == (200, "")
    assert len(bot.stand_in.calls_to("chat.postMessage")) == 1
    assert bot.store.shares_by_tip() == {tip.id: 1}


def test_a_replay_sent_to_another_process_is_ignored_too(
    settings: Settings, stand_in: SlackStandIn, database_url: str
) -> None:
    """Two bot processes on one database: a share replayed to the second one posts nothing."""
    settings = replace(settings, database_url=database_url)
    with start_bot(settings, stand_in) as first, start_bot(settings, stand_in) as second:
        tip = first.services.library.current.tips[1]
        request = share(first, tip.id)
        stand_in.wait_for("response:btn")
        reply = request.send(second.url)
        assert (reply.status, reply.body) == (200, "")
        assert len(stand_in.calls_to("chat.postMessage")) == 1


def test_a_replayed_subscribe_changes_nothing_the_second_time(bot: RunningBot) -> None:
    """/tip subscribe replayed after an unsubscribe does not quietly subscribe the channel again."""
    request = Captured(slash_command_body("subscribe mon 09:00 UTC", bot.stand_in.response_url()))
    assert "Monday" in request.send(bot.url).body
    assert bot.command("unsubscribe").status == 200
    replayed = request.send(bot.url)
    assert (replayed.status, replayed.body) == (200, "")
    assert bot.store.get_subscription("C1") is None


def test_a_plain_tip_may_be_asked_for_again(bot: RunningBot) -> None:
    """Reading requests are not remembered: the same signed /tip answers every time."""
    request = Captured(slash_command_body("mentoring", bot.stand_in.response_url()))
    for _ in range(3):
        reply = request.send(bot.url)
        assert reply.status == 200
        assert reply.json()["blocks"]

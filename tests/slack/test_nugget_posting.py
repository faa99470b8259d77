"""The weekly nugget posted through the real Slack adapter to the stand-in over HTTP.

Nothing of ours is faked: NuggetJob drives `FanOut.deliver_due` with a real SqlStore, SlackPoster
and SlackNotifier use the WebClient (and slack-sdk's retry handlers) from `create_client`,
and the stand-in answers as Slack would, including 429s and 5xx.
"""

import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.config import Settings
from bot.content.current import CurrentLibrary
from bot.content.loader import load_library
from bot.nuggets.models import Delivery, Subscription
from bot.nuggets.schedule import Schedule
from bot.runner import load_current_library, open_store
from bot.scheduler import NuggetJob
from bot.services import Services
from bot.slack import messages
from bot.slack.app import create_client
from bot.slack.posting import SlackNotifier, SlackPoster
from bot.store.sql import SqlStore
from tests.conftest import FIXTURES
from tests.old_rows import insert_old_subscription
from tests.slack_stand_in import Call, Reply, SlackStandIn
from tests.teams import TEAM

CHANNEL = "C1"
SUBSCRIBER = "U1"
# Monday 3 June 2024, 09:00 UTC: the slot every test posts.
SLOT = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
JUST_AFTER = SLOT + timedelta(seconds=30)
POSTED_TS = "1717405230.000100"


class Clock:
    """A clock the test moves by hand; Services calls it for the scheduler's now."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Posting:
    """A NuggetJob wired to the stand-in, with a subscribed channel and a hand-moved clock."""

    job: NuggetJob
    services: Services
    store: SqlStore
    clock: Clock
    stand_in: SlackStandIn

    def tick(self, at: datetime | None = None) -> None:
        """Run one scheduler tick, at `at` if given, else at the clock's current time."""
        if at is not None:
            self.clock.now = at
        self.job.run()

    def use_client(self, client: WebClient) -> None:
        """Post the next nuggets through `client` (pointed elsewhere, say)."""
        self.job.fan_out = replace(self.job.fan_out, poster=SlackPoster(client))

    def ledger(self) -> list[Delivery]:
        """The channel's delivery ledger, oldest slot first."""
        return self.store.deliveries(CHANNEL)

    def subscription(self) -> Subscription:
        """The channel's subscription as stored now."""
        sub = self.store.get_subscription(CHANNEL)
        assert sub is not None
        return sub

    def posts(self) -> list[Call]:
        """Every chat.postMessage the bot made, channel posts and DMs alike."""
        return self.stand_in.calls_to("chat.postMessage")


@pytest.fixture
def posting(settings: Settings, stand_in: SlackStandIn) -> Iterator[Posting]:
    """The channel subscribed for Mondays 09:00 UTC an hour before SLOT; clock just after."""
    store = open_store(settings)
    clock = Clock(JUST_AFTER)
    services = Services(
        settings=settings, library=load_current_library(settings), store=store, clock=clock
    )
    mondays_9 = Schedule(0, "09:00", "UTC")
    store.save_subscription(
        Subscription.new(TEAM, CHANNEL, mondays_9, SUBSCRIBER, SLOT - timedelta(hours=1))
    )
    client = create_client(settings)
    job = NuggetJob(services, SlackPoster(client), SlackNotifier(client, settings.command))
    yield Posting(job, services, store.for_workspace(TEAM), clock, stand_in)
    store.engine.dispose()


def posted(ts: str, channel: str = CHANNEL) -> Reply:
    """What Slack answers to a successful chat.postMessage."""
    return Reply({"ok": True, "channel": channel, "ts": ts, "message": {"ts": ts}})


def slack_error(error: str, status: int = 200, **headers: str) -> Reply:
    """What Slack answers when it refuses a call."""
    return Reply({"ok": False, "error": error}, status=status, headers=headers)


def header_text(blocks: list[dict[str, Any]]) -> str:
    """The text of the message's header block (the tip's title)."""
    (header,) = (block for block in blocks if block["type"] == "header")
    return str(header["text"]["text"])


def test_a_due_slot_is_posted_once_as_a_nugget(posting: Posting) -> None:
    """Just after the slot one chat.postMessage carries the nugget; the ledger keeps its ts."""
    posting.stand_in.script("chat.postMessage", posted(POSTED_TS))
    posting.tick()
    (post,) = posting.posts()
    assert post.params["channel"] == CHANNEL
    assert post.headers["Authorization"] == "Bearer xoxb-test-token"
    (row,) = posting.ledger()
    assert (row.slot_at, row.status, row.message_ts) == (SLOT, "sent", POSTED_TS)
    tip = posting.services.library.current.by_id[str(row.tip_id)]
    blocks = post.params["blocks"]
    assert blocks == messages.nugget_message(tip, votes=0)
    assert header_text(blocks) == tip.title
    assert ":speech_balloon:" in str(blocks)
    assert blocks[-1]["elements"][0]["action_id"] == messages.HELPFUL
    assert blocks[-1]["elements"][0]["text"]["text"] == ":+1: Helpful"
    assert tip.title in post.params["text"]


def test_running_the_job_again_posts_nothing_more(posting: Posting) -> None:
    """Further ticks in the same minute and later that day leave the one post alone."""
    posting.tick()
    for later in (JUST_AFTER, SLOT + timedelta(minutes=1), SLOT + timedelta(hours=3)):
        posting.tick(later)
    assert len(posting.posts()) == 1
    assert [row.status for row in posting.ledger()] == ["sent"]


@pytest.mark.parametrize(
    ("error", "fix"),
    [
        ("not_in_channel", "/invite @tipbot"),
        ("channel_not_found", "/invite @tipbot"),
        ("is_archived", "Unarchive the channel"),
    ],
)
def test_a_channel_slack_refuses_is_paused_and_the_subscriber_told_how_to_fix_it(
    posting: Posting, error: str, fix: str
) -> None:
    """The slot fails with Slack's reason, the subscription pauses, the subscriber gets a DM."""
    posting.stand_in.script("chat.postMessage", slack_error(error))
    posting.tick()
    attempt, dm = posting.posts()
    assert attempt.params["channel"] == CHANNEL
    assert dm.params["channel"] == SUBSCRIBER
    assert fix in dm.params["text"]
    assert f"<#{CHANNEL}>" in dm.params["text"]
    assert "/tip subscribe" in dm.params["text"]
    (row,) = posting.ledger()
    assert row.status == "failed"
    assert error in str(row.reason)
    sub = posting.subscription()
    assert (sub.status, sub.paused_reason) == ("paused", error)
    posting.tick(SLOT + timedelta(weeks=1, seconds=30))
    assert len(posting.posts()) == 2, "a paused channel gets no further posts"


@pytest.mark.parametrize("error", ["invalid_auth", "token_revoked"])
def test_a_revoked_token_stops_loudly_and_leaves_the_slot_for_retry(
    posting: Posting, error: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A bad token pauses nothing and DMs no one: the slot waits in 'retry', logged CRITICAL."""
    posting.stand_in.script("chat.postMessage", slack_error(error))
    with caplog.at_level(logging.INFO):
        posting.tick()
    assert len(posting.posts()) == 1, "no DM: the token that failed would fail for it too"
    (row,) = posting.ledger()
    assert row.status == "retry"
    assert error in str(row.reason)
    assert posting.subscription().status == "active"
    critical = [record for record in caplog.records if record.levelno == logging.CRITICAL]
    assert len(critical) == 1
    assert error in critical[0].getMessage()
    posting.tick(JUST_AFTER + timedelta(minutes=1))
    assert [row.status for row in posting.ledger()] == ["sent"], "posted once the token works"
    assert len(posting.posts()) == 2


def test_a_rate_limit_is_waited_out_by_the_sdk_and_posted_once(posting: Posting) -> None:
    """A 429 with Retry-After: 1 is retried by slack-sdk after the wait; one post, sent."""
    posting.stand_in.script(
        "chat.postMessage", slack_error("ratelimited", 429, **{"Retry-After": "1"})
    )
    posting.stand_in.script("chat.postMessage", posted(POSTED_TS))
    posting.tick()
    first, second = posting.posts()
    assert second.at - first.at >= 1.0, "the SDK honoured Retry-After"
    assert first.params["blocks"] == second.params["blocks"]
    (row,) = posting.ledger()
    assert (row.status, row.message_ts) == ("sent", POSTED_TS)


def test_a_rate_limit_past_the_sdk_retries_is_posted_by_a_later_tick(posting: Posting) -> None:
    """Six 429s exhaust the SDK's five retries: the slot waits in 'retry', posts 5 min later."""
    limited = slack_error("ratelimited", 429, **{"Retry-After": "0"})
    posting.stand_in.script("chat.postMessage", *[limited] * 6)
    posting.tick()
    assert len(posting.posts()) == 6
    (row,) = posting.ledger()
    assert row.status == "retry"
    assert "ratelimited" in str(row.reason)
    assert posting.subscription().status == "active"
    first_tip = row.tip_id

    posting.stand_in.script("chat.postMessage", posted(POSTED_TS))
    posting.tick(JUST_AFTER + timedelta(minutes=5))
    posting.tick(JUST_AFTER + timedelta(minutes=6))
    posts = posting.posts()
    assert len(posts) == 7
    (row,) = posting.ledger()
    assert (row.status, row.message_ts, row.tip_id) == ("sent", POSTED_TS, first_tip)
    assert posts[-1].params["blocks"] == posts[0].params["blocks"], "the same tip, retried"


def test_a_tip_file_change_between_weeks_is_used_by_the_next_post(posting: Posting) -> None:
    """After the tips are replaced, next week's nugget is one of the tips now served."""
    posting.tick()
    (first,) = posting.ledger()
    shipped = posting.services.library.current.by_id
    assert first.tip_id in shipped

    replacement = load_library(FIXTURES / "tips" / "valid")
    assert replacement.library.tips
    assert not set(replacement.library.by_id) & set(shipped), "the fixture tips are all new"
    posting.services.library = CurrentLibrary(replacement, JUST_AFTER + timedelta(days=3))

    posting.tick(JUST_AFTER + timedelta(weeks=1))
    _, second_post = posting.posts()
    _, second = posting.ledger()
    assert (second.slot_at, second.status) == (SLOT + timedelta(weeks=1), "sent")
    current = replacement.library.by_id
    assert second.tip_id in current
    assert header_text(second_post.params["blocks"]) == current[str(second.tip_id)].title


def test_a_fatal_error_is_never_posted_again(posting: Posting) -> None:
    """Slack's fatal_error may mean it posted: the slot fails and a later tick leaves it."""
    posting.stand_in.script("chat.postMessage", slack_error("fatal_error", 200))
    posting.tick()
    posting.tick(JUST_AFTER + timedelta(minutes=5))
    assert len(posting.posts()) == 1
    (row,) = posting.ledger()
    assert row.status == "failed"
    assert "not retried to avoid a duplicate" in str(row.reason)


def test_a_post_slack_refuses_outright_fails_with_its_reason(posting: Posting) -> None:
    """`invalid_blocks` will not get better by retrying: failed, with Slack's reason."""
    posting.stand_in.script("chat.postMessage", slack_error("invalid_blocks"))
    posting.tick()
    posting.tick(JUST_AFTER + timedelta(minutes=5))
    assert len(posting.posts()) == 1
    (row,) = posting.ledger()
    assert (row.status, row.reason) == ("failed", "Slack refused the post: invalid_blocks")


def test_a_missing_scope_stops_like_a_revoked_token(
    posting: Posting, caplog: pytest.LogCaptureFixture
) -> None:
    """`missing_scope` needs an admin: the fan-out stops loudly and the slot waits to retry."""
    posting.stand_in.script("chat.postMessage", slack_error("missing_scope"))
    with caplog.at_level(logging.CRITICAL):
        posting.tick()
    (row,) = posting.ledger()
    assert row.status == "retry"
    assert any("missing_scope" in r.getMessage() for r in caplog.records)


def test_a_refused_connection_is_retried_on_a_later_tick(
    posting: Posting, settings: Settings
) -> None:
    """Nothing listens (the request never left): the slot waits in 'retry' and posts later."""
    with socket.create_server(("127.0.0.1", 0)) as closed:
        port = closed.getsockname()[1]
    client = create_client(replace(settings, api_url=f"http://127.0.0.1:{port}/api/"))
    posting.use_client(client)
    posting.tick()
    (row,) = posting.ledger()
    assert row.status == "retry"

    posting.use_client(create_client(settings))
    posting.tick(JUST_AFTER + timedelta(minutes=5))
    assert len(posting.posts()) == 1
    assert posting.ledger()[0].status == "sent"


def test_a_channel_paused_for_its_timezone_is_explained_to_its_subscriber(
    posting: Posting,
) -> None:
    """An old row in `localtime` pauses; the subscriber's DM names the zone and the fix."""
    insert_old_subscription(posting.store, "C5", "localtime", at=SLOT - timedelta(days=7))
    posting.tick()
    dms = [call for call in posting.posts() if call.params["channel"] == SUBSCRIBER]
    (dm,) = dms
    assert "<#C5>" in dm.params["text"]
    assert "`localtime` isn't one I know" in dm.params["text"]
    assert "`/tip subscribe mon 09:00 Europe/Berlin`" in dm.params["text"]

"""`/tip stats`: what admins see about tips, subscriptions and weekly posts."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from tests.conftest import RunningBot
from tests.old_rows import insert_old_subscription
from tests.teams import TEAM

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _clock_at_now(admin_bot: RunningBot) -> None:
    """Stats count four weeks back from NOW."""
    admin_bot.services.clock = lambda: NOW


def post(bot: RunningBot, channel: str, slot: datetime, tip_id: str, ts: str) -> None:
    """Record a weekly post in the ledger as Slack confirmed it."""
    store = bot.store
    assert store.claim_delivery(channel, slot, "test", slot)
    store.finish_delivery(channel, slot, "sent", now=slot, tip_id=tip_id, message_ts=ts)


def test_stats_rank_tips_and_report_health_and_recent_posts(admin_bot: RunningBot) -> None:
    """Votes and shares rank tips; paused subscriptions show why; four weeks are counted."""
    store = admin_bot.store
    tips = admin_bot.services.library.current.tips
    weekly = Schedule(0, "09:00", "UTC")
    for channel in ("C1", "C2", "C3"):
        store.save_subscription(
            Subscription.new(TEAM, channel, weekly, "U1", NOW - timedelta(days=60))
        )
    store.pause_subscription("C3", "is_archived", NOW - timedelta(days=2))
    post(admin_bot, "C1", NOW - timedelta(days=4), tips[0].id, "1.1")
    post(admin_bot, "C2", NOW - timedelta(days=4), tips[1].id, "2.1")
    post(admin_bot, "C1", NOW - timedelta(days=60), tips[2].id, "1.0")  # older than 4 weeks
    store.record_missed("C2", NOW - timedelta(days=11), "bot was down", NOW)
    for user in ("U1", "U2", "U3"):
        store.toggle_vote("C2", "2.1", user, NOW)
    store.toggle_vote("C1", "1.1", "U1", NOW)
    store.record_share(tips[0].id, "C9", "U4", NOW)
    store.record_share(tips[0].id, "C9", "U5", NOW)

    answer = admin_bot.command("stats", user_id="UADMIN").json()["text"]

    first, second = answer.index(tips[1].title), answer.index(tips[0].title)
    assert first < second, "3 votes rank above 1 vote"
    assert f"{tips[1].title}: 3 votes, 0 shares" in answer
    assert f"{tips[0].title}: 1 vote, 2 shares" in answer
    assert "2 active, 1 paused" in answer
    assert "<#C3>: paused since 2026-11-25 12:00 UTC, Slack said `is_archived`" in answer
    assert "2 sent, 1 missed, 0 failed" in answer


def test_stats_with_nothing_yet(admin_bot: RunningBot) -> None:
    """A new install says there is nothing yet instead of an empty table."""
    answer = admin_bot.command("stats", user_id="UADMIN").json()["text"]
    assert "No Helpful votes or shares yet" in answer
    assert "0 active, 0 paused" in answer
    assert "0 sent, 0 missed, 0 failed" in answer


def test_stats_are_for_admins(admin_bot: RunningBot) -> None:
    """Someone outside TIPBOT_ADMINS is refused."""
    answer = admin_bot.command("stats", user_id="U2").json()["text"]
    assert "only tipbot admins" in answer
    assert "Top tips" not in answer


def test_stats_say_a_subscription_paused_for_its_timezone_is_not_slacks_doing(
    admin_bot: RunningBot,
) -> None:
    """A row paused because its old timezone is unusable says so, not "Slack said"."""
    store = admin_bot.store
    insert_old_subscription(store, "C4", "localtime", NOW - timedelta(days=60))
    store.pause_subscription("C4", "unknown_timezone", NOW)
    answer = admin_bot.command("stats", user_id="UADMIN").json()["text"]
    line = "<#C4>: paused since 2026-11-27 12:00 UTC, its timezone `localtime` isn't one I know"
    assert line in answer

"""The weekly fan-out against a real SQLite file: exactly once, catch-up, and Slack failures."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest

from bot.nuggets import timezones
from bot.nuggets.delivery import INTERRUPTED, DeliveryFailure, FanOut
from bot.nuggets.errors import AuthRevoked, ChannelUnavailable, TransientSlackError
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.store.database import engine_from_url
from bot.store.sql import SqlStore
from tests.nuggets.fakes import FakePoster, make_tip
from tests.old_rows import insert_old_subscription
from tests.racing import race, separate_store
from tests.teams import TEAM

GRACE = timedelta(hours=12)
MONDAY_9 = Schedule(0, "09:00", "UTC")
# Monday 2 June 2025, 09:00 UTC: the first slot most tests look at.
SLOT = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
WEEK = timedelta(weeks=1)
TIPS = [make_tip(f"tip-{n}") for n in range(5)]


class Crash(BaseException):
    """The process dying mid-post: not an Exception, so nothing in the fan-out catches it."""


def tick(store, poster, notifier, now, *, tips=TIPS, worker="worker-1", seed=0, workers=1):
    """Run one scheduler tick at `now`, one subscription at a time unless `workers` says."""
    fan_out = FanOut(
        store=store,
        tips=lambda: tips,
        poster=poster,
        notifier=notifier,
        grace=GRACE,
        worker_id=worker,
        rng=random.Random(seed),
        workers=workers,
    )
    return fan_out.deliver_due(now)


def subscribe(store, channel="C1", schedule=MONDAY_9, at=SLOT - WEEK + timedelta(hours=1)):
    """Subscribe `channel`, by default the week before SLOT, after that week's slot."""
    sub = Subscription.new(TEAM, channel, schedule, "U-admin", at)
    store.save_subscription(sub)
    return sub


def statuses(store, channel="C1"):
    """The ledger of one channel as (slot, status) pairs."""
    return [(row.slot_at, row.status) for row in store.deliveries(channel)]


def test_each_slot_is_posted_once_however_often_the_scheduler_ticks(store, poster, notifier):
    """Ticks before, at and after a slot, and a week later, post exactly once per slot."""
    subscribe(store)
    for minutes in (-1, 0, 0, 1, 30, 600):
        tick(store, poster, notifier, SLOT + timedelta(minutes=minutes))
    assert [slot for _, slot in poster.posts_to("C1")] == [SLOT]
    tick(store, poster, notifier, SLOT + WEEK)
    tick(store, poster, notifier, SLOT + WEEK + timedelta(minutes=1))
    assert [slot for _, slot in poster.posts_to("C1")] == [SLOT, SLOT + WEEK]
    rows = store.deliveries("C1")
    assert [row.status for row in rows] == ["sent", "sent"]
    assert rows[0].message_ts == "1.000100"
    assert rows[0].tip_id == poster.posts[0][1]


def test_subscribing_after_a_slot_does_not_post_it(store, poster, notifier):
    """A slot earlier than the subscription is neither posted nor recorded as missed."""
    subscribe(store, at=SLOT + timedelta(minutes=5))
    report = tick(store, poster, notifier, SLOT + timedelta(minutes=6))
    assert poster.posts == []
    assert report.sent == report.missed == 0
    assert store.deliveries() == []


def test_catch_up_inside_the_grace_window_posts_the_slot_once(store, poster, notifier):
    """The bot coming back 11h after a slot posts it, once."""
    subscribe(store)
    report = tick(store, poster, notifier, SLOT + timedelta(hours=11))
    tick(store, poster, notifier, SLOT + timedelta(hours=11, minutes=1))
    assert report.sent == 1
    assert [slot for _, slot in poster.posts_to("C1")] == [SLOT]


def test_slots_beyond_the_grace_window_are_recorded_as_missed(store, poster, notifier):
    """Coming back a day late records the slot as missed with the reason, and posts nothing."""
    subscribe(store)
    report = tick(store, poster, notifier, SLOT + timedelta(hours=13))
    tick(store, poster, notifier, SLOT + timedelta(hours=14))
    assert poster.posts == []
    assert report.missed == 1
    (row,) = store.deliveries("C1")
    assert (row.slot_at, row.status) == (SLOT, "missed")
    assert row.reason == "bot was not running within 12h of the slot"


def test_a_long_outage_posts_only_the_latest_slot_and_does_not_flood(store, poster, notifier):
    """After three weeks down, the old slots are missed and only the one in grace is posted."""
    subscribe(store, at=SLOT - 3 * WEEK)
    tick(store, poster, notifier, SLOT + timedelta(hours=2))
    assert [slot for _, slot in poster.posts_to("C1")] == [SLOT]
    assert statuses(store) == [
        (SLOT - 2 * WEEK, "missed"),
        (SLOT - WEEK, "missed"),
        (SLOT, "sent"),
    ]


def test_a_restart_in_the_middle_of_a_fan_out_never_posts_twice(db_url, store, notifier):
    """Crash during the third post; a new store on the same file finishes, without duplicates."""
    channels = [f"C{n}" for n in range(1, 6)]
    for channel in channels:
        subscribe(store, channel)
    poster = FakePoster()
    poster.fail_next["C3"] = [Crash()]
    with pytest.raises(Crash):
        tick(store, poster, notifier, SLOT)
    assert [channel for channel, _, _ in poster.posts] == ["C1", "C2"]

    engine = engine_from_url(db_url)  # the restarted process
    restarted = SqlStore(engine)
    report = tick(restarted, poster, notifier, SLOT + timedelta(minutes=1), worker="worker-2")
    assert report.sent == 2
    assert statuses(restarted, "C3") == [(SLOT, "claimed")]

    report = tick(restarted, poster, notifier, SLOT + timedelta(minutes=15), worker="worker-2")
    (row,) = restarted.deliveries("C3")
    assert (row.status, row.reason) == ("failed", INTERRUPTED)
    assert report.failed == 1
    tick(restarted, poster, notifier, SLOT + timedelta(hours=1), worker="worker-2")
    assert sorted(channel for channel, _, _ in poster.posts) == ["C1", "C2", "C4", "C5"]
    engine.dispose()


def test_threads_with_their_own_stores_racing_on_one_file_post_each_slot_once(db_url, store):
    """Four schedulers with separate engines tick at the same instant: one post per channel."""
    channels = [f"C{n:02d}" for n in range(20)]
    for channel in channels:
        subscribe(store, channel)
    poster = FakePoster()
    reports = []

    def run(worker):
        with separate_store(db_url) as own_store:
            notifier = _NullNotifier()
            reports.append(tick(own_store, poster, notifier, SLOT, worker=worker, seed=len(worker)))

    assert race([f"worker-{n}" for n in range(4)], run) == []
    assert sorted(channel for channel, _, _ in poster.posts) == channels
    assert sum(report.sent for report in reports) == 20
    assert {row.status for row in store.deliveries()} == {"sent"}


class _NullNotifier:
    def subscription_paused(self, sub, reason):
        raise AssertionError(reason)


def test_october_dst_change_keeps_the_local_time_and_posts_weekly(store, poster, notifier):
    """Hourly ticks across the Berlin clock change post every Monday at 09:00 local time."""
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2025, 10, 15, tzinfo=UTC)
    subscribe(store, schedule=Schedule(0, "09:00", "Europe/Berlin"), at=start)
    for hour in range(21 * 24):
        tick(store, poster, notifier, start + timedelta(hours=hour))
    slots = [slot for _, slot in poster.posts_to("C1")]
    assert slots == [
        datetime(2025, 10, 20, 7, 0, tzinfo=UTC),
        datetime(2025, 10, 27, 8, 0, tzinfo=UTC),
        datetime(2025, 11, 3, 8, 0, tzinfo=UTC),
    ]
    assert {slot.astimezone(berlin).strftime("%a %H:%M") for slot in slots} == {"Mon 09:00"}


def test_spring_dst_change_posts_a_nonexistent_time_once(store, poster, notifier):
    """Sunday 02:30 Berlin on the spring-forward night is posted once, at 03:30 CEST."""
    start = datetime(2025, 3, 29, 12, 0, tzinfo=UTC)
    subscribe(store, schedule=Schedule(6, "02:30", "Europe/Berlin"), at=start)
    for quarter in range(4 * 24):
        tick(store, poster, notifier, start + timedelta(minutes=15 * quarter))
    assert [slot for _, slot in poster.posts_to("C1")] == [datetime(2025, 3, 30, 1, 30, tzinfo=UTC)]


def test_the_rotation_serves_every_tip_before_repeating(store, poster, notifier):
    """Three tips over six weeks: two full rounds, each a permutation."""
    tips = TIPS[:3]
    subscribe(store)
    for week in range(6):
        tick(store, poster, notifier, SLOT + week * WEEK, tips=tips, seed=week)
    served = [tip for tip, _ in poster.posts_to("C1")]
    ids = sorted(tip.id for tip in tips)
    assert sorted(served[:3]) == ids
    assert sorted(served[3:]) == ids
    assert store.load_rotation("C1").round == 2


def test_tip_files_changing_between_slots_are_honoured(store, poster, notifier):
    """A tip added after the first post is served this round; a removed one never again."""
    library = TIPS[:3]
    subscribe(store)
    tick(store, poster, notifier, SLOT, tips=library)
    first = poster.posts[0][1]
    still_unserved = sorted(tip.id for tip in library if tip.id != first)
    removed = still_unserved[0]
    library = [tip for tip in library if tip.id != removed] + [make_tip("added")]
    for week in range(1, 4):
        tick(store, poster, notifier, SLOT + week * WEEK, tips=library, seed=week)
    served = [tip for tip, _ in poster.posts_to("C1")]
    assert removed not in served
    assert sorted(served[:3]) == sorted([first, still_unserved[1], "added"])
    assert store.load_rotation("C1").round == 2


def test_an_unavailable_channel_pauses_the_subscription_and_notifies_once(store, poster, notifier):
    """is_archived: the slot fails with the reason, the subscriber is told once, others post."""
    subscribe(store, "C1")
    subscribe(store, "C2")
    poster.fail_next["C1"] = [ChannelUnavailable("is_archived")]
    report = tick(store, poster, notifier, SLOT)
    tick(store, poster, notifier, SLOT + timedelta(minutes=1))
    tick(store, poster, notifier, SLOT + WEEK)
    assert notifier.paused == [("C1", "is_archived")]
    (row,) = store.deliveries("C1")
    assert (row.status, row.reason) == ("failed", "channel unavailable: is_archived")
    sub = store.get_subscription("C1")
    assert (sub.status, sub.paused_reason) == ("paused", "is_archived")
    assert [channel for channel, _, _ in poster.posts] == ["C2", "C2"]
    assert report.failed == 1
    assert report.failures[0].reason == "channel unavailable: is_archived"


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posix/Europe/Berlin", "Mars/Base"])
def test_a_row_in_a_timezone_tipbot_cannot_use_is_paused_and_the_others_still_post(
    store, poster, notifier, caplog, zone
):
    """An old row naming `localtime` pauses, with its reason, and every other channel posts."""
    subscribe(store, "C1")
    insert_old_subscription(store, "C2", zone, at=SLOT - WEEK)
    subscribe(store, "C3")
    report = tick(store, poster, notifier, SLOT, workers=4)
    assert sorted(channel for channel, _, _ in poster.posts) == ["C1", "C3"]
    assert report.sent == 2
    sub = store.get_subscription("C2")
    assert (sub.status, sub.paused_reason) == ("paused", "unknown_timezone")
    assert sub.schedule.timezone == zone, "kept as stored, so people can see what it was"
    assert store.deliveries("C2") == [], "no timezone, no slot time to put in the ledger"
    assert notifier.paused == [("C2", "unknown_timezone")], "the subscriber is told once"
    reason = f"timezone {zone!r} is not one tipbot can use"
    assert report.failures == [DeliveryFailure(TEAM, "C2", None, reason)]
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        f"paused the nugget subscription of C2: {reason}"
    ]
    assert all(record.exc_info is None for record in caplog.records)
    later = tick(store, poster, notifier, SLOT + WEEK)
    assert later.failures == []
    assert sorted(channel for channel, _, _ in poster.posts) == ["C1", "C1", "C3", "C3"]


def test_a_zone_this_process_cannot_load_is_paused_too(store, poster, notifier, monkeypatch):
    """A tz database without the zone (ZoneInfoNotFoundError) pauses that row, not the tick."""
    real = ZoneInfo

    def without_tokyo(name):
        if name == "Asia/Tokyo":
            raise ZoneInfoNotFoundError(name)
        return real(name)

    monkeypatch.setattr(timezones, "ZoneInfo", without_tokyo)
    subscribe(store, "C1")
    subscribe(store, "C2", schedule=Schedule(0, "18:00", "Asia/Tokyo"))
    report = tick(store, poster, notifier, SLOT)
    assert [channel for channel, _, _ in poster.posts] == ["C1"]
    assert store.get_subscription("C2").paused_reason == "unknown_timezone"
    assert [failure.channel_id for failure in report.failures] == ["C2"]


def test_resubscribing_a_paused_channel_resumes_from_now(store, poster, notifier):
    """Slots while paused are not recorded as missed; the next slot after resuming posts."""
    subscribe(store)
    poster.fail_next["C1"] = [ChannelUnavailable("not_in_channel")]
    tick(store, poster, notifier, SLOT)
    resumed_at = SLOT + 2 * WEEK + timedelta(days=1)
    store.save_subscription(Subscription.new(TEAM, "C1", MONDAY_9, "U-admin", resumed_at))
    tick(store, poster, notifier, SLOT + 3 * WEEK)
    assert statuses(store) == [(SLOT, "failed"), (SLOT + 3 * WEEK, "sent")]


def test_a_revoked_token_stops_the_fan_out_and_retries_once_fixed(store, poster, notifier):
    """AuthRevoked propagates and stops other posts; after a fix the slot posts in grace."""
    subscribe(store, "C1")
    subscribe(store, "C2")
    poster.fail_next["C1"] = [AuthRevoked("token_revoked")]
    with pytest.raises(AuthRevoked):
        tick(store, poster, notifier, SLOT)
    assert poster.posts == []
    (row,) = store.deliveries("C1")
    assert row.status == "retry"
    assert "token_revoked" in row.reason
    report = tick(store, poster, notifier, SLOT + timedelta(hours=1))
    assert report.sent == 2
    assert sorted(channel for channel, _, _ in poster.posts) == ["C1", "C2"]


def test_a_transient_error_is_retried_on_the_next_tick_with_the_same_tip(store, notifier):
    """A 5xx after the SDK's retries leaves the slot in retry; the next tick sends it."""
    poster = FakePoster()
    subscribe(store)
    poster.fail_next["C1"] = [TransientSlackError("ratelimited")]
    report = tick(store, poster, notifier, SLOT)
    assert report.retry == 1
    (row,) = store.deliveries("C1")
    chosen = row.tip_id
    assert (row.status, row.reason) == ("retry", "Slack unavailable: ratelimited")
    report = tick(store, poster, notifier, SLOT + timedelta(minutes=1))
    assert report.sent == 1
    (row,) = store.deliveries("C1")
    assert (row.status, row.attempts, row.tip_id) == ("sent", 2, chosen)
    assert poster.posts == [("C1", chosen, SLOT)]
    assert store.load_rotation("C1").position == 1


def test_a_slot_still_failing_when_the_grace_window_closes_is_failed(store, poster, notifier):
    """Retries stop at the grace window; the slot ends as failed with the last error."""
    subscribe(store)
    poster.fail_next["C1"] = [TransientSlackError("internal_error")] * 2
    tick(store, poster, notifier, SLOT)
    tick(store, poster, notifier, SLOT + timedelta(hours=6))
    report = tick(store, poster, notifier, SLOT + timedelta(hours=13))
    (row,) = store.deliveries("C1")
    assert row.status == "failed"
    assert row.reason == (
        "not posted within the 12h grace window; last error: Slack unavailable: internal_error"
    )
    assert report.failed == 1
    assert poster.posts == []


def test_a_transient_error_after_the_grace_window_fails_at_once(store, poster, notifier):
    """A catch-up post at the edge of the window that fails is not left for a retry."""
    subscribe(store)
    poster.fail_next["C1"] = [TransientSlackError("service_unavailable")]
    tick(store, poster, notifier, SLOT + GRACE)
    (row,) = store.deliveries("C1")
    assert row.status == "failed"
    assert "service_unavailable" in row.reason


def test_an_unexpected_error_fails_the_slot_without_retry_and_others_still_post(
    store, poster, notifier
):
    """A bug in the poster may have posted, so the slot is failed, not retried."""
    subscribe(store, "C1")
    subscribe(store, "C2")
    poster.fail_next["C1"] = [RuntimeError("boom")]
    report = tick(store, poster, notifier, SLOT)
    tick(store, poster, notifier, SLOT + timedelta(minutes=1))
    assert [channel for channel, _, _ in poster.posts] == ["C2"]
    (row,) = store.deliveries("C1")
    assert (row.status, row.reason) == (
        "failed",
        "unexpected error while posting (RuntimeError); not retried",
    )
    assert report.failed == 1


def test_a_failing_notifier_does_not_stop_other_subscriptions(store, poster):
    """One subscription blowing up is reported, and the fan-out carries on."""
    subscribe(store, "C1")
    subscribe(store, "C2")
    poster.fail_next["C1"] = [ChannelUnavailable("channel_not_found")]
    report = tick(store, poster, _NullNotifier(), SLOT)
    assert [channel for channel, _, _ in poster.posts] == ["C2"]
    assert any(failure.slot_at is None for failure in report.failures)


def test_an_empty_library_fails_the_slot_with_a_reason(store, poster, notifier):
    """No tips means nothing to post; the ledger says so instead of staying silent."""
    subscribe(store)
    report = tick(store, poster, notifier, SLOT, tips=[])
    (row,) = store.deliveries("C1")
    assert row.status == "failed"
    assert "tip library is empty" in row.reason
    assert report.failed == 1


def test_changing_the_schedule_does_not_post_twice_in_one_week(store, poster, notifier):
    """Monday's nugget went out; moving to Wednesday skips this Wednesday, posts the next."""
    subscribe(store)
    tick(store, poster, notifier, SLOT)
    wednesday = Schedule(2, "09:00", "UTC")
    store.save_subscription(
        Subscription.new(TEAM, "C1", wednesday, "U-admin", SLOT + timedelta(days=1))
    )
    for day in range(1, 10):
        tick(store, poster, notifier, SLOT + timedelta(days=day, minutes=5))
    assert [slot for _, slot in poster.posts_to("C1")] == [SLOT, SLOT + timedelta(days=9)]
    skipped = store.deliveries("C1")[1]
    assert (skipped.slot_at, skipped.status) == (SLOT + timedelta(days=2), "missed")
    assert "already posted a nugget for 2025-06-02 09:00 UTC" in skipped.reason


def test_saving_the_same_schedule_again_keeps_a_pending_catch_up(store, poster, notifier):
    """Re-subscribing with an unchanged schedule does not drop a slot waiting to be posted."""
    subscribe(store)
    store.save_subscription(
        Subscription.new(TEAM, "C1", MONDAY_9, "U-other", SLOT + timedelta(hours=1))
    )
    tick(store, poster, notifier, SLOT + timedelta(hours=2))
    assert [slot for _, slot in poster.posts_to("C1")] == [SLOT]
    assert store.get_subscription("C1").subscribed_by == "U-other"


def test_a_pending_retry_of_an_unsubscribed_channel_is_closed(store, poster, notifier):
    """Unsubscribing while a retry is pending fails the slot with a reason, never posts it."""
    subscribe(store)
    poster.fail_next["C1"] = [TransientSlackError("ratelimited")]
    tick(store, poster, notifier, SLOT)
    store.delete_subscription("C1")
    report = tick(store, poster, notifier, SLOT + timedelta(minutes=1))
    (row,) = store.deliveries("C1")
    assert row.status == "failed"
    assert row.reason.startswith("unsubscribed or paused before the retry")
    assert report.failed == 1
    assert poster.posts == []


def test_a_parallel_fan_out_posts_every_channel_exactly_once(store, notifier):
    """Eight workers share one tick over 60 channels: each gets one post, the ledger agrees."""
    channels = [f"C{n:02d}" for n in range(60)]
    for channel in channels:
        subscribe(store, channel)
    poster = FakePoster()
    report = tick(store, poster, notifier, SLOT, workers=8)
    assert sorted(channel for channel, _, _ in poster.posts) == channels
    assert report.sent == 60
    assert all(statuses(store, channel) == [(SLOT, "sent")] for channel in channels)
    assert tick(store, poster, notifier, SLOT + timedelta(minutes=1), workers=8).sent == 0

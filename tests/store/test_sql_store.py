"""SqlStore on SQLite and PostgreSQL: subscriptions, rotations, the ledger, votes, shares."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import StatementError

from bot.nuggets.models import Subscription
from bot.nuggets.rotation import Rotation
from bot.nuggets.schedule import Schedule
from bot.store.tables import shares, subscriptions
from tests.old_rows import insert_old_subscription
from tests.racing import race, separate_store
from tests.teams import TEAM

NOW = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
SLOT = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
MONDAY = Schedule(0, "09:00", "Europe/Berlin")
FRIDAY = Schedule(4, "16:30", "America/New_York")


def count_rows(store, table):
    """How many rows `table` holds."""
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_subscription_round_trips(store):
    """Every field comes back as saved, with aware UTC datetimes."""
    sub = Subscription.new(TEAM, "C1", MONDAY, "U1", NOW, kind="dm")
    store.save_subscription(sub)
    assert store.get_subscription("C1") == sub
    assert store.get_subscription("C2") is None


def test_a_row_in_a_timezone_tipbot_no_longer_accepts_still_reads(store):
    """An older version's `localtime` row comes back as stored from every read, next to others."""
    store.save_subscription(Subscription.new(TEAM, "C1", MONDAY, "U1", NOW))
    insert_old_subscription(store, "C2", "localtime", NOW)
    assert [sub.schedule.timezone for sub in store.active_subscriptions()] == [
        "Europe/Berlin",
        "localtime",
    ]
    assert [sub.channel_id for sub in store.all_subscriptions()] == ["C1", "C2"]
    assert store.get_subscription("C2").schedule == Schedule(0, "09:00", "localtime")


def test_subscribing_again_updates_the_one_row(store):
    """A second save changes the schedule, keeps created_at, and never adds a row."""
    store.save_subscription(Subscription.new(TEAM, "C1", MONDAY, "U1", NOW))
    later = NOW + timedelta(days=1)
    store.save_subscription(Subscription.new(TEAM, "C1", FRIDAY, "U2", later))
    sub = store.get_subscription("C1")
    assert (sub.schedule, sub.subscribed_by) == (FRIDAY, "U2")
    assert (sub.created_at, sub.updated_at, sub.active_since) == (NOW, later, later)
    assert count_rows(store, subscriptions) == 1


def test_saving_the_same_schedule_keeps_active_since(store):
    """Only a changed schedule (or resuming) moves the point from which slots count."""
    store.save_subscription(Subscription.new(TEAM, "C1", MONDAY, "U1", NOW))
    store.save_subscription(Subscription.new(TEAM, "C1", MONDAY, "U2", NOW + timedelta(hours=1)))
    assert store.get_subscription("C1").active_since == NOW


def test_pausing_and_resubscribing(store):
    """A paused subscription keeps its reason until saved again, which re-activates it."""
    store.save_subscription(Subscription.new(TEAM, "C1", MONDAY, "U1", NOW))
    paused_at = NOW + timedelta(days=1)
    assert store.pause_subscription("C1", "is_archived", paused_at)
    assert not store.pause_subscription("C1", "is_archived", paused_at)
    sub = store.get_subscription("C1")
    assert (sub.status, sub.paused_reason, sub.paused_at) == ("paused", "is_archived", paused_at)
    assert store.active_subscriptions() == []
    assert [s.channel_id for s in store.all_subscriptions()] == ["C1"]

    resumed_at = NOW + timedelta(days=3)
    store.save_subscription(Subscription.new(TEAM, "C1", MONDAY, "U1", resumed_at))
    sub = store.get_subscription("C1")
    assert (sub.status, sub.paused_reason, sub.paused_at) == ("active", None, None)
    assert sub.active_since == resumed_at
    assert [s.channel_id for s in store.active_subscriptions()] == ["C1"]


def test_deleting_a_subscription(store):
    """Unsubscribing removes the row and says whether there was one."""
    store.save_subscription(Subscription.new(TEAM, "C1", MONDAY, "U1", NOW))
    assert store.delete_subscription("C1")
    assert not store.delete_subscription("C1")
    assert store.get_subscription("C1") is None


def test_subscriptions_are_listed_by_channel(store):
    """Listings are in a stable order."""
    for channel in ("C3", "C1", "C2"):
        store.save_subscription(Subscription.new(TEAM, channel, MONDAY, "U1", NOW))
    assert [s.channel_id for s in store.active_subscriptions()] == ["C1", "C2", "C3"]


def test_a_rotation_round_trips_and_is_replaced(store):
    """The order, round and position survive; saving again replaces them."""
    assert store.load_rotation("C1") is None
    store.save_rotation("C1", Rotation(1, ("b", "a", "c"), 1), NOW)
    assert store.load_rotation("C1") == Rotation(1, ("b", "a", "c"), 1)
    store.save_rotation("C1", Rotation(2, ("c", "a", "b"), 0), NOW)
    assert store.load_rotation("C1") == Rotation(2, ("c", "a", "b"), 0)


def test_datetimes_come_back_as_aware_utc(store):
    """A Berlin-local slot is stored as the same instant and returned in UTC."""
    local = datetime(2025, 10, 27, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert store.claim_delivery("C1", local, "w", local)
    (row,) = store.deliveries("C1")
    assert row.slot_at == local
    assert row.slot_at.tzinfo is UTC
    assert row.slot_at.hour == 8
    assert not store.claim_delivery("C1", row.slot_at, "w", local)


def test_naive_datetimes_are_refused(store):
    """Guessing a zone for a naive datetime would silently shift slots; it is an error."""
    with pytest.raises(StatementError, match="naive"):
        store.claim_delivery("C1", datetime(2025, 6, 2, 9, 0), "w", NOW)


def test_a_slot_can_be_claimed_only_once(store):
    """The second claim of a slot loses, whoever makes it; other slots are independent."""
    assert store.claim_delivery("C1", SLOT, "w1", NOW)
    assert not store.claim_delivery("C1", SLOT, "w2", NOW)
    assert store.claim_delivery("C1", SLOT + timedelta(weeks=1), "w2", NOW)
    assert store.claim_delivery("C2", SLOT, "w2", NOW)
    row = store.deliveries("C1")[0]
    assert (row.status, row.claimed_by, row.claimed_at, row.attempts) == ("claimed", "w1", NOW, 1)


def test_finishing_a_delivery_records_the_outcome(store):
    """finish_delivery stores status, reason, tip and ts."""
    store.claim_delivery("C1", SLOT, "w1", NOW)
    later = NOW + timedelta(seconds=2)
    assert store.finish_delivery("C1", SLOT, "sent", now=later, tip_id="t1", message_ts="1.2")
    (row,) = store.deliveries("C1")
    assert (row.status, row.tip_id, row.message_ts, row.updated_at) == ("sent", "t1", "1.2", later)


def test_a_retry_is_reclaimed_by_exactly_one_worker(store):
    """Only a 'retry' row can be reclaimed, and only once; the chosen tip is kept."""
    store.claim_delivery("C1", SLOT, "w1", NOW)
    assert not store.reclaim_retry("C1", SLOT, "w2", NOW)
    store.finish_delivery("C1", SLOT, "retry", now=NOW, reason="ratelimited", tip_id="t1")
    assert store.reclaim_retry("C1", SLOT, "w2", NOW + timedelta(minutes=1))
    assert not store.reclaim_retry("C1", SLOT, "w3", NOW + timedelta(minutes=1))
    (row,) = store.deliveries("C1")
    assert (row.status, row.claimed_by, row.attempts, row.tip_id) == ("claimed", "w2", 2, "t1")


def test_guarded_finishes_do_not_overwrite_a_newer_outcome(store):
    """`expect` and `claimed_before` turn finish_delivery into a compare-and-set."""
    store.claim_delivery("C1", SLOT, "w1", NOW)
    store.finish_delivery("C1", SLOT, "sent", now=NOW, tip_id="t1", message_ts="1.2")
    cutoff = NOW + timedelta(minutes=10)
    assert not store.finish_delivery("C1", SLOT, "failed", now=cutoff, claimed_before=cutoff)
    assert not store.finish_delivery("C1", SLOT, "failed", now=cutoff, expect="retry")
    assert store.deliveries("C1")[0].status == "sent"


def test_stale_claims_are_the_old_unfinished_ones(store):
    """Only rows still 'claimed' before the cutoff are stale."""
    store.claim_delivery("C1", SLOT, "w1", NOW)
    store.claim_delivery("C2", SLOT, "w1", NOW + timedelta(minutes=9))
    store.claim_delivery("C3", SLOT, "w1", NOW)
    store.finish_delivery("C3", SLOT, "sent", now=NOW)
    stale = store.stale_claims(NOW + timedelta(minutes=5))
    assert [(row.channel_id, row.claimed_by) for row in stale] == [("C1", "w1")]


def test_missed_slots_are_recorded_once_and_never_overwrite(store):
    """record_missed inserts only when the slot has no row yet."""
    assert store.record_missed("C1", SLOT, "bot was not running", NOW)
    assert not store.record_missed("C1", SLOT, "again", NOW)
    store.claim_delivery("C2", SLOT, "w1", NOW)
    assert not store.record_missed("C2", SLOT, "too late", NOW)
    assert [(row.channel_id, row.status, row.reason) for row in store.deliveries()] == [
        ("C1", "missed", "bot was not running"),
        ("C2", "claimed", None),
    ]


def test_deliveries_filter_by_channel_and_since(store):
    """The ledger can be read for one channel and from a slot onwards, oldest first."""
    for week in (2, 0, 1):
        store.claim_delivery("C1", SLOT + timedelta(weeks=week), "w", NOW)
    store.claim_delivery("C2", SLOT, "w", NOW)
    since = SLOT + timedelta(weeks=1)
    assert [row.slot_at for row in store.deliveries("C1", since=since)] == [
        since,
        since + timedelta(weeks=1),
    ]
    assert len(store.deliveries()) == 4


def test_votes_toggle_one_per_user_per_post(store):
    """Clicking adds a vote, clicking again takes it back; votes are per post."""
    assert store.toggle_vote("C1", "1.1", "U1", NOW) == (True, 1)
    assert store.toggle_vote("C1", "1.1", "U2", NOW) == (True, 2)
    assert store.toggle_vote("C1", "1.1", "U1", NOW) == (False, 1)
    assert store.toggle_vote("C1", "2.2", "U1", NOW) == (True, 1)
    assert store.vote_count("C1", "1.1") == 1
    assert store.vote_count("C1", "9.9") == 0
    assert store.toggle_vote("C1", "1.1", "U1", NOW) == (True, 2)


def test_shares_are_recorded(store):
    """Each share is a row of its own."""
    store.record_share("t1", "C1", "U1", NOW)
    store.record_share("t1", "C1", "U1", NOW)
    assert count_rows(store, shares) == 2


def test_concurrent_claims_of_one_slot_have_exactly_one_winner(database_url):
    """Eight threads, each with its own engine, claim one slot at once: one wins."""
    wins = []

    def claim(worker):
        with separate_store(database_url) as own:
            wins.append(own.claim_delivery("C1", SLOT, worker, NOW))

    assert race([f"w{n}" for n in range(8)], claim) == []
    assert sorted(wins) == [False] * 7 + [True]


def test_last_sent_is_the_latest_slot_that_was_sent(store):
    """Later slots that failed or are in flight do not count; other channels do not either."""
    assert store.last_sent("U1") is None
    week = timedelta(weeks=1)
    for n, status in enumerate(("sent", "sent", "failed")):
        store.claim_delivery("U1", SLOT + n * week, "w1", NOW + n * week)
        store.finish_delivery("U1", SLOT + n * week, status, now=NOW + n * week, tip_id=f"t{n}")
    store.claim_delivery("U1", SLOT + 3 * week, "w1", NOW + 3 * week)
    store.claim_delivery("U2", SLOT + 4 * week, "w1", NOW + 4 * week)
    store.finish_delivery("U2", SLOT + 4 * week, "sent", now=NOW + 4 * week, tip_id="other")
    last = store.last_sent("U1")
    assert (last.slot_at, last.status, last.tip_id) == (SLOT + week, "sent", "t1")


# The shared state of many processes: done once, the scheduler lease, recent tips -------


def test_a_key_is_done_once_until_it_expires(store):
    """first_time is True once per key, False while remembered, True again once expired."""
    ten_minutes = timedelta(minutes=10)
    assert store.first_time("T1:trigger-1", NOW, ten_minutes) is True
    assert store.first_time("T1:trigger-1", NOW + timedelta(minutes=9), ten_minutes) is False
    assert store.first_time("T1:trigger-2", NOW, ten_minutes) is True
    assert store.first_time("T1:trigger-1", NOW + timedelta(minutes=11), ten_minutes) is True


def test_the_lease_has_one_holder_until_it_expires_or_is_released(store):
    """A takes the lease and renews it; B cannot until it lapses; a release frees it at once."""
    ttl = timedelta(seconds=90)
    assert store.take_lease("scheduler", "host:1", NOW, ttl) is True
    assert store.take_lease("scheduler", "host:2", NOW + timedelta(seconds=30), ttl) is False
    assert store.take_lease("scheduler", "host:1", NOW + timedelta(seconds=60), ttl) is True
    assert store.lease_holder("scheduler", NOW + timedelta(seconds=100)) == "host:1"
    later = NOW + timedelta(seconds=151)
    assert store.lease_holder("scheduler", later) is None, "expired 90 s after the renewal"
    assert store.take_lease("scheduler", "host:2", later, ttl) is True
    store.release_lease("scheduler", "host:1")
    assert store.lease_holder("scheduler", later) == "host:2", "only the holder can release"
    store.release_lease("scheduler", "host:2")
    assert store.take_lease("scheduler", "host:3", later, ttl) is True


def test_recent_tips_keep_the_last_few_choices_per_person(store):
    """Each choice sees what came before, oldest first; only the last `keep` are kept."""
    seen_by_chooser = []

    def choose_next(number):
        def choose(seen):
            seen_by_chooser.append(list(seen))
            return f"tip-{number}"

        return choose

    for number in range(1, 8):
        assert store.remember_recent_choice("U1", choose_next(number), 5, NOW) == f"tip-{number}"
    assert store.recent_tip_ids("U1") == [f"tip-{n}" for n in range(3, 8)]
    assert seen_by_chooser[-1] == [f"tip-{n}" for n in range(2, 7)]
    assert store.recent_tip_ids("U2") == []

"""Check-ins against a real SQLite file: once at the due time, one reminder, then a lapse."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.coaching.checkins import INTERRUPTED, CheckInRound
from bot.coaching.models import CommitmentDraft
from bot.errors import (
    AuthRevoked,
    ChannelUnavailable,
    PostOutcomeUnknown,
    PostRejected,
    TransientSlackError,
)
from bot.store.sql import SqlStore
from bot.workspace import Workspace
from tests.coaching.fakes import FakeCheckInPoster
from tests.racing import race, separate_store

GRACE = timedelta(hours=12)
COMMITTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = COMMITTED + timedelta(days=7)
DAY = timedelta(days=1)
DRAFT = CommitmentDraft(
    team_id="T1",
    user_id="U1",
    tip_id="trust-your-team",
    tip_title="Train people so nothing stops without you",
    text="Walk Grace through the release checklist",
    note=None,
    due_at=DUE,
    timezone="UTC",
)


class Crash(BaseException):
    """The process dying mid-post: not an Exception, so nothing in the round catches it."""


def tick(store, poster, now, worker="worker-1", workers=1):
    """Run one scheduler tick of the check-ins at `now`."""
    check_ins = CheckInRound(
        store=store, poster=poster, grace=GRACE, worker_id=worker, workers=workers
    )
    return check_ins.deliver_due(now)


def commit(store, **changes):
    """Store a commitment (DRAFT with `changes`), made a week before DUE."""
    saved, _ = store.save_commitment(replace(DRAFT, **changes), COMMITTED)
    return saved


def ledger(store, commitment):
    """The commitment's check-in ledger as (kind, status) pairs."""
    return [(row.kind, row.status) for row in store.check_ins_of(commitment.id)]


def test_a_check_in_is_sent_once_however_often_the_scheduler_ticks(store, poster):
    """Ticks before, at and after the due time send exactly one DM, recorded as sent."""
    commitment = commit(store)
    for at in (DUE - timedelta(minutes=1), DUE, DUE + timedelta(seconds=30), DUE + DAY):
        tick(store, poster, at)
    assert poster.kinds() == ["checkin"]
    (row,) = store.check_ins_of(commitment.id)
    assert (row.status, row.channel_id, row.message_ts) == ("sent", "DU1", "1.000200")


def test_an_unanswered_check_in_gets_one_reminder_then_lapses_quietly(store, poster):
    """Three days on, one reminder; seven days on, the commitment lapses with no DM."""
    commitment = commit(store)
    tick(store, poster, DUE)
    tick(store, poster, DUE + 3 * DAY - timedelta(minutes=1))
    assert poster.kinds() == ["checkin"]
    for at in (DUE + 3 * DAY, DUE + 3 * DAY + timedelta(minutes=1), DUE + 6 * DAY):
        tick(store, poster, at)
    assert poster.kinds() == ["checkin", "reminder"]
    assert store.get_commitment(commitment.id, "U1").state == "active"
    report = tick(store, poster, DUE + 7 * DAY)
    assert report.lapsed == 1
    assert poster.kinds() == ["checkin", "reminder"], "a lapse sends nothing"
    lapsed = store.get_commitment(commitment.id, "U1")
    assert (lapsed.state, lapsed.next_action_at) == ("lapsed", None)
    tick(store, poster, DUE + 30 * DAY)
    assert len(poster.dms) == 2


def test_an_answer_stops_the_reminder(store, poster):
    """Done before the reminder is due: no reminder, no lapse."""
    commitment = commit(store)
    tick(store, poster, DUE)
    store.answer_commitment(commitment.id, "U1", DUE, "done", DUE + DAY)
    for at in (DUE + 3 * DAY, DUE + 8 * DAY):
        tick(store, poster, at)
    assert poster.kinds() == ["checkin"]
    assert store.get_commitment(commitment.id, "U1").state == "done"


def test_not_yet_starts_the_line_again_at_the_new_time(store, poster):
    """A snoozed commitment is checked in on again at its new time, then reminded."""
    commitment = commit(store)
    tick(store, poster, DUE)
    later = DUE + 2 * DAY
    store.snooze_commitment(commitment.id, "U1", DUE, later, DUE + DAY)
    tick(store, poster, DUE + DAY + timedelta(hours=23))
    assert poster.kinds() == ["checkin"], "the old due time's reminder is off"
    tick(store, poster, later)
    tick(store, poster, later + 3 * DAY)
    assert poster.kinds() == ["checkin", "checkin", "reminder"]


def test_a_check_in_due_while_the_bot_was_down_is_sent_late_once_inside_the_grace(store, poster):
    """Back 11 hours after the due time: sent once, late."""
    commit(store)
    tick(store, poster, DUE + timedelta(hours=11))
    tick(store, poster, DUE + timedelta(hours=11, minutes=1))
    assert poster.kinds() == ["checkin"]


def test_a_check_in_older_than_the_grace_is_missed_and_the_reminder_still_comes(store, poster):
    """Back two days late: the check-in is recorded as missed; the reminder goes on its day."""
    commitment = commit(store)
    report = tick(store, poster, DUE + 2 * DAY)
    assert (report.missed, report.sent) == (1, 0)
    assert ledger(store, commitment) == [("checkin", "missed")]
    assert "within 12 hours" in str(store.check_ins_of(commitment.id)[0].reason)
    tick(store, poster, DUE + 3 * DAY)
    assert poster.kinds() == ["reminder"]


def test_a_bot_down_for_a_fortnight_sends_nothing_stale(store, poster):
    """Everything missed is recorded, and the commitment lapses without a DM."""
    commitment = commit(store)
    tick(store, poster, DUE + 14 * DAY)
    assert poster.dms == []
    assert ledger(store, commitment) == [("checkin", "missed"), ("reminder", "missed")]
    assert store.get_commitment(commitment.id, "U1").state == "lapsed"


def test_slack_unavailable_is_retried_on_a_later_tick(store, poster):
    """A 429 past the retries or a refused connection: 'retry', then sent a minute later."""
    commitment = commit(store)
    poster.fail_next["U1"] = [TransientSlackError("ratelimited")]
    report = tick(store, poster, DUE)
    assert report.retry == 1
    assert ledger(store, commitment) == [("checkin", "retry")]
    tick(store, poster, DUE + timedelta(minutes=1))
    assert poster.kinds() == ["checkin"]
    (row,) = store.check_ins_of(commitment.id)
    assert (row.status, row.attempts) == ("sent", 2)


def test_a_retry_past_the_grace_window_gives_up(store, poster):
    """Slack unavailable until the grace window closed: failed with the last error."""
    commitment = commit(store)
    poster.fail_next["U1"] = [TransientSlackError("ratelimited")]
    tick(store, poster, DUE)
    tick(store, poster, DUE + GRACE + timedelta(minutes=1))
    (row,) = store.check_ins_of(commitment.id)
    assert row.status == "failed"
    assert "ratelimited" in str(row.reason)


@pytest.mark.parametrize("error", [PostOutcomeUnknown("HTTP 500"), PostRejected("invalid_blocks")])
def test_a_dm_slack_may_have_delivered_is_never_sent_again(store, poster, error):
    """A 500 or a refusal: 'failed', not re-sent; the reminder still comes in three days."""
    commitment = commit(store)
    poster.fail_next["U1"] = [error]
    tick(store, poster, DUE)
    tick(store, poster, DUE + timedelta(minutes=5))
    assert poster.dms == []
    assert ledger(store, commitment) == [("checkin", "failed")]
    tick(store, poster, DUE + 3 * DAY)
    assert poster.kinds() == ["reminder"]


@pytest.mark.parametrize("reason", ["cannot_dm_bot", "user_not_found", "user_disabled"])
def test_a_person_who_cannot_be_dmed_has_their_check_ins_paused(store, poster, reason):
    """DMs blocked or the person gone: every active commitment of theirs pauses; no loop."""
    first = commit(store)
    second = commit(store, tip_id="say-no", due_at=DUE + DAY)
    someone_else = commit(store, user_id="U2")
    poster.fail_next["U1"] = [ChannelUnavailable(reason)]
    report = tick(store, poster, DUE)
    assert report.paused == 1
    for commitment in (first, second):
        paused = store.get_commitment(commitment.id, "U1")
        assert (paused.state, paused.paused_reason) == ("paused", reason)
    for later in range(1, 10):
        tick(store, poster, DUE + later * DAY)
    assert [user for user, _, _ in poster.dms] == ["U2", "U2"], "U1 is left alone"
    assert store.get_commitment(someone_else.id, "U2").state == "lapsed"


def test_a_revoked_token_stops_the_round_and_the_dm_waits_to_retry(store, poster):
    """invalid_auth raises after recording 'retry'; once the token works, the DM is sent."""
    commitment = commit(store)
    poster.fail_next["U1"] = [AuthRevoked("invalid_auth")]
    with pytest.raises(AuthRevoked):
        tick(store, poster, DUE)
    assert ledger(store, commitment) == [("checkin", "retry")]
    tick(store, poster, DUE + timedelta(minutes=2))
    assert poster.kinds() == ["checkin"]


def test_a_worker_that_died_mid_post_leaves_the_dm_failed_not_sent_twice(store, poster):
    """The claim stays 'claimed'; ten minutes on it is closed as interrupted, never re-sent."""
    commitment = commit(store)
    poster.fail_next["U1"] = [Crash()]
    with pytest.raises(Crash):
        tick(store, poster, DUE)
    tick(store, poster, DUE + timedelta(minutes=5))
    assert ledger(store, commitment) == [("checkin", "claimed")]
    report = tick(store, poster, DUE + timedelta(minutes=11))
    assert report.failures == [INTERRUPTED]
    assert ledger(store, commitment) == [("checkin", "failed")]
    assert poster.dms == []


def test_two_schedulers_racing_send_each_person_one_dm(store, db_url):
    """Two workers with their own connections tick at once over 30 commitments: 30 DMs."""
    commitments = [commit(store, user_id=f"U{n:02d}") for n in range(30)]
    poster = FakeCheckInPoster()

    def run(worker):
        with separate_store(db_url) as own:
            tick(own, poster, DUE + timedelta(seconds=1), worker=worker, workers=4)

    assert race(["scheduler-a", "scheduler-b"], run) == []
    assert sorted(cid for _, cid, _ in poster.dms) == sorted(c.id for c in commitments)
    for commitment in commitments:
        assert ledger(store, commitment) == [("checkin", "sent")]


def test_a_commitment_waiting_for_an_answer_costs_the_scheduler_nothing(store, poster):
    """After the check-in, the commitment is not read again until its reminder is due."""
    commit(store)
    tick(store, poster, DUE)
    assert store.due_commitments(DUE + 3 * DAY - timedelta(seconds=1)) == []
    assert len(store.due_commitments(DUE + 3 * DAY)) == 1


def test_a_revoked_token_stops_only_its_own_workspace(store, poster):
    """T1's token is rejected: T1 sends nothing more this tick, T2's DM still goes, no
    raise; once T1's token works, its DMs are sent, each once."""
    every_workspace = SqlStore(store.engine)
    first = commit(store, user_id="U1")
    second = commit(store, user_id="U2")
    elsewhere = commit(every_workspace.for_workspace(Workspace("T2")), team_id="T2", user_id="U3")
    poster.fail_next["U1"] = [AuthRevoked("invalid_auth")]
    report = tick(every_workspace, poster, DUE)
    assert report.sent == 1
    assert [user for user, _, _ in poster.dms] == ["U3"]
    assert ledger(store, first) == [("checkin", "retry")]
    assert ledger(store, second) == [], "not tried: T1's token was already known bad"
    assert ledger(every_workspace.for_workspace(Workspace("T2")), elsewhere) == [
        ("checkin", "sent")
    ]
    tick(every_workspace, poster, DUE + timedelta(minutes=1))
    assert sorted(user for user, _, _ in poster.dms) == ["U1", "U2", "U3"]

"""The coaching store on SQLite and PostgreSQL: commitments, the check-in ledger, profiles."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from bot.coaching.models import CommitmentDraft, Profile
from bot.store.tables import checkins, commitments
from tests.racing import race, separate_store

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
DUE = NOW + timedelta(days=7)
DRAFT = CommitmentDraft(
    team_id="T1",
    user_id="U1",
    tip_id="trust-your-team",
    tip_title="Train people so nothing stops without you",
    text="Walk Grace through the release checklist",
    note="She asked last week",
    due_at=DUE,
    timezone="Europe/Berlin",
)


def count_rows(store, table):
    """How many rows `table` holds."""
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(table)).scalar_one()


def test_a_commitment_round_trips_and_is_due_at_its_time(store):
    """Every field comes back as committed; the scheduler first looks at it when it is due."""
    saved, created = store.save_commitment(DRAFT, NOW)
    assert created
    assert (saved.user_id, saved.tip_id, saved.text, saved.note) == (
        "U1",
        "trust-your-team",
        "Walk Grace through the release checklist",
        "She asked last week",
    )
    assert (saved.state, saved.due_at, saved.next_action_at) == ("active", DUE, DUE)
    assert store.get_commitment(saved.id, "U1") == saved
    assert store.due_commitments(DUE - timedelta(seconds=1)) == []
    assert store.due_commitments(DUE) == [saved]


def test_committing_again_to_the_same_tip_edits_the_open_commitment(store):
    """Same person, same tip: one row, the new words and time, the first created_at kept."""
    first, _ = store.save_commitment(DRAFT, NOW)
    later = NOW + timedelta(hours=1)
    edited, created = store.save_commitment(
        replace(DRAFT, text="Pair with Grace on one release", due_at=DUE + timedelta(days=1)),
        later,
    )
    assert not created
    assert edited.id == first.id
    assert (edited.text, edited.due_at, edited.created_at, edited.updated_at) == (
        "Pair with Grace on one release",
        DUE + timedelta(days=1),
        NOW,
        later,
    )
    assert count_rows(store, commitments) == 1


def test_another_person_or_another_tip_is_another_commitment(store):
    """The one-open rule is per person and per tip."""
    store.save_commitment(DRAFT, NOW)
    store.save_commitment(replace(DRAFT, user_id="U2"), NOW)
    store.save_commitment(replace(DRAFT, tip_id="say-no"), NOW)
    assert count_rows(store, commitments) == 3


def test_a_commitment_is_read_only_by_its_author(store):
    """Someone else asking for it by id gets nothing, and cannot answer or reflect on it."""
    saved, _ = store.save_commitment(DRAFT, NOW)
    assert store.get_commitment(saved.id, "U2") is None
    assert store.answer_commitment(saved.id, "U2", DUE, "done", DUE) is None
    assert not store.save_reflection(saved.id, "U2", "I learned nothing", DUE)
    assert store.commitments_of("U2") == []
    assert store.get_commitment(saved.id, "U1").state == "active"


def test_an_answer_is_taken_once_and_only_for_the_due_time_asked_about(store):
    """Done ends it once; a second answer, or one about an older due time, changes nothing."""
    saved, _ = store.save_commitment(DRAFT, NOW)
    assert store.claim_check_in(saved, "checkin", "w1", DUE)
    store.finish_check_in(
        saved.id, "checkin", DUE, "sent", now=DUE, channel_id="D1", message_ts="1.1"
    )
    assert store.answer_commitment(saved.id, "U1", DUE - timedelta(days=1), "done", DUE) is None
    done = store.answer_commitment(saved.id, "U1", DUE, "done", DUE + timedelta(hours=1))
    assert done is not None
    assert (done.state, done.answered_at, done.next_action_at) == (
        "done",
        DUE + timedelta(hours=1),
        None,
    )
    assert store.answer_commitment(saved.id, "U1", DUE, "drop", DUE + timedelta(hours=2)) is None
    (row,) = store.check_ins_of(saved.id)
    assert (row.answer, row.answered_at) == ("done", DUE + timedelta(hours=1))


def test_not_yet_moves_the_check_in_and_a_done_one_can_be_committed_to_again(store):
    """Snoozing moves the due time; after Done the same tip starts a new commitment."""
    saved, _ = store.save_commitment(DRAFT, NOW)
    store.claim_check_in(saved, "checkin", "w1", DUE)
    later = DUE + timedelta(weeks=1)
    snoozed = store.snooze_commitment(saved.id, "U1", DUE, later, DUE)
    assert (snoozed.due_at, snoozed.next_action_at, snoozed.snoozes) == (later, later, 1)
    assert store.snooze_commitment(saved.id, "U1", DUE, later, DUE) is None, "asked twice"
    (row,) = store.check_ins_of(saved.id)
    assert row.answer == "not_yet"
    store.answer_commitment(saved.id, "U1", later, "partly", later)
    assert store.save_reflection(saved.id, "U1", "Smaller steps next time", later)
    again, created = store.save_commitment(DRAFT, later)
    assert created
    assert again.id != saved.id
    kept = store.get_commitment(saved.id, "U1")
    assert (kept.state, kept.reflection) == ("partly", "Smaller steps next time")


def test_a_check_in_is_claimed_by_exactly_one_of_many_workers(store, database_url):
    """Eight workers on their own connections race for one DM: one wins."""
    saved, _ = store.save_commitment(DRAFT, NOW)
    winners = []

    def claim(worker):
        with separate_store(database_url) as own:
            if own.claim_check_in(saved, "checkin", worker, DUE):
                winners.append(worker)

    assert race([f"w{n}" for n in range(8)], claim) == []
    assert len(winners) == 1
    assert count_rows(store, checkins) == 1


def test_no_check_in_is_claimed_once_the_person_has_answered(store):
    """A claim checks the commitment is still active and still due at that time."""
    saved, _ = store.save_commitment(DRAFT, NOW)
    store.answer_commitment(saved.id, "U1", DUE, "drop", DUE)
    assert not store.claim_check_in(saved, "checkin", "w1", DUE)
    assert store.check_ins_of(saved.id) == []


def test_a_missed_dm_is_recorded_once_and_blocks_a_later_claim(store):
    """record_missed says True once; nobody can claim that DM afterwards."""
    saved, _ = store.save_commitment(DRAFT, NOW)
    assert store.record_missed_check_in(saved, "checkin", "bot was down", DUE)
    assert not store.record_missed_check_in(saved, "checkin", "bot was down", DUE)
    assert not store.claim_check_in(saved, "checkin", "w1", DUE)
    (row,) = store.check_ins_of(saved.id)
    assert (row.status, row.reason, row.attempts) == ("missed", "bot was down", 0)


def test_a_retry_is_reclaimed_by_one_worker_and_a_stale_claim_is_found(store):
    """'retry' goes back to 'claimed' once; an old claim shows up as stale."""
    saved, _ = store.save_commitment(DRAFT, NOW)
    store.claim_check_in(saved, "checkin", "w1", DUE)
    assert store.stale_check_in_claims(DUE + timedelta(minutes=11))[0].claimed_by == "w1"
    store.finish_check_in(saved.id, "checkin", DUE, "retry", now=DUE, reason="ratelimited")
    assert store.reclaim_check_in(saved.id, "checkin", DUE, "w2", DUE + timedelta(minutes=1))
    assert not store.reclaim_check_in(saved.id, "checkin", DUE, "w3", DUE + timedelta(minutes=1))
    (row,) = store.check_ins_of(saved.id)
    assert (row.status, row.claimed_by, row.attempts) == ("claimed", "w2", 2)


def test_due_check_ins_are_the_ledger_rows_of_the_current_due_time(store):
    """After a snooze the old due time's row is history, not part of what is due."""
    saved, _ = store.save_commitment(DRAFT, NOW)
    store.claim_check_in(saved, "checkin", "w1", DUE)
    assert [row.kind for row in store.due_check_ins(DUE)] == ["checkin"]
    store.snooze_commitment(saved.id, "U1", DUE, DUE + timedelta(days=1), DUE)
    assert store.due_check_ins(DUE + timedelta(days=1)) == []


def test_pausing_and_resuming_a_persons_check_ins(store):
    """Pausing takes every active one out of the schedule; resuming makes overdue ones due now."""
    first, _ = store.save_commitment(DRAFT, NOW)
    second, _ = store.save_commitment(
        replace(DRAFT, tip_id="say-no", due_at=DUE + timedelta(days=30)), NOW
    )
    store.save_commitment(replace(DRAFT, user_id="U2"), NOW)
    assert store.pause_commitments("U1", "cannot_dm_bot", DUE) == 2
    assert [c.user_id for c in store.due_commitments(DUE)] == ["U2"]
    back = DUE + timedelta(days=2)
    assert store.resume_commitments("U1", back) == 2
    resumed = {c.id: c for c in store.commitments_of("U1")}
    assert (resumed[first.id].state, resumed[first.id].due_at) == ("active", back)
    assert resumed[second.id].due_at == DUE + timedelta(days=30)


def test_a_profile_round_trips(store):
    """Track and focus come back as saved; saving again replaces them."""
    assert store.get_profile("U1") is None
    store.save_profile(Profile("U1", "staff", ("mentoring", "delegation")), NOW)
    assert store.get_profile("U1") == Profile("U1", "staff", ("mentoring", "delegation"))
    store.save_profile(Profile("U1", None, ()), NOW)
    assert store.get_profile("U1") == Profile("U1", None, ())


def test_outcomes_and_the_funnel_count_without_names(store):
    """Per tip, made and how they ended; the funnel counts tips served, commitments, answers."""
    for user, answer in (("U1", "done"), ("U2", "done"), ("U3", "drop"), ("U4", None)):
        saved, _ = store.save_commitment(replace(DRAFT, user_id=user), NOW)
        store.claim_check_in(saved, "checkin", "w1", DUE)
        if answer:
            store.answer_commitment(saved.id, user, DUE, answer, DUE)
    store.remember_recent_choice("U9", lambda seen: "t1", 5, DUE)
    store.remember_recent_choice("U9", lambda seen: "t2", 5, DUE)
    (outcome,) = store.commitment_outcomes()
    assert (outcome.tip_id, outcome.made, outcome.done, outcome.dropped) == (
        "trust-your-team",
        4,
        2,
        1,
    )
    assert outcome.completion_rate == 2 / 3
    funnel = store.coaching_funnel(NOW - timedelta(days=1))
    assert (funnel.tips_served, funnel.commitments, funnel.check_ins_answered, funnel.done) == (
        2,
        4,
        3,
        2,
    )
    assert "U1" not in repr(store.commitment_outcomes()) + repr(funnel)

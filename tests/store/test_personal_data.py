"""What tipbot stores about a person can be printed whole and deleted whole."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.coaching.models import CommitmentDraft, Profile
from bot.nuggets.models import Subscription
from bot.nuggets.rotation import Rotation
from bot.nuggets.schedule import Schedule
from bot.store.personal_sql import PERSONAL_COLUMNS
from bot.store.tables import metadata
from tests.teams import TEAM

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MONDAY = Schedule(0, "09:00", "UTC")
ADA = "U0ADA"
BOB = "U0BOB"


def live_through_a_month(store, user):
    """Everything a person leaves behind: a DM subscription with its ledger and rotation, a
    channel they subscribed, votes, shares, recent tips, commitments, check-ins, a profile."""
    team = store.workspace
    store.save_subscription(Subscription.new(team, user, MONDAY, user, NOW, kind="dm"))
    store.save_subscription(Subscription.new(team, f"C{user[1:]}", MONDAY, user, NOW))
    store.save_rotation(user, Rotation(1, ("t1", "t2"), 1), NOW)
    store.claim_delivery(user, NOW, "w1", NOW)
    store.toggle_vote("C1", "1.1", user, NOW)
    store.record_share("t1", "C1", user, NOW)
    store.remember_recent_choice(user, lambda seen: "t1", 5, NOW)
    draft = CommitmentDraft(
        team.team_id, user, "t1", "A tip", "Try it", "a private note", NOW, "UTC"
    )
    saved, _ = store.save_commitment(draft, NOW - timedelta(days=1))
    store.claim_check_in(saved, "checkin", "w1", NOW)
    store.answer_commitment(saved.id, user, NOW, "done", NOW)
    store.save_reflection(saved.id, user, "What I learned", NOW)
    store.save_commitment(replace(draft, tip_id="t2", due_at=NOW + timedelta(days=3)), NOW)
    store.save_profile(Profile(user, "staff", ("mentoring",)), NOW)


def rows_naming(store, user):
    """(table, column) of every stored value that contains the user's id, in any table."""
    found: list[tuple[str, str]] = []
    with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                found.extend(
                    (table.name, column) for column, value in row.items() if user in str(value)
                )
    return found


def test_every_column_that_can_hold_a_user_id_is_listed(store):
    """A column called user_id or subscribed_by anywhere in the schema is a personal column."""
    listed = {(column.table.name, column.name) for column in PERSONAL_COLUMNS}
    for table in metadata.sorted_tables:
        for column in table.columns:
            if column.name in ("user_id", "subscribed_by"):
                assert (table.name, column.name) in listed, (table.name, column.name)


def test_export_holds_everything_about_the_person_and_nothing_about_others(store):
    """Their notes and reflections are there; another person's rows are not."""
    live_through_a_month(store, ADA)
    live_through_a_month(store, BOB)
    data = store.personal_data(ADA)
    assert {row["text"] for row in data["commitments"]} == {"Try it"}
    assert [row["note"] for row in data["commitments"]] == ["a private note"] * 2
    assert "What I learned" in {row["reflection"] for row in data["commitments"]}
    profile = {"user_id": ADA, "track": "staff", "focus": '["mentoring"]'}
    assert data["coaching_profiles"] == [
        {"team_id": TEAM.team_id, **profile, "updated_at": NOW.isoformat()}
    ]
    assert {row["channel_id"] for row in data["subscriptions"]} == {ADA, f"C{ADA[1:]}"}
    for table in ("votes", "shares", "recent_tips", "checkins", "deliveries", "rotations"):
        assert data[table], table
    assert BOB not in repr(data)


def test_forgetting_a_person_leaves_no_row_that_names_them(store):
    """After forget, no value in any table holds their id; everyone else's rows stay."""
    live_through_a_month(store, ADA)
    live_through_a_month(store, BOB)
    assert rows_naming(store, ADA)
    before = rows_naming(store, BOB)

    counts = store.forget_person(ADA)

    assert rows_naming(store, ADA) == []
    assert rows_naming(store, BOB) == before
    assert counts["commitments"] == 2
    channel = store.get_subscription(f"C{ADA[1:]}")
    assert channel is not None, "a channel's weekly tip stays for the channel's sake"
    assert channel.subscribed_by == ""
    assert store.personal_data(ADA) == {name: [] for name in store.personal_data(ADA)}

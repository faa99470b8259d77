"""The store keeps workspaces apart: ids that are the same in two teams are two things."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.coaching.models import CommitmentDraft
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.store.scope import WorkspaceRequired, WrongWorkspace
from bot.store.sql import SqlStore
from bot.store.tables import metadata
from tests.store.test_personal_data import ADA, BOB, live_through_a_month
from tests.teams import OTHER_TEAM, TEAM

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MONDAY = Schedule(0, "09:00", "UTC")


def rows_of(store: SqlStore, team_id: str) -> dict[str, list[dict[str, object]]]:
    """Every row whose team is `team_id`, table by table, in a stable order."""
    found: dict[str, list[dict[str, object]]] = {}
    with store.engine.connect() as connection:
        for table in metadata.sorted_tables:
            if "team_id" not in table.c:
                continue
            rows = connection.execute(select(table).where(table.c.team_id == team_id))
            found[table.name] = sorted((dict(row) for row in rows.mappings()), key=repr)
    return found


@pytest.fixture
def both(store: SqlStore) -> tuple[SqlStore, SqlStore]:
    """Stores for two workspaces on one database, each with the same people and channels."""
    ours, theirs = store.for_workspace(TEAM), store.for_workspace(OTHER_TEAM)
    for each in (ours, theirs):
        live_through_a_month(each, ADA)
        live_through_a_month(each, BOB)
        each.first_time("a-request", NOW, timedelta(minutes=10))
    return ours, theirs


def test_forgetting_a_workspace_deletes_its_rows_and_only_its_rows(both):
    """After forget_workspace nothing names the team; the other team's rows are as they were."""
    ours, theirs = both
    kept = rows_of(theirs, OTHER_TEAM.team_id)
    assert all(rows_of(ours, TEAM.team_id).values())

    counts = SqlStore(ours.engine).forget_workspace(TEAM)

    assert rows_of(ours, TEAM.team_id) == {key: [] for key in kept}
    assert rows_of(theirs, OTHER_TEAM.team_id) == kept
    assert counts["subscriptions"] == 4
    assert counts["commitments"] == 4
    assert theirs.get_subscription(ADA) is not None
    assert ours.get_subscription(ADA) is None
    assert SqlStore(ours.engine).forget_workspace(TEAM) == dict.fromkeys(counts, 0)


def test_the_same_channel_in_two_workspaces_has_two_ledgers_votes_and_rotations(both):
    """C1 of one team is not C1 of another: each claims its slot, counts its own votes."""
    ours, theirs = both
    slot = NOW + timedelta(weeks=1)
    assert ours.claim_delivery("C1", slot, "w1", NOW)
    assert theirs.claim_delivery("C1", slot, "w1", NOW)
    assert not theirs.claim_delivery("C1", slot, "w2", NOW)
    ours.toggle_vote("C1", "9.9", "U9", NOW)
    assert (ours.vote_count("C1", "9.9"), theirs.vote_count("C1", "9.9")) == (1, 0)
    assert [row.workspace for row in ours.deliveries("C1", since=slot)] == [TEAM]
    everyone = SqlStore(ours.engine)
    assert {row.workspace for row in everyone.deliveries(since=slot)} == {TEAM, OTHER_TEAM}
    assert len(everyone.active_subscriptions()) == 2 * len(ours.active_subscriptions())


def test_a_person_in_two_workspaces_is_exported_and_forgotten_per_workspace(both):
    """Scoped to a team, export and forget cover that team; unscoped, every team."""
    ours, theirs = both
    assert {row["team_id"] for row in ours.personal_data(ADA)["commitments"]} == {"T1"}
    everyone = SqlStore(ours.engine)
    assert {row["team_id"] for row in everyone.personal_data(ADA)["commitments"]} == {"T1", "T2"}

    ours.forget_person(ADA)

    assert ours.commitments_of(ADA) == []
    assert len(theirs.commitments_of(ADA)) == 2
    everyone.forget_person(ADA)
    assert theirs.commitments_of(ADA) == []


def test_a_store_for_every_workspace_refuses_to_guess_whose_channel_it_is(store):
    """Keyed by a channel or a person, the unscoped store raises instead of mixing teams."""
    everyone = SqlStore(store.engine)
    with pytest.raises(WorkspaceRequired):
        everyone.get_subscription("C1")
    with pytest.raises(WorkspaceRequired):
        everyone.claim_delivery("C1", NOW, "w1", NOW)
    with pytest.raises(WorkspaceRequired):
        everyone.commitments_of(ADA)


def test_a_store_for_one_workspace_refuses_another_workspaces_records(both):
    """A subscription or commitment of team B cannot be saved through team A's store."""
    ours, _ = both
    with pytest.raises(WrongWorkspace):
        ours.save_subscription(Subscription.new(OTHER_TEAM, "C5", MONDAY, ADA, NOW))
    draft = CommitmentDraft("T2", ADA, "t9", "T", "Try", None, NOW + timedelta(days=2), "UTC")
    with pytest.raises(WrongWorkspace):
        ours.save_commitment(draft, NOW)


def test_a_commitment_is_found_by_id_only_in_its_own_workspace(both):
    """A button from team B naming team A's commitment id finds nothing and changes nothing."""
    ours, theirs = both
    (mine, *_) = ours.commitments_of(ADA)
    assert theirs.get_commitment(mine.id, ADA) is None
    assert theirs.save_reflection(mine.id, ADA, "not mine", NOW) is False
    assert theirs.check_ins_of(mine.id) == []
    assert ours.get_commitment(mine.id, ADA) == mine

"""forget_workspace: an uninstalled workspace's rows go, another workspace's stay."""

from dataclasses import replace

from bot.store.sql import SqlStore
from bot.store.tables import checkins, commitments
from bot.workspace import Workspace
from tests.store.test_coaching_store import DRAFT, DUE, NOW, count_rows


def test_forgetting_a_workspace_deletes_its_commitments_and_check_ins_only(store):
    """T1's commitment and its check-in go; T2's stay, check-in and all."""
    everyone = SqlStore(store.engine)
    ours, _ = everyone.save_commitment(DRAFT, NOW)
    theirs, _ = everyone.save_commitment(replace(DRAFT, team_id="T2"), NOW)
    for commitment in (ours, theirs):
        assert everyone.claim_check_in(commitment, "checkin", "test", DUE)

    counts = everyone.forget_workspace(Workspace("T1"))

    assert (counts["checkins"], counts["commitments"]) == (1, 1)
    assert everyone.get_commitment(ours.id, "U1") is None
    assert everyone.for_workspace(Workspace("T2")).get_commitment(theirs.id, "U1") == theirs
    assert (count_rows(store, commitments), count_rows(store, checkins)) == (1, 1)
    assert not any(everyone.forget_workspace(Workspace("T1")).values())

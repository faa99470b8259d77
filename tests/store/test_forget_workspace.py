"""forget_workspace: an uninstalled workspace's rows go, another workspace's stay."""

from dataclasses import replace

from bot.store.tables import checkins, commitments
from bot.workspace import Workspace
from tests.store.test_coaching_store import DRAFT, DUE, NOW, count_rows


def test_forgetting_a_workspace_deletes_its_commitments_and_check_ins_only(store):
    """T1's commitment and its check-in go; T2's stay, check-in and all."""
    ours, _ = store.save_commitment(DRAFT, NOW)
    theirs, _ = store.save_commitment(replace(DRAFT, team_id="T2"), NOW)
    for commitment in (ours, theirs):
        assert store.claim_check_in(commitment, "checkin", "test", DUE)

    counts = store.forget_workspace(Workspace("T1"))

    assert counts == {"checkins": 1, "commitments": 1}
    assert store.get_commitment(ours.id, "U1") is None
    assert store.get_commitment(theirs.id, "U1") == theirs
    assert (count_rows(store, commitments), count_rows(store, checkins)) == (1, 1)
    assert store.forget_workspace(Workspace("T1")) == {"checkins": 0, "commitments": 0}

"""OAuth mode: app_uninstalled forgets every row of the workspace, and only of it."""

from datetime import timedelta

from bot.store.sql import SqlStore
from bot.workspace import Workspace
from tests.oauth import OAuthBot
from tests.slack.test_oauth_uninstall import UNINSTALLED, two_teams
from tests.store.test_personal_data import ADA, BOB, NOW, live_through_a_month
from tests.store.test_workspaces import rows_of

__all__ = ["two_teams"]  # the fixture: two workspaces installed


def test_an_uninstall_deletes_every_table_s_rows_of_the_team(two_teams: OAuthBot) -> None:
    """The same people and channels in T1 and T2: T1's rows all go, T2's are as they were."""
    assert isinstance(two_teams.services.store, SqlStore)
    everyone = two_teams.services.store
    for team in ("T1", "T2"):
        store = everyone.for_workspace(Workspace(team))
        live_through_a_month(store, ADA)
        live_through_a_month(store, BOB)
        store.first_time("a-request", NOW, timedelta(minutes=10))
    kept = rows_of(everyone, "T2")
    assert all(rows_of(everyone, "T1").values())

    assert two_teams.event(UNINSTALLED, team_id="T1").status == 200

    assert rows_of(everyone, "T1") == {table: [] for table in kept}
    assert rows_of(everyone, "T2") == kept

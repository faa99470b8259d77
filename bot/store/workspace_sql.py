"""Whole workspaces in `SqlStore`: forget one (it uninstalled tipbot), adopt old rows."""

from typing import Any

from sqlalchemy import Column, Engine, Table, and_, delete, exists, select, union, update

from bot.store.scope import Scoped
from bot.store.tables import (
    NO_TEAM,
    checkins,
    coaching_profiles,
    commitments,
    deliveries,
    done_once,
    recent_tips,
    rotations,
    shares,
    subscriptions,
    tips_served,
    votes,
)
from bot.workspace import Workspace

# Every table whose rows belong to one workspace, with the columns that, together with the
# team, say which row it is (so an adopted row never collides with one the workspace has).
# Check-ins go before commitments so deleting a workspace reads top to bottom.
WORKSPACE_TABLES: dict[Table, tuple[str, ...]] = {
    subscriptions: ("channel_id",),
    rotations: ("channel_id",),
    deliveries: ("channel_id", "slot_at"),
    votes: ("channel_id", "message_ts", "user_id"),
    shares: ("id",),
    done_once: ("key",),
    recent_tips: ("user_id",),
    checkins: ("id",),
    commitments: ("id",),
    coaching_profiles: ("user_id",),
    tips_served: ("day",),
}
# The tables that also keep the org (Enterprise Grid) of their rows' workspace.
ORG_TABLES = (subscriptions, deliveries, commitments)
# Replay guards and admin-DM keys from before workspaces expire within a day; left alone.
_NOT_ADOPTED = frozenset({done_once.name})


def _same_row(table: Table, other: Any, keys: tuple[str, ...]) -> Any:
    return and_(*(other.c[key] == table.c[key] for key in keys))


class WorkspaceSql(Scoped):
    """`Store.forget_workspace` and `Store.adopt_rows_without_team` for `SqlStore`."""

    _engine: Engine

    def forget_workspace(self, workspace: Workspace) -> dict[str, int]:
        """One transaction: delete every row whose team is the workspace's."""
        counts: dict[str, int] = {}
        with self._engine.begin() as connection:
            for table in WORKSPACE_TABLES:
                keys: list[Column[Any]] = list(table.primary_key.columns)
                statement = (
                    delete(table).where(table.c.team_id == workspace.team_id).returning(*keys)
                )
                counts[table.name] = len(connection.execute(statement).all())
        return counts

    def forget_org(self, enterprise_id: str) -> dict[str, int]:
        """One transaction: delete every row of each workspace known to be in the org.

        A workspace is known to be in the org by a subscription, a ledger row or a
        commitment that names the org: what an uninstall must stop at once.
        """
        in_org = union(
            *(
                select(table.c.team_id).where(table.c.enterprise_id == enterprise_id)
                for table in ORG_TABLES
            )
        ).subquery()
        counts: dict[str, int] = {}
        with self._engine.begin() as connection:
            teams = [row[0] for row in connection.execute(select(in_org.c.team_id))]
            for table in WORKSPACE_TABLES:
                keys: list[Column[Any]] = list(table.primary_key.columns)
                statement = delete(table).where(table.c.team_id.in_(teams)).returning(*keys)
                counts[table.name] = len(connection.execute(statement).all())
        return counts

    def adopt_rows_without_team(self, workspace: Workspace) -> dict[str, int]:
        """One transaction: give rows stored before workspaces (team NO_TEAM) to `workspace`.

        A row whose twin the workspace already has (the same channel and slot, say) stays
        unadopted rather than overwrite it; a later start tries again.
        """
        counts: dict[str, int] = {}
        with self._engine.begin() as connection:
            for table, keys in WORKSPACE_TABLES.items():
                if table.name in _NOT_ADOPTED:
                    continue
                other = table.alias("theirs")
                twin = exists(
                    select(other.c.team_id).where(
                        other.c.team_id == workspace.team_id, _same_row(table, other, keys)
                    )
                )
                values: dict[str, Any] = {"team_id": workspace.team_id}
                if "enterprise_id" in table.c:
                    values["enterprise_id"] = workspace.enterprise_id
                statement = (
                    update(table)
                    .where(table.c.team_id == NO_TEAM, ~twin)
                    .values(values)
                    .returning(*table.primary_key.columns)
                )
                counts[table.name] = len(connection.execute(statement).all())
        return counts

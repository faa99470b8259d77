"""Which workspace a store sees, and the SQL that keeps it to that workspace's rows."""

from typing import Any

from sqlalchemy import ColumnElement, Engine, Table, and_, true

from bot.workspace import Workspace


class WorkspaceRequired(LookupError):
    """A store that sees every workspace was asked for a channel's or a person's rows.

    Slack ids are unique only within a team, so such a question has no single answer;
    ask `store.for_workspace(workspace)` instead.
    """


class WrongWorkspace(ValueError):
    """A store scoped to one workspace was handed a record of another."""


class Scoped:
    """The scope of a `SqlStore`: one workspace, or (None) every workspace."""

    _engine: Engine
    _workspace: Workspace | None

    @property
    def workspace(self) -> Workspace | None:
        """The workspace this store sees, or None when it sees every workspace."""
        return self._workspace

    def _team_id(self) -> str:
        """The scope's team id; raise WorkspaceRequired when the store sees every workspace."""
        if self._workspace is None:
            message = "this store sees every workspace; use store.for_workspace(workspace)"
            raise WorkspaceRequired(message)
        return self._workspace.team_id

    def _workspace_values(self) -> dict[str, Any]:
        """The team and org columns of a new row in the scope's workspace."""
        team_id = self._team_id()
        assert self._workspace is not None
        return {"team_id": team_id, "enterprise_id": self._workspace.enterprise_id}

    def _ours(self, table: Table) -> ColumnElement[bool]:
        """Rows of the scope's workspace; every row when the store sees every workspace."""
        if self._workspace is None:
            return true()
        return table.c.team_id == self._workspace.team_id

    def _channel(self, table: Table, channel_id: str) -> ColumnElement[bool]:
        """The rows of one channel of the scope's workspace."""
        return and_(table.c.team_id == self._team_id(), table.c.channel_id == channel_id)

    def _person(self, table: Table, user_id: str) -> ColumnElement[bool]:
        """The rows of one person of the scope's workspace."""
        return and_(table.c.team_id == self._team_id(), table.c.user_id == user_id)

    def _check_workspace(self, workspace: Workspace) -> None:
        """Refuse a record of another workspace than the one this store sees."""
        if self._workspace is not None and workspace.team_id != self._workspace.team_id:
            message = f"a store for {self._workspace} was given a record of {workspace}"
            raise WrongWorkspace(message)

"""What the Slack layer and the scheduler share: settings, the library, the picker, the clock."""

from dataclasses import dataclass, field, replace
from typing import Any, Protocol

from bot.config import Settings
from bot.content.current import CurrentLibrary
from bot.content.reloading import LibraryReloader
from bot.content.selection import TipPicker
from bot.store.interface import Store
from bot.store.recent_tips import StoredRecentTips
from bot.store.scope import WorkspaceRequired
from bot.time_source import Clock, utc_now
from bot.workspace import Workspace


class WorkspaceAdmins(Protocol):
    """Who administers the workspace a request came from, beyond TIPBOT_ADMINS (OAuth mode)."""

    def is_admin(self, client: Any, user_id: str) -> bool:
        """Whether `user_id` administers the workspace `client` (the request's) speaks for."""
        ...


@dataclass
class Services:
    """The bot's collaborators, built once at start and passed to every listener.

    The store built at start sees every workspace (the scheduler's view); a listener works
    with `for_workspace(the request's workspace)`, whose store and picker see only that one.
    """

    settings: Settings
    library: CurrentLibrary
    store: Store
    # The runner gives it a StoredRecentTips, so every process avoids the same recent tips.
    picker: TipPicker = field(default_factory=TipPicker)
    clock: Clock = utc_now
    # Set once the Slack client exists, since an invalid edit is reported to admins by DM.
    reloader: LibraryReloader | None = None
    # OAuth mode only: each workspace's installer, Slack admins and owners (bot/slack/admins.py).
    workspace_admins: WorkspaceAdmins | None = None

    def workspace(self) -> Workspace:
        """The workspace these services are for; raise when they see every workspace."""
        workspace = self.store.workspace
        if workspace is None:
            raise WorkspaceRequired("these services see every workspace; use for_workspace")
        return workspace

    def for_workspace(self, workspace: Workspace) -> "Services":
        """The same services, with a store (and recent tips) that see only `workspace`."""
        store = self.store.for_workspace(workspace)
        recent = self.picker.recent
        if isinstance(recent, StoredRecentTips):
            recent = StoredRecentTips(store, recent.clock, recent.per_user)
        return replace(self, store=store, picker=TipPicker(self.picker.rng, recent))

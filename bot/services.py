"""What the Slack layer and the scheduler share: settings, the library, the picker, the clock."""

from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.config import Settings
from bot.content.current import CurrentLibrary
from bot.content.reloading import LibraryReloader
from bot.content.selection import TipPicker
from bot.store.interface import Store
from bot.time_source import Clock, utc_now


class WorkspaceAdmins(Protocol):
    """Who administers the workspace a request came from, beyond TIPBOT_ADMINS (OAuth mode)."""

    def is_admin(self, client: Any, user_id: str) -> bool:
        """Whether `user_id` administers the workspace `client` (the request's) speaks for."""
        ...


@dataclass
class Services:
    """The bot's collaborators, built once at start and passed to every listener."""

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

"""The storage the weekly fan-out needs, as the nuggets domain defines it.

`bot.store.sql.SqlStore` implements it on SQLite and PostgreSQL. Every method is one short
transaction, so several processes can share one database; the methods that decide who
posts a slot (`claim_delivery`, `reclaim_retry`) are atomic in the database itself. All
datetimes are timezone-aware; they come back in UTC.

A store sees one workspace (`for_workspace`) or every workspace. Slack ids are unique only
within a team, so methods that name a channel need a store for one workspace (an unscoped
store raises `WorkspaceRequired`); methods that list (`active_subscriptions`,
`deliveries`, `stale_claims`) return the one workspace's rows, or every workspace's, each
carrying its workspace. That is what the scheduler reads across all workspaces.
"""

from datetime import datetime
from typing import Protocol

from bot.nuggets.models import Delivery, DeliveryStatus, Subscription
from bot.nuggets.rotation import Rotation
from bot.workspace import Workspace


class NuggetStore(Protocol):
    """Subscriptions, their rotations and the delivery ledger."""

    def for_workspace(self, workspace: Workspace) -> "NuggetStore":
        """The same store, seeing only `workspace`'s rows."""
        ...

    # Subscriptions -------------------------------------------------------------------

    def save_subscription(self, sub: Subscription) -> None:
        """Insert or update the channel's subscription in `sub.workspace`; never a second row.

        Subscribing again replaces the schedule, kind and subscriber, and re-activates a
        paused subscription. The first `created_at` is kept. `active_since` moves to
        `sub.updated_at` when the schedule changes or a paused subscription resumes, and
        stays put when the same schedule is saved again (so a pending slot is not dropped).
        """
        ...

    def get_subscription(self, channel_id: str) -> Subscription | None:
        """The channel's subscription, active or paused, or None."""
        ...

    def delete_subscription(self, channel_id: str) -> bool:
        """Remove the subscription; True if there was one. The rotation is kept on purpose,
        so subscribing again later continues the round instead of repeating tips."""
        ...

    def active_subscriptions(self) -> list[Subscription]:
        """Subscriptions that get posts, ordered by channel id."""
        ...

    def all_subscriptions(self) -> list[Subscription]:
        """Every subscription, paused ones included, ordered by channel id."""
        ...

    def pause_subscription(self, channel_id: str, reason: str, at: datetime) -> bool:
        """Stop posting to the channel and record why; True if an active one was paused."""
        ...

    # Rotations -----------------------------------------------------------------------

    def load_rotation(self, channel_id: str) -> Rotation | None:
        """The channel's saved rotation, or None before its first post."""
        ...

    def save_rotation(self, channel_id: str, rotation: Rotation, now: datetime) -> None:
        """Insert or replace the channel's rotation."""
        ...

    # The delivery ledger ---------------------------------------------------------------

    def claim_delivery(
        self, channel_id: str, slot_at: datetime, claimed_by: str, now: datetime
    ) -> bool:
        """Insert the slot's ledger row as 'claimed'; False if any row for it exists.

        This is the exactly-once gate: the unique (team_id, channel_id, slot_at) constraint
        lets exactly one caller win, across threads and processes. Only the winner may post.
        """
        ...

    def reclaim_retry(
        self, channel_id: str, slot_at: datetime, claimed_by: str, now: datetime
    ) -> bool:
        """Atomically move the slot from 'retry' back to 'claimed'; True for the one winner."""
        ...

    def finish_delivery(
        self,
        channel_id: str,
        slot_at: datetime,
        status: DeliveryStatus,
        *,
        now: datetime,
        reason: str | None = None,
        tip_id: str | None = None,
        message_ts: str | None = None,
        expect: DeliveryStatus | None = None,
        claimed_before: datetime | None = None,
    ) -> bool:
        """Record the outcome of a slot; True if the row was updated.

        With `expect`, only a row in that status is updated; with `claimed_before`, only a
        row claimed before that time. Both make the update a compare-and-set, so a sweeper
        cannot overwrite an outcome that a slow worker wrote a moment earlier.
        """
        ...

    def record_missed(self, channel_id: str, slot_at: datetime, reason: str, now: datetime) -> bool:
        """Insert the slot as 'missed' with the reason; False if the slot already has a row."""
        ...

    def deliveries(
        self, channel_id: str | None = None, since: datetime | None = None
    ) -> list[Delivery]:
        """Ledger rows, oldest slot first, optionally for one channel and slots >= `since`."""
        ...

    def last_sent(self, channel_id: str) -> Delivery | None:
        """The channel's most recent slot that ended as sent, or None if none did."""
        ...

    def stale_claims(self, older_than: datetime) -> list[Delivery]:
        """Rows still 'claimed' that were claimed before `older_than` (their worker died)."""
        ...

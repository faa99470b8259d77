"""The storage the nuggets domain needs, as one documented interface.

`SqlStore` (bot/store/sql.py) implements it on SQLite and PostgreSQL. Every method is one
short transaction, so several processes can share one database; the methods that decide
who posts a slot (`claim_delivery`, `reclaim_retry`) are atomic in the database itself.
All datetimes are timezone-aware; they come back in UTC.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.nuggets.models import Delivery, DeliveryStatus, Subscription
from bot.nuggets.rotation import Rotation


class NuggetStore(Protocol):
    """Subscriptions, rotations, the delivery ledger, votes and shares."""

    # Subscriptions -------------------------------------------------------------------

    def save_subscription(self, sub: Subscription) -> None:
        """Insert or update the channel's subscription; there is never a second row.

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

    def save_rotation(
        self, channel_id: str, rotation: Rotation, now: datetime | None = None
    ) -> None:
        """Insert or replace the channel's rotation (`now` defaults to the current time)."""
        ...

    # The delivery ledger ---------------------------------------------------------------

    def claim_delivery(
        self, channel_id: str, slot_at: datetime, claimed_by: str, now: datetime
    ) -> bool:
        """Insert the slot's ledger row as 'claimed'; False if any row for it exists.

        This is the exactly-once gate: the unique (channel_id, slot_at) constraint lets
        exactly one caller win, across threads and processes. Only the winner may post.
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

    def stale_claims(self, older_than: datetime) -> list[Delivery]:
        """Rows still 'claimed' that were claimed before `older_than` (their worker died)."""
        ...

    def last_sent(self, channel_id: str) -> Delivery | None:
        """The channel's most recent slot that ended as sent, or None if none did."""
        ...

    # Done once -------------------------------------------------------------------------

    def first_time(self, key: str, now: datetime, remember_for: timedelta) -> bool:
        """Remember `key` until `now + remember_for`; False if it is already remembered.

        Atomic in the database (a primary key), so of several processes doing the same
        thing (handling a replayed request, DMing admins) exactly one sees True.
        """
        ...

    # The scheduler lease --------------------------------------------------------------

    def take_lease(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Hold or renew lease `name` until `now + ttl` if it is free, expired or ours.

        Atomic in the database: of several processes asking at once, exactly one holds it.
        """
        ...

    def release_lease(self, name: str, holder: str) -> None:
        """Give up lease `name` if `holder` has it, so another process may take it at once."""
        ...

    def lease_holder(self, name: str, now: datetime) -> str | None:
        """Who holds lease `name` at `now`, or None if nobody does."""
        ...

    # Recent tips ----------------------------------------------------------------------

    def recent_tip_ids(self, user_id: str) -> list[str]:
        """The tips `user_id` was shown most recently, oldest first."""
        ...

    def remember_recent_choice(
        self, user_id: str, choose: Callable[[list[str]], str], keep: int, now: datetime
    ) -> str:
        """Call `choose` with the user's recent tips, store its choice among the last `keep`.

        One transaction, so two picks for one person at once see each other.
        """
        ...

    # Votes and shares ----------------------------------------------------------------

    def toggle_vote(
        self, channel_id: str, message_ts: str, user_id: str, now: datetime | None = None
    ) -> tuple[bool, int]:
        """Add the user's vote on a post, or take it back; return (voted now?, new count)."""
        ...

    def vote_count(self, channel_id: str, message_ts: str) -> int:
        """How many people found the post helpful."""
        ...

    def record_share(self, tip_id: str, channel_id: str, user_id: str, at: datetime) -> None:
        """Remember that a user shared a tip into a channel."""
        ...

    # Stats ---------------------------------------------------------------------------

    def helpful_votes_by_tip(self) -> dict[str, int]:
        """Tip id -> "Helpful" votes on the weekly posts that carried it."""
        ...

    def shares_by_tip(self) -> dict[str, int]:
        """Tip id -> how often someone shared it into a channel."""
        ...

    def delivery_counts(self, since: datetime) -> dict[str, int]:
        """Ledger status -> how many slots at or after `since` ended that way."""
        ...

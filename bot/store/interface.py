"""Everything tipbot stores, as one interface: the nuggets domain's store and the rest.

The fan-out's own needs are `bot.nuggets.store.NuggetStore`, defined by that domain; the
Slack layer, the scheduler and the tip picker also need what is below. `SqlStore`
(bot/store/sql.py) implements all of it. Each method is one short transaction.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

from bot.nuggets.store import NuggetStore


class Store(NuggetStore, Protocol):
    """The nugget store, plus requests done once, the lease, recent tips, votes and stats."""

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
        self, channel_id: str, message_ts: str, user_id: str, now: datetime
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

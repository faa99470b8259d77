"""Everything tipbot stores, as one interface: the domains' stores and the rest.

The fan-out's own needs are `bot.nuggets.store.NuggetStore` and the coaching loop's are
`bot.coaching.store.CoachingStore`, each defined by its domain; the Slack layer, the
scheduler, the tip picker and the CLI also need what is below. `SqlStore`
(bot/store/sql.py) implements all of it. Each method is one short transaction.

A store sees one workspace or, unscoped, every workspace (the scheduler, the CLI). The
Slack layer only ever uses a store for the workspace of the request it answers.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.coaching.store import CoachingStore
from bot.nuggets.store import NuggetStore
from bot.workspace import Workspace

# Table name -> the rows that name one person, as JSON-ready dicts (see `personal_data`).
PersonalData = dict[str, list[dict[str, Any]]]


class Store(NuggetStore, CoachingStore, Protocol):
    """The nugget and coaching stores, plus requests done once, the lease, recent tips,
    votes, stats, and what is stored about a person."""

    @property
    def workspace(self) -> Workspace | None:
        """The workspace this store sees, or None when it sees every workspace."""
        ...

    def for_workspace(self, workspace: Workspace) -> "Store":
        """The same store, seeing only `workspace`'s rows."""
        ...

    # Whole workspaces --------------------------------------------------------------------

    def forget_workspace(self, workspace: Workspace) -> dict[str, int]:
        """Delete every row of `workspace`, in one transaction; table -> rows deleted.

        For a workspace that uninstalled tipbot: its subscriptions, ledgers, votes, shares,
        commitments, check-ins, profiles and counts go; other workspaces keep theirs.
        """
        ...

    def forget_org(self, enterprise_id: str) -> dict[str, int]:
        """Delete every row of the org's workspaces that tipbot knows by their subscriptions,
        ledger or commitments (an org-wide uninstall); table -> rows deleted."""
        ...

    def adopt_rows_without_team(self, workspace: Workspace) -> dict[str, int]:
        """Give `workspace` the rows stored before tipbot kept workspaces apart.

        A single-token tipbot calls it at start with the team its token belongs to; table
        -> rows adopted.
        """
        ...

    # Done once -------------------------------------------------------------------------

    def first_time(self, key: str, now: datetime, remember_for: timedelta) -> bool:
        """Remember `key` until `now + remember_for`; False if it is already remembered.

        Keys are the workspace's; an unscoped store's are the whole deployment's.

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

        One transaction, so two picks for one person at once see each other. It also adds
        one to the day's count of tips served, which names nobody.
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

    # What is stored about a person --------------------------------------------------------

    def personal_data(self, user_id: str) -> PersonalData:
        """Every row that names `user_id`, by table: `tipbot export` prints it as JSON.

        Scoped, the workspace's rows; unscoped, every workspace's.
        """
        ...

    def forget_person(self, user_id: str) -> dict[str, int]:
        """Delete every row that names `user_id`; table -> rows deleted or anonymised.

        Scoped, in the workspace only; unscoped, in every workspace.

        Their commitments, check-ins, notes and reflections, profile, votes, shares, recent
        tips, DM subscription and its ledger and rotation go. A channel subscription they
        started stays for the channel's sake, with nobody named as its subscriber.
        """
        ...

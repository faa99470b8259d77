"""`RecentTips` kept in the database, so every process avoids the same recent tips."""

from bot.content.selection import RECENT_PER_USER, Chooser
from bot.store.interface import Store
from bot.time_source import Clock


class StoredRecentTips:
    """The last `per_user` tips each person saw, in the `recent_tips` table."""

    def __init__(self, store: Store, clock: Clock, per_user: int = RECENT_PER_USER) -> None:
        self.store = store
        self.clock = clock
        self.per_user = per_user

    def recent(self, user_id: str) -> list[str]:
        """Ids of the tips this user saw most recently, whichever process showed them."""
        return self.store.recent_tip_ids(user_id)

    def remember_choice(self, user_id: str, choose: Chooser) -> str:
        """Call `choose` with what `user_id` saw lately, remember its choice, in one transaction."""
        return self.store.remember_recent_choice(user_id, choose, self.per_user, self.clock())

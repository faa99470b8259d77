"""`RecentTips` kept in the database, so every process avoids the same recent tips."""

from collections.abc import Sequence

from bot.clock import Clock
from bot.content.selection import RECENT_PER_USER
from bot.store.interface import NuggetStore


class StoredRecentTips:
    """The last `per_user` tips each person saw, in the `recent_tips` table."""

    def __init__(self, store: NuggetStore, clock: Clock, per_user: int = RECENT_PER_USER) -> None:
        self.store = store
        self.clock = clock
        self.per_user = per_user

    def recent(self, user_id: str) -> list[str]:
        """Ids of the tips this user saw most recently, whichever process showed them."""
        return self.store.recent_tip_ids(user_id)

    def remember(self, user_id: str, tip_id: str, seen: Sequence[str]) -> None:
        """Note that `user_id` was just shown `tip_id`, forgetting the oldest past `per_user`."""
        kept = [*(earlier for earlier in seen if earlier != tip_id), tip_id][-self.per_user :]
        self.store.save_recent_tip_ids(user_id, kept, self.clock())

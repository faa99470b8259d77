"""Choosing which tip a person sees: random, by topic, or by best match, avoiding repeats."""

import random
import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from datetime import datetime

from bot.content.library import Library
from bot.content.model import Tip
from bot.content.text import query_words


class RecentTips:
    """The last few tips each user saw, so a random pick does not repeat itself."""

    def __init__(self, per_user: int = 5, max_users: int = 10_000) -> None:
        self.per_user = per_user
        self.max_users = max_users
        self._seen: OrderedDict[str, deque[str]] = OrderedDict()
        self._lock = threading.Lock()

    def recent(self, user_id: str) -> set[str]:
        """Ids of the tips this user saw most recently."""
        with self._lock:
            return set(self._seen.get(user_id, ()))

    def remember(self, user_id: str, tip_id: str) -> None:
        """Note that `user_id` was just shown `tip_id`."""
        with self._lock:
            seen = self._seen.pop(user_id, None) or deque(maxlen=self.per_user)
            seen.append(tip_id)
            self._seen[user_id] = seen
            while len(self._seen) > self.max_users:
                self._seen.popitem(last=False)


class TipPicker:
    """Picks tips for a user; randomness is injected so tests can control it."""

    def __init__(self, rng: random.Random | None = None, recent: RecentTips | None = None) -> None:
        self.rng = rng or random.Random()
        self.recent = recent or RecentTips()

    def pick(self, candidates: Sequence[Tip], user_id: str) -> Tip | None:
        """A random candidate this user has not seen lately (any candidate if all were seen)."""
        if not candidates:
            return None
        seen = self.recent.recent(user_id)
        fresh = [tip for tip in candidates if tip.id not in seen] or list(candidates)
        tip = self.rng.choice(fresh)
        self.recent.remember(user_id, tip.id)
        return tip

    def random_tip(self, library: Library, user_id: str, topic: str | None = None) -> Tip | None:
        """A random tip, optionally within one topic."""
        candidates = library.with_tag(topic) if topic else library.tips
        return self.pick(candidates, user_id)

    def best_match(self, library: Library, text: str, user_id: str) -> Tip | None:
        """The tip that best matches free text; ties go to one the user has not seen lately."""
        wanted = query_words(text)
        if not wanted:
            return None
        return self.pick(library.best(wanted), user_id)


def tip_of_the_week(library: Library, now: datetime) -> Tip | None:
    """The same tip for everyone during one ISO week, walking the library week by week."""
    if not library.tips:
        return None
    year, week, _ = now.isocalendar()
    return library.tips[(year * 53 + week) % len(library.tips)]

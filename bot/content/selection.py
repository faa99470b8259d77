"""Choosing which tip a person sees: random, by topic, or by best match, avoiding repeats."""

import random
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Collection, Sequence
from datetime import datetime
from typing import Protocol

from bot.content.library import Library
from bot.content.model import Tip

# How many of a person's last tips a random pick avoids.
RECENT_PER_USER = 5


# Chooses a tip id, given the ids a person saw lately (oldest first).
Chooser = Callable[[Sequence[str]], str]
# How much a tip weighs in a random pick for one person (their track and focus); see
# bot/coaching/preferences.py. None: every tip weighs the same.
TipWeight = Callable[[Tip], float]


class RecentTips(Protocol):
    """The last few tips each user saw, so a random pick does not repeat itself."""

    def recent(self, user_id: str) -> list[str]:
        """Ids of the tips this user saw most recently, oldest first."""
        ...

    def remember_choice(self, user_id: str, choose: Chooser) -> str:
        """Call `choose` with what `user_id` saw lately, remember its choice and return it.

        One step, so two requests from one person at once cannot both miss each other.
        """
        ...


class MemoryRecentTips:
    """`RecentTips` in this process's memory: for tools and tests that have no database."""

    def __init__(self, per_user: int = RECENT_PER_USER, max_users: int = 10_000) -> None:
        self.per_user = per_user
        self.max_users = max_users
        self._seen: OrderedDict[str, deque[str]] = OrderedDict()
        self._lock = threading.Lock()

    def recent(self, user_id: str) -> list[str]:
        """Ids of the tips this user saw most recently, oldest first."""
        with self._lock:
            return list(self._seen.get(user_id, ()))

    def remember_choice(self, user_id: str, choose: Chooser) -> str:
        """Call `choose` with what `user_id` saw lately, remember its choice and return it."""
        with self._lock:
            history = self._seen.pop(user_id, None) or deque(maxlen=self.per_user)
            chosen = choose(list(history))
            history.append(chosen)
            self._seen[user_id] = history
            while len(self._seen) > self.max_users:
                self._seen.popitem(last=False)
            return chosen

    def remember(self, user_id: str, tip_id: str) -> None:
        """Note that `user_id` was just shown `tip_id`."""
        self.remember_choice(user_id, lambda _seen: tip_id)


class TipPicker:
    """Picks tips for a user; randomness is injected so tests can control it."""

    def __init__(self, rng: random.Random | None = None, recent: RecentTips | None = None) -> None:
        self.rng = rng or random.Random()
        self.recent: RecentTips = recent or MemoryRecentTips()

    def pick(
        self,
        candidates: Sequence[Tip],
        user_id: str,
        on_screen: Collection[str] = (),
        weight: TipWeight | None = None,
    ) -> Tip | None:
        """A random candidate this user has not seen lately (any candidate if all were seen).

        The tips in `on_screen` (the one "Another tip" replaces) are avoided even more
        firmly: they are only picked when nothing else is left. With `weight`, a tip is
        picked in proportion to its weight among those left, so none is ever excluded.
        """
        if not candidates:
            return None
        by_id = {tip.id: tip for tip in candidates}

        def choose(seen: Sequence[str]) -> str:
            avoid = {*seen, *on_screen}
            others = [tip for tip in candidates if tip.id not in on_screen]
            fresh = [tip for tip in candidates if tip.id not in avoid] or others or candidates
            if weight is None:
                return self.rng.choice(fresh).id
            return self.rng.choices(fresh, weights=[weight(tip) for tip in fresh])[0].id

        return by_id[self.recent.remember_choice(user_id, choose)]

    def random_tip(
        self,
        library: Library,
        user_id: str,
        topic: str | None = None,
        on_screen: Collection[str] = (),
        weight: TipWeight | None = None,
    ) -> Tip | None:
        """A random tip, optionally within one topic, other than the ones `on_screen`."""
        candidates = library.with_tag(topic) if topic else library.tips
        return self.pick(candidates, user_id, on_screen, weight)


def tip_of_the_week(library: Library, now: datetime) -> Tip | None:
    """The same tip for everyone during one ISO week, walking the library week by week."""
    if not library.tips:
        return None
    year, week, _ = now.isocalendar()
    return library.tips[(year * 53 + week) % len(library.tips)]

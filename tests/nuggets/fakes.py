"""Stand-ins for the Slack edges of the fan-out, and tips built from an id."""

import threading
from datetime import datetime

from bot.content.model import Source, Tip
from bot.nuggets.models import Subscription
from bot.workspace import Workspace

SOURCE = Source(title="An article", author="A. Author", date="2024-01-01")


def make_tip(tip_id: str) -> Tip:
    """A tip whose fields are all derived from its id."""
    return Tip(
        id=tip_id,
        title=f"Title {tip_id}",
        body=f"Body {tip_id}",
        try_=f"Try {tip_id}",
        tags=("career",),
        level="both",
        source=SOURCE,
    )


class FakePoster:
    """Records every post; `fail_next[channel]` lists errors to raise for that channel first."""

    def __init__(self) -> None:
        self.posts: list[tuple[str, str, datetime]] = []
        self.fail_next: dict[str, list[BaseException]] = {}
        self._lock = threading.Lock()

    def post_nugget(
        self,
        workspace: Workspace,
        channel_id: str,
        tip: Tip,
        slot_at: datetime,
        *,
        kind: str = "channel",
    ) -> str:
        with self._lock:
            errors = self.fail_next.get(channel_id)
            if errors:
                raise errors.pop(0)
            self.posts.append((channel_id, tip.id, slot_at))
            return f"{len(self.posts)}.000100"

    def posts_to(self, channel_id: str) -> list[tuple[str, datetime]]:
        return [(tip, slot) for channel, tip, slot in self.posts if channel == channel_id]


class FakeNotifier:
    """Records every pause notification."""

    def __init__(self) -> None:
        self.paused: list[tuple[str, str]] = []

    def subscription_paused(self, sub: Subscription, reason: str) -> None:
        self.paused.append((sub.channel_id, reason))

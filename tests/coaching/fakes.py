"""A stand-in for the Slack edge of the check-ins."""

import threading

from bot.coaching.checkins import PostedMessage
from bot.coaching.models import CheckInKind, Commitment


class FakeCheckInPoster:
    """Records every DM; `fail_next[user]` lists errors to raise for that person first."""

    def __init__(self) -> None:
        self.dms: list[tuple[str, int, CheckInKind]] = []
        self.fail_next: dict[str, list[BaseException]] = {}
        self._lock = threading.Lock()

    def post_check_in(self, commitment: Commitment, kind: CheckInKind) -> PostedMessage:
        with self._lock:
            errors = self.fail_next.get(commitment.user_id)
            if errors:
                raise errors.pop(0)
            self.dms.append((commitment.user_id, commitment.id, kind))
            return PostedMessage(f"D{commitment.user_id}", f"{len(self.dms)}.000200")

    def kinds(self, commitment_id: int | None = None) -> list[CheckInKind]:
        """The kinds of DM sent, oldest first, for one commitment or all."""
        return [kind for _, cid, kind in self.dms if commitment_id in (None, cid)]

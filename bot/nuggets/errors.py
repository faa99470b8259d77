"""Errors of the nuggets domain: bad schedules from users, and what posting can go wrong with.

The Slack adapter translates Slack API error codes into the posting errors below, so the
fan-out decides what to do (pause, stop, retry) without importing the Slack SDK.
"""

from collections.abc import Sequence

from bot.errors import TipbotError


class ScheduleError(TipbotError):
    """`/tip subscribe` words that cannot be used; each of `problems` is a sentence for users."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        super().__init__(" ".join(self.problems))


class UnknownTimezone(TipbotError):
    """A stored schedule names a timezone tipbot cannot use (an older version accepted it)."""

    def __init__(self, name: str) -> None:
        super().__init__(f"timezone {name!r} is not one tipbot can use")
        self.name = name


class NuggetPostError(TipbotError):
    """Posting a nugget failed; `reason` is the short machine reason, e.g. `is_archived`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChannelUnavailable(NuggetPostError):
    """The channel cannot take posts (not found, archived, bot not in it): pause, tell a person."""


class AuthRevoked(NuggetPostError):
    """The bot's token no longer works (invalid_auth, token_revoked): every post would fail."""


class TransientSlackError(NuggetPostError):
    """Slack was unreachable or overloaded after the SDK's own retries; nothing was posted."""


class PostRejected(NuggetPostError):
    """Slack refused this post for a reason a retry will not fix (e.g. `invalid_blocks`)."""


class PostOutcomeUnknown(NuggetPostError):
    """Slack may or may not have posted it (a timeout, a reset, a 500): never post again."""

"""Errors of the nuggets domain: bad schedules from users, and what posting can go wrong with.

The Slack adapter translates Slack API error codes into the posting errors (defined in
bot/errors.py, shared with the coaching check-ins), so the fan-out decides what to do
(pause, stop, retry) without importing the Slack SDK.
"""

from collections.abc import Sequence

from bot.errors import (
    AuthRevoked,
    ChannelUnavailable,
    PostError,
    PostOutcomeUnknown,
    PostRejected,
    TipbotError,
    TransientSlackError,
)

__all__ = [
    "AuthRevoked",
    "ChannelUnavailable",
    "NuggetPostError",
    "PostOutcomeUnknown",
    "PostRejected",
    "ScheduleError",
    "TransientSlackError",
    "UnknownTimezone",
]


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


# Posting errors are shared with the coaching check-ins (bot/errors.py); the fan-out's own
# name for their base class is kept.
NuggetPostError = PostError

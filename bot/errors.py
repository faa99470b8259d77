"""The project's own exception types; the CLI turns them into clean messages and exit codes."""

from dataclasses import dataclass
from typing import Literal


class TipbotError(Exception):
    """Base class for errors tipbot reports to a person rather than as a traceback."""


class ConfigError(TipbotError):
    """The environment is missing or has a bad setting; the message says what to set."""


# What posting to Slack can come to. The Slack adapter translates Slack's error codes into
# these, so the weekly fan-out and the coaching check-ins decide what to do (pause, stop,
# retry) without importing the Slack SDK, and the two domains share one vocabulary.


class PostError(TipbotError):
    """Posting a message failed; `reason` is the short machine reason, e.g. `is_archived`."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ChannelUnavailable(PostError):
    """The conversation cannot take posts (not found, archived, DMs refused): pause, tell."""


class AuthRevoked(PostError):
    """The bot's token no longer works (invalid_auth, token_revoked): every post would fail."""


class TransientSlackError(PostError):
    """Slack was unreachable or overloaded after the SDK's own retries; nothing was posted."""


class PostRejected(PostError):
    """Slack refused this post for a reason a retry will not fix (e.g. `invalid_blocks`)."""


class PostOutcomeUnknown(PostError):
    """Slack may or may not have posted it (a timeout, a reset, a 500): never post again."""


# A row of a posting ledger (weekly posts, check-in DMs): claimed while a worker posts,
# retry when Slack certainly posted nothing (try again inside the grace window), then sent,
# missed or failed, which are final.
LedgerStatus = Literal["claimed", "sent", "missed", "failed", "retry"]


@dataclass(frozen=True)
class WhenPostFails:
    """What one kind of PostError comes to for a ledger row."""

    status: LedgerStatus
    # The ledger's reason; {reason} is Slack's own short reason.
    reason: str
    # Pause the recipient (a subscription, a person's check-ins): a person must fix it.
    pause: bool = False
    # Stop the round: every further post would fail the same way.
    stop: bool = False

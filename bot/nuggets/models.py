"""The records of the nuggets domain: a channel's subscription and a slot's delivery."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from bot.errors import LedgerStatus
from bot.nuggets.schedule import Schedule
from bot.workspace import Workspace

SubscriptionKind = Literal["channel", "dm"]
SubscriptionStatus = Literal["active", "paused"]
DeliveryStatus = LedgerStatus
# The pause reason of a subscription whose stored timezone tipbot cannot use; the other
# reasons are the Slack error codes that stopped a post.
UNKNOWN_TIMEZONE = "unknown_timezone"


@dataclass(frozen=True)
class Subscription:
    """A channel (or DM) of one workspace that gets one nugget a week on `schedule`.

    `active_since` is when the current schedule took effect (subscribing, changing the
    schedule, or resuming after a pause); slots before it are never posted.
    """

    workspace: Workspace
    channel_id: str
    schedule: Schedule
    subscribed_by: str
    created_at: datetime
    updated_at: datetime
    active_since: datetime
    kind: SubscriptionKind = "channel"
    status: SubscriptionStatus = "active"
    paused_reason: str | None = None
    paused_at: datetime | None = None

    @classmethod
    def new(  # noqa: PLR0917 - each part is needed and reads in order
        cls,
        workspace: Workspace,
        channel_id: str,
        schedule: Schedule,
        subscribed_by: str,
        now: datetime,
        kind: SubscriptionKind = "channel",
    ) -> "Subscription":
        """Build the subscription `/tip subscribe` asks the store to save at `now`."""
        return cls(
            workspace=workspace,
            channel_id=channel_id,
            schedule=schedule,
            subscribed_by=subscribed_by,
            created_at=now,
            updated_at=now,
            active_since=now,
            kind=kind,
        )


@dataclass(frozen=True)
class Delivery:
    """One row of the delivery ledger: what happened to one channel's one slot."""

    workspace: Workspace
    id: int
    channel_id: str
    slot_at: datetime
    status: DeliveryStatus
    reason: str | None
    tip_id: str | None
    message_ts: str | None
    attempts: int
    claimed_by: str | None
    claimed_at: datetime | None
    updated_at: datetime

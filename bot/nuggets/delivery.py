"""The weekly fan-out: post every due slot exactly once and account for every other one.

`FanOut.deliver_due` is what the scheduler calls on each tick. It is safe to call as often as
you like, from as many processes as you like, because every (channel, slot) goes through
the delivery ledger:

* A slot is posted only by the worker whose `claim_delivery` inserted its ledger row; the
  database's unique constraint lets exactly one worker win, across processes.
* A claim that never finished (the process died between claiming and hearing back from
  Slack) is closed as 'failed' after `stale_after`, never posted again: Slack may have
  published it, and a duplicate is worse than a gap that the ledger explains.
* Slack errors that prove nothing was posted (`TransientSlackError`, `AuthRevoked`) leave
  the slot in 'retry', which a later tick re-claims atomically while inside the grace window.
  A rejected token stops only its own workspace: every other slot of that workspace due in
  the tick is left in 'retry' too, unposted, and the other workspaces go on.
  Errors after which Slack may have posted (`PostOutcomeUnknown`: a timeout, a dropped
  connection, a 500) and refusals a retry cannot fix (`PostRejected`) end it as 'failed'.
  `WHEN_POSTING_FAILS` is that rule as a table.
* A slot older than `grace` is recorded as 'missed' instead of being posted late.
* Slots before `Subscription.active_since` are never posted: subscribing or changing the
  schedule does not post a slot that is already in the past.
* One nugget per channel per week, even across a schedule change: a slot is recorded as
  'missed' instead of posted when the channel already has a nugget (sent, or still being
  posted) for a slot less than 6 days before it. Weekly slots are at least 6 days 23 hours
  apart, so an unchanged schedule never trips this; after a change, the new day takes over
  from the first slot that is 6 or more days after the last nugget.
* Workspaces are delivered side by side (bot/workspace_lanes.py): threads take one
  subscription of each workspace in turn, at most `per_workspace` of one workspace at once,
  so one slow or rate-limited workspace holds a few threads and never the others' turns.
* A subscription whose stored timezone cannot be loaded (`localtime`, which older versions
  accepted) has no slot times, so nothing can go in the ledger: it is paused with the
  reason `unknown_timezone`, and the other subscriptions are delivered as usual.
"""

import logging
import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from bot.content.model import Tip
from bot.errors import WhenPostFails
from bot.nuggets.errors import (
    AuthRevoked,
    ChannelUnavailable,
    NuggetPostError,
    PostOutcomeUnknown,
    PostRejected,
    TransientSlackError,
    UnknownTimezone,
)
from bot.nuggets.models import (
    UNKNOWN_TIMEZONE,
    Delivery,
    DeliveryStatus,
    Subscription,
    SubscriptionKind,
)
from bot.nuggets.rotation import next_tip
from bot.nuggets.schedule import Schedule, slots_between
from bot.nuggets.store import NuggetStore
from bot.workspace import Workspace
from bot.workspace_lanes import side_by_side

logger = logging.getLogger(__name__)

# How far back a tick looks for slots to account for; older ones are left alone.
LOOKBACK = timedelta(weeks=4)
# A claim older than this belongs to a worker that died. It must exceed the longest a
# single post can take, including slack-sdk's own retries after a 429 Retry-After.
STALE_CLAIM_AFTER = timedelta(minutes=10)
# See the module docstring: no second nugget within this long after one was posted.
MIN_GAP_BETWEEN_NUGGETS = timedelta(days=6)
# How many subscriptions are delivered at once, across workspaces. The scheduler sets it
# from the calls it lets wait on Slack at once; the Slack layer's pacer keeps to that cap
# and to each workspace's limits.
POST_WORKERS = 8
# How many subscriptions of one workspace are delivered at once: as many as the whole
# fan-out used, so a single-workspace install posts as fast as it did.
WORKSPACE_WORKERS = 8
INTERRUPTED = "interrupted before Slack confirmed the post; not retried to avoid a duplicate"
# Statuses that mean the channel got, or may still get, a nugget for that slot.
_POSTED_OR_POSTING: frozenset[DeliveryStatus] = frozenset({"sent", "claimed", "retry"})


class Poster(Protocol):
    """Posts a nugget; the Slack adapter implements it and maps Slack errors to ours."""

    def post_nugget(
        self,
        workspace: Workspace,
        channel_id: str,
        tip: Tip,
        slot_at: datetime,
        *,
        kind: SubscriptionKind = "channel",
    ) -> str:
        """Post `tip` in `workspace` as the nugget for `slot_at` and return the message's ts.

        `kind` says whether it goes to a channel or to one person's DM, which reads it alone.
        The workspace says whose token posts it.

        Raises ChannelUnavailable, AuthRevoked or TransientSlackError (bot.nuggets.errors).
        """
        ...


class Notifier(Protocol):
    """Tells people about problems they can fix."""

    def subscription_paused(self, sub: Subscription, reason: str) -> None:
        """Tell the person who subscribed (in `sub.workspace`) that posting stopped, why,
        and how to fix it."""
        ...


@dataclass(frozen=True)
class DeliveryFailure:
    """A slot (or, with `slot_at` None, a whole subscription) that did not end as sent."""

    workspace: Workspace
    channel_id: str
    slot_at: datetime | None
    reason: str


@dataclass
class DeliveryReport:
    """What one tick did; `skipped` counts slots another worker claimed first."""

    sent: int = 0
    missed: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0
    failures: list[DeliveryFailure] = field(default_factory=list)
    # Workspaces whose token Slack rejected in this tick, with Slack's reason.
    revoked: dict[Workspace, str] = field(default_factory=dict)


def describe_duration(span: timedelta) -> str:
    """Say a span briefly: "12h", "90m", "2d"."""
    minutes = int(span.total_seconds() // 60)
    if minutes % (24 * 60) == 0:
        return f"{minutes // (24 * 60)}d"
    if minutes % 60 == 0:
        return f"{minutes // 60}h"
    return f"{minutes}m"


# README's "What happens to a slot", as the code reads it. A "retry" outcome past the grace
# window becomes "failed" instead (see _Tick.settle).
WHEN_POSTING_FAILS: dict[type[NuggetPostError], WhenPostFails] = {
    # A 429 past the retries, a refused connection: Slack certainly posted nothing.
    TransientSlackError: WhenPostFails("retry", "Slack unavailable: {reason}"),
    # A 5xx, a reset or dropped connection, no answer in time: Slack may have posted it.
    PostOutcomeUnknown: WhenPostFails(
        "failed", "Slack may have posted it ({reason}); not retried to avoid a duplicate"
    ),
    ChannelUnavailable: WhenPostFails("failed", "channel unavailable: {reason}", pause=True),
    # Nothing was posted; the slot waits in case the token is fixed inside the grace window.
    AuthRevoked: WhenPostFails("retry", "Slack rejected the token: {reason}", stop=True),
    PostRejected: WhenPostFails("failed", "Slack refused the post: {reason}"),
}


@dataclass(frozen=True)
class FanOut:
    """What the weekly fan-out works with, set up once; `deliver_due(now)` runs one tick."""

    store: NuggetStore
    tips: Callable[[], Sequence[Tip]]
    poster: Poster
    notifier: Notifier
    grace: timedelta
    worker_id: str
    rng: random.Random
    lookback: timedelta = LOOKBACK
    stale_after: timedelta = STALE_CLAIM_AFTER
    workers: int = POST_WORKERS
    per_workspace: int = WORKSPACE_WORKERS
    # How much each tip weighs in a subscription's rotation (a person's track and focus,
    # for their weekly DM); None: every tip the same. See rotation.next_tip.
    favour: Callable[[Subscription], Callable[[Tip], float] | None] = lambda _sub: None

    def deliver_due(self, now: datetime) -> DeliveryReport:
        """Post every due slot of every active subscription once; account for the rest.

        A workspace whose token Slack rejects is stopped, logged and listed in the report's
        `revoked`. Raises AuthRevoked when every workspace with a slot due had its token
        rejected (single-workspace mode: the one token), as nothing could be posted at all.
        """
        return _Tick(self, now).run()


class _Tick:
    """One run of the fan-out, holding what every slot needs."""

    def __init__(self, fan_out: FanOut, now: datetime) -> None:
        self.fan_out = fan_out
        self.store = fan_out.store
        self.tips = fan_out.tips
        self.poster = fan_out.poster
        self.notifier = fan_out.notifier
        self.now = now
        self.grace = fan_out.grace
        self.worker_id = fan_out.worker_id
        self.rng = fan_out.rng
        self.report = DeliveryReport()
        self._report_lock = threading.Lock()
        # Set when the process is going down: start nothing new.
        self.stopped = threading.Event()
        # Workspaces whose token was rejected: every further post there would fail the same way.
        self.revoked: dict[Workspace, AuthRevoked] = {}
        # Workspaces with a slot this tick tried to post.
        self.posting: set[Workspace] = set()
        self._library: dict[str, Tip] | None = None
        # Slot times by (schedule, start): thousands of subscriptions share a few schedules,
        # and working out a schedule's slots costs more than a post's database work.
        self._slots: dict[tuple[Schedule, datetime], list[datetime]] = {}
        self._started = time.monotonic()

    def run(self) -> DeliveryReport:
        """Close stale claims, deliver every active subscription, then tidy up and report."""
        fan_out = self.fan_out
        self.close_stale_claims(fan_out.stale_after)
        # One read of the recent ledger for every channel of every workspace keeps an idle
        # tick to two queries.
        ledgers: dict[tuple[str, str], list[Delivery]] = defaultdict(list)
        since = self.now - fan_out.lookback - MIN_GAP_BETWEEN_NUGGETS
        for row in self.store.deliveries(since=since):
            ledgers[row.workspace.team_id, row.channel_id].append(row)
        subscriptions = self.store.active_subscriptions()
        # Posts wait on Slack (about 100 ms each), so many run at once, workspaces side by
        # side; every slot is still claimed in the ledger on its own before it is posted,
        # so exactly-once holds. Only what deliver_one lets through (the process going
        # down) is raised here.
        side_by_side(
            ((sub.workspace, sub) for sub in subscriptions),
            lambda _workspace, sub: self.deliver_one(
                sub, ledgers.get(_key(sub), []), fan_out.lookback
            ),
            workers=fan_out.workers,
            per_workspace=fan_out.per_workspace,
            name="nuggets",
        )
        for sub in subscriptions:
            ledgers.pop(_key(sub), None)
        if self.revoked and self.posting <= set(self.revoked):
            raise next(iter(self.revoked.values()))
        # What is left belongs to channels that unsubscribed or were paused meanwhile.
        for ledger in ledgers.values():
            for row in ledger:
                if row.status == "retry":
                    self.abandon_retry(row)
        self.report.revoked = {ws: error.reason for ws, error in self.revoked.items()}
        self.log_report()
        return self.report

    def log_report(self) -> None:
        """One line when the tick did something; an idle tick says nothing."""
        report = self.report
        if report.sent or report.missed or report.failed or report.retry:
            logger.info(
                "nuggets: %d sent, %d missed, %d failed, %d to retry, %d claimed elsewhere",
                report.sent,
                report.missed,
                report.failed,
                report.retry,
                report.skipped,
            )

    def stamp(self) -> datetime:
        """The injected `now` plus the real time this tick has taken so far.

        Decisions use the tick's `now`; ledger timestamps use this, so a long fan-out does
        not stamp its last claims with a time that already looks stale to other workers.
        """
        return self.now + timedelta(seconds=time.monotonic() - self._started)

    def library(self) -> dict[str, Tip]:
        """The tips available now, read once per tick (the files may change between ticks)."""
        if self._library is None:
            self._library = {tip.id: tip for tip in self.tips()}
        return self._library

    def count(self, outcome: str) -> None:
        """Add one to a counter of the report; workers share it, hence the lock."""
        with self._report_lock:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)

    def fail(
        self, workspace: Workspace, channel_id: str, slot_at: datetime | None, reason: str
    ) -> None:
        """Count a failure and keep its reason for the report."""
        with self._report_lock:
            self.report.failed += 1
            self.report.failures.append(DeliveryFailure(workspace, channel_id, slot_at, reason))

    def ledger_of(self, workspace: Workspace) -> NuggetStore:
        """The store seen from one workspace, where channel ids mean something."""
        return self.store.for_workspace(workspace)

    def close_stale_claims(self, stale_after: timedelta) -> None:
        """Close claims whose worker died before Slack answered; never post them again."""
        cutoff = self.now - stale_after
        for claim in self.store.stale_claims(cutoff):
            closed = self.ledger_of(claim.workspace).finish_delivery(
                claim.channel_id,
                claim.slot_at,
                "failed",
                now=self.stamp(),
                reason=INTERRUPTED,
                claimed_before=cutoff,
            )
            if closed:
                logger.warning(
                    "nugget for %s in %s at %s was claimed by %s and never confirmed; "
                    "marked failed",
                    claim.channel_id,
                    claim.workspace,
                    claim.slot_at.isoformat(),
                    claim.claimed_by,
                )
                self.fail(claim.workspace, claim.channel_id, claim.slot_at, INTERRUPTED)

    def deliver(self, sub: Subscription, ledger: list[Delivery], lookback: timedelta) -> None:
        """Retry, post, or record as missed every slot of one subscription.

        `ledger` is the channel's rows as read at the start of the tick. It may be out of
        date by the time a slot is claimed; that is fine, because the claim itself decides.
        """
        for row in ledger:
            if row.status == "retry" and not self.is_revoked(sub.workspace):
                self.retry(sub, row)
        recorded = {row.slot_at: row for row in ledger}
        claimed: list[datetime] = []
        start = max(sub.active_since, self.now - lookback)
        for slot in self.slots(sub.schedule, start):
            if slot in recorded:
                continue
            if self.now - slot > self.grace:
                reason = f"bot was not running within {describe_duration(self.grace)} of the slot"
                self.record_missed(sub, slot, reason)
                continue
            earlier = _latest_nugget_before(slot, recorded.values(), claimed)
            if earlier is not None:
                reason = (
                    f"already posted a nugget for {earlier:%Y-%m-%d %H:%M} UTC, less than "
                    f"{MIN_GAP_BETWEEN_NUGGETS.days} days before; the schedule changed"
                )
                self.record_missed(sub, slot, reason)
                continue
            if self.stopped.is_set():
                return
            store = self.ledger_of(sub.workspace)
            if not store.claim_delivery(sub.channel_id, slot, self.worker_id, self.stamp()):
                self.count("skipped")
                continue
            claimed.append(slot)
            with self._report_lock:
                self.posting.add(sub.workspace)
                revoked = self.revoked.get(sub.workspace)
            if revoked is not None:
                self.hold_for_token(sub, slot, revoked)
                continue
            self.post(sub, slot, tip_id=None)

    def deliver_one(self, sub: Subscription, ledger: list[Delivery], lookback: timedelta) -> None:
        """`deliver` for one subscription on a worker thread, containing its failures."""
        if self.stopped.is_set():
            return
        try:
            self.deliver(sub, ledger, lookback)
        except AuthRevoked as error:
            self.stop_workspace(sub.workspace, error)
        except UnknownTimezone as error:
            self.timezone_unusable(sub, error)
        except Exception as error:
            # One broken subscription (or a notifier that failed) must not stop the rest.
            logger.exception("delivering nuggets to %s in %s failed", sub.channel_id, sub.workspace)
            reason = f"{type(error).__name__}: {error}"
            with self._report_lock:
                self.report.failures.append(
                    DeliveryFailure(sub.workspace, sub.channel_id, None, reason)
                )
        except BaseException:
            # The process is going down (SystemExit, KeyboardInterrupt): start nothing new.
            self.stopped.set()
            raise

    def slots(self, schedule: Schedule, start: datetime) -> list[datetime]:
        """The schedule's slots in (start, now], worked out once per tick (threads racing
        on a new key both compute the same list; either is kept)."""
        key = (schedule, start)
        found = self._slots.get(key)
        if found is None:
            found = self._slots[key] = slots_between(schedule, start, self.now)
        return found

    def is_revoked(self, workspace: Workspace) -> bool:
        """Whether Slack rejected the workspace's token earlier in this tick."""
        with self._report_lock:
            return workspace in self.revoked

    def hold_for_token(self, sub: Subscription, slot: datetime, error: AuthRevoked) -> None:
        """Leave a claimed slot of a workspace whose token was rejected in 'retry', unposted:
        the ledger accounts for it, and it is posted once the token works again."""
        reason = WHEN_POSTING_FAILS[AuthRevoked].reason.format(reason=error.reason)
        self.finish(sub, slot, "retry", reason=reason)
        self.count("retry")

    def stop_workspace(self, workspace: Workspace, error: AuthRevoked) -> None:
        """Post nothing more for `workspace` in this tick; say so once, loudly."""
        with self._report_lock:
            if workspace in self.revoked:
                return
            self.revoked[workspace] = error
        logger.critical(
            "Slack rejected the bot token of workspace %s (%s); stopped posting nuggets "
            "there, the other workspaces go on. Reinstall the app there (or set a new "
            "SLACK_BOT_TOKEN).",
            workspace,
            error.reason,
        )

    def timezone_unusable(self, sub: Subscription, error: UnknownTimezone) -> None:
        """Pause a subscription whose stored timezone cannot be loaded: it has no slot times."""
        store = self.ledger_of(sub.workspace)
        if store.pause_subscription(sub.channel_id, UNKNOWN_TIMEZONE, self.stamp()):
            logger.warning("paused the nugget subscription of %s: %s", sub.channel_id, error)
            with self._report_lock:
                self.report.failures.append(
                    DeliveryFailure(sub.workspace, sub.channel_id, None, str(error))
                )
            self.notifier.subscription_paused(sub, UNKNOWN_TIMEZONE)

    def record_missed(self, sub: Subscription, slot: datetime, reason: str) -> None:
        """Record a slot that will not be posted, unless another worker already did."""
        if self.ledger_of(sub.workspace).record_missed(sub.channel_id, slot, reason, self.stamp()):
            self.count("missed")

    def retry(self, sub: Subscription, row: Delivery) -> None:
        """Post a slot again after a transient failure, or give up once past the grace."""
        if self.now - row.slot_at > self.grace:
            reason = (
                f"not posted within the {describe_duration(self.grace)} grace window; "
                f"last error: {row.reason}"
            )
            closed = self.ledger_of(sub.workspace).finish_delivery(
                sub.channel_id,
                row.slot_at,
                "failed",
                now=self.stamp(),
                reason=reason,
                expect="retry",
            )
            if closed:
                self.fail(sub.workspace, sub.channel_id, row.slot_at, reason)
            return
        store = self.ledger_of(sub.workspace)
        if not store.reclaim_retry(sub.channel_id, row.slot_at, self.worker_id, self.stamp()):
            self.count("skipped")
            return
        with self._report_lock:
            self.posting.add(sub.workspace)
        self.post(sub, row.slot_at, tip_id=row.tip_id)

    def abandon_retry(self, row: Delivery) -> None:
        """Close a retry whose channel no longer has an active subscription."""
        reason = f"unsubscribed or paused before the retry; last error: {row.reason}"
        closed = self.ledger_of(row.workspace).finish_delivery(
            row.channel_id, row.slot_at, "failed", now=self.stamp(), reason=reason, expect="retry"
        )
        if closed:
            self.fail(row.workspace, row.channel_id, row.slot_at, reason)

    def choose_tip(self, sub: Subscription, tip_id: str | None) -> Tip:
        """Reuse the tip a failed attempt chose, if it still exists; else advance the rotation."""
        library = self.library()
        if tip_id is not None and tip_id in library:
            return library[tip_id]
        tip_weight = self.fan_out.favour(sub)
        weight = None if tip_weight is None else (lambda i: tip_weight(library[i]))
        store = self.ledger_of(sub.workspace)
        rotation = store.load_rotation(sub.channel_id)
        chosen, advanced = next_tip(rotation, list(library), self.rng, weight)
        store.save_rotation(sub.channel_id, advanced, self.stamp())
        return library[chosen]

    def finish(
        self,
        sub: Subscription,
        slot: datetime,
        status: DeliveryStatus,
        *,
        reason: str | None = None,
        tip_id: str | None = None,
        message_ts: str | None = None,
    ) -> None:
        """Close the slot this worker claimed."""
        self.ledger_of(sub.workspace).finish_delivery(
            sub.channel_id,
            slot,
            status,
            now=self.stamp(),
            reason=reason,
            tip_id=tip_id,
            message_ts=message_ts,
        )

    def post(self, sub: Subscription, slot: datetime, tip_id: str | None) -> None:
        """Post a slot this worker has claimed and record how it ended."""
        if not self.library():
            reason = "the tip library is empty; add tips and the next slot will be posted"
            self.finish(sub, slot, "failed", reason=reason)
            self.fail(sub.workspace, sub.channel_id, slot, reason)
            return
        tip = self.choose_tip(sub, tip_id)
        try:
            message_ts = self.poster.post_nugget(
                sub.workspace, sub.channel_id, tip, slot, kind=sub.kind
            )
        except NuggetPostError as error:
            self.settle(sub, slot, tip, error)
        except Exception as error:
            # An unknown error may have happened after Slack published the message, so
            # the slot is closed rather than retried; the traceback goes to the log.
            logger.exception("posting the nugget to %s failed unexpectedly", sub.channel_id)
            reason = f"unexpected error while posting ({type(error).__name__}); not retried"
            self.finish(sub, slot, "failed", reason=reason, tip_id=tip.id)
            self.fail(sub.workspace, sub.channel_id, slot, reason)
        else:
            self.finish(sub, slot, "sent", tip_id=tip.id, message_ts=message_ts)
            self.count("sent")

    def settle(self, sub: Subscription, slot: datetime, tip: Tip, error: NuggetPostError) -> None:
        """Record a failed post as WHEN_POSTING_FAILS says; re-raise one that stops the tick."""
        outcome = WHEN_POSTING_FAILS[type(error)]
        status, reason = outcome.status, outcome.reason.format(reason=error.reason)
        if status == "retry" and not outcome.stop and self.now - slot >= self.grace:
            status = "failed"
            reason = f"Slack unavailable until the grace window closed: {error.reason}"
        if isinstance(error, PostRejected):
            logger.error("nugget for %s refused by Slack: %s", sub.channel_id, error.reason)
        self.finish(sub, slot, status, reason=reason, tip_id=tip.id)
        if status == "retry":
            self.count("retry")
        else:
            self.fail(sub.workspace, sub.channel_id, slot, reason)
        if outcome.pause:
            self.pause(sub, error.reason)
        if outcome.stop:
            raise error

    def pause(self, sub: Subscription, why: str) -> None:
        """Pause the subscription and tell the person who subscribed, once."""
        if self.ledger_of(sub.workspace).pause_subscription(sub.channel_id, why, self.stamp()):
            logger.warning("paused the nugget subscription of %s: %s", sub.channel_id, why)
            self.notifier.subscription_paused(sub, why)


def _key(sub: Subscription) -> tuple[str, str]:
    """Which ledger rows are a subscription's: the same team and channel."""
    return sub.workspace.team_id, sub.channel_id


def _latest_nugget_before(
    slot: datetime, ledger: Iterable[Delivery], claimed: Iterable[datetime]
) -> datetime | None:
    candidates = [row.slot_at for row in ledger if row.status in _POSTED_OR_POSTING]
    candidates.extend(claimed)
    recent = [at for at in candidates if slot - MIN_GAP_BETWEEN_NUGGETS < at < slot]
    return max(recent, default=None)

"""Check-ins: DM each person at their commitment's due time, once, then remind once, then lapse.

`CheckInRound.deliver_due` runs on the scheduler's one-minute tick, after the weekly fan-out,
and keeps the same promises, for the same reasons (see bot/nuggets/delivery.py):

* A DM is posted only by the worker whose `claim_check_in` inserted its ledger row; the
  unique (commitment, kind, due time) constraint lets exactly one worker win, across
  restarts, crashes and two schedulers.
* A claim that never finished (the process died while posting) is closed as 'failed' after
  `stale_after` and never posted again: Slack may have delivered it.
* `WHEN_CHECK_IN_FAILS` says what each posting error comes to. A person tipbot cannot DM
  (DMs blocked, left the workspace) has their check-ins paused, never retried in a loop.
* A DM more than `grace` late (the bot was down) is recorded as 'missed', not sent late.

What happens to one commitment, as `next_step` decides it:

    due time ─ check-in DM ─ 3 days ─ one gentle reminder ─ 4 more days ─ lapses quietly

An answer (Done, Partly, Drop) ends it and "Not yet" moves the due time, which starts the
line again; answering is the Slack layer's business and goes through the store's
compare-and-set, so the round never overwrites it.
"""

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal, Protocol

from bot.coaching.models import CheckIn, CheckInKind, CheckInStatus, Commitment
from bot.coaching.store import CoachingStore
from bot.errors import (
    AuthRevoked,
    ChannelUnavailable,
    PostError,
    PostOutcomeUnknown,
    PostRejected,
    TransientSlackError,
    WhenPostFails,
)
from bot.workspace import Workspace
from bot.workspace_lanes import side_by_side

logger = logging.getLogger(__name__)

REMIND_AFTER = timedelta(days=3)
LAPSE_AFTER = timedelta(days=7)
# As the weekly fan-out: longer than one post can take, retries after a 429 included.
STALE_CLAIM_AFTER = timedelta(minutes=10)
POST_WORKERS = 8
# As the weekly fan-out: at most this many commitments of one workspace at once.
WORKSPACE_WORKERS = 8
INTERRUPTED = "interrupted before Slack confirmed the DM; not retried to avoid a duplicate"
# The most steps one commitment takes in a tick: the check-in, the reminder (each sent or
# recorded as missed), then the lapse or a wait.
MAX_STEPS = 4
# How a DM this worker claimed came out; "paused" when the person cannot be DMed at all.
PostOutcome = Literal["sent", "failed", "retry", "paused"]


@dataclass(frozen=True)
class PostedMessage:
    """Where a DM went: the DM channel Slack put it in, and its ts (to update it later)."""

    channel_id: str
    ts: str


class CheckInPoster(Protocol):
    """DMs a person about their commitment; the Slack adapter implements it."""

    def post_check_in(self, commitment: Commitment, kind: CheckInKind) -> PostedMessage:
        """Send the check-in (or the reminder) with its four answers, in the workspace the
        commitment was made in (`commitment.workspace` says whose token sends it).

        Raises the posting errors of bot/errors.py: ChannelUnavailable, AuthRevoked,
        TransientSlackError, PostOutcomeUnknown or PostRejected.
        """
        ...


# README's "What happens to a check-in", as the code reads it. A 'retry' past the grace
# window becomes 'failed' instead. After 'failed', the reminder still comes three days on.
WHEN_CHECK_IN_FAILS: dict[type[PostError], WhenPostFails] = {
    TransientSlackError: WhenPostFails("retry", "Slack unavailable: {reason}"),
    PostOutcomeUnknown: WhenPostFails(
        "failed", "Slack may have delivered it ({reason}); not retried to avoid a duplicate"
    ),
    ChannelUnavailable: WhenPostFails("failed", "cannot DM the person: {reason}", pause=True),
    AuthRevoked: WhenPostFails("retry", "Slack rejected the token: {reason}", stop=True),
    PostRejected: WhenPostFails("failed", "Slack refused the DM: {reason}"),
}


# What to do next for one commitment -------------------------------------------------------


@dataclass(frozen=True)
class Post:
    """Claim the `kind` DM and send it."""

    kind: CheckInKind


@dataclass(frozen=True)
class Retry:
    """Re-claim a DM that Slack certainly did not deliver, and send it again."""

    kind: CheckInKind


@dataclass(frozen=True)
class GiveUp:
    """Close a DM still waiting to be retried once the grace window has passed."""

    kind: CheckInKind
    reason: str


@dataclass(frozen=True)
class Miss:
    """Record a DM that came due while the bot was down, longer ago than the grace window."""

    kind: CheckInKind
    reason: str


@dataclass(frozen=True)
class Lapse:
    """End the commitment quietly: the reminder went unanswered."""


@dataclass(frozen=True)
class WaitUntil:
    """Nothing to do before `moment`; look again then."""

    moment: datetime


@dataclass(frozen=True)
class Later:
    """Another worker is posting, or a retry waits: look again on the next tick."""


Step = Post | Retry | GiveUp | Miss | Lapse | WaitUntil | Later
KINDS: tuple[CheckInKind, ...] = ("checkin", "reminder")


def sends_at(commitment: Commitment, kind: CheckInKind) -> datetime:
    """When the `kind` DM of the commitment's due time is due."""
    return commitment.due_at + (REMIND_AFTER if kind == "reminder" else timedelta(0))


def describe_hours(span: timedelta) -> str:
    """A grace window as people say it: "12 hours", "90 minutes"."""
    minutes = int(span.total_seconds() // 60)
    if minutes % 60 == 0:
        hours = minutes // 60
        return f"{hours} hour{'' if hours == 1 else 's'}"
    return f"{minutes} minutes"


def next_step(
    commitment: Commitment,
    ledger: Mapping[CheckInKind, CheckIn],
    now: datetime,
    grace: timedelta,
) -> Step:
    """What the round does next for an active commitment, given its DMs for the due time."""
    if now < commitment.due_at:
        return WaitUntil(commitment.due_at)
    for kind in KINDS:
        step = dm_step(kind, ledger.get(kind), sends_at(commitment, kind), now, grace)
        if step is not None:
            return step
    lapse_at = commitment.due_at + LAPSE_AFTER
    return Lapse() if now >= lapse_at else WaitUntil(lapse_at)


def dm_step(
    kind: CheckInKind, row: CheckIn | None, at: datetime, now: datetime, grace: timedelta
) -> Step | None:
    """The step for one DM due `at`, given its ledger row; None once it is settled."""
    if row is None:
        return unsent_step(kind, at, now, grace)
    if row.status == "claimed":
        return Later()
    if row.status == "retry":
        if now - at > grace:
            return GiveUp(kind, f"not sent within the grace window; last error: {row.reason}")
        return Retry(kind)
    return None


def unsent_step(kind: CheckInKind, at: datetime, now: datetime, grace: timedelta) -> Step:
    """Wait for a DM not yet due, send one due inside the grace window, else record it missed."""
    if now < at:
        return WaitUntil(at)
    if now - at > grace:
        return Miss(kind, f"bot was not running within {describe_hours(grace)} of it")
    return Post(kind)


# The round ---------------------------------------------------------------------------------


@dataclass
class CheckInReport:
    """What one tick did; `skipped` counts DMs another worker claimed first."""

    sent: int = 0
    missed: int = 0
    failed: int = 0
    retry: int = 0
    skipped: int = 0
    lapsed: int = 0
    paused: int = 0
    failures: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class CheckInRound:
    """What the check-ins work with, set up once; `deliver_due(now)` runs one tick."""

    store: CoachingStore
    poster: CheckInPoster
    grace: timedelta
    worker_id: str
    stale_after: timedelta = STALE_CLAIM_AFTER
    workers: int = POST_WORKERS
    per_workspace: int = WORKSPACE_WORKERS

    def deliver_due(self, now: datetime) -> CheckInReport:
        """Send every due check-in and reminder once, lapse the unanswered, record the rest.

        Workspaces go side by side, as in the weekly fan-out. A workspace whose token Slack
        rejects sends no further DM in the tick (the one that failed waits in 'retry', the
        others are taken by the next tick); the rest go on. Raises AuthRevoked, after
        logging it, when every workspace that had a DM to send was rejected
        (single-workspace mode: the one token).
        """
        return _Tick(self, now).run()


class _Tick:
    """One run of the check-ins, holding what every commitment needs."""

    def __init__(self, round_: CheckInRound, now: datetime) -> None:
        self.round = round_
        self.store = round_.store
        self.now = now
        self.report = CheckInReport()
        self._lock = threading.Lock()
        # Set when the process is going down: start nothing new.
        self.stopped = threading.Event()
        # Workspaces whose token was rejected, and those with a DM this tick tried to send.
        self.revoked: dict[Workspace, AuthRevoked] = {}
        self.posting: set[Workspace] = set()
        self._started = time.monotonic()

    def stamp(self) -> datetime:
        """The tick's `now` plus the real time it has taken (for ledger timestamps)."""
        return self.now + timedelta(seconds=time.monotonic() - self._started)

    def count(self, outcome: str, reason: str | None = None) -> None:
        """Add one to a counter of the report (workers share it, hence the lock)."""
        with self._lock:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
            if reason is not None:
                self.report.failures.append(reason)

    def run(self) -> CheckInReport:
        """Close stale claims, then take every due commitment one step at a time."""
        self.close_stale_claims()
        commitments = self.store.due_commitments(self.now)
        ledgers: dict[int, dict[CheckInKind, CheckIn]] = {}
        if commitments:
            for row in self.store.due_check_ins(self.now):
                ledgers.setdefault(row.commitment_id, {})[row.kind] = row
        side_by_side(
            ((commitment.workspace, commitment) for commitment in commitments),
            lambda _workspace, commitment: self.handle_one(
                commitment, ledgers.get(commitment.id, {})
            ),
            workers=self.round.workers,
            per_workspace=self.round.per_workspace,
            name="check-ins",
        )
        if self.revoked and self.posting <= set(self.revoked):
            raise next(iter(self.revoked.values()))
        self.log_report()
        return self.report

    def log_report(self) -> None:
        """One line when the tick did something; an idle tick says nothing."""
        report = self.report
        if report.sent or report.missed or report.failed or report.retry or report.lapsed:
            logger.info(
                "check-ins: %d sent, %d missed, %d failed, %d to retry, %d lapsed, "
                "%d claimed elsewhere",
                report.sent,
                report.missed,
                report.failed,
                report.retry,
                report.lapsed,
                report.skipped,
            )

    def close_stale_claims(self) -> None:
        """Close claims whose worker died before Slack answered; never post them again."""
        cutoff = self.now - self.round.stale_after
        for claim in self.store.stale_check_in_claims(cutoff):
            closed = self.store.finish_check_in(
                claim.commitment_id,
                claim.kind,
                claim.due_at,
                "failed",
                now=self.stamp(),
                reason=INTERRUPTED,
                claimed_before=cutoff,
            )
            if closed:
                logger.warning(
                    "check-in %s of commitment %d was claimed by %s and never confirmed; "
                    "marked failed",
                    claim.kind,
                    claim.commitment_id,
                    claim.claimed_by,
                )
                self.count("failed", INTERRUPTED)

    def handle_one(self, commitment: Commitment, ledger: dict[CheckInKind, CheckIn]) -> None:
        """`handle` on a worker thread, containing its failures as the fan-out does."""
        if self.stopped.is_set():
            return
        try:
            self.handle(commitment, ledger)
        except AuthRevoked as error:
            self.stop_workspace(commitment.workspace, error)
        except Exception as error:
            logger.exception("check-ins for commitment %d failed", commitment.id)
            self.count("failed", f"commitment {commitment.id}: {type(error).__name__}")

    def stop_workspace(self, workspace: Workspace, error: AuthRevoked) -> None:
        """Send nothing more for `workspace` in this tick; say so once, loudly."""
        with self._lock:
            if workspace in self.revoked:
                return
            self.revoked[workspace] = error
        logger.critical(
            "Slack rejected the bot token of workspace %s (%s); stopped sending check-ins "
            "there, the other workspaces go on. Reinstall the app there (or set a new "
            "SLACK_BOT_TOKEN).",
            workspace,
            error.reason,
        )

    def handle(self, commitment: Commitment, ledger: dict[CheckInKind, CheckIn]) -> None:
        """Take steps for one commitment until it must wait, or a DM leaves it waiting."""
        for _ in range(MAX_STEPS):
            step = next_step(commitment, ledger, self.now, self.round.grace)
            if isinstance(step, WaitUntil):
                self.store.schedule_next_look(commitment.id, commitment.due_at, step.moment)
                return
            if isinstance(step, Lapse):
                if self.store.lapse_commitment(commitment.id, commitment.due_at, self.stamp()):
                    self.count("lapsed")
                return
            if isinstance(step, Miss | GiveUp):
                ledger[step.kind] = self.close_unsent(commitment, step)
                continue
            if isinstance(step, Later) or self.stopped.is_set():
                return
            with self._lock:
                if commitment.workspace in self.revoked:
                    return
                self.posting.add(commitment.workspace)
            outcome = self.claim_and_post(commitment, step)
            if outcome is None:
                return
            ledger[step.kind] = self.recorded(commitment, step.kind, outcome)

    def close_unsent(self, commitment: Commitment, step: Miss | GiveUp) -> CheckIn:
        """Record a DM that will not be sent: missed while the bot was down, or given up."""
        if isinstance(step, Miss):
            if self.store.record_missed_check_in(commitment, step.kind, step.reason, self.stamp()):
                self.count("missed")
            return self.recorded(commitment, step.kind, "missed")
        closed = self.store.finish_check_in(
            commitment.id,
            step.kind,
            commitment.due_at,
            "failed",
            now=self.stamp(),
            reason=step.reason,
            expect="retry",
        )
        if closed:
            self.count("failed", step.reason)
        return self.recorded(commitment, step.kind, "failed")

    def claim_and_post(self, commitment: Commitment, step: Post | Retry) -> CheckInStatus | None:
        """Claim the DM and send it; its final status, or None when it is not settled yet."""
        stamp, worker = self.stamp(), self.round.worker_id
        if isinstance(step, Post):
            won = self.store.claim_check_in(commitment, step.kind, worker, stamp)
        else:
            won = self.store.reclaim_check_in(
                commitment.id, step.kind, commitment.due_at, worker, stamp
            )
        if not won:
            self.count("skipped")
            return None
        outcome = self.post(commitment, step.kind)
        if outcome in ("retry", "paused"):
            return None
        return "sent" if outcome == "sent" else "failed"

    def recorded(self, commitment: Commitment, kind: CheckInKind, status: CheckInStatus) -> CheckIn:
        """The ledger row as this tick just left it, for the next step's decision."""
        stamp = self.stamp()
        return CheckIn(
            id=0,
            commitment_id=commitment.id,
            user_id=commitment.user_id,
            kind=kind,
            due_at=commitment.due_at,
            status=status,
            reason=None,
            channel_id=None,
            message_ts=None,
            attempts=1,
            claimed_by=self.round.worker_id,
            claimed_at=stamp,
            updated_at=stamp,
        )

    def post(self, commitment: Commitment, kind: CheckInKind) -> PostOutcome:
        """Send a DM this worker claimed and record how it ended; "paused" if it cannot."""
        try:
            message = self.round.poster.post_check_in(commitment, kind)
        except PostError as error:
            return self.settle(commitment, kind, error)
        except Exception as error:
            logger.exception("the %s DM of commitment %d failed unexpectedly", kind, commitment.id)
            reason = f"unexpected error while posting ({type(error).__name__}); not retried"
            self.finish(commitment, kind, "failed", reason=reason)
            self.count("failed", reason)
            return "failed"
        self.finish(commitment, kind, "sent", channel_id=message.channel_id, message_ts=message.ts)
        self.count("sent")
        return "sent"

    def settle(self, commitment: Commitment, kind: CheckInKind, error: PostError) -> PostOutcome:
        """Record a failed DM as WHEN_CHECK_IN_FAILS says; re-raise one that stops the round."""
        outcome = WHEN_CHECK_IN_FAILS[type(error)]
        status, reason = outcome.status, outcome.reason.format(reason=error.reason)
        late = self.now - sends_at(commitment, kind) >= self.round.grace
        if status == "retry" and not outcome.stop and late:
            status = "failed"
            reason = f"Slack unavailable until the grace window closed: {error.reason}"
        self.finish(commitment, kind, status, reason=reason)
        if status == "retry":
            self.count("retry")
        else:
            self.count("failed", reason)
        if outcome.stop:
            raise error
        if outcome.pause:
            people = self.store.for_workspace(commitment.workspace)
            paused = people.pause_commitments(commitment.user_id, error.reason, self.stamp())
            logger.warning(
                "paused %d check-in(s) of %s: Slack said %s",
                paused,
                commitment.user_id,
                error.reason,
            )
            self.count("paused")
            return "paused"
        return "retry" if status == "retry" else "failed"

    def finish(
        self,
        commitment: Commitment,
        kind: CheckInKind,
        status: CheckInStatus,
        *,
        reason: str | None = None,
        channel_id: str | None = None,
        message_ts: str | None = None,
    ) -> None:
        """Close the DM this worker claimed."""
        self.store.finish_check_in(
            commitment.id,
            kind,
            commitment.due_at,
            status,
            now=self.stamp(),
            reason=reason,
            channel_id=channel_id,
            message_ts=message_ts,
        )

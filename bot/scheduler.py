"""APScheduler wiring: one job, every minute, that hands the clock's time to the weekly
fan-out and then to the coaching check-ins.

Schedules are data in the database, not one APScheduler job per channel or commitment:
every process that runs the scheduler reads the same subscriptions and commitments and goes
through the same ledgers, so a web process and a clock process (or two of either) never
post a slot or send a check-in twice.

The ledger is the guarantee; a lease in the database only saves the work. Every process
with a scheduler competes for it, the holder renews it several times per lease period,
and only the holder runs the fan-out. When the holder dies, another process takes the
lease once it expires and catches up at once.
"""

import logging
import os
import random
import socket
import threading
from collections.abc import Callable
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot import metrics
from bot.coaching.checkins import CheckInPoster, CheckInRound
from bot.coaching.preferences import tip_weight
from bot.content.model import Tip
from bot.nuggets.delivery import DeliveryReport, FanOut, Notifier, Poster
from bot.nuggets.errors import AuthRevoked
from bot.nuggets.models import Subscription
from bot.services import Services
from bot.store.interface import Store
from bot.time_source import Clock

logger = logging.getLogger(__name__)

JOB_ID = "deliver-nuggets"
LEASE_JOB_ID = "keep-scheduler-lease"
LEASE_NAME = "scheduler"
# The holder renews the lease this many times per lease period, so a slow tick or a busy
# database does not make it lapse while the holder is alive.
RENEWALS_PER_LEASE = 4


def posting_threads(calls_in_flight: int) -> int:
    """Threads for the fan-out and the check-ins: half as many again as the calls allowed
    in flight, because each thread also spends part of every post in the database and
    waiting for the interpreter, and the Slack layer's Pacer, not the thread count, keeps
    to the cap. (At 1,000 workspaces, a quarter more kept the cap busy less well.)"""
    return calls_in_flight + max(1, calls_in_flight // 2)


def worker_id() -> str:
    """Who claims a slot in the ledger: host and process id, enough to read the log by."""
    return f"{socket.gethostname()}:{os.getpid()}"


class NuggetJob:
    """The scheduled job: deliver every due slot, then every due check-in, as of the
    injected clock's now. Without a `check_in_poster` it only delivers slots."""

    def __init__(
        self,
        services: Services,
        poster: Poster,
        notifier: Notifier,
        check_in_poster: CheckInPoster | None = None,
        before_tick: Callable[[], None] | None = None,
    ) -> None:
        self.services = services
        # Run as each tick starts (the Slack layer reads each workspace's token afresh).
        self.before_tick = before_tick
        self.worker = worker_id()
        grace = timedelta(hours=services.settings.grace_hours)
        workers = posting_threads(services.settings.slack_calls_in_flight)
        self.fan_out = FanOut(
            store=services.store,
            tips=lambda: services.library.current.tips,
            poster=poster,
            notifier=notifier,
            grace=grace,
            worker_id=self.worker,
            rng=random.Random(),
            favour=self.favour,
            workers=workers,
        )
        self.check_ins = (
            None
            if check_in_poster is None
            else CheckInRound(
                store=services.store,
                poster=check_in_poster,
                grace=grace,
                worker_id=self.worker,
                workers=workers,
            )
        )
        self._running = threading.Lock()

    def favour(self, sub: Subscription) -> Callable[[Tip], float] | None:
        """A personal weekly DM favours its person's track and focus; a channel nothing."""
        if sub.kind != "dm":
            return None
        store = self.services.store.for_workspace(sub.workspace)
        return tip_weight(store.get_profile(sub.channel_id))

    def run(self) -> DeliveryReport | None:
        """One tick; never raises, because APScheduler would only log it without context.

        A tick already running in this process (a catch-up racing the minute's tick) makes
        this one return None at once.
        """
        if not self._running.acquire(blocking=False):
            return None
        try:
            return self._deliver()
        finally:
            self._running.release()

    def _deliver(self) -> DeliveryReport | None:
        if self.before_tick is not None:
            try:
                self.before_tick()
            except Exception:
                logger.exception("Could not start the tick; it runs again in a minute")
                return None
        report = self._deliver_nuggets()
        self._check_in()
        return report

    def _deliver_nuggets(self) -> DeliveryReport | None:
        try:
            return metrics.count_weekly_posts(self.fan_out.deliver_due(self.services.clock()))
        except AuthRevoked:
            return None  # the fan-out logged it loudly; the slots wait in the ledger as 'retry'
        except Exception:
            logger.exception("The weekly tip job failed; it runs again in a minute")
            return None

    def _check_in(self) -> None:
        if self.check_ins is None:
            return
        try:
            metrics.count_check_ins(self.check_ins.deliver_due(self.services.clock()))
        except AuthRevoked:
            return  # logged loudly by the round; the DMs wait in the ledger as 'retry'
        except Exception:
            logger.exception("The check-in job failed; it runs again in a minute")


class SchedulerLease:
    """The right to run the fan-out, held by one process at a time through the database."""

    def __init__(self, store: Store, holder: str, clock: Clock, ttl: timedelta) -> None:
        self.store = store
        self.holder = holder
        self.clock = clock
        self.ttl = ttl
        self.held = False

    def renew(self) -> bool:
        """Take the lease or keep it; False (logged) when another process has it."""
        try:
            held = self.store.take_lease(LEASE_NAME, self.holder, self.clock(), self.ttl)
        except Exception:
            # The database is unreachable: act as a follower until it is back.
            logger.exception("Could not renew the scheduler lease; not posting until it works")
            held = False
        if held and not self.held:
            logger.info("This process (%s) now runs the weekly tip scheduler", self.holder)
        elif self.held and not held:
            logger.warning("Another process took over the weekly tip scheduler")
        self.held = held
        return held

    def release(self) -> None:
        """Hand the lease back at shutdown, so another process takes over at its next try."""
        if self.held:
            self.store.release_lease(LEASE_NAME, self.holder)
            self.held = False


def lease_for(job: NuggetJob) -> SchedulerLease:
    """The scheduler lease for the process running `job`, with the configured period."""
    services = job.services
    ttl = timedelta(seconds=services.settings.scheduler_lease_seconds)
    return SchedulerLease(services.store, job.worker, services.clock, ttl)


def start_scheduler(job: NuggetJob, lease: SchedulerLease) -> BackgroundScheduler:
    """Compete for the lease; while held, run `job` every minute, and at once on taking it."""

    def tick() -> None:
        if lease.renew():
            job.run()

    def keep_lease() -> None:
        was_held = lease.held
        if lease.renew() and not was_held:
            job.run()  # catch up on what a dead holder, or the downtime, missed

    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        CronTrigger(second=0, timezone="UTC"),
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
    )
    scheduler.add_job(
        keep_lease,
        IntervalTrigger(seconds=lease.ttl.total_seconds() / RENEWALS_PER_LEASE, timezone="UTC"),
        id=LEASE_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        next_run_time=job.services.clock(),
    )
    scheduler.start()
    logger.info("Weekly tip scheduler started (worker %s)", job.worker)
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler, lease: SchedulerLease) -> None:
    """Let a post in flight finish (so it ends as sent, not interrupted), then hand over."""
    scheduler.shutdown(wait=True)
    lease.release()

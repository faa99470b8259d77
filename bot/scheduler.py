"""APScheduler wiring: one job, every minute, that hands the clock's time to the fan-out.

Schedules are data in the database, not one APScheduler job per channel: every process
that runs the scheduler reads the same subscriptions and goes through the same delivery
ledger, so a web process and a clock process (or two of either) never post a slot twice.
"""

import logging
import os
import random
import socket
from datetime import timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger

from bot.nuggets.delivery import DeliveryReport, Notifier, Poster, deliver_due
from bot.nuggets.errors import AuthRevoked
from bot.services import Services

logger = logging.getLogger(__name__)

JOB_ID = "deliver-nuggets"


def worker_id() -> str:
    """Who claims a slot in the ledger: host and process id, enough to read the log by."""
    return f"{socket.gethostname()}:{os.getpid()}"


class NuggetJob:
    """The scheduled job: deliver every due slot as of the injected clock's now."""

    def __init__(self, services: Services, poster: Poster, notifier: Notifier) -> None:
        self.services = services
        self.poster = poster
        self.notifier = notifier
        self.worker = worker_id()
        self.rng = random.Random()

    def run(self) -> DeliveryReport | None:
        """One tick; never raises, because APScheduler would only log it without context."""
        services = self.services
        try:
            return deliver_due(
                services.store,
                lambda: services.library.library.tips,
                self.poster,
                self.notifier,
                now=services.clock(),
                grace=timedelta(hours=services.settings.grace_hours),
                worker_id=self.worker,
                rng=self.rng,
            )
        except AuthRevoked:
            return None  # deliver_due logged it loudly; the slots wait in the ledger as 'retry'
        except Exception:
            logger.exception("The weekly tip job failed; it runs again in a minute")
            return None


def start_scheduler(job: NuggetJob) -> BackgroundScheduler:
    """Run `job` at the top of every minute, and once right away to catch up after a restart."""
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        job.run,
        CronTrigger(second=0, timezone="UTC"),
        id=JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=30,
        next_run_time=job.services.clock(),
    )
    scheduler.start()
    logger.info("Weekly tip scheduler started (worker %s)", job.worker)
    return scheduler

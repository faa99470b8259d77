"""One scheduler process for the fan-out benchmark: a real NuggetJob run once, on a signal.

The benchmark starts one or two of these with multiprocessing's spawn context. Each builds
tipbot's scheduler exactly as `tipbot clock` does (settings, tips, store, `create_client`,
SlackPoster, SlackNotifier, NuggetJob), with the clock fixed just after the slot, then
waits at a barrier so that racing processes start their tick at the same moment.
"""

import logging
import time
import traceback
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from bot.config import Settings
from bot.runner import load_current_library, open_store
from bot.scheduler import NuggetJob
from bot.services import Services
from bot.slack.app import create_client
from bot.slack.posting import SlackNotifier, SlackPoster

REPO = Path(__file__).resolve().parents[1]
# How long a worker waits for the others at the start line before giving up.
START_TIMEOUT_SECONDS = 60.0


@dataclass(frozen=True)
class WorkerPlan:
    """Where a worker's database and Slack are, and what time its clock says."""

    database_url: str
    api_url: str
    tick_at: datetime


@dataclass(frozen=True)
class WorkerResult:
    """What one scheduler process's tick did; times are `time.monotonic()` (system-wide)."""

    worker: str
    started_at: float
    finished_at: float
    sent: int = 0
    skipped: int = 0
    missed: int = 0
    failed: int = 0
    retry: int = 0
    error: str | None = None


def plan_services(plan: WorkerPlan) -> Services:
    """tipbot's services against the plan's database and stand-in, the clock fixed."""
    settings = Settings(
        bot_token="xoxb-bench-token",
        signing_secret="bench-signing-secret",
        api_url=plan.api_url,
        tips_dir=REPO / "tips",
        database_url=plan.database_url,
        scheduler_enabled=False,
    )
    return Services(
        settings=settings,
        library=load_current_library(settings),
        store=open_store(settings),
        clock=lambda: plan.tick_at,
    )


def scheduler_job(plan: WorkerPlan) -> NuggetJob:
    """tipbot's scheduler job against the plan's database and stand-in, clock fixed."""
    services = plan_services(plan)
    settings = services.settings
    client = create_client(settings)
    return NuggetJob(services, SlackPoster(client), SlackNotifier(client, settings.command))


def tick_when_told(plan: WorkerPlan, start_line: Barrier, results: "Queue[WorkerResult]") -> None:
    """Build the job, wait for every racer at `start_line`, run one tick, send back the report."""
    logging.basicConfig(level=logging.WARNING)
    job = scheduler_job(plan)
    start_line.wait(START_TIMEOUT_SECONDS)
    started = time.monotonic()
    try:
        report = job.run()
    except BaseException:
        results.put(
            WorkerResult(job.worker, started, time.monotonic(), error=traceback.format_exc())
        )
        raise
    finished = time.monotonic()
    if report is None:
        # NuggetJob.run logged the cause; the stand-in's record still tells what happened.
        results.put(WorkerResult(job.worker, started, finished, error="the tick failed; see log"))
        return
    results.put(
        WorkerResult(
            worker=job.worker,
            started_at=started,
            finished_at=finished,
            sent=report.sent,
            skipped=report.skipped,
            missed=report.missed,
            failed=report.failed,
            retry=report.retry,
            error="; ".join(f.reason for f in report.failures[:3]) or None,
        )
    )

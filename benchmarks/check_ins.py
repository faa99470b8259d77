"""Benchmark 5: the coaching loop at scale (issue 8, section 5).

1. **Check-ins in one minute.** 10,000 commitments are due at the same minute. tipbot's
   scheduler job (NuggetJob with SlackCheckInPoster, `create_client`, a real SqlStore), in
   its own process started with spawn, its clock one second after the due time, sends them
   to the stand-in, which allows `rate` chat.postMessage calls a second (a second's burst,
   then 429 with Retry-After, as Slack does). One scheduler, then two racing through the
   same ledger. Targets: total within 1.2x the rate-limit floor (check-ins / rate), 0 lost,
   0 duplicates, the ledger `sent` for every one.
2. **`/tip` beside 100,000 commitments.** `tipbot serve` (as the Procfile starts it, one
   worker) on an empty database and on one holding 100,000 commitments of 25,000 people
   with their check-ins and profiles; a sequential keep-alive client sends signed `/tip`
   to each in turn, three interleaved rounds. Target: p50 with them within 1.1x of p50
   without (the round with the median ratio).

`--quick`: 1,000 check-ins, one scheduler; 10,000 commitments and one round for `/tip`.
"""

import http.client
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

from sqlalchemy import insert

from benchmarks.fanout import collect
from benchmarks.fanout_worker import (
    START_TIMEOUT_SECONDS,
    WorkerPlan,
    WorkerResult,
    plan_services,
)
from benchmarks.report import percentile, render_table, verdict
from bot.scheduler import NuggetJob
from bot.slack.app import create_client
from bot.slack.posting import SlackCheckInPoster, SlackNotifier, SlackPoster
from bot.store.database import engine_from_url, migrate
from bot.store.tables import checkins, coaching_profiles, commitments
from tests.processes import bot_env, free_port, spawn, stop_process, wait_until_up
from tests.signing import signed_headers, slash_command_body
from tests.slack_stand_in import SlackStandIn

REPO = Path(__file__).resolve().parents[1]
CHECK_INS = 10_000
QUICK_CHECK_INS = 1_000
RATE_PER_SECOND = 100.0
RACERS = (1, 2)
STORED = 100_000
QUICK_STORED = 10_000
PEOPLE_PER_STORED = 4
TIP_REQUESTS = 2_000
QUICK_TIP_REQUESTS = 500
ROUNDS = 3
# Monday 1 June 2026, 09:00 UTC: every check-in's due time. The clock reads a second after.
DUE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
TICK_AT = DUE + timedelta(seconds=1)
# Targets from issue 8, section 5.
MAX_FLOOR_RATIO = 1.2
MAX_TIP_P50_RATIO = 1.1


# 1. Check-ins in one minute -----------------------------------------------------------------


def people(count: int) -> list[str]:
    """The people with a check-in due."""
    return [f"U{index:08d}" for index in range(1, count + 1)]


def commitment_rows(users: list[str], due: datetime, made: datetime) -> list[dict[str, object]]:
    """One active commitment per person, due at `due`, as the modal would have stored it."""
    return [
        {
            "team_id": "T1",
            "user_id": user,
            "tip_id": "trust-your-team",
            "tip_title": "Train people so nothing stops without you",
            "text": "Walk a teammate through the release checklist",
            "note": None,
            "timezone": "Europe/Berlin",
            "due_at": due,
            "state": "active",
            "next_action_at": due,
            "created_at": made,
            "updated_at": made,
            "snoozes": 0,
        }
        for user in users
    ]


@contextmanager
def database_with(rows: list[dict[str, object]]) -> Iterator[str]:
    """The URL of a fresh SQLite database holding `rows` of commitments."""
    with tempfile.TemporaryDirectory(prefix="tipbot-check-ins-") as directory:
        url = f"sqlite:///{Path(directory) / 'tipbot.db'}"
        engine = engine_from_url(url)
        try:
            migrate(engine, DUE - timedelta(days=8))
            with engine.begin() as connection:
                for start in range(0, len(rows), 5_000):
                    connection.execute(insert(commitments), rows[start : start + 5_000])
        finally:
            engine.dispose()
        yield url


def check_in_job(plan: WorkerPlan) -> NuggetJob:
    """tipbot's minute job, as the scheduler builds it, against the plan's database."""
    services = plan_services(plan)
    settings = services.settings
    client = create_client(settings)
    return NuggetJob(
        services,
        SlackPoster(client),
        SlackNotifier(client, settings.command),
        SlackCheckInPoster(client),
    )


def check_in_when_told(
    plan: WorkerPlan, start_line: Barrier, results: "Queue[WorkerResult]"
) -> None:
    """Build the job, wait for every racer, run its check-ins once, report."""
    job = check_in_job(plan)
    assert job.check_ins is not None
    start_line.wait(START_TIMEOUT_SECONDS)
    started = time.monotonic()
    try:
        report = job.check_ins.deliver_due(plan.tick_at)
    except BaseException:
        results.put(
            WorkerResult(job.worker, started, time.monotonic(), error=traceback.format_exc())
        )
        raise
    results.put(
        WorkerResult(
            worker=job.worker,
            started_at=started,
            finished_at=time.monotonic(),
            sent=report.sent,
            skipped=report.skipped,
            missed=report.missed,
            failed=report.failed,
            retry=report.retry,
            error="; ".join(report.failures[:3]) or None,
        )
    )


@dataclass(frozen=True)
class CheckInResult:
    """One run: what the schedulers reported and what the stand-in received."""

    check_ins: int
    rate: float
    workers: tuple[WorkerResult, ...]
    seconds: float
    rate_limited: int
    lost: int
    duplicates: int
    ledger: Counter[str]

    @property
    def floor_seconds(self) -> float:
        """The fastest the rate limit allows."""
        return self.check_ins / self.rate

    @property
    def floor_ratio(self) -> float:
        """Total time over the floor."""
        return self.seconds / self.floor_seconds

    def missed_targets(self) -> list[str]:
        """The targets this run misses, in words."""
        missed = []
        if self.floor_ratio > MAX_FLOOR_RATIO:
            missed.append(f"{self.floor_ratio:.2f}x the floor (max {MAX_FLOOR_RATIO}x)")
        if self.lost:
            missed.append(f"{self.lost} people got no check-in")
        if self.duplicates:
            missed.append(f"{self.duplicates} duplicate check-ins")
        if self.ledger["sent"] != self.check_ins - self.lost:
            missed.append(f"the ledger says {self.ledger['sent']} sent")
        missed.extend(f"{w.worker}: {w.error}" for w in self.workers if w.error)
        return missed


def measure_check_ins(count: int, rate: float, racers: int) -> CheckInResult:
    """`count` check-ins due at once, sent by `racers` scheduler processes."""
    users = people(count)
    stand_in = SlackStandIn().start()
    try:
        with database_with(commitment_rows(users, DUE, DUE - timedelta(days=7))) as url:
            stand_in.limit_rate("chat.postMessage", rate)
            context = multiprocessing.get_context("spawn")
            start_line = context.Barrier(racers)
            results: Queue[WorkerResult] = context.Queue()
            plan = WorkerPlan(database_url=url, api_url=stand_in.api_url, tick_at=TICK_AT)
            processes = [
                context.Process(target=check_in_when_told, args=(plan, start_line, results))
                for _ in range(racers)
            ]
            for process in processes:
                process.start()
            try:
                workers = collect(results, processes, 60 + 10 * count / rate)
            finally:
                for process in processes:
                    process.join(timeout=10)
            ledger = ledger_statuses(url)
        posts = stand_in.calls_to("chat.postMessage")
        rate_limited = stand_in.rate_limited
    finally:
        stand_in.stop()
    per_person = Counter(str(post.params.get("channel")) for post in posts)
    return CheckInResult(
        check_ins=count,
        rate=rate,
        workers=tuple(workers),
        seconds=max(w.finished_at for w in workers) - min(w.started_at for w in workers),
        rate_limited=rate_limited,
        lost=sum(1 for user in users if not per_person[user]),
        duplicates=sum(n - 1 for n in per_person.values() if n > 1),
        ledger=ledger,
    )


def ledger_statuses(url: str) -> Counter[str]:
    """The check-in ledger's rows by status."""
    engine = engine_from_url(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(checkins.select()).all()
    finally:
        engine.dispose()
    return Counter(str(row.status) for row in rows)


def render_check_ins(results: list[CheckInResult]) -> tuple[str, bool]:
    """The check-ins table, and whether every run met every target."""
    rows: list[list[str]] = []
    notes: list[str] = []
    all_met = True
    for result in results:
        missed = result.missed_targets()
        all_met = all_met and not missed
        notes.extend(f"  FAIL {len(result.workers)} scheduler(s): {why}" for why in missed)
        rows.append(
            [
                f"{result.check_ins:,}",
                str(len(result.workers)),
                f"{result.seconds:.2f}",
                f"{result.floor_seconds:.2f}",
                f"{result.floor_ratio:.2f}x",
                str(result.rate_limited),
                str(result.lost),
                str(result.duplicates),
                ", ".join(f"{s} {n}" for s, n in result.ledger.most_common()),
                "+".join(str(w.sent) for w in result.workers),
                verdict(not missed),
            ]
        )
    headers = ["check-ins", "schedulers", "total s", "floor s", "/floor", "429s", "lost"]
    headers += ["dup", "ledger", "sent by process", "target"]
    text = [
        "Check-ins due in the same minute, chat.postMessage limited to "
        f"{results[0].rate:g}/s (burst of a second's worth, then 429 + Retry-After)",
        "",
        render_table(headers, rows),
        "",
        f"targets: total <= {MAX_FLOOR_RATIO}x floor (check-ins / rate), 0 lost, 0 dup, "
        "the ledger 'sent' for each.",
        *notes,
    ]
    return "\n".join(text), all_met


# 2. /tip beside 100,000 commitments ----------------------------------------------------------


def stored_rows(count: int) -> list[dict[str, object]]:
    """`count` commitments of count / 4 people in every state, some due, most not."""
    users = people(max(1, count // PEOPLE_PER_STORED))
    made = DUE - timedelta(days=30)
    states = ("active", "done", "partly", "dropped", "lapsed")
    rows = []
    for index in range(count):
        row = commitment_rows([users[index % len(users)]], DUE + timedelta(days=7), made)[0]
        row["tip_id"] = f"tip-{index // len(users)}"
        row["state"] = states[index % len(states)]
        row["next_action_at"] = row["due_at"] if row["state"] == "active" else None
        if row["state"] in ("done", "partly"):
            row["reflection"] = "What I learned, in a few words"
        rows.append(row)
    return rows


@contextmanager
def serving(url: str, stand_in: SlackStandIn, directory: Path) -> Iterator[int]:
    """`tipbot serve` on `url` (one worker, no scheduler) until the block ends; its port."""
    port = free_port()
    env = bot_env(stand_in, port, directory)
    env.update(DATABASE_URL=url, WEB_CONCURRENCY="1", TIPBOT_SCHEDULER="off", LOG_LEVEL="WARNING")
    process: subprocess.Popen[str] = spawn("serve", env)
    try:
        wait_until_up(port, process)
        yield port
    finally:
        stop_process(process)


def tip_latencies(port: int, requests: int) -> list[float]:
    """Milliseconds of `requests` signed `/tip` in a row on one keep-alive connection."""
    body = slash_command_body("", "http://127.0.0.1:9/response/bench")
    headers = signed_headers(body)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    took = []
    try:
        for _ in range(requests):
            started = time.perf_counter()
            connection.request("POST", "/slack/events", body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            took.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                message = f"/tip answered {response.status}"
                raise RuntimeError(message)
    finally:
        connection.close()
    return took


@dataclass(frozen=True)
class TipRound:
    """One round: /tip p50 and p99 without and with the stored commitments."""

    empty_p50: float
    stored_p50: float
    empty_p99: float
    stored_p99: float

    @property
    def ratio(self) -> float:
        """p50 with them over p50 without."""
        return self.stored_p50 / self.empty_p50


def measure_tip(stored: int, requests: int, rounds: int) -> list[TipRound]:
    """/tip on an empty database and on one with `stored` commitments, interleaved."""
    stand_in = SlackStandIn().start()
    measured = []
    try:
        with (
            tempfile.TemporaryDirectory(prefix="tipbot-tip-") as directory,
            database_with([]) as empty,
            database_with(stored_rows(stored)) as full,
        ):
            add_profiles(full, stored)
            with (
                serving(empty, stand_in, Path(directory)) as empty_port,
                serving(full, stand_in, Path(directory)) as full_port,
            ):
                tip_latencies(empty_port, 200)  # warm both up
                tip_latencies(full_port, 200)
                for _ in range(rounds):
                    without = tip_latencies(empty_port, requests)
                    with_them = tip_latencies(full_port, requests)
                    measured.append(
                        TipRound(
                            percentile(without, 0.5),
                            percentile(with_them, 0.5),
                            percentile(without, 0.99),
                            percentile(with_them, 0.99),
                        )
                    )
    finally:
        stand_in.stop()
    return measured


def add_profiles(url: str, stored: int) -> None:
    """Track and focus for every person with commitments (U1, who asks for tips, has none)."""
    users = people(max(1, stored // PEOPLE_PER_STORED))
    engine = engine_from_url(url)
    with engine.begin() as connection:
        connection.execute(
            insert(coaching_profiles),
            [
                {
                    "team_id": "T1",
                    "user_id": u,
                    "track": "staff",
                    "focus": '["mentoring"]',
                    "updated_at": DUE,
                }
                for u in users
            ],
        )
    engine.dispose()


def render_tip(measured: list[TipRound], stored: int) -> tuple[str, bool]:
    """The /tip table, and whether the median round meets the target."""
    median = sorted(measured, key=lambda r: r.ratio)[len(measured) // 2]
    met = median.ratio <= MAX_TIP_P50_RATIO
    rows = [
        [
            f"round {number}",
            f"{r.empty_p50:.2f}",
            f"{r.stored_p50:.2f}",
            f"{r.ratio:.2f}x",
            f"{r.empty_p99:.2f}",
            f"{r.stored_p99:.2f}",
        ]
        for number, r in enumerate(measured, start=1)
    ]
    text = [
        f"/tip over loopback HTTP, one client in a row, tipbot serve with one worker: an empty "
        f"database against one with {stored:,} commitments",
        "",
        render_table(
            ["", "p50 ms empty", f"p50 ms {stored:,}", "ratio", "p99 ms empty", "p99 ms stored"],
            rows,
        ),
        "",
        f"median ratio {median.ratio:.2f}x, target <= {MAX_TIP_P50_RATIO}x: {verdict(met)}",
    ]
    return "\n".join(text), met


def run(quick: bool) -> bool:
    """Both parts; True when every target is met."""
    count = QUICK_CHECK_INS if quick else CHECK_INS
    racers = (1,) if quick else RACERS
    results = [measure_check_ins(count, RATE_PER_SECOND, n) for n in racers]
    text, met = render_check_ins(results)
    print(text)
    print()
    stored = QUICK_STORED if quick else STORED
    requests = QUICK_TIP_REQUESTS if quick else TIP_REQUESTS
    tip_text, tip_met = render_tip(measure_tip(stored, requests, 1 if quick else ROUNDS), stored)
    print(tip_text)
    print(f"(1-minute load average afterwards: {os.getloadavg()[0]:.1f})")
    return met and tip_met


if __name__ == "__main__":
    sys.exit(0 if run("--quick" in sys.argv) else 1)

"""Benchmark 3: one weekly slot fanned out to 1,000 channels under Slack's rate limit.

The stand-in allows `rate` chat.postMessage calls a second, with a burst of one second's
worth, and answers the rest with 429 and Retry-After in whole seconds, as Slack does.
tipbot's scheduler (NuggetJob, SlackPoster, `create_client`, a real SqlStore) runs in its
own process, started with spawn, its clock fixed one second after the slot. The stand-in
stays in this process, which only waits meanwhile.

Each backend gets two runs on a fresh database: one scheduler process, then two racing
through the same ledger. SQLite always; PostgreSQL too when TIPBOT_TEST_POSTGRES_URL is set
(its tipbot tables are dropped and migrated again, so point it at a throwaway database).

`python -m benchmarks.fanout --rate 50 --channels 500` runs other sizes.
"""

import argparse
import multiprocessing
import os
import queue
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from multiprocessing.process import BaseProcess
from multiprocessing.queues import Queue
from pathlib import Path

from benchmarks.fanout_worker import WorkerPlan, WorkerResult, tick_when_told
from benchmarks.report import render_table, verdict
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.store.database import drop_all, engine_from_url, migrate
from bot.store.sql import SqlStore
from bot.time_source import utc_now
from tests.slack_stand_in import SlackStandIn
from tests.teams import TEAM

POSTGRES_ENV = "TIPBOT_TEST_POSTGRES_URL"
CHANNELS = 1000
QUICK_CHANNELS = 200
RATE_PER_SECOND = 100.0
RACERS = (1, 2)
# Monday 3 June 2024, 09:00 UTC: every channel's slot. The clock reads one second after it.
SLOT = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
TICK_AT = SLOT + timedelta(seconds=1)
SUBSCRIBED_AT = SLOT - timedelta(days=1)
SUBSCRIBER = "U0BENCH"

# Targets from issue 3, section 3.
MAX_FLOOR_RATIO = 1.2


@dataclass(frozen=True)
class FanoutPlan:
    """How many channels share the slot, and how fast the stand-in lets the bot post."""

    channels: int
    rate: float

    @property
    def floor_seconds(self) -> float:
        """The fastest the rate limit allows: every channel at `rate` posts a second."""
        return self.channels / self.rate

    @property
    def burst(self) -> int:
        """Posts the stand-in allows at once before the rate applies (a second's worth)."""
        return min(self.channels, max(1, int(self.rate)))

    @property
    def floor_after_burst_seconds(self) -> float:
        """The floor when the opening burst is free: only the rest wait for the rate."""
        return (self.channels - self.burst) / self.rate


@dataclass(frozen=True)
class FanoutResult:
    """One run: what the scheduler processes reported and what the stand-in received."""

    backend: str
    plan: FanoutPlan
    workers: tuple[WorkerResult, ...]
    seconds: float
    rate_limited: int
    posts: int
    channels_posted: int
    lost: int
    duplicates: int
    ledger: Counter[str]

    @property
    def floor_ratio(self) -> float:
        """Total time over the floor."""
        return self.seconds / self.plan.floor_seconds

    @property
    def after_burst_ratio(self) -> float | None:
        """Total time over the floor that does not count the burst; None if the burst is all."""
        floor = self.plan.floor_after_burst_seconds
        return self.seconds / floor if floor > 0 else None

    def missed_targets(self) -> list[str]:
        """Which targets this run misses, in words; empty when it meets them all."""
        missed = []
        if self.floor_ratio > MAX_FLOOR_RATIO:
            missed.append(f"{self.floor_ratio:.2f}x the floor (max {MAX_FLOOR_RATIO}x)")
        if self.lost:
            missed.append(f"{self.lost} channels got no post")
        if self.duplicates:
            missed.append(f"{self.duplicates} duplicate posts")
        if self.ledger["sent"] != self.channels_posted:
            missed.append(
                f"the ledger says {self.ledger['sent']} sent, Slack got {self.channels_posted}"
            )
        missed.extend(f"{w.worker}: {w.error}" for w in self.workers if w.error)
        return missed


def channel_ids(count: int) -> list[str]:
    """The subscribed channels' IDs."""
    return [f"C{index:07d}" for index in range(1, count + 1)]


def subscribe(store: SqlStore, channels: list[str]) -> None:
    """Subscribe every channel for Mondays 09:00 UTC, a day before the slot."""
    mondays_9 = Schedule(0, "09:00", "UTC")
    for channel in channels:
        store.save_subscription(
            Subscription.new(TEAM, channel, mondays_9, SUBSCRIBER, SUBSCRIBED_AT)
        )


@contextmanager
def fresh_database(backend: str, channels: list[str]) -> Iterator[str]:
    """The URL of an empty, migrated database on `backend` with `channels` subscribed."""
    with tempfile.TemporaryDirectory(prefix="tipbot-fanout-") as directory:
        if backend == "sqlite":
            url = f"sqlite:///{Path(directory) / 'tipbot.db'}"
        else:
            url = os.environ[POSTGRES_ENV]
        engine = engine_from_url(url)
        try:
            if backend == "postgres":
                drop_all(engine)
            migrate(engine, utc_now())
            subscribe(SqlStore(engine), channels)
        finally:
            engine.dispose()
        yield url


def ledger_statuses(url: str) -> Counter[str]:
    """How many of the slot's ledger rows ended in each status."""
    engine = engine_from_url(url)
    try:
        rows = SqlStore(engine).deliveries(since=SLOT)
    finally:
        engine.dispose()
    return Counter(row.status for row in rows if row.slot_at == SLOT)


def run_schedulers(url: str, api_url: str, racers: int, timeout: float) -> list[WorkerResult]:
    """Start `racers` scheduler processes, release them together, and collect their reports."""
    context = multiprocessing.get_context("spawn")
    start_line = context.Barrier(racers)
    results: Queue[WorkerResult] = context.Queue()
    plan = WorkerPlan(database_url=url, api_url=api_url, tick_at=TICK_AT)
    processes = [
        context.Process(
            target=tick_when_told, args=(plan, start_line, results), name=f"scheduler-{index}"
        )
        for index in range(racers)
    ]
    for process in processes:
        process.start()
    try:
        return collect(results, processes, timeout)
    finally:
        for process in processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join()


def collect(
    results: "Queue[WorkerResult]", processes: Sequence[BaseProcess], timeout: float
) -> list[WorkerResult]:
    """One result per process; fails fast if one dies without reporting (see its stderr)."""
    deadline = time.monotonic() + timeout
    collected: list[WorkerResult] = []
    while len(collected) < len(processes):
        try:
            collected.append(results.get(timeout=1.0))
        except queue.Empty:
            crashed = [p.name for p in processes if p.exitcode not in (None, 0)]
            if crashed or time.monotonic() > deadline:
                why = f"{', '.join(crashed)} crashed" if crashed else f"no result in {timeout:g} s"
                message = f"the fan-out did not finish: {why}"
                raise RuntimeError(message) from None
    return collected


def measure(backend: str, plan: FanoutPlan, racers: int) -> FanoutResult:
    """One fan-out of the slot to every channel by `racers` schedulers, on a fresh database."""
    channels = channel_ids(plan.channels)
    stand_in = SlackStandIn().start()
    try:
        with fresh_database(backend, channels) as url:
            stand_in.limit_rate("chat.postMessage", plan.rate)
            # Generous: a scheduler that needs this long has failed the target many times over.
            timeout = 60 + 10 * plan.floor_seconds
            workers = run_schedulers(url, stand_in.api_url, racers, timeout)
            ledger = ledger_statuses(url)
        posts = stand_in.calls_to("chat.postMessage")
        rate_limited = stand_in.rate_limited
    finally:
        stand_in.stop()
    per_channel = Counter(str(post.params.get("channel")) for post in posts)
    return FanoutResult(
        backend=backend,
        plan=plan,
        workers=tuple(sorted(workers, key=lambda w: w.worker)),
        seconds=max(w.finished_at for w in workers) - min(w.started_at for w in workers),
        rate_limited=rate_limited,
        posts=len(posts),
        channels_posted=sum(1 for channel in channels if per_channel[channel]),
        lost=sum(1 for channel in channels if not per_channel[channel]),
        duplicates=sum(count - 1 for count in per_channel.values() if count > 1),
        ledger=ledger,
    )


def backends() -> list[str]:
    """SQLite always; PostgreSQL when a throwaway server is configured."""
    return ["sqlite", "postgres"] if os.environ.get(POSTGRES_ENV) else ["sqlite"]


def describe_ledger(ledger: Counter[str]) -> str:
    """Status counts, most common first: "sent 1000"."""
    return ", ".join(f"{status} {count}" for status, count in ledger.most_common()) or "empty"


def render(results: list[FanoutResult], plan: FanoutPlan) -> tuple[str, bool]:
    """The results table with notes, and whether every run met every target."""
    rows = []
    notes: list[str] = []
    all_met = True
    for result in results:
        missed = result.missed_targets()
        all_met = all_met and not missed
        notes.extend(
            f"  FAIL {result.backend}, {len(result.workers)} scheduler(s): {why}" for why in missed
        )
        rows.append(
            [
                result.backend,
                str(len(result.workers)),
                f"{result.seconds:.2f}",
                f"{result.floor_ratio:.2f}x",
                "-" if result.after_burst_ratio is None else f"{result.after_burst_ratio:.2f}x",
                str(result.rate_limited),
                str(result.posts),
                str(result.channels_posted),
                str(result.lost),
                str(result.duplicates),
                describe_ledger(result.ledger),
                "+".join(str(w.sent) for w in result.workers),
                verdict(not missed),
            ]
        )
    headers = ["backend", "schedulers", "total s", "/floor", "/floor-burst", "429s", "posts"]
    headers += ["channels posted", "lost", "dup", "ledger", "sent by process", "target"]
    lines = [
        f"Fan-out of one slot to {plan.channels:,} channels, chat.postMessage limited to "
        f"{plan.rate:g}/s (burst {plan.burst}, then 429 + Retry-After); scheduler(s) in their "
        "own process(es)",
        "",
        render_table(headers, rows),
        "",
        f"floor = channels / rate = {plan.floor_seconds:.2f} s; floor-burst = "
        f"(channels - burst) / rate = {plan.floor_after_burst_seconds:.2f} s, the floor when "
        "the opening burst is free.",
        "429s = calls the stand-in refused (each one retried by the client); posts and "
        "channels posted = what the stand-in accepted.",
        "lost = subscribed channels with no post; dup = posts beyond one per channel; "
        "ledger = the slot's rows by status.",
        f"targets: total <= {MAX_FLOOR_RATIO}x floor, 0 lost, 0 dup, ledger 'sent' = channels "
        "posted, no scheduler errors.",
        *notes,
    ]
    return "\n".join(lines), all_met


def measure_all(plan: FanoutPlan) -> list[FanoutResult]:
    """Every backend, one scheduler then two racing."""
    return [measure(backend, plan, racers) for backend in backends() for racers in RACERS]


def run(quick: bool) -> bool:
    """Run the benchmark at the default rate and print its table; True when targets are met."""
    plan = FanoutPlan(channels=QUICK_CHANNELS if quick else CHANNELS, rate=RATE_PER_SECOND)
    return report(plan)


def report(plan: FanoutPlan) -> bool:
    """Measure `plan`, print the table, and say whether every target was met."""
    text, all_met = render(measure_all(plan), plan)
    print(text)
    return all_met


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.fanout`: the fan-out at another size or rate."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__)
    parser.add_argument("--channels", type=int, default=CHANNELS, help="subscribed channels")
    parser.add_argument(
        "--rate", type=float, default=RATE_PER_SECOND, help="chat.postMessage calls per second"
    )
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CHANNELS} channels")
    args = parser.parse_args(argv)
    channels = QUICK_CHANNELS if args.quick else args.channels
    started = time.perf_counter()
    met = report(FanoutPlan(channels=channels, rate=args.rate))
    print(f"(fanout: {time.perf_counter() - started:.1f} s)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())

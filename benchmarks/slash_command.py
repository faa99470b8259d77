"""Benchmark 1: `/tip` latency and throughput over loopback, beside two bare Bolt apps.

All three apps run on the same stack (waitress via `create_http_server`, Bolt's WSGI adapter)
in this process; the load comes from a separate process so the client does not compete with
the servers for this process's GIL.
"""

import logging
import multiprocessing
import random
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from slack_bolt import Ack, App
from slack_sdk import WebClient
from waitress.server import MultiSocketServer

from benchmarks.load_client import LoadPlan, LoadResult, SignedRequest, run_load
from benchmarks.report import percentile, render_table, verdict
from bot.config import Settings
from bot.content.selection import TipPicker
from bot.http_server import bound_port
from bot.runner import load_current_library, open_store
from bot.services import Services
from bot.slack.app import create_app
from bot.slack.server import EVENTS_PATH, THREADS, create_http_server
from tests.signing import SIGNING_SECRET, signed_headers, slash_command_body
from tests.slack_stand_in import SlackStandIn

REPO = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
CONCURRENCY = (1, 10, 50)
# A random tip, a topic, and free-text search: the three paths a `/tip` takes.
TEXTS = ("", "mentoring", "cache popular items")
FIXED_ANSWER = "fixed string"

TIPBOT = "tipbot /tip"
BARE_DEFAULT = "bare Bolt (default)"
BARE_BEFORE_RESPONSE = "bare Bolt (pbr=True)"

# Targets from issue 2, section 4.
MAX_P50_RATIO = 1.5
MIN_RPS_RATIO = 1 / 1.5
MAX_P99_MS_AT_50 = 50.0


@dataclass(frozen=True)
class Durations:
    """How long each server is loaded at each concurrency, in seconds."""

    warmup: float
    measure: float


FULL = Durations(warmup=1.0, measure=3.0)
QUICK = Durations(warmup=0.25, measure=0.8)


@dataclass(frozen=True)
class ServedApp:
    """A Bolt app served by waitress on a free loopback port, in a thread of this process."""

    name: str
    port: int
    server: MultiSocketServer
    thread: threading.Thread


@dataclass(frozen=True)
class Measurement:
    """One server at one concurrency."""

    server: str
    concurrency: int
    p50_ms: float
    p99_ms: float
    requests_per_second: float
    errors: int
    error_samples: tuple[str, ...]

    @classmethod
    def from_result(cls, server: str, concurrency: int, result: LoadResult) -> "Measurement":
        """Summarise the raw latencies the load client sent back."""
        return cls(
            server=server,
            concurrency=concurrency,
            p50_ms=percentile(result.latencies, 0.50) * 1000,
            p99_ms=percentile(result.latencies, 0.99) * 1000,
            requests_per_second=result.requests_per_second,
            errors=result.errors,
            error_samples=tuple(result.error_samples),
        )


@dataclass(frozen=True)
class Floor:
    """The best the bare apps did at one concurrency: lowest p50, highest req/s."""

    p50_ms: float
    requests_per_second: float


def tipbot_app(stand_in: SlackStandIn, data_dir: Path) -> App:
    """tipbot's real app with the shipped tips, its Web API pointed at the stand-in."""
    settings = Settings(
        bot_token="xoxb-bench-token",
        signing_secret=SIGNING_SECRET,
        api_url=stand_in.api_url,
        host=HOST,
        port=0,
        tips_dir=REPO / "tips",
        database_url=f"sqlite:///{data_dir / 'tipbot.db'}",
        scheduler_enabled=False,
    )
    services = Services(
        settings=settings,
        library=load_current_library(settings),
        store=open_store(settings),
        picker=TipPicker(random.Random(7)),
    )
    return create_app(services)


def bare_app(stand_in: SlackStandIn, process_before_response: bool) -> App:
    """A Bolt app whose `/tip` only acks a fixed string: the floor tipbot is compared with."""
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token="xoxb-x", base_url=stand_in.api_url),
        process_before_response=process_before_response,
    )

    @app.command("/tip")
    def ack_fixed(ack: Ack) -> None:
        ack(FIXED_ANSWER)

    return app


def serve(name: str, app: App) -> ServedApp:
    """Start `app` on a free port in a daemon thread."""
    server = create_http_server(app, HOST, 0, signing_secret=SIGNING_SECRET)
    thread = threading.Thread(target=server.run, name=f"serve-{name}", daemon=True)
    thread.start()
    return ServedApp(name, bound_port(server), server, thread)


@contextmanager
def served_apps() -> Iterator[list[ServedApp]]:
    """The stand-in and the three servers, stopped on the way out."""
    stand_in = SlackStandIn().start()
    data_dir = tempfile.TemporaryDirectory(prefix="tipbot-bench-")
    served: list[ServedApp] = []
    try:
        served.append(serve(BARE_DEFAULT, bare_app(stand_in, process_before_response=False)))
        served.append(serve(BARE_BEFORE_RESPONSE, bare_app(stand_in, process_before_response=True)))
        served.append(serve(TIPBOT, tipbot_app(stand_in, Path(data_dir.name))))
        yield served
    finally:
        for app in served:
            app.server.close()
            app.thread.join(timeout=5)
        stand_in.stop()
        data_dir.cleanup()


def signed_requests(response_url: str, concurrency: int) -> tuple[tuple[SignedRequest, ...], ...]:
    """Each client's cycle of `/tip` requests, signed now (Slack accepts 5 minutes of skew)."""
    by_client = []
    for index in range(concurrency):
        cycle = []
        for text in TEXTS:
            body = slash_command_body(text, response_url, user_id=f"U{index + 1:04d}")
            cycle.append(SignedRequest(body.encode(), signed_headers(body)))
        by_client.append(tuple(cycle))
    return tuple(by_client)


def measure_all(durations: Durations) -> list[Measurement]:
    """Load every server at every concurrency, one run at a time."""
    measurements = []
    # spawn, not fork: forking a process that is running server threads is unsafe.
    context = multiprocessing.get_context("spawn")
    with served_apps() as apps, ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        # Start the client process now so its start-up cost is not inside any measurement.
        pool.submit(int).result()
        response_url = "http://127.0.0.1:9/response/bench"  # never called: /tip answers in the ack
        plans = {c: signed_requests(response_url, c) for c in CONCURRENCY}
        for concurrency in CONCURRENCY:
            for app in apps:
                plan = LoadPlan(
                    host=HOST,
                    port=app.port,
                    path=EVENTS_PATH,
                    requests_by_client=plans[concurrency],
                    warmup=durations.warmup,
                    duration=durations.measure,
                )
                result = pool.submit(run_load, plan).result()
                measurements.append(Measurement.from_result(app.name, concurrency, result))
    return measurements


def floors(measurements: list[Measurement]) -> dict[int, Floor]:
    """The floor at each concurrency, taken from the bare apps."""
    found = {}
    for concurrency in CONCURRENCY:
        bare = [m for m in measurements if m.concurrency == concurrency and m.server != TIPBOT]
        found[concurrency] = Floor(
            p50_ms=min(m.p50_ms for m in bare),
            requests_per_second=max(m.requests_per_second for m in bare),
        )
    return found


def missed_targets(measurement: Measurement, floor: Floor) -> list[str]:
    """Which targets a tipbot measurement misses, in words; empty when it meets them all."""
    missed = []
    p50_ratio = measurement.p50_ms / floor.p50_ms
    rps_ratio = measurement.requests_per_second / floor.requests_per_second
    if p50_ratio > MAX_P50_RATIO:
        missed.append(f"p50 {p50_ratio:.2f}x the floor (max {MAX_P50_RATIO}x)")
    if rps_ratio < MIN_RPS_RATIO:
        missed.append(f"req/s {rps_ratio:.2f}x the floor (min {MIN_RPS_RATIO:.2f}x)")
    if measurement.concurrency == 50 and measurement.p99_ms >= MAX_P99_MS_AT_50:
        missed.append(f"p99 {measurement.p99_ms:.1f} ms (max {MAX_P99_MS_AT_50:.0f} ms)")
    if measurement.errors:
        missed.append(f"{measurement.errors} errors")
    return missed


def render(measurements: list[Measurement], durations: Durations) -> tuple[str, bool]:
    """The results table with notes, and whether tipbot met every target."""
    floor_at = floors(measurements)
    rows = []
    notes: list[str] = []
    all_met = True
    for m in measurements:
        floor = floor_at[m.concurrency]
        result = "-"
        if m.server == TIPBOT:
            missed = missed_targets(m, floor)
            all_met = all_met and not missed
            result = verdict(not missed)
            notes.extend(f"  FAIL at {m.concurrency} clients: {why}" for why in missed)
        rows.append(
            [
                m.server,
                str(m.concurrency),
                f"{m.p50_ms:.2f}",
                f"{m.p99_ms:.2f}",
                f"{m.requests_per_second:,.0f}",
                str(m.errors),
                f"{m.p50_ms / floor.p50_ms:.2f}x",
                f"{m.requests_per_second / floor.requests_per_second:.2f}x",
                result,
            ]
        )
        notes.extend(f"  {m.server} at {m.concurrency}: {sample}" for sample in m.error_samples)
    headers = ["server", "clients", "p50 ms", "p99 ms", "req/s", "errors"]
    headers += ["p50/floor", "req/s/floor", "target"]
    lines = [
        "Slash command over loopback "
        f"(waitress, {THREADS} threads; {durations.warmup:g} s warm-up + "
        f"{durations.measure:g} s measured per row; client in its own process)",
        "",
        render_table(headers, rows),
        "",
        "floor = lowest bare-app p50 and highest bare-app req/s at that concurrency.",
        f"targets: p50 <= {MAX_P50_RATIO}x floor, req/s >= floor/{MAX_P50_RATIO}, "
        f"p99 < {MAX_P99_MS_AT_50:.0f} ms at 50 clients, no errors.",
        *notes,
    ]
    return "\n".join(lines), all_met


def run(quick: bool) -> bool:
    """Run the benchmark and print its table; True when tipbot meets every target."""
    # waitress warns on every queued request once 50 clients share 16 threads; the flood would
    # bury the table and spend server time on logging (the same for all three servers).
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    durations = QUICK if quick else FULL
    measurements = measure_all(durations)
    text, all_met = render(measurements, durations)
    print(text)
    return all_met

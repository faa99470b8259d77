"""Benchmark 1: `/tip` over loopback HTTP, driven by wrk, beside the floors it is held to.

Every server is its own process on a free port, all started side by side in one run and
loaded one at a time, interleaved by client count so a noisy moment on this shared machine
falls on neighbouring rows rather than on one server:

- the floors, bare Bolt apps whose `/tip` acks a fixed string (benchmarks/floor_apps.py):
  sync Bolt with `process_before_response=True` on waitress (16 threads, as tipbot today)
  and on gunicorn (a gthread worker per core, 8 threads each), and async Bolt on uvicorn
  (a worker per core);
- tipbot itself, started as the Procfile starts it (`python -m bot serve`), so this row
  measures whatever `tipbot serve` is, unchanged.

First, the load generator's own ceiling: wrk against the fastest trivial server this machine
runs, and the old Python load client against the same server, so the table shows the
generator is not what limits the rows.
"""

import contextlib
import math
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path

from benchmarks.floor_apps import EVENTS_PATH
from benchmarks.load_client import LoadPlan, SignedRequest, run_load
from benchmarks.report import percentile, render_table, verdict
from benchmarks.server_processes import (
    HOST,
    RunningServer,
    ServerFailedError,
    ServerSpec,
    answers_get,
    exited_unreaped,
    log_tail,
    running,
)
from benchmarks.wrk import (
    WrkFailedError,
    WrkResult,
    WrkUnavailableError,
    ensure_wrk,
    lua_script,
    run_wrk,
)
from bot.wording import plural
from tests.signing import signed_headers, slash_command_body
from tests.slack_stand_in import SlackStandIn

REPO = Path(__file__).resolve().parents[1]
CLIENTS = (1, 10, 50)
CORES = os.cpu_count() or 1
GUNICORN_THREADS = 8
BENCH_SIGNING_SECRET = "bench-signing-secret"
# Never called: `/tip` answers in the ack.
RESPONSE_URL = "http://127.0.0.1:9/response/bench"

WAITRESS_FLOOR = "bare Bolt, waitress 16 threads"
GUNICORN_FLOOR = f"bare Bolt, gunicorn {CORES}x{GUNICORN_THREADS} gthread"
UVICORN_FLOOR = f"async Bolt, uvicorn {CORES} workers"
FLOORS = (WAITRESS_FLOOR, GUNICORN_FLOOR, UVICORN_FLOOR)
TIPBOT = "tipbot serve"
TRIVIAL = f"trivial server ({CORES} uvloop processes)"
WRK_GENERATOR = "wrk"
PYTHON_GENERATOR = "Python load client"

# Targets from the issue: against the fastest floor at the same number of clients.
MIN_RPS_RATIO = 0.8
MAX_P50_RATIO = 1.25
MAX_P99_MS_AT_50 = 50.0
# The generator must answer at least this many times faster against the trivial server than
# against any app, or it, not the app, may be what a row shows.
MIN_GENERATOR_HEADROOM = 2.0


@dataclass(frozen=True)
class Durations:
    """Seconds of warm-up and of measurement per run (wrk takes whole seconds), and how many
    rounds of every server at every client count; a row shows the round with the median req/s,
    so one noisy moment on the shared machine does not decide a verdict."""

    warmup: int
    measure: int
    rounds: int
    ceiling_clients: tuple[int, ...]


FULL = Durations(warmup=1, measure=5, rounds=3, ceiling_clients=CLIENTS)
QUICK = Durations(warmup=1, measure=1, rounds=1, ceiling_clients=(50,))


@dataclass(frozen=True)
class Measurement:
    """One server (or generator) at one number of clients."""

    server: str
    clients: int
    p50_ms: float
    p99_ms: float
    requests_per_second: float
    errors: int
    error_summary: str = ""
    # (max - min) / median req/s over the rounds; None for a single round.
    spread: float | None = None

    @classmethod
    def from_wrk(cls, server: str, result: WrkResult) -> "Measurement":
        """Keep what the tables show from a wrk run."""
        return cls(
            server=server,
            clients=result.connections,
            p50_ms=result.p50_ms,
            p99_ms=result.p99_ms,
            requests_per_second=result.requests_per_second,
            errors=result.errors,
            error_summary=result.error_summary(),
        )


def signed_tip_request(text: str = "") -> SignedRequest:
    """A `/tip` slash command as Slack posts it, signed now (Slack accepts 5 minutes of skew)."""
    body = slash_command_body(text, RESPONSE_URL)
    return SignedRequest(body.encode(), signed_headers(body, BENCH_SIGNING_SECRET))


def answers_signed_tip(port: int) -> bool:
    """A readiness probe for the floors: a signed `/tip` is answered with 200."""
    request = signed_tip_request()
    http_request = urllib.request.Request(
        f"http://{HOST}:{port}{EVENTS_PATH}", request.body, request.headers, method="POST"
    )
    try:
        with urllib.request.urlopen(http_request, timeout=2) as response:
            return int(response.status) == 200
    except (OSError, urllib.error.URLError):
        return False


def server_environment() -> dict[str, str]:
    """This process's environment less anything that would configure tipbot or Slack."""
    ours = ("SLACK_", "TIPBOT_")
    settings = {"DATABASE_URL", "PORT", "HOST", "LOG_LEVEL", "TIPS_DIR"}
    kept = {k: v for k, v in os.environ.items() if not k.startswith(ours) and k not in settings}
    kept["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), kept.get("PYTHONPATH")]))
    return kept


def contenders(api_url: str, data_dir: Path) -> list[ServerSpec]:
    """The three floors and tipbot, in the order the table lists them."""
    python = sys.executable
    slack = {"SLACK_SIGNING_SECRET": BENCH_SIGNING_SECRET, "SLACK_API_URL": api_url}
    gunicorn = [python, "-m", "gunicorn", f"--workers={CORES}", "--worker-class=gthread"]
    gunicorn += [f"--threads={GUNICORN_THREADS}", f"--bind={HOST}:{{port}}", "--log-level=warning"]
    uvicorn = [python, "-m", "uvicorn", "--factory", "benchmarks.floor_apps:async_asgi"]
    uvicorn += [f"--host={HOST}", "--port={port}", f"--workers={CORES}", "--loop=uvloop"]
    uvicorn += ["--http=httptools", "--no-access-log", "--log-level=warning"]
    return [
        ServerSpec(
            WAITRESS_FLOOR,
            [python, "-m", "benchmarks.floor_apps", "{port}"],
            answers_signed_tip,
            slack,
        ),
        ServerSpec(
            GUNICORN_FLOOR,
            [*gunicorn, "benchmarks.floor_apps:sync_wsgi()"],
            answers_signed_tip,
            slack,
        ),
        ServerSpec(UVICORN_FLOOR, uvicorn, answers_signed_tip, slack),
        ServerSpec(
            TIPBOT,
            # As the Procfile starts it.
            [python, "-m", "bot", "serve"],
            answers_get("/health"),
            {
                "SLACK_BOT_TOKEN": "xoxb-bench",
                "SLACK_SIGNING_SECRET": BENCH_SIGNING_SECRET,
                "SLACK_API_URL": api_url,
                "PORT": "{port}",
                # Loopback only: the benchmark's traffic never needs another interface.
                "HOST": HOST,
                "DATABASE_URL": f"sqlite:///{data_dir / 'bench.db'}",
                "TIPBOT_SCHEDULER": "off",
                "LOG_LEVEL": "WARNING",
            },
        ),
    ]


def trivial_server() -> ServerSpec:
    """The ceiling's server: a fixed answer from one uvloop process per core."""
    argv = [sys.executable, "-m", "benchmarks.trivial_server", "{port}"]
    return ServerSpec(TRIVIAL, argv, answers_get("/"))


def load_with_wrk(wrk: str, server: RunningServer, clients: int, durations: Durations) -> WrkResult:
    """Warm up, then measure, with a request signed just before this row."""
    script = lua_script(EVENTS_PATH, signed_tip_request())
    url = server.base_url + EVENTS_PATH
    try:
        run_wrk(wrk, url, script, clients, durations.warmup)
        return run_wrk(wrk, url, script, clients, durations.measure)
    except WrkFailedError as error:
        state = "has exited" if exited_unreaped(server.process.pid, timeout=0) else "still runs"
        raise ServerFailedError(
            f"{server.name} {at_clients(clients)}: {error}\nThe server {state}; its log ends:\n"
            f"{log_tail(server.log)}"
        ) from error


def load_with_python(
    pool: ProcessPoolExecutor, server: RunningServer, clients: int, durations: Durations
) -> Measurement:
    """The old Python load client (its own process) against `server`, for the ceiling table."""
    request = signed_tip_request()
    plan = LoadPlan(
        host=HOST,
        port=server.port,
        path=EVENTS_PATH,
        requests_by_client=tuple((request,) for _ in range(clients)),
        warmup=durations.warmup,
        duration=durations.measure,
    )
    result = pool.submit(run_load, plan).result()
    return Measurement(
        server=PYTHON_GENERATOR,
        clients=clients,
        p50_ms=percentile(result.latencies, 0.50) * 1000,
        p99_ms=percentile(result.latencies, 0.99) * 1000,
        requests_per_second=result.requests_per_second,
        errors=result.errors,
        error_summary="; ".join(result.error_samples),
    )


def measure_ceiling(wrk: str, durations: Durations, logs: Path) -> list[Measurement]:
    """wrk, then the Python client, against the trivial server at each ceiling client count."""
    measurements = []
    # spawn, not fork: this process runs the stand-in's threads.
    context = get_context("spawn")
    with (
        running(trivial_server(), server_environment(), REPO, logs) as server,
        ProcessPoolExecutor(max_workers=1, mp_context=context) as pool,
    ):
        pool.submit(int).result()  # start the client process outside any measurement
        for clients in durations.ceiling_clients:
            result = load_with_wrk(wrk, server, clients, durations)
            measurements.append(Measurement.from_wrk(WRK_GENERATOR, result))
            measurements.append(load_with_python(pool, server, clients, durations))
    return measurements


def measure_contenders(wrk: str, durations: Durations, logs: Path) -> list[Measurement]:
    """Start the floors and tipbot side by side, load each in turn at each client count, for
    every round; then one row per server and client count: its median round."""
    rounds: dict[tuple[str, int], list[Measurement]] = {}
    with contextlib.ExitStack() as stack:
        data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="tipbot-bench-")))
        stand_in = SlackStandIn().start()
        stack.callback(stand_in.stop)
        servers = [
            stack.enter_context(running(spec, server_environment(), REPO, logs))
            for spec in contenders(stand_in.api_url, data_dir)
        ]
        for _ in range(durations.rounds):
            for clients in CLIENTS:
                for server in servers:
                    result = load_with_wrk(wrk, server, clients, durations)
                    measured = Measurement.from_wrk(server.name, result)
                    rounds.setdefault((server.name, clients), []).append(measured)
    by_clients = sorted(rounds.items(), key=lambda item: item[0][1])
    return [median_round(measured) for _, measured in by_clients]


def median_round(measured: list[Measurement]) -> Measurement:
    """The round with the median req/s, its errors summed over every round, and the spread."""
    ordered = sorted(measured, key=lambda m: m.requests_per_second)
    middle = ordered[len(ordered) // 2]
    low, high = ordered[0].requests_per_second, ordered[-1].requests_per_second
    errors = [m for m in measured if m.errors]
    return replace(
        middle,
        errors=sum(m.errors for m in errors),
        error_summary="; ".join(m.error_summary for m in errors),
        spread=(high - low) / middle.requests_per_second if len(ordered) > 1 and low else None,
    )


def fastest_floors(measurements: list[Measurement]) -> dict[int, Measurement]:
    """At each client count, the error-free floor that answered the most requests a second."""
    fastest: dict[int, Measurement] = {}
    for m in measurements:
        if m.server not in FLOORS or m.errors:
            continue
        best = fastest.get(m.clients)
        if best is None or m.requests_per_second > best.requests_per_second:
            fastest[m.clients] = m
    return fastest


def missed_targets(measurement: Measurement, floor: Measurement | None) -> list[str]:
    """The targets a tipbot row misses, in words; empty when it meets them all."""
    if floor is None:
        return ["no floor ran without errors, so there is nothing to compare with"]
    missed = []
    rps_ratio = measurement.requests_per_second / floor.requests_per_second
    p50_ratio = measurement.p50_ms / floor.p50_ms
    if not rps_ratio >= MIN_RPS_RATIO:
        missed.append(f"req/s {rps_ratio:.2f}x the fastest floor's (min {MIN_RPS_RATIO}x)")
    if not p50_ratio <= MAX_P50_RATIO:
        missed.append(f"p50 {p50_ratio:.2f}x the fastest floor's (max {MAX_P50_RATIO}x)")
    if measurement.clients == 50 and not measurement.p99_ms < MAX_P99_MS_AT_50:
        missed.append(f"p99 {measurement.p99_ms:.1f} ms (must be under {MAX_P99_MS_AT_50:.0f})")
    if measurement.errors:
        missed.append(f"{measurement.errors} errors ({measurement.error_summary})")
    return missed


def generator_shortfalls(ceiling: list[Measurement], measurements: list[Measurement]) -> list[str]:
    """Client counts where wrk's ceiling is not comfortably above every app row, in words."""
    shortfalls = []
    for m in ceiling:
        if m.server != WRK_GENERATOR:
            continue
        busiest = max(
            (x.requests_per_second for x in measurements if x.clients == m.clients), default=0.0
        )
        if busiest and not m.requests_per_second >= MIN_GENERATOR_HEADROOM * busiest:
            shortfalls.append(
                f"{at_clients(m.clients)} wrk's ceiling ({m.requests_per_second:,.0f} req/s) is "
                f"under {MIN_GENERATOR_HEADROOM:g}x the busiest server ({busiest:,.0f} req/s)"
            )
    return shortfalls


def ceiling_table(ceiling: list[Measurement]) -> str:
    """Both generators against the trivial server."""
    rows = [
        [
            m.server,
            str(m.clients),
            _ms(m.p50_ms),
            _ms(m.p99_ms),
            f"{m.requests_per_second:,.0f}",
            str(m.errors),
        ]
        for m in ceiling
    ]
    return render_table(["generator", "clients", "p50 ms", "p99 ms", "req/s", "errors"], rows)


def ceiling_summary(ceiling: list[Measurement]) -> str:
    """One line: each generator's best figure."""
    best = {
        name: max((m for m in ceiling if m.server == name), key=lambda m: m.requests_per_second)
        for name in (WRK_GENERATOR, PYTHON_GENERATOR)
    }
    parts = [
        f"{name} {m.requests_per_second:,.0f} req/s ({at_clients(m.clients)})"
        for name, m in best.items()
    ]
    return "Generator ceiling: " + "; ".join(parts) + "."


def contenders_table(measurements: list[Measurement]) -> tuple[str, list[str], bool]:
    """The floors and tipbot with ratios and verdicts; notes; whether tipbot met every target."""
    fastest = fastest_floors(measurements)
    rows = []
    notes: list[str] = []
    all_met = True
    for m in measurements:
        floor = fastest.get(m.clients)
        target = "-"
        if m.server == TIPBOT:
            missed = missed_targets(m, floor)
            all_met = all_met and not missed
            target = verdict(not missed)
            notes.extend(f"FAIL {at_clients(m.clients)}: {why}" for why in missed)
        elif floor is m:
            target = "fastest floor"
        elif m.errors:
            notes.append(f"{m.server} {at_clients(m.clients)} had errors: {m.error_summary}")
        rows.append(
            [
                m.server,
                str(m.clients),
                _ms(m.p50_ms),
                _ms(m.p99_ms),
                f"{m.requests_per_second:,.0f}",
                "-" if m.spread is None else f"{m.spread:.0%}",
                str(m.errors),
                _ratio(m.p50_ms, floor.p50_ms) if floor else "-",
                _ratio(m.requests_per_second, floor.requests_per_second) if floor else "-",
                target,
            ]
        )
    headers = ["server", "clients", "p50 ms", "p99 ms", "req/s", "spread", "errors"]
    headers += ["p50 vs fastest", "req/s vs fastest", "target"]
    return render_table(headers, rows), notes, all_met


def at_clients(count: int) -> str:
    """`at 1 client`, `at 50 clients`."""
    return f"at {plural(count, 'client')}"


def _ms(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.2f}"


def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.2f}x" if floor and not math.isnan(value) else "-"


@dataclass(frozen=True)
class MachineLoad:
    """The 1-minute load average before and after measuring: how busy the shared machine was."""

    before: float
    after: float


def render(
    ceiling: list[Measurement],
    measurements: list[Measurement],
    durations: Durations,
    load: MachineLoad,
) -> tuple[str, bool]:
    """Both tables with their notes, and whether every target was met."""
    table, notes, all_met = contenders_table(measurements)
    shortfalls = generator_shortfalls(ceiling, measurements)
    per_run = f"{durations.warmup} s warm-up + {durations.measure} s measured"
    rounds = f"median of {durations.rounds} interleaved rounds" if durations.rounds > 1 else ""
    how = "; ".join(filter(None, ["-t min(clients, 2)", per_run, rounds]))
    lines = [
        f"Load generator ceiling: {TRIVIAL}, answering a fixed 200 ({per_run})",
        "",
        ceiling_table(ceiling),
        "",
        ceiling_summary(ceiling),
        "",
        f"/tip over loopback, driven by wrk ({how})",
        "",
        table,
        "",
        "fastest floor = the error-free floor with the most req/s at that number of clients.",
        "spread = (highest - lowest) / median req/s over the rounds.",
        f"1-minute load average: {load.before:.1f} before, {load.after:.1f} after "
        f"({CORES} cores; other work on the machine shows here).",
        f"targets for tipbot: req/s >= {MIN_RPS_RATIO}x and p50 <= {MAX_P50_RATIO}x the "
        f"fastest floor's, p99 < {MAX_P99_MS_AT_50:.0f} ms at 50 clients, no errors; and wrk's "
        f"ceiling >= {MIN_GENERATOR_HEADROOM:g}x every server's req/s.",
        *(f"  {note}" for note in notes),
        *(f"  FAIL generator: {shortfall}" for shortfall in shortfalls),
    ]
    return "\n".join(lines), all_met and not shortfalls


@contextlib.contextmanager
def server_logs() -> Iterator[Path]:
    """A directory for the servers' output, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="tipbot-bench-logs-") as directory:
        yield Path(directory)


def run(quick: bool) -> bool:
    """Run the benchmark and print its tables; True when every target is met."""
    durations = QUICK if quick else FULL
    try:
        wrk = ensure_wrk()
        load_before = os.getloadavg()[0]
        with server_logs() as logs:
            ceiling = _timed("ceiling", lambda: measure_ceiling(wrk, durations, logs))
            measurements = _timed("servers", lambda: measure_contenders(wrk, durations, logs))
        load = MachineLoad(load_before, os.getloadavg()[0])
    except (WrkUnavailableError, WrkFailedError, ServerFailedError) as error:
        print(f"The HTTP benchmark could not run: {error}")
        return False
    text, all_met = render(ceiling, measurements, durations, load)
    print(text)
    return all_met


def _timed(what: str, measure: Callable[[], list[Measurement]]) -> list[Measurement]:
    started = time.perf_counter()
    found = measure()
    print(f"(measured the {what} in {time.perf_counter() - started:.0f} s)", flush=True)
    return found

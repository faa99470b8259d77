"""The load generator, run in its own process so that it does not share a GIL with the servers.

Each simulated client is a thread with one keep-alive connection that sends pre-signed requests
back to back: a closed loop, so concurrency is the number of requests in flight.
"""

import threading
import time
from dataclasses import dataclass, field
from http.client import HTTPConnection, HTTPException

# Far above any healthy answer; a request this slow is counted as an error rather than hanging.
REQUEST_TIMEOUT = 10.0
ERROR_SAMPLES = 5


@dataclass(frozen=True)
class SignedRequest:
    """One POST body and the headers (signature included) to send with it."""

    body: bytes
    headers: dict[str, str]


@dataclass(frozen=True)
class LoadPlan:
    """Where to send load, what to send, and for how long."""

    host: str
    port: int
    path: str
    # One cycle of requests per client; client i sends requests_by_client[i] in turn.
    requests_by_client: tuple[tuple[SignedRequest, ...], ...]
    warmup: float
    duration: float

    @property
    def concurrency(self) -> int:
        """How many clients send at once."""
        return len(self.requests_by_client)


@dataclass
class LoadResult:
    """Latencies (seconds) of the successful requests begun in the measured window, and errors."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    duration: float = 0.0
    error_samples: list[str] = field(default_factory=list)

    @property
    def requests_per_second(self) -> float:
        """Answered requests per second over the measured window."""
        return len(self.latencies) / self.duration if self.duration else 0.0


def run_load(plan: LoadPlan) -> LoadResult:
    """Drive `plan.concurrency` clients for warm-up plus duration; return the measured window."""
    started = time.perf_counter()
    measure_from = started + plan.warmup
    stop_at = measure_from + plan.duration
    results = [LoadResult() for _ in plan.requests_by_client]
    threads = [
        threading.Thread(
            target=_run_client,
            args=(plan, requests, measure_from, stop_at, result),
            name=f"bench-client-{index}",
        )
        for index, (requests, result) in enumerate(
            zip(plan.requests_by_client, results, strict=True)
        )
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = LoadResult(duration=plan.duration)
    for result in results:
        total.latencies.extend(result.latencies)
        total.errors += result.errors
        total.error_samples.extend(result.error_samples[: ERROR_SAMPLES - len(total.error_samples)])
    return total


def _run_client(
    plan: LoadPlan,
    requests: tuple[SignedRequest, ...],
    measure_from: float,
    stop_at: float,
    result: LoadResult,
) -> None:
    connection = HTTPConnection(plan.host, plan.port, timeout=REQUEST_TIMEOUT)
    sent = 0
    while True:
        began = time.perf_counter()
        if began >= stop_at:
            break
        request = requests[sent % len(requests)]
        sent += 1
        problem = None
        try:
            connection.request("POST", plan.path, body=request.body, headers=request.headers)
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                problem = f"HTTP {response.status}"
        except (OSError, HTTPException) as exc:
            problem = f"{type(exc).__name__}: {exc}"
            # The connection may be half-used; start a fresh one rather than reuse it.
            connection.close()
            connection = HTTPConnection(plan.host, plan.port, timeout=REQUEST_TIMEOUT)
        took = time.perf_counter() - began
        if began < measure_from:
            continue
        if problem is None:
            result.latencies.append(took)
        else:
            result.errors += 1
            if len(result.error_samples) < ERROR_SAMPLES:
                result.error_samples.append(problem)
    connection.close()

"""What an operator graphs: commands answered and how fast, posts sent, missed and failed,
installs and uninstalls, served at GET /metrics in Prometheus's format (TIPBOT_METRICS=on).

`tipbot serve` runs several gunicorn workers, each counting what it did. prometheus-client's
multiprocess mode sums them: every worker writes its counts to files in one directory, and a
scrape, whichever worker answers it, reads them all. The gunicorn master makes that directory
(a private temporary one) before it forks and removes it when it exits.

prometheus-client picks its multiprocess mode when it is first imported, from the
environment, so nothing here imports it until the directory is set: the master sets it, the
workers it forks inherit it, and only then do they build the instruments.

A process with no web server for Slack (the clock, Socket Mode) counts in its own memory and
serves /metrics alone on HOST:PORT (`serve_alone`).

Everything that counts is a no-op unless recording started, so callers need not check.
"""

import atexit
import hmac
import logging
import os
import shutil
import tempfile
import threading
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from http import HTTPStatus
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from bot.subcommands import SUBCOMMANDS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

    from bot.config import Settings

logger = logging.getLogger(__name__)

PATH = "/metrics"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
DIR_PREFIX = "tipbot-metrics-"
# parse_command's names for a /tip without a subcommand: a random tip, or a search.
SUBCOMMAND_LABELS = ("random", "find", *(sub.name for sub in SUBCOMMANDS))
# Seconds. Slack gives a command 3 seconds, so that is a bucket boundary of its own.
COMMAND_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
POST_KINDS = ("weekly", "check_in")
POST_OUTCOMES = ("sent", "missed", "failed")

Message = MutableMapping[str, Any]
Send = Callable[[Message], Awaitable[None]]


class Tally(Protocol):
    """A fan-out's report: the weekly DeliveryReport and the CheckInReport both are one."""

    sent: int
    missed: int
    failed: int


ReportT = TypeVar("ReportT", bound=Tally)


class Instruments:
    """The counters and the histogram, built once per process after the fork."""

    def __init__(self) -> None:
        from prometheus_client import Counter, Histogram  # noqa: PLC0415 - see the docstring

        self.commands = Counter(
            "tipbot_commands",
            "Slash commands answered, by subcommand and outcome (answered or failed).",
            ["subcommand", "outcome"],
        )
        self.command_seconds = Histogram(
            "tipbot_command_seconds",
            "Seconds from a signed slash command to its answer, by subcommand.",
            ["subcommand"],
            buckets=COMMAND_BUCKETS,
        )
        self.posts = Counter(
            "tipbot_posts",
            "Scheduled posts by kind (weekly tips, coaching check-ins) and outcome.",
            ["kind", "outcome"],
        )
        self.installs = Counter(
            "tipbot_installs", "Installs through Add to Slack, by scope.", ["scope"]
        )
        self.uninstalls = Counter("tipbot_uninstalls", "Workspaces that uninstalled.")
        # Every series exists from the start at 0, so a rate over it never starts with a gap.
        for name in SUBCOMMAND_LABELS:
            self.command_seconds.labels(name)
            for outcome in ("answered", "failed"):
                self.commands.labels(name, outcome)
        for kind in POST_KINDS:
            for outcome in POST_OUTCOMES:
                self.posts.labels(kind, outcome)
        for scope in ("workspace", "enterprise"):
            self.installs.labels(scope)


class _State:
    instruments: Instruments | None = None
    token: str | None = None


_state = _State()


def start_recording(settings: "Settings") -> None:
    """Count from now on in this process, if TIPBOT_METRICS is on (each worker, after fork)."""
    if not settings.metrics_enabled or _state.instruments is not None:
        return
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import values  # noqa: PLC0415

        if values.ValueClass is values.MutexValue:
            raise RuntimeError("prometheus_client was imported before its directory was set")
    _state.token = settings.metrics_token
    _state.instruments = Instruments()


def recording() -> bool:
    """Whether this process counts (TIPBOT_METRICS=on and recording started)."""
    return _state.instruments is not None


def subcommand_label(name: str) -> str:
    """A bounded label for parse_command's name: the known ones, else "other"."""
    return name if name in SUBCOMMAND_LABELS else "other"


def command_answered(subcommand: str, seconds: float, *, ok: bool) -> None:
    """Count one slash command and how long its answer took."""
    if (instruments := _state.instruments) is None:
        return
    label = subcommand_label(subcommand)
    instruments.commands.labels(label, "answered" if ok else "failed").inc()
    instruments.command_seconds.labels(label).observe(seconds)


def count_weekly_posts(report: ReportT) -> ReportT:
    """Count what one weekly fan-out tick sent, missed and failed; returns the report."""
    _count_posts("weekly", report)
    return report


def count_check_ins(report: ReportT) -> ReportT:
    """Count what one check-in tick sent, missed and failed; returns the report."""
    _count_posts("check_in", report)
    return report


def _count_posts(kind: str, report: Tally) -> None:
    if (instruments := _state.instruments) is None:
        return
    for outcome in POST_OUTCOMES:
        count = getattr(report, outcome)
        if count:
            instruments.posts.labels(kind, outcome).inc(count)


def installed(enterprise: bool) -> None:
    """Count one install: an org-wide one on Enterprise Grid, or one workspace's."""
    if (instruments := _state.instruments) is not None:
        instruments.installs.labels("enterprise" if enterprise else "workspace").inc()


def uninstalled() -> None:
    """Count one uninstall (app_uninstalled)."""
    if (instruments := _state.instruments) is not None:
        instruments.uninstalls.inc()


# The gunicorn master: the directory every worker writes to -----------------------------------


def prepare_for_workers(settings: "Settings") -> None:
    """Before forking: a fresh private directory for the workers' counts, removed at exit."""
    if not settings.metrics_enabled:
        return
    root = Path(tempfile.gettempdir())
    _remove_stale_dirs(root)
    master = os.getpid()
    path = tempfile.mkdtemp(prefix=f"{DIR_PREFIX}{master}-", dir=root)
    os.environ[MULTIPROC_ENV] = path
    # Workers inherit this handler when they fork; only the master may remove the directory.
    atexit.register(_remove_dir, path, master)
    logger.info("Metrics on at %s; every worker's counts are summed through %s", PATH, path)


def worker_exited(_server: object, worker: Any) -> None:
    """gunicorn's child_exit hook: tell prometheus-client the worker is gone."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess  # noqa: PLC0415

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def _remove_dir(path: str, owner: int) -> None:
    if os.getpid() == owner:
        shutil.rmtree(path, ignore_errors=True)


def _remove_stale_dirs(root: Path) -> None:
    """Remove directories left by tipbots that died without cleaning up (SIGKILL, a crash)."""
    for path in root.glob(f"{DIR_PREFIX}*"):
        pid = path.name.removeprefix(DIR_PREFIX).split("-", 1)[0]
        if not pid.isdigit() or _alive(int(pid)) or path.is_symlink() or not path.is_dir():
            continue
        if path.stat().st_uid == os.getuid():
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


# GET /metrics ------------------------------------------------------------------------------

Headers = list[tuple[str, str]]


def scrape(authorization: str, accept: str) -> tuple[int, Headers, bytes]:
    """Status, headers and body for GET /metrics: 404 when off, 401 without the bearer
    token when one is set, else every worker's counts summed."""
    text = [("Content-Type", "text/plain; charset=utf-8")]
    if _state.instruments is None:
        return 404, text, b"Not found.\n"
    if not _authorized(authorization, _state.token):
        return 401, [*text, ("WWW-Authenticate", "Bearer")], b"A bearer token is needed.\n"
    body, content_type = _exposition(accept)
    return 200, [("Content-Type", content_type)], body


async def answer_scrape(scope: Message, send: Send) -> None:
    """Answer GET /metrics in tipbot's ASGI app, on the event loop (reading is quick)."""
    headers = scope.get("headers", [])
    status, head, body = scrape(_header(headers, b"authorization"), _header(headers, b"accept"))
    raw = [(k.lower().encode(), v.encode("latin-1")) for k, v in head]
    raw.append((b"content-length", b"%d" % len(body)))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


def serve_alone(settings: "Settings") -> None:
    """For a process without tipbot's web server (the clock, Socket Mode): count, and
    serve /metrics on HOST:PORT from a thread, if TIPBOT_METRICS is on."""
    if not settings.metrics_enabled:
        return
    from bot.http_server import create_wsgi_server  # noqa: PLC0415 - only when switched on

    start_recording(settings)
    server = create_wsgi_server(
        _wsgi_scrape, settings.host, settings.port, threads=2, ident="tipbot", max_body=0
    )
    threading.Thread(target=server.run, name="metrics", daemon=True).start()
    logger.info("Metrics on at http://%s:%d%s", settings.host, settings.port, PATH)


def _wsgi_scrape(environ: "WSGIEnvironment", start_response: "StartResponse") -> list[bytes]:
    if environ.get("PATH_INFO") != PATH or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
        start_response("404 Not Found", [("Content-Type", "text/plain; charset=utf-8")])
        return [b"Not found.\n"]
    status, headers, body = scrape(
        environ.get("HTTP_AUTHORIZATION", ""), environ.get("HTTP_ACCEPT", "")
    )
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [body]


def _exposition(accept: str) -> tuple[bytes, str]:
    """Every worker's counts summed (one process's own when not under gunicorn)."""
    from prometheus_client import REGISTRY, CollectorRegistry  # noqa: PLC0415
    from prometheus_client.exposition import choose_encoder  # noqa: PLC0415
    from prometheus_client.multiprocess import MultiProcessCollector  # noqa: PLC0415

    encoder, content_type = choose_encoder(accept)
    if not os.environ.get(MULTIPROC_ENV):
        return encoder(REGISTRY), content_type
    registry = CollectorRegistry()
    MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    return encoder(registry), content_type


def _authorized(given: str, token: str | None) -> bool:
    if token is None:
        return True
    expected = f"Bearer {token}".encode()
    return hmac.compare_digest(given.encode("latin-1", "replace"), expected)


def _header(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> str:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1")
    return ""

"""Servers under test, each started as its own process on a free loopback port and stopped after.

A server runs in a new session (its own process group), its output in a log file, so a server
that forks workers (gunicorn, uvicorn) is stopped whole: SIGTERM to the process we started, as a
platform would send it, then SIGKILL to whatever of its group is left.
"""

import contextlib
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
READY_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 10.0
LOG_TAIL_CHARACTERS = 2000


class ServerFailedError(RuntimeError):
    """A server exited or never became ready."""


@dataclass(frozen=True)
class ServerSpec:
    """How to start one server: `argv` may contain `{port}`; `ready` probes a started one."""

    name: str
    argv: list[str]
    ready: Callable[[int], bool]
    env: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RunningServer:
    """A started server: where it listens and where its output goes."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def base_url(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://{HOST}:{self.port}"


def free_port() -> int:
    """A loopback port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def answers_get(path: str) -> Callable[[int], bool]:
    """A readiness probe: GET `path` answers 200."""

    def probe(port: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=2) as response:
                return int(response.status) == 200
        except (OSError, urllib.error.URLError):
            return False

    return probe


@contextlib.contextmanager
def running(
    spec: ServerSpec, base_env: dict[str, str], cwd: Path, logs: Path
) -> Iterator[RunningServer]:
    """Start `spec`, wait until it is ready, and stop it (and its workers) on the way out."""
    port = free_port()
    log = logs / (spec.name.replace(" ", "-").replace("/", "") + ".log")
    argv = [part.format(port=port) for part in spec.argv]
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv,
            cwd=cwd,
            env={**base_env, **{k: v.format(port=port) for k, v in spec.env.items()}},
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = RunningServer(spec.name, port, process, log)
    try:
        wait_until_ready(server, spec.ready)
        yield server
    finally:
        stop(server)


def wait_until_ready(server: RunningServer, ready: Callable[[int], bool]) -> None:
    """Poll `ready` until true; ServerFailedError with the log if the server dies or stalls."""
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while not ready(server.port):
        if exited_unreaped(server.process.pid, timeout=0):
            raise ServerFailedError(
                f"{server.name} exited before it was ready; its log ends:\n{log_tail(server.log)}"
            )
        if time.monotonic() > deadline:
            raise ServerFailedError(
                f"{server.name} did not answer within {READY_TIMEOUT_SECONDS:.0f} s; "
                f"its log ends:\n{log_tail(server.log)}"
            )
        time.sleep(0.1)


def stop(server: RunningServer) -> None:
    """SIGTERM the server, wait for it, then SIGKILL anything left in its process group."""
    process = server.process
    if not exited_unreaped(process.pid, timeout=0):
        process.send_signal(signal.SIGTERM)
        exited_unreaped(process.pid, STOP_TIMEOUT_SECONDS)
    # The group is the one start_new_session made for this server: its workers and nothing
    # else. Its leader is not reaped yet, so its id cannot have been reused by now.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def exited_unreaped(pid: int, timeout: float) -> bool:
    """Wait up to `timeout` for child `pid` to exit, leaving it unreaped; True if it did."""
    deadline = time.monotonic() + timeout
    while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is None:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def log_tail(log: Path) -> str:
    """The end of a server's output, for an error message."""
    try:
        text = log.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return text[-LOG_TAIL_CHARACTERS:].strip() or "(empty)"

"""Starting the bot as a subprocess the way `make run` and a Procfile do, and stopping it."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.conftest import REPO, SHIPPED_TIPS
from tests.signing import SIGNING_SECRET
from tests.slack_stand_in import SlackStandIn


def run_tipbot(
    *args: str,
    env: dict[str, str] | None = None,
    command: list[str] | None = None,
    timeout: float = 60,
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` (or `command ARGS`) from the repository root, to its end."""
    return subprocess.run(
        [*(command or [sys.executable, "-m", "bot"]), *args],
        cwd=REPO,
        env=env if env is not None else dict(os.environ),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def bot_env(stand_in: SlackStandIn, port: int, tmp_path: Path) -> dict[str, str]:
    """The environment `make run` would see, pointed at the stand-in."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TIPBOT_"))}
    env.update(
        SLACK_BOT_TOKEN="xoxb-e2e-secret-token",
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=stand_in.api_url,
        PORT=str(port),
        HOST="127.0.0.1",
        TIPS_DIR=str(SHIPPED_TIPS),
        DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}",
        LOG_LEVEL="DEBUG",
        WEB_CONCURRENCY="2",
    )
    return env


def spawn(command: str, env: dict[str, str]) -> subprocess.Popen[str]:
    """Start `python -m bot <command>` as `make run` would, capturing its log."""
    return subprocess.Popen(
        [sys.executable, "-m", "bot", command],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_until_up(port: int, process: subprocess.Popen[str], timeout: float = 20) -> None:
    """Poll GET /health until the server answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"bot exited early: {process.communicate()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("bot did not start listening in time")


def start_process(stand_in: SlackStandIn, port: int, tmp_path: Path) -> subprocess.Popen[str]:
    """Start `python -m bot serve` with the scheduler on, and wait until it answers."""
    env = bot_env(stand_in, port, tmp_path)
    env["TIPBOT_SCHEDULER"] = "on"
    env["LOG_LEVEL"] = "INFO"
    process = spawn("serve", env)
    wait_until_up(port, process)
    return process


def stop_process(process: subprocess.Popen[str]) -> str:
    """SIGTERM the bot and return what it logged."""
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    return output

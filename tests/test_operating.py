"""Operating tipbot: JSON log lines from every process and logger, against `tipbot serve`
started as a process with two workers.
"""

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.processes import bot_env, free_port, run_tipbot, wait_until_up
from tests.signing import SIGNING_SECRET, HttpReply, post, signed_headers, slash_command_body
from tests.slack_stand_in import Reply, SlackStandIn

BOT_TOKEN = "xoxb-e2e-secret-token"
METRICS_TOKEN = "scrape-token-for-the-test"


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    """A Slack stand-in for the processes to talk to."""
    server = SlackStandIn().start()
    yield server
    server.stop()


@dataclass
class Serving:
    """`tipbot serve` as a process, its stdout and stderr in files (a pipe could fill up)."""

    process: subprocess.Popen[str]
    port: int
    stdout: Path
    stderr: Path
    stand_in: SlackStandIn

    def command(self, text: str) -> HttpReply:
        """A signed `/tip <text>` from U1."""
        body = slash_command_body(text, self.stand_in.response_url())
        url = f"http://127.0.0.1:{self.port}/slack/events"
        return post(url, body, signed_headers(body))

    def get(self, path: str, token: str | None = METRICS_TOKEN) -> HttpReply:
        """GET `path`, with the metrics bearer token unless told otherwise."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=5) as reply:
                return HttpReply(reply.status, reply.read().decode())
        except urllib.error.HTTPError as error:
            return HttpReply(error.code, error.read().decode())

    def stop(self) -> tuple[str, str]:
        """SIGTERM the master; what it wrote to stdout and to stderr."""
        self.process.send_signal(signal.SIGTERM)
        assert self.process.wait(timeout=30) == 0, self.stderr.read_text()
        return self.stdout.read_text(), self.stderr.read_text()


def serve(stand_in: SlackStandIn, tmp_path: Path, **extra: str) -> Serving:
    """Start `python -m bot serve` with two workers and wait until it answers."""
    port = free_port()
    env = bot_env(stand_in, port, tmp_path) | extra
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=REPO,
            env=env,
            stdout=stdout,
            stderr=stderr,
            text=True,
        )
    wait_until_up(port, process)
    return Serving(process, port, out, err, stand_in)


def test_json_logs_cover_every_logger_and_never_hold_a_secret(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """LOG_FORMAT=json at DEBUG: requests, a refused one and a failing Slack call; every
    line of stdout and stderr is one JSON object and none holds the token or a secret."""
    # The note that tells the channel about its new weekly tip gets a 500 from Slack.
    stand_in.script("chat.postMessage", Reply({"ok": False, "error": "internal_error"}, 500))
    web = serve(
        stand_in,
        tmp_path,
        LOG_FORMAT="json",
        LOG_LEVEL="DEBUG",
        TIPBOT_SCHEDULER="on",
    )
    try:
        assert web.command("").status == 200
        assert web.command("subscribe mon 09:00").status == 200
        stand_in.wait_for("chat.postMessage")
        unsigned = post(f"http://127.0.0.1:{web.port}/slack/events", "text=hi", {})
        assert unsigned.status == 401
        time.sleep(0.5)  # the failing call's warning is logged after the stand-in answers
    finally:
        stdout, stderr = web.stop()

    lines = [line for line in (stdout + stderr).splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # raises on any line that is not JSON
    assert all(isinstance(entry, dict) for entry in entries)
    for entry in entries:
        assert {"time", "level", "logger", "message", "pid"} <= entry.keys(), entry
        assert datetime.fromisoformat(entry["time"]).utcoffset() == timedelta(0), entry
    loggers = {entry["logger"] for entry in entries}
    # gunicorn's master and workers, uvicorn in each worker, tipbot's own and the libraries'.
    assert {"gunicorn.error", "uvicorn.error", "bot.runner"} <= loggers, loggers
    assert not any("\x1b" in line for line in lines)  # no terminal colours in a log file
    assert "slack_bolt" in loggers, loggers
    assert len({entry["pid"] for entry in entries}) >= 3  # the master and two workers
    failing = [e for e in entries if "Could not tell C1 about its weekly tip" in e["message"]]
    # The fields the code adds come as fields of their own, for the collector to index.
    assert [(e["level"], e["channel"]) for e in failing] == [("WARNING", "C1")], failing
    refused = [e for e in entries if e["message"].startswith("Refused a request")]
    assert [e["status"] for e in refused] == [401], refused
    for secret in (BOT_TOKEN, SIGNING_SECRET):
        assert secret not in stdout
        assert secret not in stderr


def test_an_unknown_log_format_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    """LOG_FORMAT=xml: exit 2 and one sentence saying what is accepted."""
    env = bot_env(SlackStandIn(), free_port(), tmp_path) | {"LOG_FORMAT": "xml"}
    result = run_tipbot("serve", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == "LOG_FORMAT must be text or json, got 'xml'."

"""Operating tipbot: JSON log lines from every process and logger, and /metrics summed over
gunicorn's workers, against `tipbot serve` started as a process with two workers.
"""

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from bot.coaching.models import CommitmentDraft
from bot.config import load_settings
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.runner import open_store
from tests.conftest import REPO
from tests.oauth import CLIENT_ID, CLIENT_SECRET, OAuthClient
from tests.processes import bot_env, free_port, run_tipbot, wait_until_up
from tests.signing import SIGNING_SECRET, HttpReply, post, signed_headers, slash_command_body
from tests.slack.test_oauth_install import ACME, ORG
from tests.slack_stand_in import Reply, SlackStandIn, acted_then
from tests.teams import TEAM

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


def samples(exposition: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample in a scrape, by name and labels."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(exposition)
        for sample in family.samples
    }


def value(scraped: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str):
    """One sample's value (0 when the series is not there)."""
    return scraped.get((name, frozenset(labels.items())), 0.0)


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
        TIPBOT_METRICS="on",
        TIPBOT_METRICS_TOKEN=METRICS_TOKEN,
    )
    try:
        assert web.command("").status == 200
        assert web.command("subscribe mon 09:00").status == 200
        stand_in.wait_for("chat.postMessage")
        unsigned = post(f"http://127.0.0.1:{web.port}/slack/events", "text=hi", {})
        assert unsigned.status == 401
        assert web.get("/metrics").status == 200
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
    assert {"gunicorn.error", "uvicorn.error", "bot.runner", "bot.metrics"} <= loggers, loggers
    assert not any("\x1b" in line for line in lines)  # no terminal colours in a log file
    assert "slack_bolt" in loggers, loggers
    assert len({entry["pid"] for entry in entries}) >= 3  # the master and two workers
    failing = [e for e in entries if "Could not tell C1 about its weekly tip" in e["message"]]
    # The fields the code adds come as fields of their own, for the collector to index.
    assert [(e["level"], e["channel"]) for e in failing] == [("WARNING", "C1")], failing
    refused = [e for e in entries if e["message"].startswith("Refused a request")]
    assert [e["status"] for e in refused] == [401], refused
    for secret in (BOT_TOKEN, SIGNING_SECRET, METRICS_TOKEN):
        assert secret not in stdout
        assert secret not in stderr


def test_an_unknown_log_format_stops_the_start_with_a_clear_message(tmp_path: Path) -> None:
    """LOG_FORMAT=xml: exit 2 and one sentence saying what is accepted."""
    env = bot_env(SlackStandIn(), free_port(), tmp_path) | {"LOG_FORMAT": "xml"}
    result = run_tipbot("serve", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == "LOG_FORMAT must be text or json, got 'xml'."


def seed_due_posts(env: dict[str, str]) -> None:
    """Three weekly slots due now (one to send, one Slack fails, one missed), one check-in."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    store = open_store(load_settings(env))
    for channel, slot in (("C7", now), ("C8", now), ("C9", now - timedelta(hours=13))):
        schedule = Schedule(slot.weekday(), f"{slot:%H:%M}", "UTC")
        store.save_subscription(
            Subscription.new(TEAM, channel, schedule, "U1", slot - timedelta(hours=1))
        )
    due = now - timedelta(minutes=1)
    draft = CommitmentDraft("T1", "U1", "t1", "A tip", "Try it", None, due, "UTC")
    store.save_commitment(draft, due - timedelta(days=1))
    store.engine.dispose()


def worker_counts(directory: Path) -> dict[int, float]:
    """Each worker's own count of /tip answered, read from its file in the metrics directory."""
    counts = {}
    for path in directory.glob("counter_*.db"):
        pid = int(path.stem.removeprefix("counter_"))
        merged = MultiProcessCollector.merge([str(path)])
        counts[pid] = sum(
            sample.value
            for family in merged
            for sample in family.samples
            if sample.name == "tipbot_commands_total" and sample.labels["outcome"] == "answered"
        )
    return counts


def test_one_scrape_sums_both_workers_and_the_fan_out(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """/tip answered by both workers, weekly posts sent, failed and missed, a check-in sent:
    one scrape, whichever worker answers it, counts them all, and a killed worker's counts
    stay. The directory is private and gone after the stop, with one a dead tipbot left."""
    temp = tmp_path / "tmp"
    stale = temp / "tipbot-metrics-999999999-left"  # no such process: left by a crash
    stale.mkdir(parents=True)
    (stale / "counter_1.db").write_bytes(b"")
    env = bot_env(stand_in, 0, tmp_path)
    seed_due_posts(env)
    stand_in.fail_after_acting("chat.postMessage", acted_then(500))  # the first weekly post
    web = serve(
        stand_in,
        tmp_path,
        TMPDIR=str(temp),
        TIPBOT_SCHEDULER="on",
        TIPBOT_METRICS="on",
        TIPBOT_METRICS_TOKEN=METRICS_TOKEN,
    )
    try:
        assert not stale.exists()
        (directory,) = temp.glob("tipbot-metrics-*")
        assert directory.stat().st_mode & 0o077 == 0  # readable by this user alone
        sent = 0
        with ThreadPoolExecutor(8) as pool:
            # Batches until both workers have answered some: the kernel picks who accepts.
            while sent < 400:
                replies = list(pool.map(lambda _: web.command("").status, range(40)))
                assert replies == [200] * 40
                sent += 40
                if sum(1 for count in worker_counts(directory).values() if count) >= 2:
                    break
        counts = worker_counts(directory)
        assert sum(1 for count in counts.values() if count) == 2, counts
        assert web.command("topics").status == 200

        deadline = time.monotonic() + 20
        while True:
            scraped = samples(web.get("/metrics").body)
            posts = {
                (kind, outcome): value(scraped, "tipbot_posts_total", kind=kind, outcome=outcome)
                for kind in ("weekly", "check_in")
                for outcome in ("sent", "missed", "failed")
            }
            if sum(posts.values()) >= 4 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        answered = {"subcommand": "random", "outcome": "answered"}
        assert value(scraped, "tipbot_commands_total", **answered) == sent
        assert value(scraped, "tipbot_command_seconds_count", subcommand="random") == sent
        assert (
            value(scraped, "tipbot_command_seconds_bucket", subcommand="random", le="+Inf") == sent
        )
        assert value(scraped, "tipbot_commands_total", subcommand="topics", outcome="answered") == 1
        assert posts == {
            ("weekly", "sent"): 1,
            ("weekly", "missed"): 1,
            ("weekly", "failed"): 1,
            ("check_in", "sent"): 1,
            ("check_in", "missed"): 0,
            ("check_in", "failed"): 0,
        }
        # Series exist before anything happens, so rates never start with a gap.
        assert ("tipbot_installs_total", frozenset({("scope", "enterprise")})) in scraped
        assert value(scraped, "tipbot_uninstalls_total") == 0

        # A worker that dies is replaced; what it counted is still in the sum.
        os.kill(next(pid for pid, count in counts.items() if count), signal.SIGKILL)
        time.sleep(1.5)
        scraped = samples(web.get("/metrics").body)
        assert value(scraped, "tipbot_commands_total", **answered) == sent

        assert web.get("/metrics", token=None).status == 401
        assert web.get("/metrics", token="not-the-token").status == 401
    finally:
        web.stop()
    assert list(temp.glob("tipbot-metrics-*")) == []


def test_metrics_are_not_served_unless_switched_on(stand_in: SlackStandIn, tmp_path: Path) -> None:
    """Without TIPBOT_METRICS=on, /metrics is a 404 and no metrics directory is made."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    web = serve(stand_in, tmp_path, TMPDIR=str(temp), TIPBOT_SCHEDULER="off")
    try:
        assert web.get("/metrics").status == 404
        assert web.get("/health").status == 200
        assert web.command("").status == 200
        assert list(temp.glob("tipbot-metrics-*")) == []
    finally:
        web.stop()


def test_a_clock_process_serves_its_own_counts(stand_in: SlackStandIn, tmp_path: Path) -> None:
    """`tipbot clock` has no web server of tipbot's; with TIPBOT_METRICS=on it serves
    /metrics on PORT itself, so posts made there are counted too."""
    port = free_port()
    env = bot_env(stand_in, port, tmp_path) | {
        "TIPBOT_METRICS": "on",
        "TIPBOT_METRICS_TOKEN": METRICS_TOKEN,
        "LOG_FORMAT": "json",
    }
    seed_due_posts(env)
    with (tmp_path / "clock.log").open("w") as log:
        clock = subprocess.Popen(
            [sys.executable, "-m", "bot", "clock"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=log,
            text=True,
        )
    web = Serving(clock, port, tmp_path / "clock.log", tmp_path / "clock.log", stand_in)
    try:
        deadline = time.monotonic() + 20
        scraped: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):  # not listening yet
                scraped = samples(web.get("/metrics").body)
            if value(scraped, "tipbot_posts_total", kind="check_in", outcome="sent"):
                break
            time.sleep(0.2)
        assert value(scraped, "tipbot_posts_total", kind="weekly", outcome="sent") == 2
        assert value(scraped, "tipbot_posts_total", kind="weekly", outcome="missed") == 1
        assert value(scraped, "tipbot_posts_total", kind="check_in", outcome="sent") == 1
        assert web.get("/metrics", token=None).status == 401
        assert web.get("/slack/events").status == 404
    finally:
        web.stop()
    for line in (tmp_path / "clock.log").read_text().splitlines():
        json.loads(line)


def test_installs_and_uninstalls_are_counted_in_oauth_mode(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """Three workspace installs, one org-wide, one refused, one uninstall: one scrape; the
    uninstall's log line carries the team as a field, and no secret is in the log."""
    port = free_port()
    env = bot_env(stand_in, port, tmp_path) | {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "TIPBOT_SCHEDULER": "off",
        "TIPBOT_METRICS": "on",
        "LOG_FORMAT": "json",
    }
    del env["SLACK_BOT_TOKEN"]
    out = tmp_path / "serve.log"
    with out.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=log,
            text=True,
        )
    web = Serving(process, port, out, out, stand_in)
    try:
        wait_until_up(port, process)
        slack = OAuthClient(f"http://127.0.0.1:{port}", stand_in)
        refused = slack.start_install()
        assert slack.come_back(refused, code="code-refused", state=refused.state).status == 401
        for _ in range(3):
            assert slack.install(ACME).status == 200
        assert slack.install(ORG).status == 200
        assert slack.event({"type": "app_uninstalled"}, team_id="T1").status == 200
        scraped = samples(web.get("/metrics", token=None).body)
    finally:
        web.stop()
    assert value(scraped, "tipbot_installs_total", scope="workspace") == 3
    assert value(scraped, "tipbot_installs_total", scope="enterprise") == 1
    assert value(scraped, "tipbot_uninstalls_total") == 1
    written = out.read_text()
    entries = [json.loads(line) for line in written.splitlines()]
    (gone,) = [e for e in entries if e["message"].startswith("tipbot was uninstalled")]
    assert (gone["team_id"], gone["enterprise_id"]) == ("T1", None)
    for secret in (CLIENT_SECRET, "xoxb-acme", "xoxb-org"):
        assert secret not in written

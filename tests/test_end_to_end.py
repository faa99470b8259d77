"""The bot started as a subprocess the way `make run` starts it, driven over real sockets."""

import os
import signal
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.runner import open_store
from bot.scheduler import LEASE_NAME
from tests.processes import (
    bot_env,
    free_port,
    run_tipbot,
    spawn,
    start_process,
    stop_process,
    wait_until_up,
)
from tests.signing import SIGNING_SECRET, post, signed_headers, slash_command_body
from tests.slack_stand_in import Reply, SlackStandIn
from tests.teams import TEAM


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    """A Slack stand-in for the subprocess to talk to."""
    server = SlackStandIn().start()
    yield server
    server.stop()


def test_bot_serves_tip_over_http_as_a_process(stand_in: SlackStandIn, tmp_path: Path) -> None:
    """`python -m bot serve` answers a signed /tip on $PORT, stops on SIGTERM, logs no secret."""
    port = free_port()
    process = spawn("serve", bot_env(stand_in, port, tmp_path))
    try:
        wait_until_up(port, process)
        body = slash_command_body("mentoring", stand_in.response_url())
        reply = post(f"http://127.0.0.1:{port}/slack/events", body, signed_headers(body))
        assert reply.status == 200
        assert reply.json()["blocks"][0]["type"] == "header"
        assert stand_in.calls_to("auth.test"), "the bot checks its token with Slack at start"
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=15)
    assert process.returncode == 0, output
    assert "xoxb-e2e-secret-token" not in output
    assert SIGNING_SECRET not in output
    assert "Traceback" not in output


def test_missing_credentials_explain_what_to_set(tmp_path: Path) -> None:
    """With no token or secret the bot says what to set and where to get it, exit code 2."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TIPBOT_"))}
    result = run_tipbot("serve", env=env, timeout=30)
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET are not set" in result.stderr
    assert "Bot User OAuth Token" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_weekly_tip_is_posted_once_at_its_slot_and_survives_a_restart(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """Subscribe for the coming minute: a note, one post at the slot; after a restart, no second."""
    port = free_port()
    events = f"http://127.0.0.1:{port}/slack/events"
    process = start_process(stand_in, port, tmp_path)
    output = ""
    try:
        now = datetime.now(UTC)
        slot = (now + timedelta(minutes=2 if now.second > 45 else 1)).replace(
            second=0, microsecond=0
        )
        text = f"subscribe {slot:%a} {slot:%H:%M} UTC"
        body = slash_command_body(text, stand_in.response_url())
        reply = post(events, body, signed_headers(body))
        assert "Subscribed" in reply.body
        note, posted = stand_in.wait_for("chat.postMessage", count=2, timeout=150)
        assert note.params["text"].startswith(":calendar: <@U1> set a weekly tip here:")
        assert posted.params["channel"] == "C1"
        assert time.time() >= slot.timestamp()
        assert posted.params["blocks"][1]["type"] == "header"
    finally:
        output += stop_process(process)

    process = start_process(stand_in, port, tmp_path)
    try:
        body = slash_command_body("schedule", stand_in.response_url())
        reply = post(events, body, signed_headers(body))
        assert "This channel gets one tip" in reply.body
        time.sleep(3)  # the restarted scheduler's catch-up tick runs at start
    finally:
        output += stop_process(process)
    assert len(stand_in.calls_to("chat.postMessage")) == 2, "the note, then one weekly tip"
    assert "1 sent" in output


def test_socket_mode_connects_with_the_app_token(stand_in: SlackStandIn, tmp_path: Path) -> None:
    """With SLACK_APP_TOKEN set the bot opens a Socket Mode connection instead of HTTP."""
    stand_in.script(
        "apps.connections.open", Reply({"ok": True, "url": "ws://127.0.0.1:9/socket-mode"})
    )
    port = free_port()
    env = bot_env(stand_in, port, tmp_path)
    env["SLACK_APP_TOKEN"] = "xapp-e2e-app-token"
    del env["SLACK_SIGNING_SECRET"]
    process = spawn("serve", env)
    try:
        (call,) = stand_in.wait_for("apps.connections.open", timeout=20)[:1]
        assert call.headers["Authorization"] == "Bearer xapp-e2e-app-token"
        with pytest.raises(urllib.error.URLError, match="refused"):
            urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
    finally:
        output = stop_process(process)
    assert "xapp-e2e-app-token" not in output
    assert "xoxb-e2e-secret-token" not in output


def test_clock_process_posts_while_web_processes_leave_it_alone(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """With TIPBOT_SCHEDULER=off the web process never posts; `tipbot clock` catches up once."""
    env = bot_env(stand_in, free_port(), tmp_path)
    env["LOG_LEVEL"] = "INFO"
    slot = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=5)
    store = open_store(load_settings(env))
    schedule = Schedule(slot.weekday(), f"{slot:%H:%M}", "UTC")
    store.save_subscription(Subscription.new(TEAM, "C7", schedule, "U1", slot - timedelta(hours=1)))

    web = spawn("serve", env | {"TIPBOT_SCHEDULER": "off"})
    wait_until_up(int(env["PORT"]), web)
    time.sleep(2)
    output = stop_process(web)
    assert stand_in.calls_to("chat.postMessage") == [], output

    # The clock serves no requests, so it needs no signing secret.
    clock = spawn("clock", {k: v for k, v in env.items() if k != "SLACK_SIGNING_SECRET"})
    try:
        (posted,) = stand_in.wait_for("chat.postMessage", timeout=20)
        assert posted.params["channel"] == "C7"
    finally:
        output = stop_process(clock)
    assert "Listening on" not in output, "the clock serves no HTTP"
    (row,) = store.deliveries("C7")
    assert (row.slot_at, row.status) == (slot, "sent")


def test_a_clean_start_at_info_logs_nothing_to_worry_about(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """`tipbot serve` at INFO: no Bolt warning about the token, no line per scheduler run."""
    port = free_port()
    process = start_process(stand_in, port, tmp_path)
    try:
        store = open_store(load_settings(bot_env(stand_in, port, tmp_path)))
        deadline = time.monotonic() + 20
        while store.lease_holder(LEASE_NAME, datetime.now(UTC)) is None:
            assert time.monotonic() < deadline, "no worker ran the scheduler's first job"
            time.sleep(0.1)
        body = slash_command_body("", stand_in.response_url())
        reply = post(f"http://127.0.0.1:{port}/slack/events", body, signed_headers(body))
        assert reply.status == 200
    finally:
        output = stop_process(process)
    assert "now runs the weekly tip scheduler" in output, output
    assert "will be unused" not in output
    assert "Running job" not in output
    assert "executed successfully" not in output
    assert " WARNING " not in output, output


def test_the_bot_starts_while_slack_is_unreachable(tmp_path: Path) -> None:
    """Slack down at boot: the workers still start and /health answers; the log says why."""
    with socket.create_server(("127.0.0.1", 0)) as closed:
        dead = f"http://127.0.0.1:{closed.getsockname()[1]}/api/"
    stand_in = SlackStandIn()
    port = free_port()
    env = bot_env(stand_in, port, tmp_path) | {"SLACK_API_URL": dead, "LOG_LEVEL": "INFO"}
    process = spawn("serve", env)
    try:
        wait_until_up(port, process)
    finally:
        output = stop_process(process)
    assert "Could not reach Slack to check the bot token" in output
    assert "Traceback" not in output
    assert "Worker failed to boot" not in output

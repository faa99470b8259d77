"""tipbot on every core: `tipbot serve` with two workers, and schedulers in several processes.

Each test starts real processes the way a Procfile does and checks what a person would
notice: no repeated tips whichever worker answers, an edit reaching every worker, admins
told once, one scheduler at a time (taken over when its holder is killed), a clean stop on
SIGTERM with a request in flight, and Slack still answered while hundreds of idle or
half-sent connections hang on.
"""

import re
import shutil
import signal
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import Settings, load_settings
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.runner import open_store
from bot.scheduler import LEASE_NAME
from bot.store.sql import SqlStore
from tests.conftest import SHIPPED_TIPS, start_bot
from tests.processes import bot_env, free_port, spawn, stop_process, wait_until_up
from tests.signing import HttpReply, post, signed_headers, slash_command_body
from tests.slack.test_helpful_votes import Nugget, helpful_click_body, helpful_label
from tests.slack_stand_in import SlackStandIn
from tests.teams import TEAM

NEW_TIP = """
source:
  title: "A note written for this test"
  author: tipbot tests
  date: 2026-11-28
tips:
  - id: zebra-crossing
    title: Stop at the zebra crossing
    body: A tip that only exists once the file is saved, about zebras.
    try: Look both ways before you cross this week.
    tags: [communication]
    level: both
"""
BROKEN = "source: [this is not: valid\n"


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    """A Slack stand-in for the processes to talk to."""
    server = SlackStandIn().start()
    yield server
    server.stop()


class Web:
    """`tipbot serve` with two workers, running until the test ends."""

    def __init__(self, stand_in: SlackStandIn, tmp_path: Path, **env: str) -> None:
        self.port = free_port()
        self.env = bot_env(stand_in, self.port, tmp_path) | {"LOG_LEVEL": "INFO"} | env
        self.process = spawn("serve", self.env)
        wait_until_up(self.port, self.process)
        self.url = f"http://127.0.0.1:{self.port}/slack/events"
        self.stand_in = stand_in

    def command(self, text: str, user_id: str = "U1") -> HttpReply:
        """A signed `/tip <text>` from `user_id`."""
        body = slash_command_body(text, self.stand_in.response_url(), user_id=user_id)
        return post(self.url, body, signed_headers(body))

    def stop(self) -> str:
        """SIGTERM the master; return everything the processes logged."""
        return stop_process(self.process)


def shown_title(reply: HttpReply) -> str:
    """The title of the tip in a /tip answer."""
    assert reply.status == 200, reply.body
    return str(reply.json()["blocks"][0]["text"]["text"])


def worker_pids(log: str, message: str) -> set[str]:
    """The process ids that logged `message` (the log format carries [pid])."""
    return set(re.findall(rf"\[(\d+)\] [\w.]+: {re.escape(message)}", log))


def test_no_recent_tip_comes_back_whichever_worker_answers_and_after_a_restart(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """Forty /tip in a row over two workers and a restart: none repeats one of the last 5."""
    shown: list[str] = []
    web = Web(stand_in, tmp_path)
    try:
        shown += [shown_title(web.command("")) for _ in range(30)]
    finally:
        log = web.stop()
    assert len(worker_pids(log, "Loaded 21 tips from")) == 2, log
    web = Web(stand_in, tmp_path)
    try:
        shown += [shown_title(web.command("")) for _ in range(10)]
    finally:
        web.stop()
    for index, title in enumerate(shown):
        assert title not in shown[max(0, index - 5) : index], (index, shown)


def test_a_tip_file_edit_reaches_every_worker_within_two_seconds(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """Saving a new tip file: both workers reload it within 2 s and /tip finds it."""
    tips = tmp_path / "tips"
    shutil.copytree(SHIPPED_TIPS, tips)
    web = Web(stand_in, tmp_path, TIPS_DIR=str(tips))
    try:
        time.sleep(0.5)  # let both watchers start before the edit
        saved_at = datetime.now(UTC)
        (tips / "zebra.yaml").write_text(NEW_TIP, encoding="utf-8")
        time.sleep(2)
        answers = [web.command("zebra crossing").json()["text"] for _ in range(10)]
    finally:
        log = web.stop()
    assert all("Stop at the zebra crossing" in answer for answer in answers), answers
    reloads = re.findall(r"^(\S+ \S+) INFO \[(\d+)\] bot.content.reloading: .*added", log, re.M)
    assert len({pid for _, pid in reloads}) == 2, log
    for stamp, _ in reloads:
        logged = datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").replace(tzinfo=UTC)
        assert logged - saved_at < timedelta(seconds=2)


def test_admins_hear_of_a_broken_file_once_however_many_workers_see_it(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """Both workers find the same error; the admin gets one DM about it, not two."""
    tips = tmp_path / "tips"
    shutil.copytree(SHIPPED_TIPS, tips)
    web = Web(stand_in, tmp_path, TIPS_DIR=str(tips), TIPBOT_ADMINS="UADMIN")
    try:
        time.sleep(0.5)
        (tips / "broken.yaml").write_text(BROKEN, encoding="utf-8")
        (dm,) = stand_in.wait_for("chat.postMessage", timeout=5)
        time.sleep(2)  # time for a second DM, if the other worker were to send one
    finally:
        log = web.stop()
    assert len(worker_pids(log, "Tip files changed: ")) == 2, log
    assert dm.params["channel"] == "UADMIN"
    assert "broken.yaml:2" in dm.params["text"]
    assert len(stand_in.calls_to("chat.postMessage")) == 1


def test_helpful_votes_from_two_processes_at_once_are_all_counted(
    settings: Settings, stand_in: SlackStandIn
) -> None:
    """Ten people click at once, half at each of two bots: ten votes, and the label says so."""
    with start_bot(settings, stand_in) as first, start_bot(settings, stand_in) as second:
        nugget = Nugget(first, first.services.library.current.tips[0])
        bodies = [helpful_click_body(f"U{n}", nugget.blocks, nugget.text) for n in range(10)]
        targets = [first.url, second.url] * 5
        barrier = threading.Barrier(10)

        def click(url: str, body: str) -> None:
            barrier.wait()
            assert post(url, body, signed_headers(body)).status == 200

        threads = [
            threading.Thread(target=click, args=pair) for pair in zip(targets, bodies, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        stand_in.wait_for("chat.update", count=10, timeout=10)
        time.sleep(0.5)  # any relabel still in flight lands
        assert nugget.votes() == 10
        last = stand_in.calls_to("chat.update")[-1]
        assert helpful_label(last.params["blocks"]) == ":+1: Helpful (10)"


def lease_holder(store: SqlStore) -> str | None:
    """The process holding the scheduler lease now."""
    return store.lease_holder(LEASE_NAME, datetime.now(UTC))


def wait_for_holder(store: SqlStore, pids: set[int], timeout: float) -> int:
    """Wait until one of `pids` holds the lease; return it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        holder = lease_holder(store)
        if holder is not None and int(holder.rsplit(":", 1)[1]) in pids:
            return int(holder.rsplit(":", 1)[1])
        time.sleep(0.1)
    raise AssertionError(f"none of {pids} took the lease; holder is {lease_holder(store)}")


def test_a_killed_scheduler_is_replaced_and_the_due_post_is_made_once(
    stand_in: SlackStandIn, tmp_path: Path, database_url: str
) -> None:
    """Two clock processes: one holds the lease; kill -9 it and the other takes over and posts."""
    env = bot_env(stand_in, free_port(), tmp_path)
    env |= {
        "LOG_LEVEL": "INFO",
        "TIPBOT_SCHEDULER_LEASE_SECONDS": "2",
        "DATABASE_URL": database_url,
    }
    store = open_store(load_settings(env))
    clocks = {process.pid: process for process in (spawn("clock", env), spawn("clock", env))}
    try:
        holder = wait_for_holder(store, set(clocks), timeout=20)
        clocks[holder].send_signal(signal.SIGKILL)
        clocks[holder].wait(timeout=10)
        killed_at = time.monotonic()

        # A slot that fell due a minute ago, for a channel subscribed an hour before it.
        slot = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=1)
        schedule = Schedule(slot.weekday(), f"{slot:%H:%M}", "UTC")
        store.save_subscription(
            Subscription.new(TEAM, "C9", schedule, "U1", slot - timedelta(hours=1))
        )

        (survivor,) = set(clocks) - {holder}
        assert wait_for_holder(store, {survivor}, timeout=10) == survivor
        assert time.monotonic() - killed_at < 2 * 1.25 + 1, "taken over within a lease period"
        (posted,) = stand_in.wait_for("chat.postMessage", timeout=10)
        assert posted.params["channel"] == "C9"
        time.sleep(1)
    finally:
        log = "".join(
            stop_process(process) for process in clocks.values() if process.poll() is None
        )
    assert len(stand_in.calls_to("chat.postMessage")) == 1, log
    assert "now runs the weekly tip scheduler" in log
    (row,) = store.deliveries("C9")
    assert (row.slot_at, row.status) == (slot, "sent")


def test_sigterm_answers_the_request_in_flight_then_exits_cleanly(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """A /tip half sent when SIGTERM arrives still gets its tip; then every process exits 0."""
    web = Web(stand_in, tmp_path)
    body = slash_command_body("mentoring", stand_in.response_url())
    head = "".join(f"{name}: {value}\r\n" for name, value in signed_headers(body).items())
    request = (
        f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\n{head}"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", web.port), timeout=10) as client:
        client.sendall(request + body[:10].encode())
        time.sleep(0.3)
        web.process.send_signal(signal.SIGTERM)
        time.sleep(0.3)
        client.sendall(body[10:].encode())
        answer = receive_all(client)
    output, _ = web.process.communicate(timeout=40)
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    assert b'"type":"header"' in answer.replace(b" ", b"")
    assert web.process.returncode == 0, output
    assert "Traceback" not in output


def receive_all(client: socket.socket) -> bytes:
    """Read until the server closes the connection."""
    chunks = []
    while chunk := client.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def test_slack_is_answered_while_hundreds_of_clients_hang_on(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """300 idle and 100 half-sent connections open: signed /tip answers in well under 2 s."""
    web = Web(stand_in, tmp_path)
    hangers: list[socket.socket] = []
    try:
        for number in range(400):
            hanger = socket.create_connection(("127.0.0.1", web.port), timeout=5)
            if number % 4 == 0:
                hanger.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Le")
            hangers.append(hanger)
        for _ in range(10):
            started = time.monotonic()
            body = slash_command_body("", stand_in.response_url())
            reply = post(web.url, body, signed_headers(body), timeout=2)
            assert reply.status == 200
            assert time.monotonic() - started < 2
    finally:
        for hanger in hangers:
            hanger.close()
        log = web.stop()
    assert "Traceback" not in log


def test_the_scheduler_can_be_left_to_a_clock_process(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """With TIPBOT_SCHEDULER=off no worker competes for the lease; the clock takes it."""
    web = Web(stand_in, tmp_path, TIPBOT_SCHEDULER="off")
    store = open_store(load_settings(web.env))
    try:
        time.sleep(1)
        assert lease_holder(store) is None
        clock = spawn("clock", web.env)
        try:
            assert wait_for_holder(store, {clock.pid}, timeout=20) == clock.pid
        finally:
            stop_process(clock)
        assert lease_holder(store) is None, "a clean stop hands the lease back"
    finally:
        web.stop()

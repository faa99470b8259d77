"""The coaching loop as a person lives it, against `tipbot serve` started as a process.

Commit to a tip with the check-in two minutes ahead, the bot restarts, exactly one check-in
DM comes at that minute, Done is answered with a reflection, and `/tip me` shows it.
"""

import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.slack import coaching_messages, messages
from tests.processes import free_port, start_process, stop_process
from tests.signing import HttpReply, post, signed_headers, slash_command_body
from tests.slack.coaching_requests import (
    Where,
    button,
    click,
    dms_to,
    errors_of,
    opened_view,
    submit,
    text_of,
)
from tests.slack_stand_in import SlackStandIn


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    """A Slack stand-in for the processes to talk to."""
    server = SlackStandIn().start()
    yield server
    server.stop()


@dataclass
class Serving:
    """`tipbot serve` (two workers, scheduler on) on a port, as Slack reaches it."""

    stand_in: SlackStandIn
    port: int
    process: subprocess.Popen[str]

    @property
    def url(self) -> str:
        """Where Slack posts."""
        return f"http://127.0.0.1:{self.port}/slack/events"

    def signed(self, body: str) -> HttpReply:
        """A body signed as Slack signs it."""
        return post(self.url, body, signed_headers(body))

    def command(self, text: str) -> HttpReply:
        """`/tip <text>` from U1."""
        body = slash_command_body(text, self.stand_in.response_url())
        return self.signed(body)


def check_ins(stand_in: SlackStandIn) -> list[str]:
    """The texts of the check-in DMs sent to U1 so far."""
    return [
        call.params["text"]
        for call in dms_to_u1(stand_in)
        if str(call.params.get("text", "")).startswith("Time to check in")
    ]


def dms_to_u1(stand_in: SlackStandIn) -> list:  # type: ignore[type-arg]
    """Every DM to U1."""
    return [c for c in stand_in.calls_to("chat.postMessage") if c.params.get("channel") == "U1"]


@pytest.mark.timeout(330)
def test_commit_restart_get_one_check_in_answer_done_and_see_it(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """The whole loop across a restart of the real server, as Slack and a person drive it."""
    stand_in.timezones["U1"] = "Europe/Berlin"
    port = free_port()
    bot = Serving(stand_in, port, start_process(stand_in, port, tmp_path))
    output = ""
    try:
        answer = bot.command("").json()
        value = button(answer["blocks"], messages.TRY_THIS)["value"]
        assert click(bot, messages.TRY_THIS, value).body == ""
        modal, _ = opened_view(bot)
        soon = datetime.now(UTC) + timedelta(minutes=2, seconds=20)
        due = soon.replace(second=0, microsecond=0) + timedelta(minutes=1)
        assert errors_of(submit(bot, modal, text="Ask Ada how the release went", due=due)) == {}
        (confirmation,) = stand_in.wait_for("chat.postMessage", timeout=10)
        assert "You're on!" in confirmation.params["text"]
    finally:
        output += stop_process(bot.process)

    bot.process = start_process(stand_in, port, tmp_path)
    try:
        wait = due.timestamp() - time.time() + 75
        deadline = time.monotonic() + wait
        while not check_ins(stand_in) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert len(check_ins(stand_in)) == 1, dms_to(bot, "U1")
        assert time.time() >= due.timestamp()
        time.sleep(5)  # both workers' ticks and catch-ups have come and gone
        assert len(check_ins(stand_in)) == 1, "exactly one check-in DM"
        dm = next(c for c in dms_to_u1(stand_in) if "Time to check in" in c.params["text"])
        assert "Ask Ada how the release went" in text_of(dm.params["blocks"])

        done = button(dm.params["blocks"], coaching_messages.DONE)["value"]
        click(bot, coaching_messages.DONE, done, where=Where(channel_id="DU1"))
        reflection, _ = opened_view(bot, 2)
        assert errors_of(submit(bot, reflection, reflection="Just ask early")) == {}
        stand_in.wait_for("chat.update", timeout=10)
        me = text_of(bot.command("me").json()["blocks"])
        # The DM clicked, and the one the ledger knows: the same message in Slack.
        for update in stand_in.calls_to("chat.update"):
            assert "*Done.*" in text_of(update.params["blocks"])
            assert update.params["channel"] == "DU1"
        assert "1 done, 0 partly, 0 dropped, 0 lapsed" in me
        assert "Streak: 1 week in a row with a Done" in me
        assert "Just ask early" in me
    finally:
        output += stop_process(bot.process)
    assert "Traceback" not in output, output
    assert "check-ins: 1 sent" in output

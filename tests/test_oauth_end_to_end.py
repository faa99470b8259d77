"""OAuth mode as `tipbot serve` runs it: gunicorn's workers, settings from the environment."""

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.oauth import CLIENT_ID, CLIENT_SECRET, OAuthClient
from tests.processes import bot_env, free_port, spawn, wait_until_up
from tests.slack.test_oauth_install import ACME
from tests.slack_stand_in import SlackStandIn


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    """A Slack stand-in for the subprocess to talk to."""
    server = SlackStandIn().start()
    yield server
    server.stop()


def test_an_install_through_tipbot_serve_answers_that_workspace_with_its_token(
    stand_in: SlackStandIn, tmp_path: Path
) -> None:
    """Two workers share the install states and installs through the database; nothing
    secret (client secret, bot token, the install's codes) reaches the log."""
    port = free_port()
    env = bot_env(stand_in, port, tmp_path)
    del env["SLACK_BOT_TOKEN"]
    env |= {"SLACK_CLIENT_ID": CLIENT_ID, "SLACK_CLIENT_SECRET": CLIENT_SECRET}
    env["TIPBOT_SCHEDULER"] = "off"
    process = spawn("serve", env)
    try:
        wait_until_up(port, process)
        slack = OAuthClient(f"http://127.0.0.1:{port}", stand_in)
        landing = slack.get("/")
        assert landing.status == 200
        assert 'href="/slack/install"' in landing.body

        # Several installs, so the two workers both start and finish some.
        refused = slack.start_install()
        assert slack.come_back(refused, code="code-refused", state=refused.state).status == 401
        for _ in range(3):
            assert slack.install(ACME).status == 200
        assert slack.command("subscribe mon 09:00", team_id="T1").status == 200
        posts = stand_in.wait_for("chat.postMessage")
        assert [call.token for call in posts] == ["xoxb-acme"]
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    assert process.returncode == 0, output
    for secret in (CLIENT_SECRET, "xoxb-acme", "code-1", "code-refused"):
        assert secret not in output
    assert "Slack refused an install's code (oauth.v2.access)" in output
    assert "Traceback" not in output

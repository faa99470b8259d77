"""Fixtures shared by every test: the Slack stand-in, settings, and a running bot."""

import dataclasses
import logging
import os
import random
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn
from slack_sdk import WebClient

from bot.config import Settings
from bot.runner import build_services, start_reloading
from bot.services import Services
from bot.slack.app import create_app
from bot.slack.server import TipbotWeb
from bot.store.database import drop_all, engine_from_url, migrate
from bot.store.interface import Store
from bot.time_source import utc_now
from tests.signing import SIGNING_SECRET, HttpReply, post, signed_headers, slash_command_body
from tests.slack_stand_in import SlackStandIn
from tests.teams import TEAM

REPO = Path(__file__).resolve().parents[1]
SHIPPED_TIPS = REPO / "tips"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
ADMIN = "UADMIN"


POSTGRES_ENV = "TIPBOT_TEST_POSTGRES_URL"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request, tmp_path) -> str:
    """The URL of an empty, migrated database on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'data' / 'tipbot.db'}"
    else:
        url = os.environ.get(POSTGRES_ENV, "")
        if not url:
            pytest.skip(f"set {POSTGRES_ENV} to run against PostgreSQL")
    engine = engine_from_url(url)
    if request.param == "postgres":
        drop_all(engine)
    migrate(engine, utc_now())
    engine.dispose()
    return url


@pytest.fixture
def stand_in() -> Iterator[SlackStandIn]:
    """A loopback stand-in for Slack's Web API, recording every call."""
    server = SlackStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def settings(stand_in: SlackStandIn, tmp_path: Path) -> Settings:
    """Settings pointing the bot at the stand-in, with the shipped tips."""
    return Settings(
        bot_token="xoxb-test-token",
        signing_secret=SIGNING_SECRET,
        api_url=stand_in.api_url,
        host="127.0.0.1",
        port=0,
        tips_dir=SHIPPED_TIPS,
        database_url=f"sqlite:///{tmp_path / 'tipbot.db'}",
        scheduler_enabled=False,
    )


@dataclass
class RunningBot:
    """A bot served by the real HTTP server on loopback."""

    url: str
    services: Services
    stand_in: SlackStandIn

    @property
    def store(self) -> Store:
        """The bot's store as the workspace of the signed requests (tests/teams.py) sees it."""
        return self.services.store.for_workspace(TEAM)

    def command(self, text: str, **fields: str) -> HttpReply:
        """Send a signed `/tip <text>` the way Slack does."""
        body = slash_command_body(text, self.stand_in.response_url("cmd"), **fields)
        return post(self.url, body, signed_headers(body))

    def signed(self, body: str) -> HttpReply:
        """Send any body, correctly signed."""
        return post(self.url, body, signed_headers(body))


@contextmanager
def start_bot(
    settings: Settings, stand_in: SlackStandIn, client: WebClient | None = None
) -> Iterator[RunningBot]:
    """Serve a bot in this process on a free port until the block ends."""
    services = build_services(settings, random.Random(7))
    app = create_app(services, client)
    stop_watching = threading.Event()
    start_reloading(app, services, stop_watching)
    web = TipbotWeb(app, settings.signing_secret, on_shutdown=stop_watching.set)
    with serve_in_thread(web) as base_url:
        yield RunningBot(f"{base_url}/slack/events", services, stand_in)


@contextmanager
def serve_in_thread(web: TipbotWeb) -> Iterator[str]:
    """Serve `web` with uvicorn (what each `tipbot serve` worker runs) on a free port."""
    listening = socket.create_server(("127.0.0.1", 0))
    config = uvicorn.Config(web, lifespan="on", log_level="warning", server_header=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert server.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{listening.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listening.close()


@pytest.fixture
def bot(settings: Settings, stand_in: SlackStandIn) -> Iterator[RunningBot]:
    """The bot with the shipped tips, answering on loopback."""
    with start_bot(settings, stand_in) as running:
        yield running


@pytest.fixture
def admin_bot(settings: Settings, stand_in: SlackStandIn) -> Iterator[RunningBot]:
    """The bot with one admin in TIPBOT_ADMINS: ADMIN."""
    with start_bot(dataclasses.replace(settings, admins=frozenset({ADMIN})), stand_in) as running:
        yield running


@pytest.fixture
def tips_dir(tmp_path: Path) -> Path:
    """A copy of the shipped tips that a test may edit."""
    directory = tmp_path / "tips"
    shutil.copytree(SHIPPED_TIPS, directory)
    return directory


@pytest.fixture(autouse=True)
def _quiet_slack_logs() -> Iterator[None]:
    """Bolt warns about what tests do on purpose; quieter for one test, then as it was."""
    bolt = logging.getLogger("slack_bolt")
    level = bolt.level
    bolt.setLevel(logging.ERROR)
    yield
    bolt.setLevel(level)

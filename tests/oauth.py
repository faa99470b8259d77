"""tipbot in OAuth mode on loopback: install it as a browser would, then talk to it as Slack.

The browser's side is plain HTTP with no redirects followed, so each test sees what the
bot answered: where it sent the person, which cookie it set, which page it showed.
"""

import http.client
import json
import random
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

from sqlalchemy import func, select, text

from bot.config import Settings
from bot.runner import build_services, installations_for, start_reloading
from bot.services import Services
from bot.slack.app import create_app
from bot.slack.installations import Installations
from bot.slack.server import TipbotWeb
from bot.store.database import engine_from_url
from bot.time_source import utc_now
from tests.conftest import SHIPPED_TIPS, serve_in_thread
from tests.signing import (
    SIGNING_SECRET,
    HttpReply,
    new_trigger_id,
    post,
    signed_headers,
    slash_command_body,
)
from tests.slack_stand_in import Grant, SlackStandIn

CLIENT_ID = "1111.2222"
CLIENT_SECRET = "test-client-secret"
SLACK_TABLES = ("slack_bots", "slack_installations", "slack_oauth_states")


def oauth_settings(stand_in: SlackStandIn, database_url: str, **changes: object) -> Settings:
    """Settings for OAuth mode: a client id and secret, no bot token, the stand-in's URL."""
    values: dict[str, object] = {
        "bot_token": "",
        "signing_secret": SIGNING_SECRET,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "api_url": stand_in.api_url,
        "host": "127.0.0.1",
        "port": 0,
        "tips_dir": SHIPPED_TIPS,
        "database_url": database_url,
        "scheduler_enabled": False,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


def drop_slack_tables(database_url: str) -> None:
    """Start from no installs (the Postgres test database outlives each test)."""
    engine = engine_from_url(database_url)
    with engine.begin() as connection:
        for table in SLACK_TABLES:
            connection.execute(text(f"DROP TABLE IF EXISTS {table}"))
    engine.dispose()


@dataclass
class MovableClock:
    """The real time plus however far a test moved it."""

    ahead: timedelta = timedelta(0)

    def __call__(self) -> datetime:
        return utc_now() + self.ahead


@dataclass(frozen=True)
class Page:
    """One HTTP answer: status, headers (a name may repeat), body."""

    status: int
    headers: list[tuple[str, str]]
    body: str

    def header(self, name: str) -> str | None:
        """The first value of header `name`, if any."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


@dataclass
class Started:
    """The browser's side of an install in progress: the state and its cookie."""

    state: str
    cookie: str
    authorize_url: str


@dataclass
class OAuthClient:
    """A browser and Slack, talking to tipbot in OAuth mode at `base_url`."""

    base_url: str
    stand_in: SlackStandIn
    codes: Iterator[int] = field(default_factory=lambda: iter(range(1, 10_000)), kw_only=True)

    def get(self, path: str, cookie: str | None = None) -> Page:
        """GET `path` as a browser would, without following a redirect."""
        parts = urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        headers = {"Cookie": cookie} if cookie else {}
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            return Page(response.status, response.getheaders(), response.read().decode())
        finally:
            connection.close()

    def start_install(self) -> Started:
        """Press "Add to Slack": the state from Slack's authorize URL and the cookie set."""
        page = self.get("/slack/install")
        assert page.status == 302, page
        location = page.header("Location") or ""
        state = parse_qs(urlsplit(location).query)["state"][0]
        cookie = (page.header("Set-Cookie") or "").split(";")[0]
        return Started(state, cookie, location)

    def come_back(self, started: Started, **query: str) -> Page:
        """Slack sends the person back to the redirect URL with `query`."""
        return self.get(f"/slack/oauth_redirect?{urlencode(query)}", cookie=started.cookie)

    def install(self, grant: Grant) -> Page:
        """The whole install: Add to Slack, allow on Slack's page, back with a fresh code."""
        code = f"code-{next(self.codes)}"
        self.stand_in.grants[code] = grant
        started = self.start_install()
        return self.come_back(started, code=code, state=started.state)

    def command(
        self, text: str, team_id: str, enterprise_id: str | None = None, user_id: str = "U1"
    ) -> HttpReply:
        """A signed `/tip <text>` from `team_id` (in org `enterprise_id`, installed org-wide)."""
        # Each team its own channel id, so the stand-in's record tells their posts apart.
        fields = {"team_id": team_id, "user_id": user_id, "channel_id": f"C{team_id}"}
        if enterprise_id:
            fields |= {"enterprise_id": enterprise_id, "is_enterprise_install": "true"}
        body = slash_command_body(text, self.stand_in.response_url("cmd"), **fields)
        return post(f"{self.base_url}/slack/events", body, signed_headers(body))

    def event(self, event: Mapping[str, object], team_id: str) -> HttpReply:
        """A signed Events API callback from `team_id`, as Slack posts it."""
        payload = {
            "type": "event_callback",
            "team_id": team_id,
            "api_app_id": "A1",
            "event_id": f"Ev{new_trigger_id()[:6]}",
            "event_time": 1,
            "event": event,
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team_id,
                    "user_id": "UBOT",
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
        }
        body = json.dumps(payload)
        headers = signed_headers(body) | {"Content-Type": "application/json"}
        return post(f"{self.base_url}/slack/events", body, headers)


@dataclass
class OAuthBot(OAuthClient):
    """tipbot in OAuth mode, answering on loopback in this process, and what it holds."""

    services: Services
    installations: Installations
    clock: MovableClock

    def stored(self, table: str = "slack_installations") -> int:
        """How many rows an installation table holds."""
        store = self.installations.store
        chosen = store.installations if table == "slack_installations" else store.bots
        with store.engine.connect() as connection:
            return int(connection.execute(select(func.count()).select_from(chosen)).scalar_one())


@contextmanager
def start_oauth_bot(settings: Settings, stand_in: SlackStandIn) -> Iterator[OAuthBot]:
    """Serve tipbot in OAuth mode in this process until the block ends."""
    services = build_services(settings, random.Random(7))
    clock = MovableClock()
    services.clock = clock
    installations = installations_for(services)
    assert installations is not None
    app = create_app(services, installations=installations)
    stop = threading.Event()
    start_reloading(app, services, stop)
    web = TipbotWeb(app, settings.signing_secret, on_shutdown=stop.set)
    with serve_in_thread(web) as base_url:
        yield OAuthBot(base_url, stand_in, services, installations, clock)
    installations.store.engine.dispose()

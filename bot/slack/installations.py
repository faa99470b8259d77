"""OAuth mode: each workspace's install, kept with slack-sdk's SQLAlchemy stores in DATABASE_URL.

Bolt's OAuth flow runs the install (`GET /slack/install`, `GET /slack/oauth_redirect`); this
module gives it tipbot's pieces: the stores on the bot's own engine, the scopes from
manifest.yml, a state store that reads tipbot's clock, and the Web API client pointed at
SLACK_API_URL. `Installations` answers "which token speaks for this workspace?" for the
listeners' admin checks and the scheduler's fan-out.
"""

import logging
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.callback_options import CallbackOptions
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy import Engine, and_, delete, desc, insert, select

from bot.config import Settings
from bot.errors import ConfigError
from bot.slack.install_pages import install_failed, installed
from bot.store.database import create_library_tables, reading
from bot.time_source import Clock
from bot.workspace import Workspace

logger = logging.getLogger(__name__)

MANIFEST = Path(__file__).resolve().parents[2] / "manifest.yml"
INSTALL_PATH = "/slack/install"
REDIRECT_PATH = "/slack/oauth_redirect"
# How long an install link is good for, from "Add to Slack" to Slack sending the person back.
STATE_EXPIRATION_SECONDS = 600


def manifest_bot_scopes(path: Path = MANIFEST) -> list[str]:
    """The bot scopes manifest.yml asks for: the install asks Slack for exactly these."""
    try:
        manifest = yaml.safe_load(path.read_text(encoding="utf-8"))
        scopes = manifest["oauth_config"]["scopes"]["bot"]
    except (OSError, yaml.YAMLError, KeyError, TypeError) as error:
        message = f"OAuth mode reads the bot scopes from {path}, which could not be read: {error}"
        raise ConfigError(message) from None
    if not isinstance(scopes, list) or not all(isinstance(scope, str) for scope in scopes):
        raise ConfigError(f"{path}: oauth_config.scopes.bot must be a list of scope names")
    return scopes


class ClockedOAuthStateStore(SQLAlchemyOAuthStateStore):
    """slack-sdk's SQLAlchemy state store, reading time from tipbot's clock.

    The library's own reads the system clock, so an expiry could only be tested by waiting
    ten minutes; it also never deletes a state nobody came back with, which this one does.
    """

    def __init__(self, expiration_seconds: int, engine: Engine, clock: Clock) -> None:
        super().__init__(expiration_seconds=expiration_seconds, engine=engine, logger=logger)
        self.clock = clock

    def _now(self) -> datetime:
        # The table's DateTime column holds naive UTC, as the library writes it.
        return self.clock().replace(tzinfo=None)

    def issue(self, *args: object, **kwargs: object) -> str:
        """A new random state, good for `expiration_seconds` from now."""
        state = str(uuid.uuid4())
        now = self._now()
        table = self.oauth_states
        with self.engine.begin() as connection:
            connection.execute(delete(table).where(table.c.expire_at <= now))
            expire_at = now + timedelta(seconds=self.expiration_seconds)
            connection.execute(insert(table).values(state=state, expire_at=expire_at))
        return state

    def consume(self, state: str) -> bool:
        """True once for a state issued here and not expired; False after, or for any other."""
        table = self.oauth_states
        with self.engine.begin() as connection:
            found = connection.execute(
                delete(table)
                .where(and_(table.c.state == state, table.c.expire_at > self._now()))
                .returning(table.c.id)
            ).first()
        return found is not None


class InstallationStore(SQLAlchemyInstallationStore):
    """slack-sdk's SQLAlchemy installation store, whose token lookup takes no write lock.

    Every request in OAuth mode looks its workspace's bot token up (Bolt's authorize, with
    bot_only); the library's lookup opens an ordinary transaction, which on SQLite queues
    for the one write lock (bot/store/database.py). This one reads as `reading` does.
    """

    def find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        """The newest bot install with a token for the org (org-wide) or the workspace."""
        if is_enterprise_install:
            team_id = None
        bots = self.bots.c
        query = (
            select(self.bots)
            .where(
                bots.client_id == self.client_id,
                bots.enterprise_id == enterprise_id,
                bots.team_id == team_id,
                bots.bot_token.is_not(None),
            )
            .order_by(desc(bots.installed_at))
            .limit(1)
        )
        with reading(self.engine) as connection:
            row = connection.execute(query).mappings().first()
        return None if row is None else self.build_bot_entity(row)


class Installations:
    """The installs tipbot holds: which bot token speaks for a workspace, and who installed."""

    def __init__(self, store: InstallationStore, api_url: str) -> None:
        self.store = store
        self.api_url = api_url

    def bot(self, workspace: Workspace) -> Bot | None:
        """The workspace's own install, else its Enterprise Grid org's org-wide one."""
        if workspace.enterprise_id is None:
            return self.store.find_bot(enterprise_id=None, team_id=workspace.team_id)
        own = self.store.find_bot(enterprise_id=workspace.enterprise_id, team_id=workspace.team_id)
        return own or self.store.find_bot(
            enterprise_id=workspace.enterprise_id, team_id=None, is_enterprise_install=True
        )

    def bot_token(self, workspace: Workspace) -> str | None:
        """The bot token that posts into `workspace`, or None when tipbot is not installed there."""
        bot = self.bot(workspace)
        return bot.bot_token if bot is not None else None

    def client(self, workspace: Workspace, client: WebClient | None = None) -> WebClient | None:
        """A Web API client with the workspace's token (a copy of `client`'s settings), or None."""
        token = self.bot_token(workspace)
        if token is None:
            return None
        if client is None:
            return WebClient(token=token, base_url=self.api_url)
        return WebClient(
            token=token,
            base_url=client.base_url,
            timeout=client.timeout,
            retry_handlers=list(client.retry_handlers),
        )

    def installed_by(self, token: str, user_id: str) -> bool:
        """Whether `user_id` installed tipbot where `token` speaks (that workspace or org)."""
        bots = self.store.bots.c
        people = self.store.installations.c
        with reading(self.store.engine) as connection:
            place = connection.execute(
                select(bots.enterprise_id, bots.team_id).where(
                    bots.client_id == self.store.client_id, bots.bot_token == token
                )
            ).first()
            if place is None:
                return False
            installer = connection.execute(
                select(people.id)
                .where(
                    people.client_id == self.store.client_id,
                    people.enterprise_id == place.enterprise_id,
                    people.team_id == place.team_id,
                    people.user_id == user_id,
                )
                .limit(1)
            ).first()
        return installer is not None

    def forget(self, workspace: Workspace, is_enterprise_install: bool) -> None:
        """Delete the install for the workspace (or its org, when the install was org-wide)."""
        team_id = None if is_enterprise_install else workspace.team_id
        self.store.delete_all(enterprise_id=workspace.enterprise_id, team_id=team_id)


class WithoutCode(logging.Filter):
    """Keeps an install's one-time code out of Bolt's line about a refused oauth.v2.access."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Reword the line that names the code; let every other line through as it is."""
        message = record.getMessage()
        if message.startswith("Failed to fetch oauth.v2.access"):
            error = message.rpartition(" - error: ")[2]
            record.msg = "Slack refused an install's code (oauth.v2.access): %s"
            record.args = (error,)
        return True


def flow_logger() -> logging.Logger:
    """The logger Bolt's OAuth flow writes to, which never writes an install's code."""
    flow = logging.getLogger("bot.slack.oauth_flow")
    if not any(isinstance(f, WithoutCode) for f in flow.filters):
        flow.addFilter(WithoutCode())
    return flow


def open_installations(settings: Settings, engine: Engine) -> Installations:
    """The installation store on the bot's engine, its tables created if missing."""
    store = InstallationStore(client_id=settings.client_id or "", engine=engine, logger=logger)
    create_library_tables(engine, store.metadata)
    return Installations(store, settings.api_url)


def oauth_settings(
    settings: Settings, installations: Installations, engine: Engine, clock: Clock
) -> OAuthSettings:
    """Bolt's OAuth settings: tipbot's stores, scopes, pages and paths."""
    state_store = ClockedOAuthStateStore(STATE_EXPIRATION_SECONDS, engine, clock)
    create_library_tables(engine, state_store.metadata)
    oauth = OAuthSettings(
        client_id=settings.client_id,
        client_secret=settings.client_secret,
        scopes=manifest_bot_scopes(),
        user_scopes=[],
        redirect_uri=settings.redirect_uri,
        install_path=INSTALL_PATH,
        # Straight to Slack: tipbot's own landing page at / is where "Add to Slack" is.
        install_page_rendering_enabled=False,
        redirect_uri_path=REDIRECT_PATH,
        callback_options=CallbackOptions(success=installed, failure=install_failed),
        installation_store=installations.store,
        # Tokens come from the bots table only, the one tokens_revoked empties for a bot.
        installation_store_bot_only=True,
        state_store=state_store,
        state_expiration_seconds=STATE_EXPIRATION_SECONDS,
        logger=logger,
    )
    # Bolt's default asks Slack's auth.test on every request; the answer for a token never
    # changes, and the token itself is still read from the store each time.
    oauth.authorize = InstallationStoreAuthorize(
        logger=logger,
        client_id=oauth.client_id,
        client_secret=oauth.client_secret,
        installation_store=installations.store,
        bot_only=True,
        cache_enabled=True,
    )
    return oauth

"""The Bolt app factory: one App, its Web API client, its error handler and listeners."""

import logging
import urllib.error
from typing import Any

from slack_bolt import App
from slack_bolt.oauth import OAuthFlow
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.config import Settings
from bot.services import Services
from bot.slack.admins import SlackWorkspaceAdmins
from bot.slack.installations import Installations, flow_logger, oauth_settings
from bot.slack.listeners import installs, register_listeners
from bot.slack.replays import IgnoreReplays
from bot.slack.responding import use_response_url_policy
from bot.slack.retrying import web_api_retry_handlers
from bot.slack.workspaces import KnowWorkspace
from bot.store.interface import Store
from bot.workspace import Workspace

logger = logging.getLogger(__name__)

# Seconds to wait for Slack's answer to one Web API call.
WEB_API_TIMEOUT = 10


def create_client(settings: Settings, timeout: int = WEB_API_TIMEOUT) -> WebClient:
    """A Web API client pointed at SLACK_API_URL that never re-sends a call that may have acted."""
    return WebClient(
        # In OAuth mode Bolt gives each request a copy holding its workspace's token.
        token=settings.bot_token or None,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=web_api_retry_handlers(),
    )


def create_app(
    services: Services, client: WebClient | None = None, installations: Installations | None = None
) -> App:
    """Build the Bolt app for HTTP or Socket Mode, or for OAuth mode given `installations`."""
    client = client or create_client(services.settings)
    if services.settings.oauth:
        if installations is None:
            raise ValueError("OAuth mode needs the installation store")
        app = oauth_app(services, client, installations)
    else:
        app = single_workspace_app(services, client)

    # The workspace first: a replay is remembered within its workspace.
    app.use(KnowWorkspace())
    app.use(IgnoreReplays(services.store, services.clock))
    app.use(use_response_url_policy)

    @app.error
    def log_error(error: Exception, body: dict[str, Any]) -> None:
        kind = body.get("type") or ("command" if "command" in body else "request")
        team = body.get("team_id") or (body.get("team") or {}).get("id")
        extra = {"kind": kind, "team_id": team}
        logger.error("Unhandled error in a %s listener", kind, exc_info=error, extra=extra)

    if services.settings.oauth:
        installs.register(app, services)
    register_listeners(app, services)
    if not services.settings.oauth:
        adopt_rows_without_team(client, services.store)
    return app


def single_workspace_app(services: Services, client: WebClient) -> App:
    """The app for the one workspace whose bot token tipbot was given."""
    try:
        app = bolt_app(services.settings, client, check_token=True)
    except (urllib.error.URLError, OSError) as error:
        # Bolt asks Slack who the token belongs to while it is built. A worker must still
        # start (and answer /health) while Slack is unreachable: ask at the first request.
        logger.warning(
            "Could not reach Slack to check the bot token (%s); checking at the first request",
            error,
        )
        app = bolt_app(services.settings, client, check_token=False)
    return app


def oauth_app(services: Services, client: WebClient, installations: Installations) -> App:
    """The app for every workspace that installed tipbot, each request with its own token."""
    settings = services.settings
    oauth = oauth_settings(settings, installations, installations.store.engine, services.clock)
    # Bolt's flow calls oauth.v2.access (and auth.test) with this client, so SLACK_API_URL
    # and the retry policy hold for the install too.
    flow = OAuthFlow(client=client, logger=flow_logger(), settings=oauth)
    services.workspace_admins = SlackWorkspaceAdmins(installations, services.clock)
    return App(
        client=client,
        signing_secret=settings.signing_secret or None,
        oauth_flow=flow,
        process_before_response=True,
        request_verification_enabled=False,
        logger=logging.getLogger("slack_bolt"),
    )


def token_workspace(client: WebClient) -> Workspace | None:
    """The workspace the client's token belongs to (auth.test), or None if Slack won't say."""
    try:
        identity = client.auth_test()
    except SlackApiError as error:
        logger.warning("auth.test failed (%s); no workspace known yet", error.response.get("error"))
        return None
    except (urllib.error.URLError, OSError) as error:
        logger.warning("Could not reach Slack for auth.test (%s); no workspace known yet", error)
        return None
    team = str(identity.get("team_id") or "")
    if not team:
        return None
    return Workspace(team, str(identity.get("enterprise_id") or "") or None)


def adopt_rows_without_team(client: WebClient, store: Store) -> None:
    """Give rows stored before tipbot kept workspaces apart to the token's workspace.

    Single-token mode serves one workspace, so they can only be its. Until Slack answers
    they keep being served as they are; a later start adopts them.
    """
    workspace = token_workspace(client)
    if workspace is None:
        return
    adopted = {
        table: rows for table, rows in store.adopt_rows_without_team(workspace).items() if rows
    }
    if adopted:
        said = ", ".join(f"{table} {rows}" for table, rows in sorted(adopted.items()))
        logger.info("Rows stored before workspaces now belong to %s: %s", workspace, said)


def bolt_app(settings: Settings, client: WebClient, *, check_token: bool) -> App:
    """Bolt's App as tipbot uses it; `check_token` calls auth.test now rather than later."""
    return App(
        client=client,
        signing_secret=settings.signing_secret or None,
        # Listeners answer in the ack and push slow work to lazy listeners, so Bolt need not
        # poll for the ack on a second thread (that polling costs about 10 ms per request).
        process_before_response=True,
        # The HTTP handler checks every signature before Bolt parses a byte of the body
        # (bot/slack/signed_requests.py); Socket Mode has none to check.
        request_verification_enabled=False,
        token_verification_enabled=check_token,
        logger=logging.getLogger("slack_bolt"),
    )

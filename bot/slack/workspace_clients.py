"""Which Web API client (which bot token) posts for a workspace.

In single-workspace mode one bot token answers for every workspace (`OneBotToken`). In
OAuth mode each workspace has the token its installation stored, looked up by a function
(`TokenPerWorkspace`); a workspace with no installation has no client, and nothing is
posted for it. Either way, the clients leave 429s to the Pacer (bot/slack/pacing.py).
"""

import threading
from collections.abc import Callable
from typing import Protocol

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.config import Settings
from bot.slack.retrying import paced_retry_handlers
from bot.workspace import Workspace

# Seconds to wait for Slack's answer to one call (as bot.slack.app.WEB_API_TIMEOUT).
POSTING_TIMEOUT = 10


class WorkspaceClients(Protocol):
    """The client to call Slack with for a workspace, or None when it has no working token."""

    def client_for(self, workspace: Workspace) -> WebClient | None:
        """The workspace's client; None when tipbot is not installed there."""
        ...

    def next_tick(self) -> None:
        """A scheduler tick starts: whatever is remembered of the tokens is read afresh."""
        ...


def posting_client(settings: Settings, token: str, timeout: int = POSTING_TIMEOUT) -> WebClient:
    """A client for `token` pointed at SLACK_API_URL, for use through a Pacer."""
    return WebClient(
        token=token,
        base_url=settings.api_url,
        timeout=timeout,
        retry_handlers=paced_retry_handlers(),
    )


def waits_out_rate_limits(client: WebClient) -> bool:
    """Whether the client retries 429s itself (one from `create_client`, say), so a Pacer
    must not send the call yet again on top of its retries."""
    return any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers)


class OneBotToken:
    """Single-workspace mode: SLACK_BOT_TOKEN's one client, whatever the workspace."""

    def __init__(self, settings: Settings, timeout: int = POSTING_TIMEOUT) -> None:
        self.client = posting_client(settings, settings.bot_token, timeout)

    def client_for(self, workspace: Workspace) -> WebClient:
        """The one client."""
        return self.client

    def next_tick(self) -> None:
        """Nothing to read again: the one token comes from the settings."""


class SameClient:
    """One client, whatever the workspace: a WebClient handed to a poster as it is."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def client_for(self, workspace: Workspace) -> WebClient:
        """The one client."""
        return self.client

    def next_tick(self) -> None:
        """Nothing to read again: the client was handed in."""


def for_every_workspace(clients: "WorkspaceClients | WebClient") -> "WorkspaceClients":
    """`clients` as WorkspaceClients: a single WebClient answers for every workspace."""
    return SameClient(clients) if isinstance(clients, WebClient) else clients


class TokenPerWorkspace:
    """Each workspace's own token, from `tokens` (OAuth mode: the installation store).

    The token is looked up once per workspace per tick, not once per post: at 1,000
    workspaces a database read for every post was a tenth of the fan-out's CPU time. Call
    `next_tick` when a tick starts (bot.runner.nugget_job's job does), so a reinstall's new
    token is used and an uninstalled workspace gets None from the next tick on. A client is
    built once per workspace and kept while its token stays the same.
    """

    def __init__(
        self,
        settings: Settings,
        tokens: Callable[[Workspace], str | None],
        timeout: int = POSTING_TIMEOUT,
    ) -> None:
        self.settings = settings
        self.tokens = tokens
        self.timeout = timeout
        self._lock = threading.Lock()
        self._clients: dict[Workspace, WebClient] = {}
        # This tick's tokens, None for a workspace with no install.
        self._tokens: dict[Workspace, str | None] = {}
        # Held while a workspace's token is looked up, so it is read once, not by every
        # thread that posts there at the same moment.
        self._lookups: dict[Workspace, threading.Lock] = {}

    def next_tick(self) -> None:
        """A tick starts: forget the tokens looked up, so each is read again on first use."""
        with self._lock:
            self._tokens.clear()

    def client_for(self, workspace: Workspace) -> WebClient | None:
        """The workspace's client, built on first use; None when it has no token."""
        token = self._token(workspace)
        with self._lock:
            if not token:
                self._clients.pop(workspace, None)
                return None
            client = self._clients.get(workspace)
            if client is None or client.token != token:
                client = self._clients[workspace] = posting_client(
                    self.settings, token, self.timeout
                )
            return client

    def _token(self, workspace: Workspace) -> str | None:
        """This tick's token for the workspace, looked up on its first post."""
        with self._lock:
            if workspace in self._tokens:
                return self._tokens[workspace]
            looking_up = self._lookups.setdefault(workspace, threading.Lock())
        # Only the workspace's own other posts wait for its lookup; the rest go on.
        with looking_up:
            with self._lock:
                if workspace in self._tokens:
                    return self._tokens[workspace]
            token = self.tokens(workspace)
            with self._lock:
                self._tokens[workspace] = token
            return token

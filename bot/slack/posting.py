"""The domains' posters and notifier, implemented with slack-sdk's WebClient: the weekly
fan-out's Poster and Notifier, and the coaching loop's CheckInPoster.

Slack's error codes are translated here into the domain's errors, so the fan-out decides
what to do (pause, stop, retry) without knowing Slack.

Each call goes with the client of the workspace it is for (WorkspaceClients: one bot token
for every workspace, or each installation's own) and through one Pacer shared by all three,
so every workspace keeps to its own limits and the process to its cap of calls in flight.
A workspace with no installation has no client: its posts fail as a revoked token would,
without calling Slack.
"""

import functools
import logging
import urllib.error
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.coaching.checkins import PostedMessage
from bot.coaching.models import CheckInKind, Commitment
from bot.config import Settings
from bot.content.model import Tip
from bot.nuggets.errors import (
    AuthRevoked,
    ChannelUnavailable,
    NuggetPostError,
    PostOutcomeUnknown,
    PostRejected,
    TransientSlackError,
)
from bot.nuggets.models import UNKNOWN_TIMEZONE, Subscription, SubscriptionKind
from bot.slack import coaching_messages, messages
from bot.slack.answers.subscriptions import how_to_resume, paused_because
from bot.slack.pacing import RATE_LIMIT_RETRIES, Pacer, pace_limits
from bot.slack.retrying import never_reached_slack
from bot.slack.workspace_clients import (
    WorkspaceClients,
    for_every_workspace,
    waits_out_rate_limits,
)
from bot.workspace import Workspace

logger = logging.getLogger(__name__)

# The channel cannot take posts until a person does something about it.
CHANNEL_ERRORS = frozenset(
    {
        "channel_not_found",
        "is_archived",
        "not_in_channel",
        "restricted_action",
        "restricted_action_read_only_channel",
        "restricted_action_thread_only_channel",
        "restricted_action_non_threadable_channel",
        "cannot_dm_bot",
        "user_not_found",
        "user_disabled",
        "team_access_not_granted",
    }
)
# The token or the app's install is wrong: every post will fail until an admin fixes it.
AUTH_ERRORS = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
        "not_allowed_token_type",
        "ekm_access_denied",
    }
)
# Slack turned the request away before doing anything: safe to post again later. Only a
# rate limit says so for certain; a 503 may come from a proxy after Slack posted.
NOT_PROCESSED_STATUSES = frozenset({429})
NOT_PROCESSED_ERRORS = frozenset({"ratelimited", "request_timeout"})
# Slack's own words for fatal_error: "some aspect of the operation may have succeeded".
UNKNOWN_OUTCOME_ERRORS = frozenset({"fatal_error", "internal_error", "service_unavailable"})
# The reason a post fails with when its workspace has no installation (no token at all).
NOT_INSTALLED = "not_installed"
# How a person can fix each channel problem, for the DM to whoever subscribed.
FIXES = {
    "not_in_channel": "Invite me to the channel with `/invite @tipbot`",
    "channel_not_found": "If the channel is private, invite me with `/invite @tipbot`",
    "is_archived": "Unarchive the channel",
}


class SlackPoster:
    """Posts nuggets with chat.postMessage, as the workspace's bot, when the Pacer says."""

    def __init__(self, clients: WorkspaceClients | WebClient, pacer: Pacer | None = None) -> None:
        self.clients = for_every_workspace(clients)
        self.pacer = pacer or Pacer()

    def post_nugget(
        self,
        workspace: Workspace,
        channel_id: str,
        tip: Tip,
        slot_at: datetime,
        *,
        kind: SubscriptionKind = "channel",
    ) -> str:
        """Post the nugget and return its ts; raise the domain error Slack's answer maps to."""
        client = _client(self.clients, workspace)
        response = _paced_post(
            self.pacer,
            client,
            workspace,
            channel_id,
            lambda: client.chat_postMessage(
                channel=channel_id,
                blocks=list(_nugget_blocks(tip, in_dm=kind == "dm")),
                text=f"Tip of the week: {messages.fallback_text(tip)}",
                unfurl_links=False,
            ),
        )
        return str(response.get("ts", ""))


class SlackCheckInPoster:
    """Sends check-in DMs with chat.postMessage to the person's user id (their DM with us)."""

    def __init__(self, clients: WorkspaceClients | WebClient, pacer: Pacer | None = None) -> None:
        self.clients = for_every_workspace(clients)
        self.pacer = pacer or Pacer()

    def post_check_in(self, commitment: Commitment, kind: CheckInKind) -> PostedMessage:
        """DM the check-in and return where it went; raise what Slack's answer maps to."""
        workspace = commitment.workspace
        client = _client(self.clients, workspace)
        response = _paced_post(
            self.pacer,
            client,
            workspace,
            commitment.user_id,
            lambda: client.chat_postMessage(
                channel=commitment.user_id,
                blocks=coaching_messages.check_in_message(commitment, kind),
                text=coaching_messages.check_in_text(commitment, kind),
                unfurl_links=False,
            ),
        )
        channel = str(response.get("channel") or commitment.user_id)
        return PostedMessage(channel, str(response.get("ts", "")))


def slack_posters(
    settings: Settings, clients: WorkspaceClients
) -> tuple["SlackPoster", "SlackNotifier", SlackCheckInPoster]:
    """The scheduler's three posters, sharing one Pacer built from the settings."""
    pacer = Pacer(pace_limits(settings))
    return (
        SlackPoster(clients, pacer),
        SlackNotifier(clients, settings.command, pacer),
        SlackCheckInPoster(clients, pacer),
    )


@functools.lru_cache(maxsize=1024)
def _nugget_blocks(tip: Tip, *, in_dm: bool) -> messages.Blocks:
    """A tip's weekly message, built once per tip: a slot due in thousands of channels
    posts the same few tips, and building the blocks costs as much as the database work.
    Callers copy the list; nobody changes the blocks."""
    return messages.nugget_message(tip, votes=0, in_dm=in_dm)


def _client(clients: WorkspaceClients, workspace: Workspace) -> WebClient:
    """The workspace's client; AuthRevoked when it has none, so nothing is posted for it."""
    client = clients.client_for(workspace)
    if client is None:
        raise AuthRevoked(NOT_INSTALLED)
    return client


def _paced_post(
    pacer: Pacer,
    client: WebClient,
    workspace: Workspace,
    channel_id: str,
    post: Callable[[], SlackResponse],
) -> SlackResponse:
    """Send `post` when the Pacer lets it go; Slack's refusals are raised as our errors."""
    try:
        return pacer.call(workspace, channel_id, post, retries=_pacer_retries(client))
    except SlackApiError as exc:
        raise classify(exc) from exc
    except (urllib.error.URLError, OSError) as exc:
        raise classify_network_error(exc) from exc


def _pacer_retries(client: WebClient) -> int:
    """How often the Pacer sends a call again after a 429: never when the client already
    does (a WebClient handed in as it is, from `create_client`)."""
    return 0 if waits_out_rate_limits(client) else RATE_LIMIT_RETRIES


def classify(exc: SlackApiError) -> NuggetPostError:
    """The domain error for a Slack API error response (after slack-sdk's own retries)."""
    status = exc.response.status_code
    error = str(exc.response.get("error", "")) or f"HTTP {status}"
    if error in CHANNEL_ERRORS:
        return ChannelUnavailable(error)
    if error in AUTH_ERRORS:
        return AuthRevoked(error)
    if status in NOT_PROCESSED_STATUSES or error in NOT_PROCESSED_ERRORS:
        return TransientSlackError(error)
    if status >= 500 or error in UNKNOWN_OUTCOME_ERRORS:
        return PostOutcomeUnknown(error)
    return PostRejected(error)


def classify_network_error(exc: OSError) -> TransientSlackError | PostOutcomeUnknown:
    """Retry only when the request provably never reached Slack."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if never_reached_slack(exc):
        return TransientSlackError(f"network error: {reason}")
    # A timeout or a dropped connection after sending: Slack may have posted it.
    return PostOutcomeUnknown(f"network error: {reason}")


class SlackNotifier:
    """DMs the person who subscribed a channel when its weekly tip had to stop."""

    def __init__(
        self, clients: WorkspaceClients | WebClient, command: str, pacer: Pacer | None = None
    ) -> None:
        self.clients = for_every_workspace(clients)
        self.command = command
        self.pacer = pacer or Pacer()

    def subscription_paused(self, sub: Subscription, reason: str) -> None:
        """Explain what went wrong and how to fix it; log (never raise) if even that fails."""
        if not sub.subscribed_by:
            # Whoever subscribed asked tipbot to forget them (`tipbot forget`).
            logger.warning("Paused the weekly tip of %s; nobody to tell", sub.channel_id)
            return
        paused = replace(sub, status="paused", paused_reason=reason)
        if sub.kind == "dm":
            text = (
                f"I couldn't send you your weekly tip ({paused_because(paused)}), so I've "
                "paused it. Open my Home tab to subscribe again."
            )
        elif reason == UNKNOWN_TIMEZONE:
            text = (
                f"I've paused the weekly tip in <#{sub.channel_id}>: {paused_because(paused)}. "
                f"{how_to_resume(paused, self.command)}"
            )
        else:
            fix = FIXES.get(reason, "Check the channel still exists and that I can post in it")
            text = (
                f"I couldn't post the weekly tip in <#{sub.channel_id}> "
                f"({paused_because(paused)}), so I've paused it. {fix}, then type "
                f"`{self.command} subscribe` in the channel to start again."
            )
        client = self.clients.client_for(sub.workspace)
        if client is None:
            logger.warning(
                "Paused the weekly tip of %s; %s is not installed", sub.channel_id, sub.workspace
            )
            return
        try:
            self.pacer.call(
                sub.workspace,
                sub.subscribed_by,
                lambda: client.chat_postMessage(channel=sub.subscribed_by, text=text),
                retries=_pacer_retries(client),
            )
        except SlackApiError as exc:
            logger.error(
                "Could not DM %s about the paused subscription of %s: %s",
                sub.subscribed_by,
                sub.channel_id,
                exc.response.get("error"),
            )

"""The domains' posters and notifier, implemented with slack-sdk's WebClient: the weekly
fan-out's Poster and Notifier, and the coaching loop's CheckInPoster.

Slack's error codes are translated here into the domain's errors, so the fan-out decides
what to do (pause, stop, retry) without knowing Slack.
"""

import logging
import urllib.error
from dataclasses import replace
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.checkins import PostedMessage
from bot.coaching.models import CheckInKind, Commitment
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
from bot.slack.retrying import never_reached_slack
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
# How a person can fix each channel problem, for the DM to whoever subscribed.
FIXES = {
    "not_in_channel": "Invite me to the channel with `/invite @tipbot`",
    "channel_not_found": "If the channel is private, invite me with `/invite @tipbot`",
    "is_archived": "Unarchive the channel",
}


class SlackPoster:
    """Posts nuggets with chat.postMessage, with the one token a single-workspace bot has."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post_nugget(
        self,
        workspace: Workspace,
        channel_id: str,
        tip: Tip,
        slot_at: datetime,
        *,
        kind: SubscriptionKind = "channel",
    ) -> str:
        """Post the nugget and return its ts; raise the domain error Slack's answer maps to.

        The one token answers for whichever workspace it was given for, so `workspace` only
        matters where a client per workspace is plugged in.
        """
        try:
            response = self.client.chat_postMessage(
                channel=channel_id,
                blocks=messages.nugget_message(tip, votes=0, in_dm=kind == "dm"),
                text=f"Tip of the week: {messages.fallback_text(tip)}",
                unfurl_links=False,
            )
        except SlackApiError as exc:
            raise classify(exc) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise classify_network_error(exc) from exc
        return str(response.get("ts", ""))


class SlackCheckInPoster:
    """Sends check-in DMs with chat.postMessage to the person's user id (their DM with us)."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def post_check_in(self, commitment: Commitment, kind: CheckInKind) -> PostedMessage:
        """DM the check-in and return where it went; raise what Slack's answer maps to."""
        try:
            response = self.client.chat_postMessage(
                channel=commitment.user_id,
                blocks=coaching_messages.check_in_message(commitment, kind),
                text=coaching_messages.check_in_text(commitment, kind),
                unfurl_links=False,
            )
        except SlackApiError as exc:
            raise classify(exc) from exc
        except (urllib.error.URLError, OSError) as exc:
            raise classify_network_error(exc) from exc
        channel = str(response.get("channel") or commitment.user_id)
        return PostedMessage(channel, str(response.get("ts", "")))


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

    def __init__(self, client: WebClient, command: str) -> None:
        self.client = client
        self.command = command

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
        try:
            self.client.chat_postMessage(channel=sub.subscribed_by, text=text)
        except SlackApiError as exc:
            logger.error(
                "Could not DM %s about the paused subscription of %s: %s",
                sub.subscribed_by,
                sub.channel_id,
                exc.response.get("error"),
            )

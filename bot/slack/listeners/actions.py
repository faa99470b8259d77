"""Buttons on a tip: "Another tip", "Share in channel", and "Helpful" on a weekly tip.

Both ack at once and do their Web API work in a lazy listener, so nothing slow sits in front
of the ack.
"""

import logging
import urllib.error
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.content.model import Tip
from bot.nuggets.errors import (
    ChannelUnavailable,
    NuggetPostError,
    PostOutcomeUnknown,
    TransientSlackError,
)
from bot.services import Services
from bot.slack import messages
from bot.slack.answers.coaching import weight_for
from bot.slack.posting import classify, classify_network_error
from bot.slack.workspaces import in_workspace

logger = logging.getLogger(__name__)

# Errors that mean the bot cannot post where the button was clicked, and what to tell the user.
INVITE = "Invite me with `/invite @tipbot`"
NOT_A_MEMBER = frozenset({"not_in_channel", "channel_not_found"})
# Enough for a burst of clicks; the click that ends the burst relabels last anyway.
MAX_RELABELS = 5
CANNOT_POST = {
    "not_in_channel": f"I'm not in this channel yet. {INVITE}, then share again.",
    "channel_not_found": f"I can't see this conversation. {INVITE}, or share from my channels.",
    "is_archived": "This channel is archived, so I can't post in it.",
    "restricted_action": "This workspace doesn't let me post in this channel.",
}


def share_through_response_url(
    respond: Respond | None, tip: Tip, user_id: str, why: str
) -> str | None:
    """Post the tip visibly where the button was clicked, without the bot being a member.

    `why` is Slack's reason chat.postMessage failed. Returns None when posted, else what
    to tell the user.
    """
    if respond is None:
        return explain_share_failure(ChannelUnavailable(why))
    # Private channels and DMs the bot is not in refuse chat.postMessage, but the response
    # URL of the interaction may still post there, as the user's own /tip did.
    try:
        reply = respond(
            response_type="in_channel",
            replace_original=False,
            blocks=messages.shared_tip_message(tip, user_id),
            text=messages.fallback_text(tip),
        )
    except (urllib.error.URLError, OSError) as exc:
        return explain_share_failure(classify_network_error(exc))
    if reply.status_code == 200:
        return None
    if reply.status_code >= 500:
        return explain_share_failure(PostOutcomeUnknown(f"HTTP {reply.status_code}"))
    return explain_share_failure(ChannelUnavailable(why))


def post_shared_tip(
    client: WebClient, respond: Respond | None, tip: Tip, channel_id: str, user_id: str
) -> str | None:
    """Post the tip visibly in the channel; None when done, else what to tell the user."""
    try:
        client.chat_postMessage(
            channel=channel_id,
            blocks=messages.shared_tip_message(tip, user_id),
            text=messages.fallback_text(tip),
        )
    except SlackApiError as exc:
        error = str(exc.response.get("error", ""))
        if error in NOT_A_MEMBER:
            return share_through_response_url(respond, tip, user_id, error)
        logger.warning("Sharing tip %s in %s failed: %s", tip.id, channel_id, error)
        return explain_share_failure(classify(exc))
    except (urllib.error.URLError, OSError) as exc:
        logger.warning("Sharing tip %s in %s failed: %s", tip.id, channel_id, exc)
        return explain_share_failure(classify_network_error(exc))
    return None


def explain_share_failure(error: NuggetPostError) -> str:
    """What to tell the person whose share did not go through, and what to do next."""
    if isinstance(error, PostOutcomeUnknown):
        return (
            "Slack didn't confirm the post, so the tip may or may not be in the channel. "
            "Have a look before you share it again."
        )
    if isinstance(error, TransientSlackError):
        return "Slack is busy right now and nothing was posted. Try again in a minute."
    reason = error.reason
    return CANNOT_POST.get(reason, f"Slack refused the post (`{reason}`). Try again later.")


def ack_now(ack: Ack) -> None:
    """Acknowledge straight away; a lazy listener does the work that calls Slack."""
    ack()


def register(app: App, services: Services) -> None:
    """Attach the tip buttons."""
    buttons = TipButtons(services)
    app.action(messages.ANOTHER_TIP)(ack=ack_now, lazy=[buttons.show_another])
    app.action(messages.SHARE_TIP)(ack=ack_now, lazy=[buttons.share_tip])
    app.action(messages.HELPFUL)(ack=ack_now, lazy=[buttons.count_helpful_vote])


class TipButtons:
    """What each button does, after the ack; Bolt passes the arguments by name, not `self`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def show_another(self, body: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        """Replace the ephemeral tip with another, on the same topic if it had one."""
        services = in_workspace(self.services, context)
        action = body["actions"][0]
        shown, topic = messages.read_button_value(action.get("value", ""))
        library = services.library.current
        user_id = body["user"]["id"]
        tip = services.picker.random_tip(
            library,
            user_id,
            topic or None,
            on_screen={shown},
            weight=weight_for(services, user_id),
        )
        if tip is None:
            respond(text="There are no tips to show right now.", replace_original=True)
            return
        respond(
            blocks=messages.tip_message(tip, topic),
            text=messages.fallback_text(tip),
            replace_original=True,
        )

    def share_tip(
        self, body: dict[str, Any], respond: Respond, client: WebClient, context: BoltContext
    ) -> None:
        """Post the tip for everyone in the channel, then drop the ephemeral one."""
        services = in_workspace(self.services, context)
        tip_id, _ = messages.read_button_value(body["actions"][0].get("value", ""))
        tip = services.library.current.by_id.get(tip_id)
        if tip is None:
            command = services.settings.command
            text = f"That tip was removed from the library. Try `{command}` for another one."
            respond(text=text, replace_original=False, response_type="ephemeral")
            return
        user_id = body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id", "")
        problem = post_shared_tip(client, respond, tip, channel_id, user_id)
        if problem:
            respond(text=problem, replace_original=False, response_type="ephemeral")
            return
        services.store.record_share(tip.id, channel_id, user_id, services.clock())
        respond(delete_original=True)

    def count_helpful_vote(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Count the click (a second click takes the vote back) and relabel the button."""
        store = in_workspace(self.services, context).store
        channel_id = body["channel"]["id"]
        message = body["message"]
        user_id = body["user"]["id"]
        _, votes = store.toggle_vote(channel_id, message["ts"], user_id, self.services.clock())
        # Clicks handled at once by several processes must not leave an older count on the
        # button. Whoever finds the count changed after relabelling relabels again, so the
        # last relabel to finish always shows the count as it was when it finished.
        for _ in range(MAX_RELABELS):
            # Relabel the message as Slack has it, so a tip since removed still shows right.
            client.chat_update(
                channel=channel_id,
                ts=message["ts"],
                blocks=messages.with_helpful_count(message["blocks"], votes),
                text=message.get("text", "Tip of the week"),
            )
            latest = store.vote_count(channel_id, message["ts"])
            if latest == votes:
                return
            votes = latest

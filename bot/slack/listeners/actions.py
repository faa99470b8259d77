"""Buttons on a tip: "Another tip", "Share in channel", and "Helpful" on a weekly tip.

Both ack at once and do their Web API work in a lazy listener, so nothing slow sits in front
of the ack.
"""

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack import views

logger = logging.getLogger(__name__)

# Errors that mean the bot cannot post where the button was clicked, and what to tell the user.
INVITE = "Invite me with `/invite @tipbot`"
CANNOT_POST = {
    "not_in_channel": f"I'm not in this channel yet. {INVITE}, then share again.",
    "channel_not_found": f"I can't see this conversation. {INVITE}, or share from my channels.",
    "is_archived": "This channel is archived, so I can't post in it.",
    "restricted_action": "This workspace doesn't let me post in this channel.",
}


def ack_button(ack: Ack) -> None:
    """Acknowledge a button click straight away."""
    ack()


def register(app: App, services: Services) -> None:
    """Attach the tip buttons."""

    def show_another(body: dict[str, Any], respond: Respond) -> None:
        action = body["actions"][0]
        _shown, topic = views.read_button_value(action.get("value", ""))
        library = services.library.library
        user_id = body["user"]["id"]
        tip = services.picker.random_tip(library, user_id, topic if topic else None)
        if tip is None:
            respond(text="There are no tips to show right now.", replace_original=True)
            return
        respond(
            blocks=views.tip_message(tip, topic),
            text=views.fallback_text(tip),
            replace_original=True,
        )

    def share_tip(body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        action = body["actions"][0]
        tip_id, _ = views.read_button_value(action.get("value", ""))
        tip = services.library.library.by_id.get(tip_id)
        if tip is None:
            respond(
                text="That tip was removed from the library. Try `/tip` for another one.",
                replace_original=False,
                response_type="ephemeral",
            )
            return
        user_id = body["user"]["id"]
        channel_id = (body.get("channel") or {}).get("id", "")
        try:
            client.chat_postMessage(
                channel=channel_id,
                blocks=views.shared_tip_message(tip, user_id),
                text=views.fallback_text(tip),
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            logger.warning("Sharing tip %s in %s failed: %s", tip.id, channel_id, error)
            message = CANNOT_POST.get(
                error, f"Slack refused the post (`{error}`). Try again later."
            )
            respond(text=message, replace_original=False, response_type="ephemeral")
            return
        services.store.record_share(tip.id, channel_id, user_id, services.clock())
        respond(delete_original=True)

    def count_helpful_vote(body: dict[str, Any], client: WebClient) -> None:
        channel_id = body["channel"]["id"]
        message = body["message"]
        _, votes = services.store.toggle_vote(channel_id, message["ts"], body["user"]["id"])
        # Relabel the button on the message as Slack has it, so a tip since removed from the
        # library still shows correctly.
        client.chat_update(
            channel=channel_id,
            ts=message["ts"],
            blocks=views.with_helpful_count(message["blocks"], votes),
            text=message.get("text", "Tip of the week"),
        )

    app.action(views.ANOTHER_TIP)(ack=ack_button, lazy=[show_another])
    app.action(views.SHARE_TIP)(ack=ack_button, lazy=[share_tip])
    app.action(views.HELPFUL)(ack=ack_button, lazy=[count_helpful_vote])

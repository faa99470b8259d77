"""The `/tip` slash command: every answer is built in memory and sent with the ack itself."""

import logging
from typing import Any

from slack_bolt import Ack, App

from bot.commands import TipCommand, parse_command
from bot.services import Services
from bot.slack import views
from bot.slack.listeners.subscriptions import answer_subscription

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Answer the configured slash command (default `/tip`)."""

    def handle_tip_command(ack: Ack, command: dict[str, Any]) -> None:
        # Answering in the ack body needs no Web API call, so Slack's 3-second deadline is safe.
        request = parse_command(command.get("text", ""))
        blocks, text = answer(services, request, command)
        ack(response_type="ephemeral", blocks=blocks, text=text)

    app.command(services.settings.command)(handle_tip_command)


def answer(
    services: Services, request: TipCommand, command: dict[str, Any]
) -> tuple[views.Blocks, str]:
    """The blocks and fallback text that answer one `/tip` request."""
    library = services.library.library
    user_id = str(command.get("user_id", ""))
    name = services.settings.command
    if request.name == "help":
        return views.help_message(name), "How to use tipbot"
    if request.name == "topics":
        return views.topics_message(library.topics(), name), "Topics"
    if request.name in ("subscribe", "schedule", "unsubscribe"):
        text = answer_subscription(services, request, command)
        return views.notice_message(text), text
    if request.name == "random":
        tip = services.picker.random_tip(library, user_id)
        topic = None
    else:
        topic = library.resolve_topic(request.text)
        if topic:
            tip = services.picker.random_tip(library, user_id, topic)
        else:
            tip = services.picker.best_match(library, request.text, user_id)
    if tip is None:
        if not library.tips:
            text = "There are no tips to show yet. An admin can add some to `tips/`."
            return views.notice_message(text), text
        return views.no_match_message(request.text, library.topics(), name), "No tip matched"
    return views.tip_message(tip, topic), views.fallback_text(tip)

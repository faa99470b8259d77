"""The `/tip` slash command: answers are built in memory and sent with the ack itself.

The one exception is `/tip reload`, which can take a second on a big library: it acks at
once and reports through the response URL from a lazy listener.
"""

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond

from bot.commands import SUBCOMMANDS_BY_NAME, TipCommand, parse_command
from bot.content.search import find_tips
from bot.services import Services
from bot.slack import views
from bot.slack.answers import admin
from bot.slack.answers.subscriptions import answer_subscription

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Answer the configured slash command (default `/tip`)."""

    def handle_tip_command(ack: Ack, command: dict[str, Any]) -> None:
        # Answering in the ack body needs no Web API call, so Slack's 3-second deadline is safe.
        request = parse_command(command.get("text", ""))
        blocks, text = answer(services, request, command)
        ack(response_type="ephemeral", blocks=blocks, text=text)

    def is_reload(command: dict[str, Any]) -> bool:
        return parse_command(command.get("text", "")).name == "reload"

    def ack_reload(ack: Ack, command: dict[str, Any]) -> None:
        if may_reload(command):
            ack(response_type="ephemeral", text="Reloading the tip files…")
        else:
            ack(response_type="ephemeral", text=admin.refusal(services, "reload"))

    def reload_and_report(command: dict[str, Any], respond: Respond) -> None:
        if may_reload(command):
            text = admin.answer_reload(services)
            respond(response_type="ephemeral", blocks=views.notice_message(text), text=text)

    def may_reload(command: dict[str, Any]) -> bool:
        return services.settings.may("admins", str(command.get("user_id", "")))

    name = services.settings.command
    # Listeners are tried in order: the reload one first, everything else after it.
    app.command(name, matchers=[is_reload])(ack=ack_reload, lazy=[reload_and_report])
    app.command(name)(handle_tip_command)


TextAnswer = Callable[[Services, TipCommand, dict[str, Any]], str]
# Subcommands answered with a short mrkdwn text.
TEXT_ANSWERS: dict[str, TextAnswer] = {
    "subscribe": answer_subscription,
    "schedule": answer_subscription,
    "unsubscribe": answer_subscription,
    "stats": lambda services, _request, _command: admin.answer_stats(services),
}


def answer(
    services: Services, request: TipCommand, command: dict[str, Any]
) -> tuple[views.Blocks, str]:
    """The blocks and fallback text that answer one `/tip` request."""
    user_id = str(command.get("user_id", ""))
    subcommand = SUBCOMMANDS_BY_NAME.get(request.name)
    if subcommand and not services.settings.may(subcommand.access, user_id):
        return notice(admin.refusal(services, subcommand.name))
    library = services.library.library
    name = services.settings.command
    if request.name == "help":
        return views.help_message(name), "How to use tipbot"
    if request.name == "topics":
        return views.topics_message(library.topics(), name), "Topics"
    text_answer = TEXT_ANSWERS.get(request.name)
    if text_answer is not None:
        return notice(text_answer(services, request, command))
    return answer_tip(services, request, user_id)


def answer_tip(services: Services, request: TipCommand, user_id: str) -> tuple[views.Blocks, str]:
    """A random tip, a tip on a topic, or the best match for some words."""
    library = services.library.library
    # The preview page searches with the same function, so it shows what `/tip TEXT` finds.
    found = find_tips(library, request.text)
    tip = services.picker.pick(found.tips, user_id)
    if tip is not None:
        return views.tip_message(tip, found.topic), views.fallback_text(tip)
    if not library.tips:
        return notice("There are no tips to show yet. An admin can add some to `tips/`.")
    name = services.settings.command
    return views.no_match_message(request.text, library.topics(), name), "No tip matched"


def notice(text: str) -> tuple[views.Blocks, str]:
    """A short mrkdwn answer and its notification text."""
    return views.notice_message(text), text

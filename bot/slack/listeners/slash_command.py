"""The `/tip` slash command: answers are built in memory and sent with the ack itself.

Two kinds of request also do Web API work, in a lazy listener after the ack: `/tip reload`,
which can take a second on a big library, reports through the response URL; `/tip subscribe`
and `unsubscribe` post a note in the channel, so everyone there knows what changed.
"""

import logging
import urllib.error
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.content.search import find_tips
from bot.services import Services
from bot.slack import messages
from bot.slack.admins import may
from bot.slack.answers import admin
from bot.slack.answers.coaching import answer_me, answer_track, weight_for
from bot.slack.answers.subscriptions import answer_change, answer_schedule
from bot.slack.workspaces import in_workspace
from bot.subcommands import SUBCOMMANDS_BY_NAME, TipCommand, parse_command

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Answer the configured slash command (default `/tip`)."""
    slash = SlashCommand(services)
    name = services.settings.command
    # Listeners are tried in order: reload and channel changes first, everything else after.
    app.command(name, matchers=[is_reload])(ack=slash.ack_reload, lazy=[slash.reload_and_report])
    app.command(name, matchers=[changes_channel])(
        ack=slash.ack_channel_change, lazy=[announce_channel_change]
    )
    app.command(name)(slash.answer_in_ack)


def is_reload(command: dict[str, Any]) -> bool:
    """Whether the command is `/tip reload`."""
    return parse_command(command.get("text", "")).name == "reload"


def changes_channel(command: dict[str, Any]) -> bool:
    """Whether the command changes the channel's weekly tip, and so tells the channel."""
    return parse_command(command.get("text", "")).name in CHANNEL_CHANGES


class SlashCommand:
    """The listeners that need the bot's services; Bolt passes the rest by name, not `self`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def answer_in_ack(
        self, ack: Ack, command: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Answer in the ack itself: no Web API call (but an admin check's, remembered for
        minutes), so Slack's 3-second deadline is safe."""
        request = parse_command(command.get("text", ""))
        blocks, text = answer(in_workspace(self.services, context), request, command, client)
        ack(response_type="ephemeral", blocks=blocks, text=text)

    def ack_reload(self, ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        """Say the reload has started, or refuse someone who is not an admin."""
        if self.may_reload(command, client):
            ack(response_type="ephemeral", text="Reloading the tip files…")
        else:
            ack(response_type="ephemeral", text=admin.refusal(self.services, "reload"))

    def reload_and_report(
        self, command: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        """Reload after the ack (it can take a second) and report through the response URL."""
        if self.may_reload(command, client):
            text = admin.answer_reload(self.services)
            respond(response_type="ephemeral", blocks=messages.notice_message(text), text=text)

    def may_reload(self, command: dict[str, Any], client: WebClient) -> bool:
        """Whether the person who typed the command is an admin."""
        return may(self.services, "admins", client, str(command.get("user_id", "")))

    def ack_channel_change(
        self, ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """Subscribe or unsubscribe, answer the person, and leave the channel's note to say."""
        request = parse_command(command.get("text", ""))
        access = SUBCOMMANDS_BY_NAME[request.name].access
        if not may(self.services, access, client, str(command.get("user_id", ""))):
            text = admin.refusal(self.services, request.name)
            ack(response_type="ephemeral", blocks=messages.notice_message(text), text=text)
            return
        change = answer_change(in_workspace(self.services, context), request, command)
        # The lazy listener gets a copy of this context, made after this function returns
        # because the app processes before responding (bot/slack/app.py).
        context[ANNOUNCEMENT] = change.announcement
        blocks, text = notice(change.reply)
        ack(response_type="ephemeral", blocks=blocks, text=text)


def announce_channel_change(
    command: dict[str, Any], context: BoltContext, client: WebClient, respond: Respond
) -> None:
    """Post the note the ack left in the context; tell a subscriber who must invite the bot."""
    announcement = context.get(ANNOUNCEMENT)
    if not announcement:
        return
    problem = post_announcement(client, str(command.get("channel_id", "")), announcement)
    if problem and parse_command(command.get("text", "")).name == "subscribe":
        respond(response_type="ephemeral", replace_original=False, text=problem)


# Subcommands that change a channel's weekly tip, and so tell the channel.
CHANNEL_CHANGES = frozenset({"subscribe", "unsubscribe"})
ANNOUNCEMENT = "tipbot_announcement"
# What to tell whoever subscribed when the bot cannot post in the channel.
CANNOT_ANNOUNCE = {
    "not_in_channel": (
        "I'm not in this channel yet, so I couldn't tell everyone here about the weekly tip, "
        "and I won't be able to post it either. Invite me with `/invite @tipbot` and it's "
        "all set."
    ),
    "channel_not_found": (
        "I can't see this channel (it may be private), so I couldn't tell everyone here "
        "about the weekly tip, and I won't be able to post it either. Invite me with "
        "`/invite @tipbot` and it's all set."
    ),
}


def post_announcement(client: WebClient, channel_id: str, text: str) -> str | None:
    """Post a visible note in the channel; None when posted, else what to tell the person."""
    try:
        client.chat_postMessage(channel=channel_id, text=text, unfurl_links=False)
    except SlackApiError as exc:
        error = str(exc.response.get("error", ""))
        if error in CANNOT_ANNOUNCE:
            return CANNOT_ANNOUNCE[error]
        logger.warning(
            "Could not tell %s about its weekly tip: %s",
            channel_id,
            error,
            extra={"channel": channel_id, "slack_error": error},
        )
    except (urllib.error.URLError, OSError) as exc:
        # The client already re-sent it if Slack certainly never saw it; it may have posted.
        logger.warning("Could not tell %s about its weekly tip: %s", channel_id, exc)
    return None


TextAnswer = Callable[[Services, TipCommand, dict[str, Any]], str]
# Subcommands answered with a short mrkdwn text.
TEXT_ANSWERS: dict[str, TextAnswer] = {
    "schedule": answer_schedule,
    "track": answer_track,
    "stats": lambda services, _request, _command: admin.answer_stats(services),
}


def answer(
    services: Services, request: TipCommand, command: dict[str, Any], client: WebClient
) -> tuple[messages.Blocks, str]:
    """The blocks and fallback text that answer one `/tip` request."""
    user_id = str(command.get("user_id", ""))
    subcommand = SUBCOMMANDS_BY_NAME.get(request.name)
    if subcommand and not may(services, subcommand.access, client, user_id):
        return notice(admin.refusal(services, subcommand.name))
    library = services.library.current
    name = services.settings.command
    if request.name == "help":
        return messages.help_message(name, bool(services.settings.admins)), "How to use tipbot"
    if request.name == "topics":
        return messages.topics_message(library.topics(), name), "Topics"
    if request.name == "me":
        return answer_me(services, user_id)
    text_answer = TEXT_ANSWERS.get(request.name)
    if text_answer is not None:
        return notice(text_answer(services, request, command))
    return answer_tip(services, request, user_id)


def answer_tip(
    services: Services, request: TipCommand, user_id: str
) -> tuple[messages.Blocks, str]:
    """A random tip, a tip on a topic, or the best match for some words."""
    library = services.library.current
    # The preview page searches with the same function, so it shows what `/tip TEXT` finds.
    found = find_tips(library, request.text)
    tip = services.picker.pick(found.tips, user_id, weight=weight_for(services, user_id))
    if tip is not None:
        return messages.tip_message(tip, found.topic), messages.fallback_text(tip)
    if not library.tips:
        return notice("There are no tips to show yet. An admin can add some to `tips/`.")
    name = services.settings.command
    return messages.no_match_message(request.text, library.topics(), name), "No tip matched"


def notice(text: str) -> tuple[messages.Blocks, str]:
    """A short mrkdwn answer and its notification text."""
    return messages.notice_message(text), text

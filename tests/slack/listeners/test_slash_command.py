"""The `/tip` listeners called directly: what the ack says, and what the lazy half does."""

import dataclasses

import pytest
from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient

from bot.services import Services
from bot.slack.listeners.slash_command import (
    ANNOUNCEMENT,
    CANNOT_ANNOUNCE,
    SlashCommand,
    announce_channel_change,
)
from tests.conftest import ADMIN
from tests.slack.listeners.conftest import acked
from tests.slack_stand_in import Reply, SlackStandIn
from tests.teams import context_in


def command(text: str, user_id: str = "U1") -> dict[str, str]:
    """The `command` Bolt passes for `/tip <text>` typed in C1."""
    return {"command": "/tip", "text": text, "user_id": user_id, "channel_id": "C1"}


def test_help_is_answered_in_the_ack_without_calling_slack(
    services: Services, client: WebClient, stand_in: SlackStandIn
) -> None:
    """`/tip help` comes back in the ack itself, ephemeral, and no Web API call is made."""
    ack = Ack()

    SlashCommand(services).answer_in_ack(ack, command("help"), client, context_in())

    answer = acked(ack)
    assert answer["response_type"] == "ephemeral"
    assert answer["blocks"][0]["text"]["text"] == "How to use tipbot"
    assert stand_in.calls == []


def test_a_members_reload_is_refused_and_its_lazy_half_does_nothing(
    services: Services, client: WebClient, respond: Respond, stand_in: SlackStandIn
) -> None:
    """A member's `/tip reload` is refused at the ack; the lazy listener checks again."""
    services.settings = dataclasses.replace(services.settings, admins=frozenset({ADMIN}))
    slash = SlashCommand(services)
    ack = Ack()

    slash.ack_reload(ack, command("reload"), client)
    slash.reload_and_report(command("reload"), respond, client)

    assert acked(ack)["text"] == (
        f"Sorry, only tipbot admins can use `/tip reload`. Ask one of them: <@{ADMIN}>."
    )
    assert stand_in.calls == []


def test_no_announcement_in_the_context_posts_nothing(
    client: WebClient, respond: Respond, stand_in: SlackStandIn
) -> None:
    """A refused or unchanged subscribe leaves no note in the context, so nothing is posted."""
    announce_channel_change(command("subscribe"), BoltContext(), client, respond)

    assert stand_in.calls == []


@pytest.mark.parametrize(("text", "told"), [("subscribe", True), ("unsubscribe", False)])
def test_a_note_slack_refuses_tells_only_a_subscriber_how_to_fix_it(
    client: WebClient, respond: Respond, stand_in: SlackStandIn, text: str, told: bool
) -> None:
    """not_in_channel: a subscriber hears to invite the bot; someone unsubscribing, nothing."""
    stand_in.script("chat.postMessage", Reply({"ok": False, "error": "not_in_channel"}))
    context = BoltContext({ANNOUNCEMENT: "@ada set a weekly tip here."})

    announce_channel_change(command(text), context, client, respond)

    (post,) = stand_in.calls_to("chat.postMessage")
    assert (post.params["channel"], post.params["text"]) == ("C1", "@ada set a weekly tip here.")
    replies = [call.params["text"] for call in stand_in.calls_to("response:direct")]
    assert replies == ([CANNOT_ANNOUNCE["not_in_channel"]] if told else [])

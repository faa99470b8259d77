"""The "Another tip" and "Share in channel" buttons, clicked over real HTTP."""

import json

from tests.conftest import RunningBot
from tests.signing import block_action_body
from tests.slack_stand_in import Reply


def click(bot: RunningBot, action_id: str, value: str, channel_id: str = "C1") -> None:
    """Click a button as Slack would post it; the ack must be an empty 200."""
    body = block_action_body(
        action_id, value, bot.stand_in.response_url("btn"), channel_id=channel_id
    )
    reply = bot.signed(body)
    assert reply.status == 200
    assert reply.body == ""


def test_another_tip_replaces_the_message_with_a_different_tip(bot: RunningBot) -> None:
    """Another tip swaps the ephemeral message for a new tip via the response URL."""
    first = bot.command("").json()
    value = first["blocks"][-1]["elements"][0]["value"]
    click(bot, "tip_another", value)
    (call,) = bot.stand_in.wait_for("response:btn")
    assert call.params["replace_original"] is True
    assert call.params["blocks"][0]["type"] == "header"
    assert call.params["blocks"][0]["text"]["text"] != first["blocks"][0]["text"]["text"]


def test_another_tip_stays_on_the_topic(bot: RunningBot) -> None:
    """Another mentoring tip brings another tip tagged mentoring."""
    first = bot.command("mentoring").json()
    button = first["blocks"][-1]["elements"][0]
    assert button["text"]["text"] == "Another mentoring tip"
    click(bot, "tip_another", button["value"])
    (call,) = bot.stand_in.wait_for("response:btn")
    tagged = {t.title for t in bot.services.library.current.with_tag("mentoring")}
    assert call.params["blocks"][0]["text"]["text"] in tagged


def test_share_posts_the_tip_visibly_and_says_who_shared_it(bot: RunningBot) -> None:
    """Sharing posts the tip with chat.postMessage, credits the user, drops the ephemeral."""
    tip = bot.services.library.current.tips[3]
    click(bot, "tip_share", json.dumps({"tip": tip.id, "topic": ""}))
    (post,) = bot.stand_in.wait_for("chat.postMessage")
    assert post.params["channel"] == "C1"
    assert post.params["blocks"][0]["text"]["text"] == tip.title
    assert "Shared by <@U1>" in json.dumps(post.params["blocks"])
    assert post.headers["Authorization"] == "Bearer xoxb-test-token"
    (deleted,) = bot.stand_in.wait_for("response:btn")
    assert deleted.params["delete_original"] is True


def test_share_where_the_bot_is_not_a_member_goes_through_the_response_url(
    bot: RunningBot,
) -> None:
    """not_in_channel: the tip is still shared, visibly, through the interaction's URL."""
    bot.stand_in.script("chat.postMessage", Reply({"ok": False, "error": "not_in_channel"}))
    tip = bot.services.library.current.tips[0]
    click(bot, "tip_share", json.dumps({"tip": tip.id, "topic": ""}), channel_id="C9")
    shared, deleted = bot.stand_in.wait_for("response:btn", count=2)
    assert shared.params["response_type"] == "in_channel"
    assert shared.params["blocks"][0]["text"]["text"] == tip.title
    assert "Shared by <@U1>" in json.dumps(shared.params["blocks"])
    assert deleted.params["delete_original"] is True
    assert bot.store.shares_by_tip() == {tip.id: 1}


def test_share_nowhere_to_post_explains_how_to_fix_it(bot: RunningBot) -> None:
    """When neither way can post, the user is told to invite the bot."""
    bot.stand_in.script("chat.postMessage", Reply({"ok": False, "error": "channel_not_found"}))
    bot.stand_in.script("response:btn", Reply({"ok": False}, status=404))
    tip = bot.services.library.current.tips[0]
    click(bot, "tip_share", json.dumps({"tip": tip.id, "topic": ""}), channel_id="C9")
    _, note = bot.stand_in.wait_for("response:btn", count=2)
    assert "/invite @tipbot" in note.params["text"]
    assert note.params["response_type"] == "ephemeral"
    assert bot.store.shares_by_tip() == {}


def test_share_of_a_removed_tip_says_so(bot: RunningBot) -> None:
    """A button for a tip an admin has since removed explains instead of failing."""
    click(bot, "tip_share", json.dumps({"tip": "no-such-tip", "topic": ""}))
    (note,) = bot.stand_in.wait_for("response:btn")
    assert "removed" in note.params["text"]
    assert bot.stand_in.calls_to("chat.postMessage") == []

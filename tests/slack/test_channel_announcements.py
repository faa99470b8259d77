"""Subscribing, changing and unsubscribing a channel is announced in it, off the ack path."""

import json
import time
from datetime import UTC, datetime

import pytest

from tests.conftest import RunningBot
from tests.signing import post, signed_headers, slash_command_body
from tests.slack_stand_in import Call, Fault, Reply, acted_then

# A Wednesday; the next Monday 09:00 in Berlin is 30 Nov 2026 08:00 UTC.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def clocked(bot: RunningBot) -> RunningBot:
    """The bot with its clock fixed at NOW."""
    bot.services.clock = lambda: NOW
    return bot


def reply_to(bot: RunningBot, text: str, **fields: str) -> str:
    """The ephemeral answer's text to `/tip <text>`, sent from C1 by U1 unless told."""
    reply = bot.command(text, **fields)
    assert reply.status == 200
    answer = reply.json()
    assert answer["response_type"] == "ephemeral"
    return str(answer["text"])


def notes(bot: RunningBot, count: int) -> list[Call]:
    """The first `count` notes the bot posted with chat.postMessage, waiting for them."""
    return bot.stand_in.wait_for("chat.postMessage", count=count)


def test_subscribing_tells_the_channel_who_set_what(clocked: RunningBot) -> None:
    """`/tip subscribe mon 9am Europe/Berlin`: the person's reply, and a note for everyone."""
    reply = reply_to(clocked, "subscribe mon 9am Europe/Berlin")
    assert reply.startswith(":white_check_mark: Subscribed: this channel gets one tip")
    (note,) = notes(clocked, 1)
    assert note.params["channel"] == "C1"
    assert note.params["text"] == (
        ":calendar: <@U1> set a weekly tip here: Mondays at 09:00 (Europe/Berlin)."
    )
    assert "blocks" not in note.params


def test_changing_and_stopping_are_announced_and_a_no_change_is_not(
    clocked: RunningBot,
) -> None:
    """New, moved, unchanged, stopped: three notes, in order; the unchanged one posts none."""
    reply_to(clocked, "subscribe")
    reply_to(clocked, "subscribe fri 4pm", user_id="U2")
    notes(clocked, 2)
    unchanged = reply_to(clocked, "subscribe friday 16:00")
    assert unchanged.startswith(":white_check_mark: No change: this channel already gets one")
    stopped = reply_to(clocked, "unsubscribe", user_id="U3")
    assert stopped.startswith("Done: no more weekly tips here.")
    texts = [call.params["text"] for call in notes(clocked, 3)]
    assert texts == [
        ":calendar: <@U1> set a weekly tip here: Mondays at 09:00 (UTC).",
        ":calendar: <@U2> moved the weekly tip here to Fridays at 16:00 (UTC).",
        ":no_bell: <@U3> stopped the weekly tip here. `/tip subscribe` starts it again.",
    ]
    time.sleep(0.3)
    assert len(clocked.stand_in.calls_to("chat.postMessage")) == 3


def test_a_paused_channel_started_again_says_so(clocked: RunningBot) -> None:
    """Subscribing a paused channel again resumes it, and the channel hears it restarted."""
    reply_to(clocked, "subscribe")
    clocked.store.pause_subscription("C1", "not_in_channel", NOW)
    reply = reply_to(clocked, "subscribe")
    assert reply.startswith(":white_check_mark: Started again: this channel gets one tip")
    texts = [call.params["text"] for call in notes(clocked, 2)]
    assert texts[1] == ":calendar: <@U1> started the weekly tip here again: Mondays at 09:00 (UTC)."


def test_nothing_is_announced_when_nothing_changed(clocked: RunningBot) -> None:
    """A bad schedule, an unsubscribe of nothing, and a DM conversation post no note."""
    assert reply_to(clocked, "subscribe funday").startswith(":warning:")
    assert reply_to(clocked, "unsubscribe").startswith("This channel wasn't subscribed")
    reply = reply_to(clocked, "subscribe tue", channel_id="D1")
    assert reply.startswith(":white_check_mark: Subscribed: this conversation gets one tip")
    reply_to(clocked, "unsubscribe", channel_id="D1")
    time.sleep(0.5)
    assert clocked.stand_in.calls_to("chat.postMessage") == []
    assert clocked.store.all_subscriptions() == []


def test_people_refused_by_the_admin_rule_change_nothing_and_post_nothing(
    admin_bot: RunningBot,
) -> None:
    """With TIPBOT_ADMINS set, a member's subscribe is refused, and the channel hears nothing."""
    reply = reply_to(admin_bot, "subscribe", user_id="U2")
    assert "only tipbot admins" in reply
    time.sleep(0.5)
    assert admin_bot.stand_in.calls_to("chat.postMessage") == []
    assert admin_bot.store.get_subscription("C1") is None


@pytest.mark.parametrize("error", ["not_in_channel", "channel_not_found"])
def test_a_channel_without_the_bot_is_still_subscribed_and_told_how_to_invite_it(
    clocked: RunningBot, error: str
) -> None:
    """Slack refuses the note: the subscription stands, and the person hears how to fix it."""
    clocked.stand_in.script("chat.postMessage", Reply({"ok": False, "error": error}))
    assert reply_to(clocked, "subscribe").startswith(":white_check_mark: Subscribed")
    (follow_up,) = clocked.stand_in.wait_for("response:cmd")
    assert follow_up.params["response_type"] == "ephemeral"
    assert follow_up.params["replace_original"] is False
    assert "so I couldn't tell everyone here about the weekly tip" in follow_up.params["text"]
    assert "Invite me with `/invite @tipbot`" in follow_up.params["text"]
    sub = clocked.store.get_subscription("C1")
    assert sub is not None
    assert sub.status == "active"


def test_the_answer_does_not_wait_for_the_note(clocked: RunningBot) -> None:
    """Slack takes 2 s to confirm the note; the person's answer came long before."""
    clocked.stand_in.fail_after_acting("chat.postMessage", acted_then(Fault.SLOW, delay=2.0))
    started = time.monotonic()
    reply_to(clocked, "subscribe")
    assert time.monotonic() - started < 1.0
    notes(clocked, 1)


@pytest.mark.parametrize("fault", [500, Fault.RESET])
def test_a_note_slack_may_have_posted_is_never_posted_again(
    clocked: RunningBot, fault: Fault | int
) -> None:
    """A 500 or a reset after Slack posted: one note, no retry, no message to the person."""
    clocked.stand_in.fail_after_acting("chat.postMessage", acted_then(fault))
    reply_to(clocked, "subscribe")
    notes(clocked, 1)
    time.sleep(1.0)
    assert len(clocked.stand_in.calls_to("chat.postMessage")) == 1
    assert clocked.stand_in.calls_to("response:cmd") == []


def test_a_replayed_subscribe_announces_once(clocked: RunningBot) -> None:
    """The same signed `/tip subscribe` arriving twice posts one note."""
    body = slash_command_body("subscribe", clocked.stand_in.response_url())
    first = post(clocked.url, body, signed_headers(body))
    again = post(clocked.url, body, signed_headers(body))
    assert json.loads(first.body)["text"].startswith(":white_check_mark: Subscribed")
    assert (again.status, again.body) == (200, "")
    notes(clocked, 1)
    time.sleep(0.5)
    assert len(clocked.stand_in.calls_to("chat.postMessage")) == 1

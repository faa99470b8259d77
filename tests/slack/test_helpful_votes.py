"""The Helpful button on a posted nugget, clicked over real HTTP with signed payloads."""

import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.content.model import Tip
from bot.slack import messages
from tests.conftest import RunningBot
from tests.signing import new_trigger_id, post, signed_headers

CHANNEL = "C1"
MESSAGE_TS = "1717405230.000100"

Blocks = list[dict[str, Any]]


def helpful_click_body(user_id: str, blocks: Blocks, text: str) -> str:
    """A block_actions payload for Helpful on a channel message, form-encoded as Slack posts it."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "deprecated-verification-token",
        "container": {
            "type": "message",
            "message_ts": MESSAGE_TS,
            "channel_id": CHANNEL,
            "is_ephemeral": False,
        },
        "trigger_id": new_trigger_id(),
        "team": {"id": "T1", "domain": "acme"},
        "channel": {"id": CHANNEL, "name": "general"},
        "message": {
            "type": "message",
            "subtype": "bot_message",
            "bot_id": "BBOT",
            "ts": MESSAGE_TS,
            "text": text,
            "blocks": blocks,
        },
        "response_url": "https://hooks.slack.invalid/actions/T1/1/abc",
        "actions": [
            {
                "action_id": messages.HELPFUL,
                "block_id": "helpful",
                "text": {"type": "plain_text", "text": "Helpful", "emoji": True},
                "value": blocks[-1]["elements"][0]["value"],
                "type": "button",
                "action_ts": "1717405300.000200",
            }
        ],
    }
    return urlencode({"payload": json.dumps(payload)})


def helpful_label(blocks: Blocks) -> str:
    """The Helpful button's text in a nugget's blocks."""
    (button,) = (
        element
        for block in blocks
        for element in block.get("elements", ())
        if element.get("action_id") == messages.HELPFUL
    )
    return str(button["text"]["text"])


def label_for(votes: int) -> str:
    """What the Helpful button says with `votes` votes."""
    return f":+1: Helpful ({votes})" if votes else ":+1: Helpful"


class Nugget:
    """A posted nugget as Slack holds it: clicks carry its current blocks, updates replace them."""

    def __init__(self, bot: RunningBot, tip: Tip) -> None:
        self.bot = bot
        self.tip = tip
        self.blocks: Blocks = messages.nugget_message(tip, 0)
        self.text = f"Tip of the week: {messages.fallback_text(tip)}"

    def click(self, user_id: str) -> str:
        """Click Helpful as `user_id`, check the ack, and return the button's label once settled.

        A click's relabel may be followed by another one that finds the count changed, so
        the label is read when the last chat.update shows the stored count.
        """
        updates = len(self.bot.stand_in.calls_to("chat.update"))
        reply = self.bot.signed(helpful_click_body(user_id, self.blocks, self.text))
        assert (reply.status, reply.body) == (200, "")
        deadline = time.monotonic() + 5
        while True:
            update = self.bot.stand_in.wait_for("chat.update", updates + 1)[-1]
            if helpful_label(update.params["blocks"]) == label_for(self.votes()):
                break
            assert time.monotonic() < deadline, "the button never showed the stored count"
            time.sleep(0.01)
        assert (update.params["channel"], update.params["ts"]) == (CHANNEL, MESSAGE_TS)
        assert update.params["text"] == self.text
        self.blocks = update.params["blocks"]
        return helpful_label(self.blocks)

    def votes(self) -> int:
        """The vote count the store holds for this post."""
        return self.bot.store.vote_count(CHANNEL, MESSAGE_TS)


@pytest.fixture
def nugget(bot: RunningBot) -> Nugget:
    """A nugget with no votes yet, posted in C1."""
    return Nugget(bot, bot.services.library.current.tips[0])


def test_a_click_counts_a_vote_and_relabels_the_button(nugget: Nugget) -> None:
    """The first click acks empty, then chat.update shows Helpful (1); the rest is unchanged."""
    assert nugget.click("U1") == ":+1: Helpful (1)"
    assert nugget.votes() == 1
    assert nugget.blocks == messages.nugget_message(nugget.tip, 1)


def test_each_person_counts_once_and_a_second_click_takes_the_vote_back(
    nugget: Nugget,
) -> None:
    """U1 then U2 make (2); U1 clicking again takes their vote back to (1); U1 again, (2)."""
    assert nugget.click("U1") == ":+1: Helpful (1)"
    assert nugget.click("U2") == ":+1: Helpful (2)"
    assert nugget.votes() == 2
    assert nugget.click("U1") == ":+1: Helpful (1)"
    assert nugget.votes() == 1
    assert nugget.click("U1") == ":+1: Helpful (2)"
    assert nugget.votes() == 2


def test_taking_back_the_last_vote_shows_the_plain_label(nugget: Nugget) -> None:
    """With no votes left the button reads ":+1: Helpful" again, not "(0)"."""
    nugget.click("U1")
    assert nugget.click("U1") == ":+1: Helpful"
    assert nugget.votes() == 0


def test_a_forged_click_changes_no_vote(nugget: Nugget, bot: RunningBot) -> None:
    """A payload signed with the wrong secret gets 401 and neither votes nor updates."""
    nugget.click("U1")
    body = helpful_click_body("U2", nugget.blocks, nugget.text)
    reply = post(bot.url, body, signed_headers(body, secret="not-the-signing-secret"))
    assert reply.status == 401
    assert nugget.votes() == 1
    assert len(bot.stand_in.calls_to("chat.update")) == 1

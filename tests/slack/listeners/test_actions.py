"""The tip buttons' listeners called directly: races and empty libraries a click can't stage."""

from datetime import UTC, datetime

from slack_bolt import Respond
from slack_sdk import WebClient

from bot.content.current import CurrentLibrary
from bot.content.library import Library
from bot.content.loader import LoadResult
from bot.services import Services
from bot.slack import messages
from bot.slack.listeners.actions import TipButtons
from bot.store.sql import SqlStore
from tests.slack_stand_in import SlackStandIn
from tests.teams import TEAM, context_in

NOW = datetime(2024, 5, 6, 9, 0, tzinfo=UTC)
POST = {"channel": "C1", "ts": "1700000001.000100"}


class VoteDuringRelabel(SqlStore):
    """A store where U2's click, handled by another process, lands during U1's relabel."""

    landed = False

    def vote_count(self, channel_id: str, message_ts: str) -> int:
        if not self.landed:
            self.landed = True
            self.toggle_vote(channel_id, message_ts, "U2", NOW)
        return super().vote_count(channel_id, message_ts)


def helpful_click(services: Services, user_id: str) -> dict[str, object]:
    """The body of a Helpful click on the weekly post of the first tip."""
    tip = services.library.current.tips[0]
    message = {"ts": POST["ts"], "blocks": messages.nugget_message(tip, 0), "text": "Tip"}
    return {"channel": {"id": POST["channel"]}, "message": message, "user": {"id": user_id}}


def test_a_vote_that_lands_during_the_relabel_gets_a_relabel_of_its_own(
    services: Services, client: WebClient, stand_in: SlackStandIn
) -> None:
    """U1's relabel shows (1); finding (2) stored by then, it relabels again with (2)."""
    assert isinstance(services.store, SqlStore)
    services.store = VoteDuringRelabel(services.store.engine)

    TipButtons(services).count_helpful_vote(helpful_click(services, "U1"), client, context_in())

    buttons = [
        call.params["blocks"][-1]["elements"][0] for call in stand_in.calls_to("chat.update")
    ]
    labels = [button["text"]["text"] for button in buttons]
    assert labels == [":+1: Helpful (1)", ":+1: Helpful (2)"]
    assert SqlStore(services.store.engine, TEAM).vote_count(POST["channel"], POST["ts"]) == 2


def test_another_tip_with_no_tips_left_says_so(
    services: Services, respond: Respond, stand_in: SlackStandIn
) -> None:
    """If every tip file was emptied since, Another tip says there is nothing to show."""
    services.library = CurrentLibrary(LoadResult(Library(()), ()), NOW)
    body = {"actions": [{"value": '{"tip":"gone","topic":""}'}], "user": {"id": "U1"}}

    TipButtons(services).show_another(body, respond, context_in())

    (reply,) = stand_in.calls_to("response:direct")
    assert reply.params["text"] == "There are no tips to show right now."
    assert reply.params["replace_original"] is True

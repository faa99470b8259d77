"""The Home tab's listeners called directly, with arguments a real request rarely brings."""

import json

from slack_sdk import WebClient

from bot.services import Services
from bot.slack import home_view
from bot.slack.listeners.home import HomeTab
from tests.slack_stand_in import Reply, SlackStandIn
from tests.teams import context_in


def test_opening_the_messages_tab_draws_nothing(
    services: Services, client: WebClient, stand_in: SlackStandIn
) -> None:
    """app_home_opened also fires for the Messages tab; only the Home tab is drawn."""
    home = HomeTab(services)

    home.on_home_opened(
        {"type": "app_home_opened", "tab": "messages", "user": "U1"}, client, context_in()
    )
    assert stand_in.calls == []
    home.on_home_opened(
        {"type": "app_home_opened", "tab": "home", "user": "U1"}, client, context_in()
    )
    assert [call.method for call in stand_in.calls] == ["views.publish"]


def test_a_share_without_a_response_url_says_how_to_fix_it_on_the_tab(
    services: Services, client: WebClient, stand_in: SlackStandIn
) -> None:
    """Bolt passes respond=None when the modal brought no response URL: the tab says to invite."""
    stand_in.script("chat.postMessage", Reply({"ok": False, "error": "not_in_channel"}))
    tip = services.library.current.tips[0]
    picked = {home_view.SHARE_BLOCK: {home_view.SHARE_CHANNEL: {"selected_conversation": "C9"}}}
    view = {"private_metadata": json.dumps({"tip": tip.id}), "state": {"values": picked}}

    HomeTab(services).on_share_submitted(
        {"user": {"id": "U1"}, "view": view}, client, None, context_in()
    )

    (published,) = stand_in.calls_to("views.publish")
    assert "I couldn't share it in <#C9>. I'm not in this channel yet." in json.dumps(
        published.params["view"]
    )
    assert services.store.shares_by_tip() == {}

"""App Home over real HTTP: the tab, browsing by topic, a weekly tip by DM, admin status."""

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.content.tip_errors import TipError
from bot.nuggets.schedule import Schedule
from bot.scheduler import NuggetJob
from bot.slack import messages
from bot.slack.app import create_client
from bot.slack.posting import SlackNotifier, SlackPoster
from tests.conftest import RunningBot
from tests.old_rows import insert_old_subscription
from tests.signing import new_trigger_id, post, signed_headers
from tests.slack_stand_in import Call, Reply

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def home_bot(admin_bot: RunningBot) -> RunningBot:
    """The bot with one admin, UADMIN, and its clock at NOW."""
    admin_bot.services.clock = lambda: NOW
    return admin_bot


def open_home(bot: RunningBot, user_id: str) -> dict[str, Any]:
    """Send app_home_opened as Slack does (signed JSON) and return the view published."""
    before = len(bot.stand_in.calls_to("views.publish"))
    event = {
        "type": "event_callback",
        "team_id": "T1",
        "api_app_id": "A1",
        "event_id": "Ev1",
        "event_time": 1,
        "event": {"type": "app_home_opened", "user": user_id, "channel": "D1", "tab": "home"},
    }
    body = json.dumps(event)
    headers = signed_headers(body) | {"Content-Type": "application/json"}
    assert post(bot.url, body, headers).status == 200
    return published(bot, before)


def published(bot: RunningBot, before: int) -> dict[str, Any]:
    """The next view published after `before` earlier ones."""
    call: Call = bot.stand_in.wait_for("views.publish", count=before + 1)[before]
    view = call.params["view"]
    parsed: dict[str, Any] = json.loads(view) if isinstance(view, str) else view
    return parsed


def home_action(bot: RunningBot, user_id: str, action: dict[str, Any], state: Any = None) -> None:
    """Click something on the home tab, as a signed block_actions payload."""
    payload = {
        "type": "block_actions",
        "user": {"id": user_id},
        "api_app_id": "A1",
        "team": {"id": "T1"},
        "trigger_id": new_trigger_id(),
        "container": {"type": "view", "view_id": "V1"},
        "view": {"id": "V1", "type": "home", "state": {"values": state or {}}},
        "actions": [action],
    }
    body = urlencode({"payload": json.dumps(payload)})
    reply = bot.signed(body)
    assert reply.status == 200
    assert reply.body == ""


def text_of(view: dict[str, Any]) -> str:
    """All the text in a view, for assertions about what the user reads."""
    return json.dumps(view["blocks"], ensure_ascii=False)


def headers(view: dict[str, Any]) -> list[str]:
    """The header blocks' texts: the tab's first level of headings."""
    return [block["text"]["text"] for block in view["blocks"] if block["type"] == "header"]


def buttons(view: dict[str, Any]) -> list[dict[str, Any]]:
    """Every button in the actions blocks of a view, in order."""
    return [
        element
        for block in view["blocks"]
        if block["type"] == "actions"
        for element in block["elements"]
        if element["type"] == "button"
    ]


def test_home_features_a_tip_and_topics_without_admin_status(home_bot: RunningBot) -> None:
    """Without a weekly DM, a member sees the featured tip, said to be for everyone, and a
    topic menu; the admin section is not theirs."""
    view = open_home(home_bot, "U1")
    assert view["type"] == "home"
    shown = text_of(view)
    library = home_bot.services.library.current
    assert sum(tip.title in shown for tip in library.tips) == 1
    assert ":star: *Featured tip*" in shown
    assert "The same for everyone this week." in shown
    assert "This week's tip" not in shown
    assert '"action_id": "home_topic"' in shown
    assert "Send me a weekly tip by DM" in shown
    assert "Admin: status" not in shown
    assert headers(view) == ["Your career tips"]
    assert [b["action_id"] for b in buttons(view)][:1] == ["home_share"]


def test_a_dm_subscriber_sees_the_tip_their_dm_brought(home_bot: RunningBot) -> None:
    """Once the weekly DM has come, the tab shows that very tip, and when it was sent."""
    home_action(home_bot, "U1", {"action_id": "home_dm_subscribe", "type": "button"})
    published(home_bot, 0)
    home_bot.services.clock = lambda: datetime(2026, 11, 30, 9, 0, 5, tzinfo=UTC)
    web = create_client(home_bot.services.settings)
    NuggetJob(home_bot.services, SlackPoster(web), SlackNotifier(web, "/tip")).run()
    (dm,) = home_bot.stand_in.calls_to("chat.postMessage")
    title = dm.params["blocks"][1]["text"]["text"]

    view = open_home(home_bot, "U1")

    shown = text_of(view)
    assert ":calendar: *Your tip of the week*" in shown
    assert f"*{title}*" in shown
    assert "Your weekly DM brought it on Monday 30 November 2026, 09:00 (UTC)." in shown
    assert "Featured" not in shown
    assert headers(view) == ["Your career tips"]


def test_home_shows_admins_the_library_and_subscription_health(home_bot: RunningBot) -> None:
    """An admin also sees tip count, last load, current errors and paused subscriptions."""
    library = home_bot.services.library
    library.refuse((TipError("tips/x.yaml", 3, 'tip "a": missing field "<body>"'),))
    view = open_home(home_bot, "UADMIN")
    shown = text_of(view)
    assert "Admin: status" in shown
    assert f"{len(library.current)} tips" in shown
    assert 'tips/x.yaml:3: tip \\"a\\": missing field \\"&lt;body&gt;\\"' in shown
    assert "0 active, 0 paused" in shown


def choose_topic(bot: RunningBot, topic: str) -> dict[str, Any]:
    """Pick `topic` in the tab's menu and return the view published for it."""
    before = len(bot.stand_in.calls_to("views.publish"))
    option = {"value": topic, "text": {"type": "plain_text", "text": topic}}
    home_action(
        bot,
        "U1",
        {"action_id": "home_topic", "type": "static_select", "selected_option": option},
    )
    return published(bot, before)


def topic_tip_title(bot: RunningBot, view: dict[str, Any], topic: str) -> str:
    """The title of the tip shown under the topic menu, which must be one on `topic`."""
    blocks = view["blocks"]
    (menu_at,) = [
        n for n, b in enumerate(blocks) if b.get("accessory", {}).get("action_id") == "home_topic"
    ]
    title_line = blocks[menu_at + 1]["text"]["text"].split("\n")[0]
    titles = {f"*{t.title}*": t.title for t in bot.services.library.current.with_tag(topic)}
    assert title_line in titles, title_line
    return titles[title_line]


def test_choosing_a_topic_updates_the_tab_in_place(home_bot: RunningBot) -> None:
    """Picking `mentoring` republishes the tab with a mentoring tip under the menu, its title
    in bold (not a third level of header), with Another, Share and I'll try this buttons."""
    open_home(home_bot, "U1")
    view = choose_topic(home_bot, "mentoring")
    topic_tip_title(home_bot, view, "mentoring")
    (menu,) = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert menu["initial_option"]["value"] == "mentoring"
    assert headers(view) == ["Your career tips"]
    labels = [(b["action_id"], b["text"]["text"]) for b in buttons(view)]
    assert [label for label in labels if label[0] != "home_dm_subscribe"][-3:] == [
        ("home_another", "Another mentoring tip"),
        ("home_share", "Share in channel"),
        ("coach_commit", "I'll try this"),
    ]


def test_another_shows_a_different_tip_on_the_same_topic(home_bot: RunningBot) -> None:
    """Another replaces the tip under the menu with another one on the topic, menu kept."""
    view = choose_topic(home_bot, "mentoring")
    first = topic_tip_title(home_bot, view, "mentoring")
    another = next(b for b in buttons(view) if b["action_id"] == "home_another")
    before = len(home_bot.stand_in.calls_to("views.publish"))
    home_action(home_bot, "U1", {**another, "type": "button"})
    view = published(home_bot, before)
    assert topic_tip_title(home_bot, view, "mentoring") != first
    (menu,) = [b["accessory"] for b in view["blocks"] if "accessory" in b]
    assert menu["initial_option"]["value"] == "mentoring"


def share_from_home(
    bot: RunningBot, view: dict[str, Any], channel_id: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Click the topic tip's Share, pick `channel_id` in the modal and submit it, as Slack
    would; return the modal opened and the tab published afterwards."""
    share = [b for b in buttons(view) if b["action_id"] == "home_share"][-1]
    home_action(bot, "U1", {**share, "type": "button"})
    (opened,) = bot.stand_in.wait_for("views.open")
    modal = opened.params["view"]
    modal = json.loads(modal) if isinstance(modal, str) else modal
    before = len(bot.stand_in.calls_to("views.publish"))
    submission = {
        "type": "view_submission",
        "team": {"id": "T1"},
        "user": {"id": "U1"},
        "api_app_id": "A1",
        "trigger_id": new_trigger_id(),
        "view": {
            "id": "V2",
            "type": "modal",
            "callback_id": modal["callback_id"],
            "private_metadata": modal["private_metadata"],
            "state": {
                "values": {
                    "share_to": {
                        "share_channel": {
                            "type": "conversations_select",
                            "selected_conversation": channel_id,
                        }
                    }
                }
            },
        },
        "response_urls": [
            {
                "block_id": "share_to",
                "action_id": "share_channel",
                "channel_id": channel_id,
                "response_url": bot.stand_in.response_url("share"),
            }
        ],
    }
    reply = bot.signed(urlencode({"payload": json.dumps(submission)}))
    assert (reply.status, reply.body) == (200, ""), "an empty ack closes the modal"
    return modal, published(bot, before)


def test_sharing_from_the_tab_asks_where_then_posts_for_everyone(home_bot: RunningBot) -> None:
    """Share opens a modal to pick a channel; submitting posts the tip there, saying who
    shared it, counts the share, and the tab says it is done, the same tip still shown."""
    view = choose_topic(home_bot, "mentoring")
    title = topic_tip_title(home_bot, view, "mentoring")
    modal, after = share_from_home(home_bot, view, "C9")
    assert modal["title"]["text"] == "Share a tip"
    assert modal["submit"]["text"] == "Share"
    (select,) = [b["element"] for b in modal["blocks"] if b["type"] == "input"]
    assert select["type"] == "conversations_select"
    assert select["response_url_enabled"] is True
    (posted,) = home_bot.stand_in.wait_for("chat.postMessage")
    assert posted.params["channel"] == "C9"
    assert posted.params["blocks"][0]["text"]["text"] == title
    assert "Shared by <@U1>" in json.dumps(posted.params["blocks"])
    tip = next(t for t in home_bot.services.library.current.tips if t.title == title)
    assert home_bot.store.shares_by_tip() == {tip.id: 1}
    shown = text_of(after)
    assert "Shared “" in shown
    assert "in <#C9>." in shown
    assert topic_tip_title(home_bot, after, "mentoring") == title


def test_sharing_to_a_channel_without_the_bot_goes_through_the_response_url(
    home_bot: RunningBot,
) -> None:
    """not_in_channel: the tip is still posted for everyone, through the modal's response URL."""
    home_bot.stand_in.script("chat.postMessage", Reply({"ok": False, "error": "not_in_channel"}))
    view = choose_topic(home_bot, "mentoring")
    title = topic_tip_title(home_bot, view, "mentoring")
    _, after = share_from_home(home_bot, view, "C9")
    (posted,) = home_bot.stand_in.wait_for("response:share")
    assert posted.params["response_type"] == "in_channel"
    assert posted.params["blocks"][0]["text"]["text"] == title
    assert "in <#C9>." in text_of(after)


def test_sharing_where_slack_refuses_says_why_on_the_tab(home_bot: RunningBot) -> None:
    """is_archived: nothing is posted or counted, and the tab says what went wrong."""
    home_bot.stand_in.script("chat.postMessage", Reply({"ok": False, "error": "is_archived"}))
    view = choose_topic(home_bot, "mentoring")
    _, after = share_from_home(home_bot, view, "C9")
    assert "I couldn't share it in <#C9>. This channel is archived" in text_of(after)
    assert home_bot.store.shares_by_tip() == {}


def test_weekly_dm_subscription_uses_the_users_timezone_and_the_scheduler(
    home_bot: RunningBot,
) -> None:
    """ "Send me tips" stores a DM subscription in the user's zone; the scheduler DMs them."""
    home_bot.stand_in.script(
        "users.info", Reply({"ok": True, "user": {"id": "U1", "tz": "Europe/Berlin"}})
    )
    before = len(home_bot.stand_in.calls_to("views.publish"))
    state = {
        "home_dm": {
            "home_dm_day": {"type": "static_select", "selected_option": {"value": "2"}},
            "home_dm_time": {"type": "timepicker", "selected_time": "08:30"},
        }
    }
    home_action(home_bot, "U1", {"action_id": "home_dm_subscribe", "type": "button"}, state)
    shown = text_of(published(home_bot, before))
    assert "You get a tip by DM Wednesdays at 08:30 (Europe/Berlin)" in shown
    sub = home_bot.store.get_subscription("U1")
    assert sub is not None
    assert (sub.kind, sub.schedule) == ("dm", Schedule(2, "08:30", "Europe/Berlin"))

    # The next Wednesday 08:30 in Berlin is 2 December 07:30 UTC.
    home_bot.services.clock = lambda: datetime(2026, 12, 2, 7, 30, 5, tzinfo=UTC)
    web = create_client(home_bot.services.settings)
    NuggetJob(home_bot.services, SlackPoster(web), SlackNotifier(web, "/tip")).run()
    (dm,) = home_bot.stand_in.calls_to("chat.postMessage")
    assert dm.params["channel"] == "U1"
    shown = json.dumps(dm.params["blocks"], ensure_ascii=False)
    assert "Your tip of the week" in shown
    assert ":thought_balloon:" in shown
    assert "thread" not in shown, "a one-to-one chat has no thread to talk in"


def test_no_weekly_dm_asks_for_a_thread_and_every_channel_post_does(
    home_bot: RunningBot,
) -> None:
    """Whatever the tip, a DM gets a prompt to think over; a channel, a question for the thread."""
    for tip in home_bot.services.library.current.tips:
        in_dm = json.dumps(messages.nugget_message(tip, 0, in_dm=True))
        in_channel = json.dumps(messages.nugget_message(tip, 0))
        assert "thread" not in in_dm, tip.id
        assert "in the thread" in in_channel, tip.id


@pytest.mark.parametrize(
    ("slack_tz", "stored", "notice"),
    [
        ("Asia/Calcutta", "Asia/Calcutta", None),
        ("localtime", "UTC", "Slack gave me `localtime` as your timezone, which isn't one I know"),
        (None, "UTC", "Slack didn't tell me your timezone"),
    ],
)
def test_a_dm_subscription_in_a_zone_tipbot_does_not_know_uses_the_default_and_says_so(
    home_bot: RunningBot, slack_tz: str | None, stored: str, notice: str | None
) -> None:
    """A legacy Slack zone is kept; an unknown or missing one falls back to UTC, with a note."""
    user = {"id": "U1"} if slack_tz is None else {"id": "U1", "tz": slack_tz}
    home_bot.stand_in.script("users.info", Reply({"ok": True, "user": user}))
    home_action(home_bot, "U1", {"action_id": "home_dm_subscribe", "type": "button"})
    shown = text_of(published(home_bot, 0))
    sub = home_bot.store.get_subscription("U1")
    assert sub is not None
    assert sub.schedule.timezone == stored
    assert f"Mondays at 09:00 ({stored})" in shown
    if notice is None:
        assert "your tips come at" not in shown
    else:
        assert notice in shown
        assert "your tips come at UTC time" in shown


def test_a_dm_subscription_in_an_old_timezone_is_shown_paused_with_the_fix(
    home_bot: RunningBot,
) -> None:
    """An old `localtime` DM row still draws the tab; once the tick pauses it, it says why."""
    insert_old_subscription(home_bot.store, "U1", "localtime", NOW, kind="dm")
    assert "You get a tip by DM Mondays at 09:00 (localtime)" in text_of(open_home(home_bot, "U1"))
    web = create_client(home_bot.services.settings)
    NuggetJob(home_bot.services, SlackPoster(web), SlackNotifier(web, "/tip")).run()
    shown = text_of(open_home(home_bot, "U1"))
    assert "It is paused: its timezone `localtime` isn't one I know." in shown
    assert "Press Stop, then subscribe again to use your Slack timezone." in shown


def test_stopping_the_dm_subscription(home_bot: RunningBot) -> None:
    """ "Stop" asks first, then removes the DM subscription and says so on the tab."""
    home_action(home_bot, "U1", {"action_id": "home_dm_subscribe", "type": "button"})
    view = published(home_bot, 0)
    shown = text_of(view)
    assert "Mondays at 09:00 (UTC)" in shown, "no timezone from Slack: the bot's default"
    (stop,) = [
        block["accessory"]
        for block in view["blocks"]
        if block.get("accessory", {}).get("action_id") == "home_dm_unsubscribe"
    ]
    assert stop["text"]["text"] == "Stop"
    assert stop["confirm"]["title"]["text"] == "Stop your weekly tip?"
    assert stop["confirm"]["text"]["text"].startswith("You won't get a tip by DM any more.")
    assert (stop["confirm"]["confirm"]["text"], stop["confirm"]["deny"]["text"]) == (
        "Stop",
        "Keep it",
    )
    assert home_bot.store.get_subscription("U1") is not None
    home_action(home_bot, "U1", {"action_id": "home_dm_unsubscribe", "type": "button"})
    assert "no more weekly tips by DM" in text_of(published(home_bot, 1))
    assert home_bot.store.get_subscription("U1") is None


def test_a_paused_reason_is_shown_inert_on_the_tab(home_bot: RunningBot) -> None:
    """Whatever Slack's reason holds, the admin section and the DM line quote it as text."""
    store = home_bot.store
    home_bot.command("subscribe", user_id="UADMIN", channel_id="C5")
    home_action(home_bot, "UADMIN", {"action_id": "home_dm_subscribe", "type": "button"})
    published(home_bot, 0)
    hostile = "<!channel> `x` <@U9|ada> & more"
    store.pause_subscription("C5", hostile, NOW)
    store.pause_subscription("UADMIN", hostile, NOW)

    shown = text_of(open_home(home_bot, "UADMIN"))

    assert "<!channel>" not in shown
    assert "<@U9" not in shown
    quoted = "Slack said `&lt;!channel&gt; 'x' &lt;@U9|ada&gt; &amp; more`"
    assert f"<#C5>: paused since 2026-11-25 12:00 UTC, {quoted}" in shown
    assert f"It is paused: {quoted}." in shown

"""Workspace B sees and changes nothing of workspace A's, whatever it sends.

Workspace A has lived with tipbot: channel C1 subscribed, a weekly DM, votes, shares,
commitments with notes and reflections, a paused one, recent tips, a track and focus.
Workspace B then uses every slash command, button, modal and event, as the same user id
(U1) in a channel with the same id (C1), over signed HTTP requests whose team is B. What
Slack receives (every Web API call, every response_url post, every ack) holds none of A's
words, and A's rows are exactly as they were.
"""

import json
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.coaching.models import CommitmentDraft, Profile
from bot.content.model import Tip
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule
from bot.slack import coaching_messages, home_view, messages
from bot.slack.coaching_modals import (
    COMMIT_MODAL,
    DUE_BLOCK,
    REFLECTION_BLOCK,
    REFLECTION_MODAL,
    SNOOZE_MODAL,
    CheckInContext,
)
from bot.store.sql import SqlStore
from bot.workspace import Workspace
from tests.conftest import ADMIN, RunningBot
from tests.signing import HttpReply, new_trigger_id, post, signed_headers, slash_command_body
from tests.slack.coaching_requests import button, input_element
from tests.store.test_workspaces import rows_of
from tests.teams import OTHER_TEAM, TEAM

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
A, B = TEAM, OTHER_TEAM
# What only workspace A wrote or set: none of it may reach workspace B.
A_PLAN = "PLAN-OF-WORKSPACE-A"
A_NOTE = "NOTE-OF-WORKSPACE-A"
A_REFLECTION = "REFLECTION-OF-WORKSPACE-A"
A_TITLE = "TITLE-OF-WORKSPACE-A"
A_CHANNEL_ZONE = "Asia/Tokyo"
A_DM_ZONE = "Pacific/Auckland"
A_MARKERS = (A_PLAN, A_NOTE, A_REFLECTION, A_TITLE, A_CHANNEL_ZONE, A_DM_ZONE)
# The weekly post in C1 that A voted on; B's C1 has a message with the same ts.
POST_TS = "1700000001.000100"


def tips_of(bot: RunningBot) -> list[Tip]:
    """The shipped tips the bot serves."""
    return list(bot.services.library.current.tips)


def chosen(tip_id: str) -> Callable[[list[str]], str]:
    """A picker's choice that is always `tip_id`."""
    return lambda _seen: tip_id


def live_in_workspace_a(bot: RunningBot) -> dict[str, int]:
    """Fill workspace A, through its own store; the ids of A's commitments by name."""
    store = bot.services.store.for_workspace(A)
    tips = tips_of(bot)
    tokyo = Schedule(1, "07:45", A_CHANNEL_ZONE)
    store.save_subscription(Subscription.new(A, "C1", tokyo, "U1", NOW - timedelta(days=30)))
    auckland = Schedule(2, "06:15", A_DM_ZONE)
    store.save_subscription(
        Subscription.new(A, "U1", auckland, "U1", NOW - timedelta(days=30), kind="dm")
    )
    store.save_subscription(Subscription.new(A, "C2", tokyo, "U2", NOW - timedelta(days=30)))
    store.pause_subscription("C2", "is_archived", NOW - timedelta(days=2))
    slot = NOW - timedelta(days=6)
    for channel, tip, ts in (("C1", tips[0], POST_TS), ("U1", tips[1], "1700000002.000100")):
        store.claim_delivery(channel, slot, "w1", slot)
        store.finish_delivery(channel, slot, "sent", now=slot, tip_id=tip.id, message_ts=ts)
    for voter in ("U2", "U3"):
        store.toggle_vote("C1", POST_TS, voter, slot)
    store.record_share(tips[0].id, "C1", "U1", slot)
    for tip in tips[:4]:
        store.remember_recent_choice("U1", chosen(tip.id), 5, slot)
    store.save_profile(Profile("U1", "staff", (tips[0].tags[0],)), slot)

    def commit(tip: Tip, due: datetime) -> int:
        draft = CommitmentDraft(A.team_id, "U1", tip.id, A_TITLE, A_PLAN, A_NOTE, due, "UTC")
        saved, _ = store.save_commitment(draft, NOW - timedelta(days=9))
        return saved.id

    active = commit(tips[2], NOW - timedelta(hours=1))
    checked_in = store.get_commitment(active, "U1")
    assert checked_in is not None
    store.claim_check_in(checked_in, "checkin", "w1", NOW - timedelta(hours=1))
    store.finish_check_in(
        active,
        "checkin",
        checked_in.due_at,
        "sent",
        now=NOW - timedelta(hours=1),
        channel_id="DU1",
        message_ts="1700000003.000100",
    )
    done = commit(tips[3], NOW - timedelta(days=3))
    store.answer_commitment(done, "U1", NOW - timedelta(days=3), "done", NOW - timedelta(days=3))
    store.save_reflection(done, "U1", A_REFLECTION, NOW - timedelta(days=3))
    paused = commit(tips[4], NOW + timedelta(days=2))
    store.pause_commitments("U1", "user_not_found", NOW - timedelta(days=1))
    return {"active": active, "done": done, "paused": paused}


# Requests from workspace B, as Slack sends them -----------------------------------------


def slash(bot: RunningBot, text: str, user_id: str = "U1") -> HttpReply:
    """`/tip <text>` typed in B's C1."""
    body = slash_command_body(
        text, bot.stand_in.response_url("b"), team_id=B.team_id, user_id=user_id
    )
    return bot.signed(body)


def interaction(bot: RunningBot, payload: dict[str, Any]) -> HttpReply:
    """A block_actions or view_submission payload from B, signed."""
    payload = {
        "api_app_id": "A1",
        "token": "deprecated-verification-token",
        "trigger_id": new_trigger_id(),
        "team": {"id": B.team_id, "domain": "other"},
        "user": {"id": "U1", "username": "u1", "team_id": B.team_id},
        **payload,
    }
    return bot.signed(urlencode({"payload": json.dumps(payload)}))


def click(
    bot: RunningBot,
    action: dict[str, Any],
    *,
    blocks: list[dict[str, Any]] | None = None,
    channel_id: str = "C1",
    ts: str = POST_TS,
) -> HttpReply:
    """Click a button on a message in B's `channel_id` (an ephemeral one unless `blocks`)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "container": {
            "type": "message",
            "message_ts": ts,
            "channel_id": channel_id,
            "is_ephemeral": blocks is None,
        },
        "channel": {"id": channel_id, "name": "general"},
        "response_url": bot.stand_in.response_url("b-click"),
        "actions": [{"block_id": "b1", "action_ts": "1.2", "type": "button", **action}],
    }
    if blocks is not None:
        payload["message"] = {"ts": ts, "blocks": blocks, "text": "Tip of the week"}
    return interaction(bot, payload)


def on_home(bot: RunningBot, action: dict[str, Any], state: dict[str, Any] | None = None) -> None:
    """Use something on B's Home tab."""
    reply = interaction(
        bot,
        {
            "type": "block_actions",
            "container": {"type": "view", "view_id": "VHOME"},
            "view": {"id": "VHOME", "type": "home", "state": {"values": state or {}}},
            "actions": [action],
        },
    )
    assert reply.status == 200


def submit(bot: RunningBot, callback_id: str, metadata: str, values: dict[str, Any]) -> HttpReply:
    """Submit a modal in B."""
    view = {
        "id": "VMODAL",
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "state": {"values": values},
    }
    return interaction(bot, {"type": "view_submission", "view": view, "response_urls": []})


def open_home(bot: RunningBot) -> dict[str, Any]:
    """app_home_opened from B, as the Events API sends it; the view published."""
    before = len(bot.stand_in.calls_to("views.publish"))
    event = {
        "type": "event_callback",
        "team_id": B.team_id,
        "api_app_id": "A1",
        "event_id": "EvB1",
        "event_time": 1,
        "authorizations": [{"team_id": B.team_id, "user_id": "UBOT", "is_bot": True}],
        "event": {"type": "app_home_opened", "user": "U1", "channel": "D1", "tab": "home"},
    }
    body = json.dumps(event)
    assert post(bot.url, body, signed_headers(body) | {"Content-Type": "application/json"})
    call = bot.stand_in.wait_for("views.publish", count=before + 1)[before]
    view = call.params["view"]
    return dict(json.loads(view) if isinstance(view, str) else view)


def settle(bot: RunningBot) -> None:
    """Wait until lazy listeners stop calling Slack (nothing new for a moment)."""
    seen = -1
    while len(bot.stand_in.calls) != seen:
        seen = len(bot.stand_in.calls)
        time.sleep(0.3)


def latest_view(bot: RunningBot, method: str) -> dict[str, Any]:
    """The view of the last views.open or views.publish call."""
    view = bot.stand_in.calls_to(method)[-1].params["view"]
    return dict(json.loads(view) if isinstance(view, str) else view)


def element(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    """A select or button of the view, with its action id."""
    for block in blocks:
        for found in (*block.get("elements", ()), block.get("accessory") or {}):
            if found.get("action_id") == action_id:
                return dict(found)
    raise AssertionError(f"no {action_id} in the view")


@pytest.fixture
def a_lived(admin_bot: RunningBot) -> tuple[RunningBot, dict[str, int]]:
    """The bot on a fixed clock, with workspace A's life stored."""
    admin_bot.services.clock = lambda: NOW
    return admin_bot, live_in_workspace_a(admin_bot)


def test_workspace_b_sees_and_changes_nothing_of_workspace_a(a_lived) -> None:
    """Every command, button, modal and event as B: no A words reach Slack; A's rows stay."""
    bot, ids = a_lived
    everyone = SqlStore(bot.services.store.engine)
    a_before = rows_of(everyone, A.team_id)
    assert all(a_before[table] for table in ("subscriptions", "votes", "commitments"))
    tips = tips_of(bot)
    replies: list[HttpReply] = []

    # Reading first: B's answers describe an empty workspace.
    stats = slash(bot, "stats", user_id=ADMIN)
    answer = stats.json()["text"]
    assert "*Subscriptions*: 0 active, 0 paused" in answer
    assert "No Helpful votes or shares yet." in answer
    assert "Nobody has pressed I'll try this yet." in answer
    assert "0 sent, 0 missed, 0 failed" in answer
    assert "0 tips served → 0 commitments" in answer
    schedule = slash(bot, "schedule")
    assert "isn't subscribed" in schedule.json()["text"], "A's C1 is not B's C1"
    me = slash(bot, "me")
    replies += [stats, schedule, me]
    for text in ("", "help", "topics", tips[0].tags[0], "feedback", "track senior"):
        replies.append(slash(bot, text))
    replies.append(slash(bot, "reload", user_id=ADMIN))
    replies.append(slash(bot, "subscribe mon 10:00 UTC", user_id=ADMIN))
    replies.append(slash(bot, "schedule"))
    replies.append(slash(bot, "unsubscribe", user_id=ADMIN))
    settle(bot)

    # The buttons under a tip and on a weekly post, in B's C1.
    shown = messages.tip_message(tips[2])
    for action_id in (messages.ANOTHER_TIP, messages.SHARE_TIP):
        replies.append(click(bot, button(shown, action_id)))
        settle(bot)
    nugget = messages.nugget_message(tips[0], votes=0)
    replies.append(click(bot, button(nugget, messages.HELPFUL), blocks=nugget))
    settle(bot)
    (relabel,) = bot.stand_in.calls_to("chat.update")
    assert ":+1: Helpful (1)" in json.dumps(relabel.params["blocks"]), "A's two votes not counted"
    # I'll try this on the tip A committed to: B gets the tip's own try line, not A's plan.
    replies.append(click(bot, button(shown, messages.TRY_THIS)))
    settle(bot)
    commit_modal = latest_view(bot, "views.open")
    assert input_element(commit_modal, "coach_try")["initial_value"] == tips[2].try_

    # A's check-in buttons and modals, replayed from B: nothing is found, nothing changes.
    a_store = bot.services.store.for_workspace(A)
    active = a_store.get_commitment(ids["active"], "U1")
    assert active is not None
    for action_id in coaching_messages.ANSWERS:
        value = coaching_messages.answer_value(active)
        replies.append(click(bot, {"action_id": action_id, "value": value}, channel_id="DU1"))
        settle(bot)
    about = CheckInContext(ids["active"], active.due_at, "DU1", "1700000003.000100")
    later = int((NOW + timedelta(days=3)).timestamp())
    snooze = {DUE_BLOCK: {"value": {"type": "datetimepicker", "selected_date_time": later}}}
    replies.append(submit(bot, SNOOZE_MODAL, about.encode(), snooze))
    done = CheckInContext(ids["done"], NOW - timedelta(days=3), "DU1", "1.1")
    reflection = {REFLECTION_BLOCK: {"value": {"type": "plain_text_input", "value": "B's"}}}
    replies.append(submit(bot, REFLECTION_MODAL, done.encode(), reflection))
    # B commits to the same tip as A's open commitment: B gets a commitment of its own.
    commit_values = {
        block["block_id"]: {
            "value": (
                {
                    "type": "datetimepicker",
                    "selected_date_time": block["element"].get("initial_date_time"),
                }
                if block["element"]["type"] == "datetimepicker"
                else {"type": "plain_text_input", "value": block["element"].get("initial_value")}
            )
        }
        for block in commit_modal["blocks"]
        if block["type"] == "input"
    }
    replies.append(submit(bot, COMMIT_MODAL, commit_modal["private_metadata"], commit_values))
    settle(bot)

    # The Home tab and everything on it.
    home = open_home(bot)
    settle(bot)
    topic = element(home["blocks"], home_view.HOME_TOPIC)["options"][0]
    on_home(
        bot, {"action_id": home_view.HOME_TOPIC, "type": "static_select", "selected_option": topic}
    )
    settle(bot)
    home = latest_view(bot, "views.publish")
    on_home(bot, {**element(home["blocks"], home_view.HOME_ANOTHER)})
    settle(bot)
    home = latest_view(bot, "views.publish")
    share = element(home["blocks"], home_view.HOME_SHARE)
    on_home(bot, {**share})
    settle(bot)
    share_modal = latest_view(bot, "views.open")
    picked = {
        home_view.SHARE_BLOCK: {
            home_view.SHARE_CHANNEL: {
                "type": "conversations_select",
                "selected_conversation": "C1",
            }
        }
    }
    replies.append(submit(bot, home_view.SHARE_MODAL, share_modal["private_metadata"], picked))
    settle(bot)
    day = {"type": "static_select", "selected_option": {"value": "0"}}
    on_home(bot, {"action_id": home_view.HOME_DAY, **day})
    on_home(bot, {"action_id": home_view.HOME_TIME, "type": "timepicker", "selected_time": "08:00"})
    state = {
        "dm": {
            home_view.HOME_DAY: day,
            home_view.HOME_TIME: {"type": "timepicker", "selected_time": "08:00"},
        }
    }
    on_home(bot, {"action_id": home_view.HOME_SUBSCRIBE, "type": "button", "value": "dm"}, state)
    settle(bot)
    on_home(bot, {"action_id": home_view.HOME_UNSUBSCRIBE, "type": "button", "value": "dm"})
    settle(bot)
    track = {"type": "static_select", "selected_option": {"value": "senior"}}
    on_home(bot, {"action_id": coaching_messages.HOME_TRACK, **track})
    focus = {"type": "multi_static_select", "selected_options": [topic]}
    on_home(bot, {"action_id": coaching_messages.HOME_FOCUS, **focus})
    on_home(bot, {"action_id": coaching_messages.HOME_RESUME, "type": "button", "value": "r"})
    settle(bot)

    # Nothing of A's reached Slack: not in the acks, not in any Web API call.
    heard = [reply.body for reply in replies]
    heard += [json.dumps(call.params, default=str) for call in bot.stand_in.calls]
    leaks = sorted({marker for marker in A_MARKERS for said in heard if marker in said})
    assert leaks == []
    assert all(reply.status == 200 for reply in replies)
    # Nothing of A's changed.
    assert rows_of(everyone, A.team_id) == a_before
    # And B did live: its own rows are there, under its own team.
    b_rows = rows_of(everyone, B.team_id)
    for table in ("votes", "shares", "recent_tips", "commitments", "coaching_profiles"):
        assert b_rows[table], table
    b_store = bot.services.store.for_workspace(B)
    (b_commitment,) = b_store.commitments_of("U1")
    assert b_commitment.text == tips[2].try_
    assert b_commitment.workspace == Workspace(B.team_id)
    profile = b_store.get_profile("U1")
    assert profile is not None
    assert profile.track == "senior"


def test_workspace_a_still_sees_its_own_after_b(a_lived) -> None:
    """The same requests as A do find A's rows: the isolation is by team, not by accident."""
    bot, _ = a_lived
    body = slash_command_body("schedule", bot.stand_in.response_url("a"), team_id=A.team_id)
    assert A_CHANNEL_ZONE in bot.signed(body).json()["text"]
    body = slash_command_body("me", bot.stand_in.response_url("a"), team_id=A.team_id)
    assert A_PLAN in json.dumps(bot.signed(body).json()["blocks"])

"""What a person does in the coaching loop, as Slack sends it: clicks and modal submissions.

Each helper signs its payload as Slack does and posts it to the running bot over HTTP; the
modals are read back from the stand-in's record of `views.open`, as Slack would draw them.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from bot.runner import build_services
from bot.scheduler import NuggetJob
from bot.services import Services
from bot.slack.app import create_client
from bot.slack.posting import SlackCheckInPoster, SlackNotifier, SlackPoster
from tests.conftest import RunningBot
from tests.signing import HttpReply, new_trigger_id
from tests.slack_stand_in import Call, SlackStandIn

COMMIT_TEXT = "coach_try"
COMMIT_DUE = "coach_due"
COMMIT_NOTE = "coach_note"
REFLECTION = "coach_reflection"


class SlackSide(Protocol):
    """Where Slack's requests go (a bot in this process, or one started as a process), and
    the stand-in for Slack's Web API it talks to."""

    stand_in: SlackStandIn

    def signed(self, body: str) -> HttpReply:
        """Send a body signed as Slack signs it."""
        ...


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Where:
    """Where a button was clicked: a message (ephemeral or not) in a channel, or a view."""

    channel_id: str | None = "C1"
    message_ts: str = "1.1"
    ephemeral: bool = False
    view_type: str | None = None


EPHEMERAL = Where(ephemeral=True)
HOME = Where(channel_id=None, view_type="home")


def click(
    bot: SlackSide,
    action_id: str,
    value: str,
    *,
    user_id: str = "U1",
    where: Where = EPHEMERAL,
    blocks: list[dict[str, Any]] | None = None,
) -> HttpReply:
    """Click a button, as a signed block_actions payload from `where`."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": user_id, "username": user_id.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "deprecated-verification-token",
        "trigger_id": new_trigger_id(),
        "team": {"id": "T1", "domain": "acme"},
        "actions": [
            {
                "action_id": action_id,
                "block_id": "b1",
                "text": {"type": "plain_text", "text": "button"},
                "value": value,
                "type": "button",
                "action_ts": "1.2",
            }
        ],
    }
    if where.view_type:
        payload["container"] = {"type": "view", "view_id": "VHOME"}
        payload["view"] = {"id": "VHOME", "type": where.view_type, "state": {"values": {}}}
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": where.message_ts,
            "channel_id": where.channel_id,
            "is_ephemeral": where.ephemeral,
        }
        payload["channel"] = {"id": where.channel_id, "name": "somewhere"}
        payload["response_url"] = bot.stand_in.response_url("click")
        if not where.ephemeral:
            payload["message"] = {"ts": where.message_ts, "blocks": blocks or [], "text": ""}
    return bot.signed(urlencode({"payload": json.dumps(payload)}))


def button(blocks: list[dict[str, Any]], action_id: str) -> dict[str, Any]:
    """The button with `action_id` in a message's or a view's blocks."""
    for block in blocks:
        for element in block.get("elements", ()):
            if element.get("action_id") == action_id:
                return dict(element)
        accessory = block.get("accessory") or {}
        if accessory.get("action_id") == action_id:
            return dict(accessory)
    raise AssertionError(f"no {action_id} button in {json.dumps(blocks)[:500]}")


def opened_view(bot: SlackSide, count: int = 1) -> tuple[dict[str, Any], Call]:
    """The `count`-th modal the bot opened, and the views.open call that opened it."""
    call = bot.stand_in.wait_for("views.open", count=count)[count - 1]
    view = call.params["view"]
    parsed: dict[str, Any] = json.loads(view) if isinstance(view, str) else view
    return parsed, call


def input_element(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The input element of one block of a modal."""
    (block,) = [b for b in view["blocks"] if b.get("block_id") == block_id]
    return dict(block["element"])


def submit(
    bot: SlackSide,
    view: dict[str, Any],
    *,
    user_id: str = "U1",
    text: str | None = None,
    due: datetime | str | None = "as shown",
    note: str | None = None,
    reflection: str | None = None,
) -> HttpReply:
    """Submit a modal as drawn, changing the fields given (`due=None` clears the picker)."""
    values: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        block_id = block["block_id"]
        if element["type"] == "datetimepicker":
            if isinstance(due, datetime):
                picked: int | None = int(due.timestamp())
            else:
                picked = element.get("initial_date_time") if due == "as shown" else None
            values[block_id] = {"value": {"type": "datetimepicker", "selected_date_time": picked}}
            continue
        typed = {COMMIT_TEXT: text, COMMIT_NOTE: note, REFLECTION: reflection}.get(block_id)
        value = element.get("initial_value") if typed is None else typed
        values[block_id] = {"value": {"type": "plain_text_input", "value": value}}
    payload = {
        "type": "view_submission",
        "team": {"id": "T1", "domain": "acme"},
        "user": {"id": user_id, "username": user_id.lower(), "team_id": "T1"},
        "api_app_id": "A1",
        "token": "deprecated-verification-token",
        "trigger_id": new_trigger_id(),
        "view": {
            "id": "VMODAL",
            "type": "modal",
            "callback_id": view["callback_id"],
            "private_metadata": view.get("private_metadata", ""),
            "state": {"values": values},
        },
        "response_urls": [],
    }
    return bot.signed(urlencode({"payload": json.dumps(payload)}))


def errors_of(reply: HttpReply) -> dict[str, str]:
    """The errors a submission came back with, by block id; {} when it was accepted."""
    assert reply.status == 200, reply.body
    if not reply.body:
        return {}
    body = reply.json()
    assert body["response_action"] == "errors", body
    return dict(body["errors"])


def scheduler_job(services: Services) -> NuggetJob:
    """The scheduler's minute job with the real Slack adapters, pointed at the stand-in."""
    client = create_client(services.settings)
    return NuggetJob(
        services,
        SlackPoster(client),
        SlackNotifier(client, services.settings.command),
        SlackCheckInPoster(client),
    )


def other_process(bot: RunningBot, clock: Clock) -> Services:
    """The services another process would build on the same database, on `clock`."""
    services = build_services(bot.services.settings)
    services.clock = clock
    return services


def dms_to(bot: SlackSide, user_id: str) -> list[Call]:
    """Every chat.postMessage the bot sent to one person's DM."""
    return [
        call
        for call in bot.stand_in.calls_to("chat.postMessage")
        if call.params.get("channel") == user_id
    ]


def text_of(blocks: Any) -> str:
    """Everything a person reads in some blocks."""
    return json.dumps(blocks, ensure_ascii=False)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in March 2026, UTC."""
    return datetime(2026, 3, day, hour, minute, tzinfo=UTC)

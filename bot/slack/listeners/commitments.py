"""The coaching loop's buttons: "I'll try this" under every tip, and a check-in's answers.

Each acks at once; the lazy listener opens its modal first, with the click's trigger_id,
which Slack honours for 3 seconds, and only then does the rest. Every read and change of a
commitment names the person who clicked, so nobody else's can be shown or changed.
"""

import logging
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.commit_form import default_check_in, default_snooze
from bot.coaching.models import Commitment, FinalAnswer
from bot.nuggets.timezones import load_zone
from bot.services import Services
from bot.slack import coaching_messages, messages
from bot.slack.coaching_modals import (
    CheckInContext,
    CommitContext,
    commit_modal,
    reflection_modal,
    snooze_modal,
)
from bot.slack.listeners.actions import ack_now
from bot.slack.listeners.home import publish_home
from bot.slack.people import slack_timezone
from bot.slack.workspaces import in_workspace

logger = logging.getLogger(__name__)

FINAL_ANSWERS: dict[str, FinalAnswer] = {
    coaching_messages.DONE: "done",
    coaching_messages.PARTLY: "partly",
    coaching_messages.DROP: "drop",
}
REMOVED = "That tip was removed from the library, so there is nothing to commit to."


def register(app: App, services: Services) -> None:
    """Attach "I'll try this" and the four answers of a check-in DM."""
    buttons = CommitmentButtons(services)
    app.action(messages.TRY_THIS)(ack=ack_now, lazy=[buttons.open_commit_modal])
    for action_id in coaching_messages.ANSWERS:
        app.action(action_id)(ack=ack_now, lazy=[buttons.answer_check_in])


class CommitmentButtons:
    """What each button does, after the ack; Bolt passes the arguments by name, not `self`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def open_commit_modal(
        self, body: dict[str, Any], client: WebClient, respond: Respond | None, context: BoltContext
    ) -> None:
        """Open the commit modal: the tip's try line (or your open commitment to edit)."""
        services = in_workspace(self.services, context)
        tip_id, from_home = messages.read_try_value(body["actions"][0].get("value", ""))
        user_id = body["user"]["id"]
        tip = services.library.current.by_id.get(tip_id)
        existing = open_commitment(services, user_id, tip_id)
        if tip is None and existing is None:
            tell(client, services, user_id, REMOVED, respond=respond, from_home=from_home)
            return
        zone_name = (
            slack_timezone(client, user_id)
            or (existing.timezone if existing else None)
            or services.settings.timezone
        )
        title = existing.tip_title if tip is None and existing else (tip.title if tip else "")
        about = CommitContext(tip_id, title, zone_name, from_home)
        if existing is not None:
            view = commit_modal(
                about, existing.text, existing.due_at, note=existing.note or "", editing=True
            )
        else:
            assert tip is not None
            due = default_check_in(services.clock(), load_zone(zone_name))
            view = commit_modal(about, tip.try_, due)
        client.views_open(trigger_id=body["trigger_id"], view=view)

    def answer_check_in(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Done, Partly or Drop it end the commitment; Not yet asks for a new time."""
        services = in_workspace(self.services, context)
        action = body["actions"][0]
        parsed = coaching_messages.read_answer_value(action.get("value", ""))
        user_id = body["user"]["id"]
        if parsed is None:
            return
        commitment_id, due = parsed
        commitment = services.store.get_commitment(commitment_id, user_id)
        if commitment is None:
            logger.warning("%s answered a check-in that is not theirs", user_id)
            return
        clicked = clicked_message(body)
        about = CheckInContext(commitment_id, due, *clicked)
        if action["action_id"] == coaching_messages.NOT_YET:
            if commitment.state == "active" and commitment.due_at == due:
                suggested = default_snooze(due, services.clock())
                view = snooze_modal(commitment, about, suggested)
                client.views_open(trigger_id=body["trigger_id"], view=view)
            else:
                update_check_in_dms(client, services, commitment, due, clicked)
            return
        answer = FINAL_ANSWERS[action["action_id"]]
        ended = services.store.answer_commitment(
            commitment_id, user_id, due, answer, services.clock()
        )
        if ended is None:
            # A second click, or a check-in already answered or moved: show how it stands.
            update_check_in_dms(client, services, commitment, due, clicked)
            return
        if answer in ("done", "partly"):
            client.views_open(trigger_id=body["trigger_id"], view=reflection_modal(ended, about))
        update_check_in_dms(client, services, ended, due, clicked)


def open_commitment(services: Services, user_id: str, tip_id: str) -> Commitment | None:
    """The person's open (active or paused) commitment to the tip, if they have one."""
    return next(
        (c for c in services.store.commitments_of(user_id) if c.tip_id == tip_id and c.is_open),
        None,
    )


def clicked_message(body: dict[str, Any]) -> tuple[str, str]:
    """The (channel, ts) of the message whose button was clicked."""
    container = body.get("container") or {}
    channel = container.get("channel_id") or (body.get("channel") or {}).get("id") or ""
    ts = container.get("message_ts") or (body.get("message") or {}).get("ts") or ""
    return str(channel), str(ts)


def update_check_in_dms(
    client: WebClient,
    services: Services,
    commitment: Commitment,
    due: datetime,
    clicked: tuple[str, str],
) -> None:
    """Show the answer in place of the buttons, in the DM clicked and its reminder (or
    check-in), so no DM of that due time can be answered again."""
    messages_of_due = {
        (row.channel_id, row.message_ts)
        for row in services.store.check_ins_of(commitment.id)
        if row.due_at == due and row.channel_id and row.message_ts
    }
    blocks = coaching_messages.answered_message(commitment)
    for channel, ts in sorted({clicked, *messages_of_due}):
        if not channel or not ts:
            continue
        try:
            client.chat_update(
                channel=channel,
                ts=ts,
                blocks=blocks,
                text=coaching_messages.notification("Check-in", commitment),
            )
        except SlackApiError as exc:
            logger.warning("Could not update the check-in DM %s: %s", ts, exc.response.get("error"))


def tell(
    client: WebClient,
    services: Services,
    user_id: str,
    text: str,
    *,
    respond: Respond | None,
    from_home: bool,
) -> None:
    """Say something to the person where they clicked: the Home tab, or only to them."""
    if from_home or respond is None:
        publish_home(client, services, user_id, notice=text)
        return
    respond(text=text, replace_original=False, response_type="ephemeral")

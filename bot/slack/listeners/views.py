"""Modal submissions of the coaching loop: commit, "Not yet", and the reflection.

Each is checked and stored in the ack itself, so a problem comes back under its field
(`response_action: errors`) with nothing stored, and a good submission is saved before the
modal closes. Web API work (the confirmation DM, updating a check-in DM) follows in a lazy
listener. The Home tab's share modal lives with the tab (listeners/home.py).
"""

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.coaching.commit_form import MAX_REFLECTION, clean_note, due_time_problem, problems
from bot.coaching.models import CommitmentDraft
from bot.services import Services
from bot.slack import coaching_modals
from bot.slack.answers.subscriptions import when
from bot.slack.coaching_messages import quoted
from bot.slack.coaching_modals import (
    DUE_BLOCK,
    FIELD_BLOCKS,
    REFLECTION_BLOCK,
    CheckInContext,
    CommitContext,
)
from bot.slack.listeners.commitments import update_check_in_dms
from bot.slack.listeners.home import publish_home
from bot.slack.workspaces import in_workspace

logger = logging.getLogger(__name__)

# What an ack leaves in the context for its lazy listener (Bolt copies the context).
COMMITTED = "tipbot_committed"
SNOOZED = "tipbot_snoozed"


def register(app: App, services: Services) -> None:
    """Attach the coaching modals' submissions."""
    views = CoachingViews(services)
    app.view(coaching_modals.COMMIT_MODAL)(
        ack=views.save_commitment, lazy=[views.confirm_commitment]
    )
    app.view(coaching_modals.SNOOZE_MODAL)(ack=views.snooze, lazy=[views.show_snoozed])
    app.view(coaching_modals.REFLECTION_MODAL)(views.save_reflection)


class CoachingViews:
    """What each submission does; Bolt passes the arguments by name, not `self`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def save_commitment(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        """Store the commitment, or put each problem under its field and store nothing."""
        services = in_workspace(self.services, context)
        about = CommitContext.decode(str(view.get("private_metadata", "")))
        if about is None:
            ack()
            return
        form = coaching_modals.commit_form(view)
        now = services.clock()
        found = problems(form, now)
        if found or form.due_at is None:
            errors = {FIELD_BLOCKS[field]: text for field, text in found.items()}
            ack(response_action="errors", errors=errors)
            return
        workspace = services.workspace()
        draft = CommitmentDraft(
            team_id=workspace.team_id,
            enterprise_id=workspace.enterprise_id,
            user_id=body["user"]["id"],
            tip_id=about.tip_id,
            tip_title=about.tip_title,
            text=form.text.strip(),
            note=clean_note(form.note),
            due_at=form.due_at,
            timezone=about.timezone,
        )
        saved, created = services.store.save_commitment(draft, now)
        context[COMMITTED] = {"id": saved.id, "created": created, "home": about.from_home}
        ack()

    def confirm_commitment(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """DM the person what they committed to and when the check-in comes."""
        services = in_workspace(self.services, context)
        committed = context.get(COMMITTED)
        if not committed:
            return
        user_id = body["user"]["id"]
        commitment = services.store.get_commitment(int(committed["id"]), user_id)
        if commitment is None:
            return
        opening = "You're on!" if committed["created"] else "Updated."
        due = when(commitment.due_at, commitment.timezone)
        text = (
            f":white_check_mark: {opening} You'll try:\n{quoted(commitment.text)}\n"
            f"I'll check in on {due}. `{services.settings.command} me` shows everything "
            "you're trying; only you can see it."
        )
        client.chat_postMessage(channel=user_id, text=text, unfurl_links=False)
        if committed["home"]:
            notice = f":white_check_mark: {opening} I'll check in on {due}."
            publish_home(client, services, user_id, notice=notice)

    def snooze(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        """Move the check-in to the time picked, or say under the field why it cannot."""
        services = in_workspace(self.services, context)
        about = CheckInContext.decode(str(view.get("private_metadata", "")))
        if about is None:
            ack()
            return
        new_due = coaching_modals.time_value(view, DUE_BLOCK)
        now = services.clock()
        problem = due_time_problem(new_due, now)
        if problem or new_due is None:
            ack(response_action="errors", errors={DUE_BLOCK: problem or ""})
            return
        user_id = body["user"]["id"]
        moved = services.store.snooze_commitment(
            about.commitment_id, user_id, about.due, new_due, now
        )
        if moved is None:
            text = "This check-in was already answered or moved. Close this window."
            ack(response_action="errors", errors={DUE_BLOCK: text})
            return
        context[SNOOZED] = about.encode()
        ack()

    def show_snoozed(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Show "Not yet" and the new time in place of the check-in's buttons."""
        services = in_workspace(self.services, context)
        about = CheckInContext.decode(str(context.get(SNOOZED) or ""))
        if about is None:
            return
        commitment = services.store.get_commitment(about.commitment_id, body["user"]["id"])
        if commitment is not None:
            update_check_in_dms(client, services, commitment, about.due, about.clicked)

    def save_reflection(
        self, ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
    ) -> None:
        """Keep what the person learned, on their own commitment; empty saves nothing."""
        services = in_workspace(self.services, context)
        about = CheckInContext.decode(str(view.get("private_metadata", "")))
        text = coaching_modals.text_value(view, REFLECTION_BLOCK).strip()
        if len(text) > MAX_REFLECTION:
            said = f"Keep it to {MAX_REFLECTION:,} characters (it has {len(text):,})."
            ack(response_action="errors", errors={REFLECTION_BLOCK: said})
            return
        if about is not None and text:
            saved = services.store.save_reflection(
                about.commitment_id, body["user"]["id"], text, services.clock()
            )
            if not saved:
                logger.warning("A reflection for commitment %d was not saved", about.commitment_id)
        ack()

"""The coaching loop's modals, and reading what a person typed into them.

Three modals: "I'll try this" (commit, or edit an open commitment), "Not yet" (pick a new
check-in time) and the reflection after Done or Partly. Each carries what its submission
needs in `private_metadata`, because a view_submission brings nothing else along.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ContextBlock,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.coaching.commit_form import MAX_NOTE, MAX_REFLECTION, MAX_TEXT, CommitForm, Field
from bot.coaching.models import Commitment
from bot.slack.coaching_messages import PRIVATE, quoted
from bot.slack.escaping import escape

COMMIT_MODAL = "coach_commit_modal"
SNOOZE_MODAL = "coach_snooze_modal"
REFLECTION_MODAL = "coach_reflection_modal"
TEXT_BLOCK = "coach_try"
DUE_BLOCK = "coach_due"
NOTE_BLOCK = "coach_note"
REFLECTION_BLOCK = "coach_reflection"
VALUE = "value"
# The block each field of the commit form is shown in, for errors under the field.
FIELD_BLOCKS: dict[Field, str] = {"text": TEXT_BLOCK, "due": DUE_BLOCK, "note": NOTE_BLOCK}


@dataclass(frozen=True)
class CommitContext:
    """What the commit modal carries: the tip, its title as shown, the person's timezone,
    and whether it was opened from the Home tab (which is drawn again afterwards)."""

    tip_id: str
    tip_title: str
    timezone: str
    from_home: bool = False

    def encode(self) -> str:
        """As `private_metadata`."""
        return json.dumps(
            {
                "tip": self.tip_id,
                "title": self.tip_title,
                "tz": self.timezone,
                "home": self.from_home,
            }
        )

    @classmethod
    def decode(cls, metadata: str) -> "CommitContext | None":
        """From `private_metadata`; None if it is not ours."""
        try:
            data = json.loads(metadata)
            return cls(str(data["tip"]), str(data["title"]), str(data["tz"]), bool(data["home"]))
        except (ValueError, TypeError, KeyError):
            return None


def commit_modal(
    context: CommitContext,
    try_line: str,
    due_at: datetime,
    *,
    note: str = "",
    editing: bool = False,
) -> dict[str, object]:
    """The "I'll try this" modal: your own words, when to check in, a private note."""
    intro = (
        "You're already trying this one: change what you like."
        if editing
        else "Make it your own: change the words to fit your week."
    )
    return View(
        type="modal",
        callback_id=COMMIT_MODAL,
        title="Edit your commitment" if editing else "I'll try this",
        submit="Save" if editing else "Commit",
        close="Cancel",
        private_metadata=context.encode(),
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"*{escape(context.tip_title)}*\n{intro}")),
            InputBlock(
                block_id=TEXT_BLOCK,
                label="What will you try?",
                element=PlainTextInputElement(
                    action_id=VALUE,
                    multiline=True,
                    initial_value=try_line[:MAX_TEXT],
                    max_length=MAX_TEXT,
                ),
            ),
            InputBlock(
                block_id=DUE_BLOCK,
                label="When should I check in?",
                element=DateTimePickerElement(
                    action_id=VALUE, initial_date_time=int(due_at.timestamp())
                ),
                hint=f"In your timezone ({context.timezone}), 2 minutes to 90 days from now.",
            ),
            InputBlock(
                block_id=NOTE_BLOCK,
                label="A note for yourself",
                optional=True,
                element=PlainTextInputElement(
                    action_id=VALUE,
                    multiline=True,
                    initial_value=note or None,
                    max_length=MAX_NOTE,
                    placeholder="Why it matters, who to ask, what might get in the way",
                ),
            ),
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=":lock: Only you can see what you commit to, your notes and "
                        "your reflections. Admins see counts, never names."
                    )
                ]
            ),
        ],
    ).to_dict()


def commit_form(view: dict[str, Any]) -> CommitForm:
    """The commit modal's fields as submitted."""
    return CommitForm(
        text=text_value(view, TEXT_BLOCK),
        due_at=time_value(view, DUE_BLOCK),
        note=text_value(view, NOTE_BLOCK),
    )


@dataclass(frozen=True)
class CheckInContext:
    """What the snooze and reflection modals carry: the commitment, the due time answered,
    and the DM to update afterwards."""

    commitment_id: int
    due: datetime
    channel_id: str
    message_ts: str

    def encode(self) -> str:
        """As `private_metadata`."""
        return json.dumps(
            {
                "c": self.commitment_id,
                "due": self.due.isoformat(),
                "ch": self.channel_id,
                "ts": self.message_ts,
            }
        )

    @classmethod
    def decode(cls, metadata: str) -> "CheckInContext | None":
        """From `private_metadata`; None if it is not ours."""
        try:
            data = json.loads(metadata)
            due = datetime.fromisoformat(str(data["due"])).astimezone(UTC)
            return cls(int(data["c"]), due, str(data["ch"]), str(data["ts"]))
        except (ValueError, TypeError, KeyError):
            return None

    @property
    def clicked(self) -> tuple[str, str]:
        """The (channel, ts) of the check-in DM that opened the modal."""
        return self.channel_id, self.message_ts


def snooze_modal(
    commitment: Commitment, context: CheckInContext, suggested: datetime
) -> dict[str, object]:
    """ "Not yet": pick a new time for the check-in, a week on unless you say otherwise."""
    return View(
        type="modal",
        callback_id=SNOOZE_MODAL,
        title="Not yet",
        submit="Check in later",
        close="Cancel",
        private_metadata=context.encode(),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(text=f"No rush. You set out to:\n{quoted(commitment.text)}")
            ),
            InputBlock(
                block_id=DUE_BLOCK,
                label="When should I check in again?",
                element=DateTimePickerElement(
                    action_id=VALUE, initial_date_time=int(suggested.timestamp())
                ),
                hint=f"In your timezone ({commitment.timezone}), 2 minutes to 90 days from now.",
            ),
        ],
    ).to_dict()


def reflection_modal(commitment: Commitment, context: CheckInContext) -> dict[str, object]:
    """After Done or Partly: what did you learn? Optional, and yours alone."""
    return View(
        type="modal",
        callback_id=REFLECTION_MODAL,
        title="What did you learn?",
        submit="Save",
        close="Skip",
        private_metadata=context.encode(),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(text=f"You set out to:\n{quoted(commitment.text)}")
            ),
            InputBlock(
                block_id=REFLECTION_BLOCK,
                label="What did you learn?",
                optional=True,
                element=PlainTextInputElement(
                    action_id=VALUE,
                    multiline=True,
                    max_length=MAX_REFLECTION,
                    placeholder="What worked, what you'd do differently",
                ),
            ),
            ContextBlock(elements=[MarkdownTextObject(text=PRIVATE)]),
        ],
    ).to_dict()


def _state(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    field = (values.get(block_id) or {}).get(VALUE)
    return field if isinstance(field, dict) else {}


def text_value(view: dict[str, Any], block_id: str) -> str:
    """What was typed into a plain-text input, "" if nothing."""
    value = _state(view, block_id).get("value")
    return value if isinstance(value, str) else ""


def time_value(view: dict[str, Any], block_id: str) -> datetime | None:
    """The moment picked in a datetimepicker (Slack sends a Unix time), None if none."""
    value = _state(view, block_id).get("selected_date_time")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (ValueError, OverflowError, OSError):
        return None

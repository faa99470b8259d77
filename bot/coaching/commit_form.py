"""What a person may commit to: the rules of the "I'll try this" and "Not yet" forms.

Each rule is checked here, once, so the modal's hints, its errors and the tests agree. The
Slack layer shows each problem under its field and stores nothing while any is left.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo
from typing import Literal

MAX_TEXT = 300
MAX_NOTE = 1000
MAX_REFLECTION = 2000
# A check-in sooner than this could be due before the person has closed the modal.
EARLIEST = timedelta(minutes=2)
LATEST = timedelta(days=90)
DEFAULT_AHEAD = timedelta(days=7)
DEFAULT_TIME = time(9, 0)
SNOOZE_BY = timedelta(weeks=1)

Field = Literal["text", "due", "note"]


@dataclass(frozen=True)
class CommitForm:
    """The fields as submitted: the person's own words, the check-in time, a private note."""

    text: str
    due_at: datetime | None
    note: str = ""


def problems(form: CommitForm, now: datetime) -> dict[Field, str]:
    """Every field that cannot be stored, with a sentence saying what to do instead."""
    found: dict[Field, str] = {}
    text = form.text.strip()
    if not text:
        found["text"] = "Say in a few words what you'll try."
    elif len(text) > MAX_TEXT:
        found["text"] = f"That's {len(text)} characters; keep it to {MAX_TEXT}."
    due_problem = due_time_problem(form.due_at, now)
    if due_problem:
        found["due"] = due_problem
    if len(form.note.strip()) > MAX_NOTE:
        found["note"] = f"Keep the note to {MAX_NOTE:,} characters (it has {len(form.note):,})."
    return found


def due_time_problem(due_at: datetime | None, now: datetime) -> str | None:
    """Why a check-in cannot be at `due_at`, or None: from 2 minutes to 90 days ahead."""
    if due_at is None:
        return "Pick a day and a time for the check-in."
    if due_at < now:
        return "That time has passed. Pick one at least 2 minutes from now."
    if due_at < now + EARLIEST:
        return "Pick a time at least 2 minutes from now."
    if due_at > now + LATEST:
        return "Pick a time within the next 90 days."
    return None


def default_check_in(now: datetime, zone: tzinfo) -> datetime:
    """7 days from today at 09:00 in the person's timezone."""
    local_day = (now.astimezone(zone) + DEFAULT_AHEAD).date()
    return datetime.combine(local_day, DEFAULT_TIME, tzinfo=zone)


def default_snooze(due_at: datetime, now: datetime) -> datetime:
    """A week after the check-in was due, or as many weeks on as it takes to be ahead."""
    snoozed = due_at + SNOOZE_BY
    while snoozed < now + EARLIEST:
        snoozed += SNOOZE_BY
    return snoozed


def clean_note(note: str) -> str | None:
    """The note as stored: stripped, None when left empty."""
    return note.strip() or None

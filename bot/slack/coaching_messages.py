"""What the coaching loop shows in Slack: the check-in DMs and what they turn into once
answered, and "My coaching" (`/tip me` and the Home tab). The "I'll try this" button that
starts it all is with the other tip buttons, in messages.py; its modal is in coaching_modals.py.

Commitments, notes and reflections are their author's only: everything here is drawn for
the one person it belongs to, in their DM, an ephemeral answer or their own Home tab.
"""

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)

from bot.coaching.models import CheckInKind, Commitment, Profile
from bot.coaching.preferences import FAVOURED_WEIGHT, MAX_FOCUS
from bot.coaching.progress import Progress
from bot.content.topics import Topic
from bot.slack.answers.subscriptions import when
from bot.slack.escaping import echo, escape
from bot.slack.messages import fit_section, to_dicts
from bot.wording import plural

DONE = "coach_done"
PARTLY = "coach_partly"
NOT_YET = "coach_not_yet"
DROP = "coach_drop"
ANSWERS = (DONE, PARTLY, NOT_YET, DROP)
HOME_TRACK = "coach_home_track"
HOME_FOCUS = "coach_home_focus"
HOME_RESUME = "coach_home_resume"
PRIVATE = ":lock: Only you can see this."
NOTIFICATION_WORDS = 280  # of the person's text in a notification; phones show less
TRACK_NAMES = {"senior": "Senior engineer", "staff": "Staff engineer", "both": "Both"}
MAX_OPTIONS = 100  # Slack's limit for a static select


def answer_value(commitment: Commitment) -> str:
    """What a check-in's buttons carry: the commitment and the due time they are about."""
    return json.dumps({"c": commitment.id, "due": commitment.due_at.isoformat()})


def read_answer_value(value: str) -> tuple[int, datetime] | None:
    """The (commitment id, due time) a check-in button carries, or None if not ours."""
    try:
        data = json.loads(value)
        due = datetime.fromisoformat(str(data["due"]))
        return int(data["c"]), due.astimezone(UTC)
    except (ValueError, TypeError, KeyError):
        return None


def quoted(text: str) -> str:
    """The person's own words, escaped, as a mrkdwn quote (every line of it)."""
    return "\n".join(f">{line}" for line in escape(text).splitlines() or [""])


def check_in_message(commitment: Commitment, kind: CheckInKind) -> list[dict[str, Any]]:
    """The check-in DM (or the reminder three days on) with its four answers."""
    made = when(commitment.created_at, commitment.timezone).split(",")[0]
    if kind == "reminder":
        opening = f":seedling: A gentle reminder, in case the first one got buried. On {made}"
    else:
        opening = f":wave: Time to check in! On {made}"
    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=f"{opening} you set out to:\n{quoted(commitment.text)}\nHow did it go?"
            )
        ),
    ]
    if commitment.note:
        blocks.append(
            SectionBlock(text=MarkdownTextObject(text=f"_Your note:_ {escape(commitment.note)}"))
        )
    value = answer_value(commitment)
    blocks += [
        ActionsBlock(
            block_id="coach_answers",
            elements=[
                ButtonElement(text="Done", action_id=DONE, value=value, style="primary"),
                ButtonElement(text="Partly", action_id=PARTLY, value=value),
                ButtonElement(text="Not yet", action_id=NOT_YET, value=value),
                ButtonElement(text="Drop it", action_id=DROP, value=value),
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=f"From the tip “{escape(commitment.tip_title)}”. {PRIVATE}")
            ]
        ),
    ]
    return to_dicts(blocks)


def check_in_text(commitment: Commitment, kind: CheckInKind) -> str:
    """The notification text of a check-in DM."""
    prefix = "A gentle reminder" if kind == "reminder" else "Time to check in"
    return notification(prefix, commitment)


def notification(prefix: str, commitment: Commitment) -> str:
    """A DM's notification text: Slack reads its markup too, so the person's words are
    escaped, and cut before escaping so no entity is cut in half."""
    return f"{prefix}: {escape(commitment.text[:NOTIFICATION_WORDS])}"


def answered_message(commitment: Commitment) -> list[dict[str, Any]]:
    """A check-in DM once answered (or closed): what was said, and no buttons left to press."""
    text = ANSWERED.get(commitment.state, "")
    if commitment.state == "active":
        text = (
            ":hourglass_flowing_sand: *Not yet.* No rush: I'll check in again on "
            f"{when(commitment.due_at, commitment.timezone)}."
        )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"{text}\n{quoted(commitment.text)}")),
        ContextBlock(
            elements=[
                MarkdownTextObject(text=f"From the tip “{escape(commitment.tip_title)}”. {PRIVATE}")
            ]
        ),
    ]
    return to_dicts(blocks)


# What an answered check-in says, by the state the answer left the commitment in.
ANSWERED = {
    "done": ":white_check_mark: *Done.* Well done! `/tip me` shows your streak.",
    "partly": ":ballot_box_with_check: *Partly.* A start counts. `/tip me` shows your progress.",
    "dropped": (
        ":leaves: *Dropped.* No judgement: not every tip fits every week. Pick another one "
        "whenever you like."
    ),
    "lapsed": ":zzz: This check-in closed without an answer. Commit again from any tip.",
    "paused": ":double_vertical_bar: Check-ins are paused. Open my Home tab to resume them.",
}


def commitment_line(commitment: Commitment) -> str:
    """One open commitment in a list: the person's words and when the check-in comes."""
    line = f"• {escape(commitment.text.splitlines()[0] if commitment.text else '')}"
    if commitment.state == "paused":
        reason = echo(commitment.paused_reason or "unknown")
        return f"{line}\n   _Paused: I couldn't DM you (Slack said `{reason}`)._"
    return f"{line}\n   _Check-in: {when(commitment.due_at, commitment.timezone)}_"


def progress_text(progress: Progress) -> str:
    """How it has gone so far, in one line."""
    streak = plural(progress.streak_weeks, "week")
    return (
        f"*So far:* {progress.done} done, {progress.partly} partly, {progress.dropped} "
        f"dropped, {progress.lapsed} lapsed. Streak: {streak} in a row with a Done."
    )


def preferences_text(profile: Profile | None, command: str) -> str:
    """The person's track and focus, or how to set them."""
    track = profile.track if profile else None
    focus = ", ".join(f"`{topic}`" for topic in profile.focus) if profile else ""
    said = f"*Track:* {TRACK_NAMES[track] if track else 'not set'}"
    said += f" · *Focus:* {focus or 'none'}"
    if not track and not focus:
        said += (
            f"\nSet a track with `{command} track senior`, `staff` or `both`, and up to "
            f"{MAX_FOCUS} focus topics on my Home tab: tips that fit come "
            f"{FAVOURED_WEIGHT:g} times as often."
        )
    return said


def my_coaching_blocks(progress: Progress, profile: Profile | None, command: str) -> list[Block]:
    """The "My coaching" section: what you are trying, how it went, your reflections."""
    if progress.open:
        trying = "*Trying now*\n" + "\n".join(commitment_line(c) for c in progress.open)
    else:
        trying = "*Trying now:* nothing yet. Press *I'll try this* under any tip."
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=preferences_text(profile, command))),
        SectionBlock(text=MarkdownTextObject(text=fit_section(trying))),
        SectionBlock(text=MarkdownTextObject(text=progress_text(progress))),
    ]
    if progress.reflections:
        lines = [
            f"{quoted(c.reflection or '')}\n_on “{escape(c.tip_title)}”_"
            for c in progress.reflections
        ]
        text = "*Your last reflections*\n" + "\n".join(lines)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_section(text))))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=PRIVATE)]))
    return blocks


def me_message(progress: Progress, profile: Profile | None, command: str) -> list[dict[str, Any]]:
    """The ephemeral answer to `/tip me`."""
    blocks = [HeaderBlock(text="My coaching"), *my_coaching_blocks(progress, profile, command)]
    return to_dicts(blocks)


def home_preference_controls(
    profile: Profile | None, topics: Sequence[tuple[Topic, int]], paused: bool
) -> ActionsBlock:
    """The Home tab's track menu, focus topics menu, and Resume button if check-ins paused."""
    tracks = [Option(value=track, text=name) for track, name in TRACK_NAMES.items()]
    chosen = next((o for o in tracks if profile and o.value == profile.track), None)
    options = [Option(value=topic.tag, text=topic.tag) for topic, _ in topics[:MAX_OPTIONS]]
    focus = set(profile.focus) if profile else set()
    elements: list[Any] = [
        StaticSelectElement(
            action_id=HOME_TRACK,
            placeholder="Your track",
            options=tracks,
            initial_option=chosen,
        )
    ]
    if options:
        elements.append(
            StaticMultiSelectElement(
                action_id=HOME_FOCUS,
                placeholder=f"Up to {MAX_FOCUS} focus topics",
                options=options,
                initial_options=[o for o in options if o.value in focus] or None,
                max_selected_items=MAX_FOCUS,
            )
        )
    if paused:
        elements.append(
            ButtonElement(
                text="Resume check-ins", action_id=HOME_RESUME, value="resume", style="primary"
            )
        )
    return ActionsBlock(block_id="coach_preferences", elements=elements)

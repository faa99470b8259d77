"""The App Home tab: my coaching, the tip of the week, browsing by topic, a weekly DM, and
admin status."""

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    ConversationFilter,
    ConversationSelectElement,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.coaching.models import Profile
from bot.coaching.progress import Progress
from bot.content.model import Tip
from bot.content.tip_errors import TipError, error_count
from bot.content.topics import Topic
from bot.nuggets.models import UNKNOWN_TIMEZONE, Subscription
from bot.nuggets.schedule import DAY_NAMES
from bot.slack.admin_notices import error_list
from bot.slack.answers.subscriptions import paused_because
from bot.slack.coaching_messages import home_preference_controls, my_coaching_blocks
from bot.slack.escaping import echo, escape
from bot.slack.messages import button_value, fit_section, titled_tip_blocks, try_button
from bot.wording import plural

HOME_TOPIC = "home_topic"
HOME_ANOTHER = "home_another"
HOME_SHARE = "home_share"
SHARE_MODAL = "home_share_modal"
SHARE_BLOCK = "share_to"
SHARE_CHANNEL = "share_channel"
HOME_DAY = "home_dm_day"
HOME_TIME = "home_dm_time"
HOME_SUBSCRIBE = "home_dm_subscribe"
HOME_UNSUBSCRIBE = "home_dm_unsubscribe"
DM_BLOCK = "home_dm"
MAX_OPTIONS = 100  # Slack's limit for a static select
HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True)
class CoachingHome:
    """The person's own coaching, for the "My coaching" section at the top of the tab."""

    progress: Progress
    profile: Profile | None
    command: str


@dataclass(frozen=True)
class HomeContent:
    """Everything the home tab shows one user, gathered before it is drawn."""

    # The tip this person's weekly DM last brought, or, with `week_tip_sent` None, the
    # workspace's featured tip (see `week_section`).
    week_tip: Tip | None
    week_tip_sent: str | None
    topics: Sequence[tuple[Topic, int]]
    topic: str | None
    topic_tip: Tip | None
    dm_subscription: Subscription | None
    next_dm: str | None
    admin_status: str | None
    notice: str | None = None
    coaching: CoachingHome | None = None


def home_view(content: HomeContent) -> dict[str, object]:
    """The home tab as a view payload for views.publish."""
    blocks: list[Block] = [HeaderBlock(text="Your career tips")]
    if content.notice:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=content.notice)))
    blocks += coaching_section(content)
    blocks += week_section(content)
    blocks += topic_section(content)
    blocks += dm_section(content)
    if content.admin_status:
        blocks += [DividerBlock(), HeaderBlock(text="Admin: status")]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_section(content.admin_status))))
    return View(type="home", blocks=blocks).to_dict()


def coaching_section(content: HomeContent) -> list[Block]:
    """My coaching: what you are trying and how it went, your track and focus topics."""
    coaching = content.coaching
    if coaching is None:
        return []
    paused = any(c.state == "paused" for c in coaching.progress.open)
    return [
        SectionBlock(text=MarkdownTextObject(text=":seedling: *My coaching*")),
        *my_coaching_blocks(coaching.progress, coaching.profile, coaching.command),
        home_preference_controls(coaching.profile, content.topics, paused),
        DividerBlock(),
    ]


def week_section(content: HomeContent) -> list[Block]:
    """The tip of the week as this person knows it, or the featured tip if they get none.

    Each channel and each weekly DM walks the library in its own order, so there is no
    one tip of the week for everyone: a DM subscriber sees the tip their DM last brought,
    and everyone else a featured tip, the same for the whole workspace that week.
    """
    tip = content.week_tip
    if tip is None:
        return [SectionBlock(text=MarkdownTextObject(text="No tips yet."))]
    if content.week_tip_sent is None:
        label = ":star: *Featured tip*"
        note = "The same for everyone this week. Channels and weekly DMs each get their own tip."
    else:
        label = ":calendar: *Your tip of the week*"
        note = f"Your weekly DM brought it on {content.week_tip_sent}."
    share = ButtonElement(
        text="Share in channel", action_id=HOME_SHARE, value=share_value(tip, content)
    )
    return [
        SectionBlock(text=MarkdownTextObject(text=label)),
        ContextBlock(elements=[MarkdownTextObject(text=note)]),
        *titled_tip_blocks(tip),
        ActionsBlock(elements=[share, try_button(tip, from_home=True)]),
    ]


def share_value(tip: Tip, content: HomeContent) -> str:
    """What a Share button carries: the tip, and the topic browsed, to draw the tab again."""
    shown = content.topic_tip.id if content.topic_tip else ""
    return json.dumps({"tip": tip.id, "topic": content.topic or "", "shown": shown})


def read_share_value(value: str) -> tuple[str, str | None, str | None]:
    """The (tip, topic, tip shown under the topic) a Share button or its modal carries."""
    try:
        data = json.loads(value)
    except ValueError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    return (
        str(data.get("tip", "")),
        str(data.get("topic") or "") or None,
        str(data.get("shown") or "") or None,
    )


def share_modal(tip: Tip, value: str) -> dict[str, object]:
    """A modal asking where to share a tip from the Home tab; `value` rides along."""
    where = ConversationSelectElement(
        action_id=SHARE_CHANNEL,
        placeholder="Pick a channel",
        filter=ConversationFilter(include=["public", "private"]),
        # A response URL lets the tip go to a channel tipbot is not in, as /tip's Share does.
        response_url_enabled=True,
    )
    return View(
        type="modal",
        callback_id=SHARE_MODAL,
        title="Share a tip",
        submit="Share",
        close="Cancel",
        private_metadata=value,
        blocks=[
            SectionBlock(text=MarkdownTextObject(text=f"*{escape(tip.title)}*")),
            InputBlock(block_id=SHARE_BLOCK, label="Share it in", element=where),
        ],
    ).to_dict()


def shared_to(view: dict[str, Any]) -> str:
    """The conversation picked in the share modal, or "" if none came through."""
    values = view.get("state", {}).get("values", {}).get(SHARE_BLOCK, {})
    return str(values.get(SHARE_CHANNEL, {}).get("selected_conversation") or "")


def topic_section(content: HomeContent) -> list[Block]:
    """A topic menu that updates the tab in place, and a tip from the chosen topic."""
    options = [
        Option(
            value=topic.tag,
            text=f"{topic.tag} ({count})",
            description=topic.description or None,
        )
        for topic, count in content.topics[:MAX_OPTIONS]
    ]
    if not options:
        return []
    chosen = next((o for o in options if o.value == content.topic), None)
    menu = StaticSelectElement(
        action_id=HOME_TOPIC, placeholder="Pick a topic", options=options, initial_option=chosen
    )
    blocks: list[Block] = [
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=":mag: *Browse by topic*"), accessory=menu),
    ]
    if content.topic_tip is not None:
        blocks += [*titled_tip_blocks(content.topic_tip), tip_buttons(content.topic_tip, content)]
    return blocks


def tip_buttons(tip: Tip, content: HomeContent) -> ActionsBlock:
    """Another tip on the same topic, and Share in channel, for the tip under the menu."""
    another = f"Another {content.topic} tip" if content.topic else "Another tip"
    return ActionsBlock(
        elements=[
            ButtonElement(
                text=another[:75], action_id=HOME_ANOTHER, value=button_value(tip, content.topic)
            ),
            ButtonElement(
                text="Share in channel",
                action_id=HOME_SHARE,
                value=share_value(tip, content),
                style="primary",
            ),
            try_button(tip, from_home=True),
        ]
    )


def default_zone_notice(slack_zone: str | None, timezone: str) -> str:
    """Why a DM subscription uses the bot's default timezone, and how to get your own."""
    if slack_zone is None:
        why = "Slack didn't tell me your timezone"
    else:
        why = f"Slack gave me `{echo(slack_zone)}` as your timezone, which isn't one I know"
    return (
        f"{why}, so your tips come at {timezone} time. To change that, set your timezone in "
        "Slack (Preferences > Language & region), then press Stop and subscribe again."
    )


def dm_section(content: HomeContent) -> list[Block]:
    """Subscribe to a weekly tip by DM, or see and stop the one you have."""
    blocks: list[Block] = [DividerBlock()]
    sub = content.dm_subscription
    if sub is not None:
        text = f":mailbox_with_mail: You get a tip by DM {sub.schedule.describe()}."
        if sub.status == "paused":
            text += f" It is paused: {paused_because(sub)}."
            if sub.paused_reason == UNKNOWN_TIMEZONE:
                text += " Press Stop, then subscribe again to use your Slack timezone."
        elif content.next_dm:
            text += f"\nNext one: {content.next_dm}."
        stop = ButtonElement(
            text="Stop",
            action_id=HOME_UNSUBSCRIBE,
            value="stop",
            style="danger",
            confirm=ConfirmObject(
                title="Stop your weekly tip?",
                text="You won't get a tip by DM any more. You can subscribe again here anytime.",
                confirm="Stop",
                deny="Keep it",
                style="danger",
            ),
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text), accessory=stop))
        return blocks
    days = [Option(value=str(number), text=name) for number, name in enumerate(DAY_NAMES)]
    blocks += [
        SectionBlock(text=MarkdownTextObject(text=":mailbox: *Send me a weekly tip by DM*")),
        ActionsBlock(
            block_id=DM_BLOCK,
            elements=[
                StaticSelectElement(action_id=HOME_DAY, options=days, initial_option=days[0]),
                TimePickerElement(action_id=HOME_TIME, initial_time="09:00"),
                ButtonElement(
                    text="Send me tips", action_id=HOME_SUBSCRIBE, value="dm", style="primary"
                ),
            ],
        ),
        ContextBlock(elements=[MarkdownTextObject(text="In your Slack timezone.")]),
    ]
    return blocks


def dm_choice(view: dict[str, Any]) -> tuple[int, str]:
    """The weekday and HH:MM picked on the tab; Monday 09:00 for anything missing or odd."""
    values = view.get("state", {}).get("values", {}).get(DM_BLOCK, {})
    day = str((values.get(HOME_DAY, {}).get("selected_option") or {}).get("value", ""))
    time = str(values.get(HOME_TIME, {}).get("selected_time") or "")
    weekday = int(day) if day in ("0", "1", "2", "3", "4", "5", "6") else 0
    return weekday, time if HH_MM.fullmatch(time) else "09:00"


def library_status(tips: int, loaded_at: str, errors: Sequence[TipError]) -> str:
    """The library's line in the admin status: size, last reload, and any errors."""
    status = f"*Library*: {plural(tips, 'tip')}, last loaded {loaded_at}"
    if not errors:
        return status + ", no errors."
    return (
        f"{status}.\n:warning: {plural(error_count(errors), 'error')} in the tip files:\n"
        f"{error_list(errors)}"
    )

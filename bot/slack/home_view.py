"""The App Home tab: this week's tip, browsing by topic, a weekly DM, and admin status."""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.content.model import Tip
from bot.content.tip_errors import TipError, error_count
from bot.content.topics import Topic
from bot.nuggets.models import UNKNOWN_TIMEZONE, Subscription
from bot.nuggets.schedule import DAY_NAMES
from bot.slack.admin_notices import error_list
from bot.slack.answers.subscriptions import paused_because
from bot.slack.mrkdwn import echo
from bot.slack.views import fit_section, tip_blocks
from bot.wording import plural

HOME_TOPIC = "home_topic"
HOME_DAY = "home_dm_day"
HOME_TIME = "home_dm_time"
HOME_SUBSCRIBE = "home_dm_subscribe"
HOME_UNSUBSCRIBE = "home_dm_unsubscribe"
DM_BLOCK = "home_dm"
MAX_OPTIONS = 100  # Slack's limit for a static select
HH_MM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


@dataclass(frozen=True)
class HomeContent:
    """Everything the home tab shows one user, gathered before it is drawn."""

    tip_of_the_week: Tip | None
    topics: Sequence[tuple[Topic, int]]
    topic: str | None
    topic_tip: Tip | None
    dm_subscription: Subscription | None
    next_dm: str | None
    admin_status: str | None
    notice: str | None = None


def home_view(content: HomeContent) -> dict[str, object]:
    """The home tab as a view payload for views.publish."""
    blocks: list[Block] = [HeaderBlock(text="Your career tips")]
    if content.notice:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=content.notice)))
    blocks += week_section(content.tip_of_the_week)
    blocks += topic_section(content)
    blocks += dm_section(content)
    if content.admin_status:
        blocks += [DividerBlock(), HeaderBlock(text="Admin: status")]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=fit_section(content.admin_status))))
    return View(type="home", blocks=blocks).to_dict()


def week_section(tip: Tip | None) -> list[Block]:
    """This week's tip, the same for everyone."""
    if tip is None:
        return [SectionBlock(text=MarkdownTextObject(text="No tips yet."))]
    return [
        SectionBlock(text=MarkdownTextObject(text=":calendar: *This week's tip*")),
        *tip_blocks(tip),
    ]


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
        blocks += tip_blocks(content.topic_tip)
    return blocks


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
        stop = ButtonElement(text="Stop", action_id=HOME_UNSUBSCRIBE, value="stop", style="danger")
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

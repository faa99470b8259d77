"""`/tip subscribe | schedule | unsubscribe`: a channel's weekly tip, answered in the ack."""

from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any

from bot.nuggets.errors import ScheduleError, UnknownTimezone
from bot.nuggets.models import UNKNOWN_TIMEZONE, Subscription, SubscriptionKind
from bot.nuggets.rotation import remaining
from bot.nuggets.schedule import DAY_NAMES, EXAMPLE, Schedule, next_slot, parse_schedule
from bot.nuggets.timezones import load_zone
from bot.services import Services
from bot.slack.escaping import echo
from bot.subcommands import TipCommand
from bot.wording import plural

# How many problems with a `/tip subscribe` are listed; a pasted paragraph has hundreds.
MAX_PROBLEMS = 5


@dataclass(frozen=True, slots=True)
class ChannelChange:
    """What `/tip subscribe` or `unsubscribe` says: to the person, and to the whole channel."""

    reply: str
    # A visible note for the channel, posted off the ack path; None when nothing changed, or
    # when the conversation is a DM, where the person is the only one to tell.
    announcement: str | None = None


def answer_change(
    services: Services, request: TipCommand, command: dict[str, Any]
) -> ChannelChange:
    """Subscribe or unsubscribe the conversation the command came from; say what changed."""
    user_id = str(command.get("user_id", ""))
    channel_id = subscription_key(str(command.get("channel_id", "")), user_id)
    if request.name == "subscribe":
        change = subscribe(services, request, channel_id, user_id)
    else:
        change = unsubscribe(services, channel_id, user_id)
    if channel_id == user_id:
        return ChannelChange(change.reply)
    return change


def answer_schedule(services: Services, _request: TipCommand, command: dict[str, Any]) -> str:
    """The mrkdwn reply to `/tip schedule` in the conversation the command came from."""
    user_id = str(command.get("user_id", ""))
    return describe_schedule(
        services, subscription_key(str(command.get("channel_id", "")), user_id)
    )


def subscription_key(channel_id: str, user_id: str) -> str:
    """Where a subscription lives: the channel, or for a DM the user, as App Home keys it."""
    # Posting to a user ID lands in their DM with the bot, so one key serves both surfaces.
    return user_id if channel_id.startswith("D") else channel_id


def unsubscribe(services: Services, channel_id: str, user_id: str) -> ChannelChange:
    """Stop the channel's weekly tip (its rotation is kept for a later subscribe)."""
    command = services.settings.command
    if services.store.delete_subscription(channel_id):
        return ChannelChange(
            f"Done: no more weekly tips here. `{command} subscribe` starts again.",
            f":no_bell: <@{user_id}> stopped the weekly tip here. "
            f"`{command} subscribe` starts it again.",
        )
    return ChannelChange("This channel wasn't subscribed, so there is nothing to stop.")


def subscribe(
    services: Services, request: TipCommand, channel_id: str, user_id: str
) -> ChannelChange:
    """Save (or change) the channel's schedule and confirm it with the next post time."""
    try:
        schedule = parse_schedule(request.args, services.settings.timezone)
    except ScheduleError as error:
        return ChannelChange(explain_problems(error, services.settings.command))
    now = services.clock()
    existing = services.store.get_subscription(channel_id)
    kind: SubscriptionKind = "dm" if channel_id == user_id else "channel"
    services.store.save_subscription(
        Subscription.new(services.workspace(), channel_id, schedule, user_id, now, kind=kind)
    )
    where = "this conversation" if kind == "dm" else "this channel"
    upcoming = f"Next tip: {next_post(schedule, now)}. {before_repeats(services, channel_id)}"
    said = schedule.describe()
    if existing is None:
        reply = f":white_check_mark: Subscribed: {where} gets one tip {said}."
        note = f":calendar: <@{user_id}> set a weekly tip here: {said}."
    elif existing.status == "paused":
        reply = f":white_check_mark: Started again: {where} gets one tip {said}."
        note = f":calendar: <@{user_id}> started the weekly tip here again: {said}."
    elif existing.schedule != schedule:
        reply = f":white_check_mark: Changed: {where} now gets one tip {said}."
        note = f":calendar: <@{user_id}> moved the weekly tip here to {said}."
    else:
        return ChannelChange(
            f":white_check_mark: No change: {where} already gets one tip {said}.\n{upcoming}"
        )
    return ChannelChange(f"{reply}\n{upcoming}", note)


def explain_problems(error: ScheduleError, command: str) -> str:
    """Every word of a `/tip subscribe` that could not be used, and an example that works."""
    example = f"For example: `{command} {EXAMPLE}`"
    problems = error.problems
    if len(problems) == 1:
        return f":warning: {problems[0]} {example}"
    lines = [f":warning: That schedule has {len(problems)} problems:"]
    lines += [f"• {problem}" for problem in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        lines.append(f"…and {len(problems) - MAX_PROBLEMS} more.")
    return "\n".join([*lines, example])


def before_repeats(services: Services, channel_id: str) -> str:
    """How many tips the channel gets before one comes round again."""
    library_ids = [tip.id for tip in services.library.current.tips]
    left = remaining(services.store.load_rotation(channel_id), library_ids)
    if left:
        return f"{plural(left, 'tip')} before any repeats."
    return "Every tip has been posted here once, so the next ones repeat, in a new order."


def describe_schedule(services: Services, channel_id: str) -> str:
    """This channel's schedule, next post and what is left of the rotation."""
    command = services.settings.command
    sub = services.store.get_subscription(channel_id)
    if sub is None:
        return (
            "This channel isn't subscribed to a weekly tip. "
            f"Try `{command} subscribe mon 09:00 Europe/Berlin`."
        )
    rotation = before_repeats(services, channel_id)
    if sub.status == "paused":
        since = when(sub.paused_at, sub.schedule.timezone) if sub.paused_at else "a while"
        return (
            f":double_vertical_bar: The weekly tip ({sub.schedule.describe()}) is paused since "
            f"{since}: {paused_because(sub)}. {how_to_resume(sub, command)} {rotation}"
        )
    try:
        upcoming = next_post(sub.schedule, services.clock())
    except UnknownTimezone:
        # Stored by an older version; the next tick pauses it, which is what this says.
        return (
            f":warning: The weekly tip ({sub.schedule.describe()}) can't be posted: "
            f"{zone_unknown(sub)}. {with_your_timezone(sub, command)} {rotation}"
        )
    return (
        f":calendar: This channel gets one tip {sub.schedule.describe()}.\n"
        f"Next tip: {upcoming}. {rotation}"
    )


def paused_because(sub: Subscription) -> str:
    """Why a subscription is paused, in words: Slack's error, or a timezone we cannot use."""
    if sub.paused_reason == UNKNOWN_TIMEZONE:
        return zone_unknown(sub)
    return f"Slack said `{echo(sub.paused_reason or 'unknown')}`"


def zone_unknown(sub: Subscription) -> str:
    """Say that the subscription's stored timezone is not one tipbot can use."""
    return f"its timezone `{echo(sub.schedule.timezone)}` isn't one I know"


def how_to_resume(sub: Subscription, command: str) -> str:
    """What to do to get a paused weekly tip going again."""
    if sub.paused_reason == UNKNOWN_TIMEZONE:
        return with_your_timezone(sub, command)
    return f"Fix that, then type `{command} subscribe` to start again."


def with_your_timezone(sub: Subscription, command: str) -> str:
    """The same day and time again, now with a timezone tipbot knows."""
    day = DAY_NAMES[sub.schedule.weekday][:3].lower()
    example = f"{command} subscribe {day} {sub.schedule.time} Europe/Berlin"
    return f"Type `{example}` with your own timezone to start again."


def when(moment: datetime, timezone: str) -> str:
    """A moment as the channel reads it, e.g. `Monday 30 November 2026, 09:00 (Europe/Berlin)`."""
    zone: tzinfo
    try:
        zone = load_zone(timezone)
    except UnknownTimezone:
        zone, timezone = UTC, "UTC"
    local = moment.astimezone(zone)
    return f"{local:%A} {local.day} {local:%B %Y, %H:%M} ({timezone})"


def next_post(schedule: Schedule, now: datetime) -> str:
    """The next slot in the schedule's zone, keeping the HH:MM the user gave."""
    slot = next_slot(schedule, now)
    shown = when(slot, schedule.timezone)
    actual = f"{slot.astimezone(schedule.zone):%H:%M}"
    if actual == schedule.time:
        return shown
    # A time skipped by a clock change (02:30 on the spring-forward night) fires late once.
    as_given = shown.replace(actual, schedule.time)
    return f"{as_given}; the clock change that night moves this one to {actual}"

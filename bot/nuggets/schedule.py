"""When a channel's weekly nugget is due: parsing `/tip subscribe` arguments and computing slots.

Slots are computed with APScheduler's `CronTrigger`, the same arithmetic the scheduler uses,
so a slot the domain expects and a tick the scheduler fires always agree, DST included.
"""

import re
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.nuggets.errors import ScheduleError, UnknownTimezone
from bot.nuggets.timezones import load_zone, resolve_timezone

__all__ = [
    "DEFAULT_TIME",
    "DEFAULT_WEEKDAY",
    "Schedule",
    "ScheduleError",
    "UnknownTimezone",
    "next_slot",
    "parse_schedule",
    "parse_time",
    "resolve_timezone",
    "slots_between",
]

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_WEEKDAY = 0
DEFAULT_TIME = "09:00"
# What the user could have typed after the command name; the Slack layer adds the name.
EXAMPLE = "subscribe mon 09:00 Europe/Berlin"

_DAY_ALIASES: dict[str, int] = {
    **{name.lower(): index for index, name in enumerate(DAY_NAMES)},
    **{name[:3].lower(): index for index, name in enumerate(DAY_NAMES)},
    "tues": 1,
    "weds": 2,
    "thur": 3,
    "thurs": 3,
}
_TIME = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
# 4pm, 9:30am, 9am, 12am (midnight), 9 a.m.; spaces are removed before matching.
_TIME_12 = re.compile(r"(1[0-2]|0?[1-9])(?::([0-5]\d))?([ap])\.?m\.?")
_MERIDIEMS = frozenset({"am", "pm", "a.m.", "p.m."})
_NAMED_TIMES = {"noon": "12:00", "midday": "12:00", "midnight": "00:00"}
_CRON_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Schedule:
    """A weekly slot: `weekday` 0=Monday, `time` as 24-hour "HH:MM", `timezone` an IANA name.

    `parse_schedule` only makes schedules in a zone tipbot accepts, but a row an older
    version stored may name one it no longer does (`localtime`). Such a schedule still
    loads, so one row cannot break every read; `zone`, and so every slot, raises for it.
    """

    weekday: int
    time: str
    timezone: str

    def __post_init__(self) -> None:
        # Schedules also come back from the database; a bad one is a bug, not user input.
        if not 0 <= self.weekday <= 6:
            message = f"weekday must be 0 (Monday) to 6 (Sunday), not {self.weekday}"
            raise ValueError(message)
        if not _TIME.fullmatch(self.time) or len(self.time) != 5:
            message = f'time must be "HH:MM" on a 24-hour clock, not {self.time!r}'
            raise ValueError(message)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The schedule's timezone; raises UnknownTimezone if tipbot cannot use it."""
        return load_zone(self.timezone)

    @property
    def hour(self) -> int:
        """The hour of the slot in the schedule's timezone."""
        return int(self.time[:2])

    @property
    def minute(self) -> int:
        """The minute of the slot."""
        return int(self.time[3:])

    def describe(self) -> str:
        """Say the schedule the way a person would, e.g. "Mondays at 09:00 (Europe/Berlin)"."""
        return f"{DAY_NAMES[self.weekday]}s at {self.time} ({self.timezone})"


def _quote(word: str) -> str:
    # Users see this in Slack: escape the three characters mrkdwn treats as control
    # characters, keep backticks from closing the code span, and cap pasted essays.
    shown = word if len(word) <= 40 else word[:39] + "…"
    shown = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "`" + shown.replace("`", "'") + "`"


def _listing(items: Sequence[str]) -> str:
    """`a and b`, `a, b and c`."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else items[0]


def _time_problem(word: str) -> str:
    """What is wrong with a word that looked like a time, and times that would work."""
    if word.isdigit() and int(word) <= 23:
        hour = int(word)
        if 1 <= hour <= 12:
            return (
                f"{_quote(word)} needs am, pm or minutes: `{hour}am`, `{hour}pm` or "
                f"`{hour:02d}:00`."
            )
        return f"{_quote(word)} needs minutes: `{hour:02d}:00`."
    return f"{_quote(word)} isn't a time I understand. Try `9am`, `4pm`, `16:30` or `noon`."


def parse_time(word: str) -> str | None:
    """A time as people type it (`16:30`, `9:05`, `4pm`, `9:30 a.m.`, `noon`) as "HH:MM"."""
    lower = word.lower().replace(" ", "")
    if lower in _NAMED_TIMES:
        return _NAMED_TIMES[lower]
    if match := _TIME.fullmatch(lower):
        return f"{int(match.group(1)):02d}:{match.group(2)}"
    if match := _TIME_12.fullmatch(lower):
        hour = int(match.group(1)) % 12 + (12 if match.group(3) == "p" else 0)
        return f"{hour:02d}:{match.group(2) or '00'}"
    return None


def _looks_like_time(word: str) -> bool:
    return word[0].isdigit() or ":" in word or word.lower() in _NAMED_TIMES


def _with_meridiem_joined(words: Sequence[str]) -> list[str]:
    """The words, with an `am` or `pm` typed apart (`9 am`) joined to the time before it."""
    joined: list[str] = []
    for raw in words:
        word = raw.strip()
        if not word:
            continue
        if word.lower() in _MERIDIEMS and joined and joined[-1][0].isdigit():
            joined[-1] = f"{joined[-1]} {word}"
        else:
            joined.append(word)
    return joined


def parse_schedule(words: Sequence[str], default_timezone: str) -> Schedule:
    """Parse `[DAY] [TIME] [TZ]` in any order; missing parts default to Monday 09:00 there.

    Raises ScheduleError naming every word that could not be used, not only the first.
    """
    default_zone = resolve_timezone(default_timezone)
    if default_zone is None:
        message = f"default timezone {default_timezone!r} is not an IANA timezone name"
        raise ValueError(message)
    days: list[tuple[str, int]] = []
    times: list[tuple[str, str]] = []
    zones: list[tuple[str, str]] = []
    problems: list[str] = []
    for word in _with_meridiem_joined(words):
        lower = word.lower()
        zone = resolve_timezone(word)
        if lower in _DAY_ALIASES:
            days.append((word, _DAY_ALIASES[lower]))
        elif zone is not None:
            zones.append((word, zone))
        elif "/" in word:
            problems.append(
                f"{_quote(word)} isn't a timezone I know. Use an IANA name such as "
                "`Europe/Berlin`, `America/New_York` or `UTC`."
            )
        elif _looks_like_time(word):
            time = parse_time(word)
            if time is None:
                problems.append(_time_problem(word))
            else:
                times.append((word, time))
        else:
            problems.append(
                f"{_quote(word)} isn't a day, a time or a timezone I know. Days look like "
                "`mon` or `Monday`, times like `9am` or `16:30`, timezones like `Europe/Berlin`."
            )
    for kind, given in (("day", days), ("time", times), ("timezone", zones)):
        if len(given) > 1:
            count = "two" if len(given) == 2 else str(len(given))
            named = _listing([_quote(word) for word, _ in given])
            problems.append(f"You gave {count} {kind}s, {named}; pick one.")
    if problems:
        raise ScheduleError(problems)
    return Schedule(
        weekday=days[0][1] if days else DEFAULT_WEEKDAY,
        time=times[0][1] if times else DEFAULT_TIME,
        timezone=zones[0][1] if zones else default_zone,
    )


def _trigger(schedule: Schedule) -> CronTrigger:
    return CronTrigger(
        day_of_week=_CRON_DAYS[schedule.weekday],
        hour=schedule.hour,
        minute=schedule.minute,
        second=0,
        timezone=schedule.zone,
    )


def _require_aware(name: str, value: datetime) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        message = f"{name} must be a timezone-aware datetime, got naive {value.isoformat()}"
        raise ValueError(message)


def next_slot(schedule: Schedule, after: datetime) -> datetime:
    """Return the first slot strictly after `after` (aware), in UTC; see `Schedule.zone`."""
    _require_aware("after", after)
    # CronTrigger returns the first fire time at or after `now`; one microsecond later
    # makes it strictly after, which is what "the next slot" means for a slot that is now.
    # The addition happens in UTC: wall-clock arithmetic would lose the fold of a repeated hour.
    fire: datetime | None = _trigger(schedule).get_next_fire_time(
        None, after.astimezone(UTC) + timedelta(microseconds=1)
    )
    if fire is None:  # pragma: no cover - a weekly cron without an end date always fires
        message = f"no slot after {after.isoformat()} for {schedule.describe()}"
        raise ValueError(message)
    if fire.astimezone(schedule.zone).fold == 1:
        # On the night clocks go back the slot's wall time happens twice and the cron
        # fires at both; a weekly nugget keeps the first and skips the repeat.
        return next_slot(schedule, fire)
    return fire.astimezone(UTC)


def slots_between(schedule: Schedule, start: datetime, end: datetime) -> list[datetime]:
    """Return the slots in (start, end], oldest first, in UTC."""
    _require_aware("end", end)
    slots: list[datetime] = []
    slot = next_slot(schedule, start)
    while slot <= end:
        slots.append(slot)
        slot = next_slot(schedule, slot)
    return slots

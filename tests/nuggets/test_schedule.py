"""Parsing `/tip subscribe` arguments and computing weekly slots, DST included."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.errors import TipbotError
from bot.nuggets.schedule import (
    Schedule,
    ScheduleError,
    UnknownTimezone,
    next_slot,
    parse_schedule,
    resolve_timezone,
    slots_between,
)

BERLIN = ZoneInfo("Europe/Berlin")
DAY_ABBREVIATIONS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ([], Schedule(0, "09:00", "UTC")),
        (["mon", "09:00", "Europe/Berlin"], Schedule(0, "09:00", "Europe/Berlin")),
        (["Europe/Berlin", "17:30", "FRIDAY"], Schedule(4, "17:30", "Europe/Berlin")),
        (["TUE"], Schedule(1, "09:00", "UTC")),
        (["tues", "9:05"], Schedule(1, "09:05", "UTC")),
        (["Wednesday"], Schedule(2, "09:00", "UTC")),
        (["thur"], Schedule(3, "09:00", "UTC")),
        (["Thurs"], Schedule(3, "09:00", "UTC")),
        (["sun", "23:59"], Schedule(6, "23:59", "UTC")),
        (["00:00"], Schedule(0, "00:00", "UTC")),
        (["america/new_york"], Schedule(0, "09:00", "America/New_York")),
        (["utc"], Schedule(0, "09:00", "UTC")),
        (["  sat ", ""], Schedule(5, "09:00", "UTC")),
    ],
)
def test_parse_schedule_accepts_days_times_and_zones_in_any_order(words, expected):
    """Day names in any case and length, H:MM or HH:MM, and IANA zones in any case parse."""
    assert parse_schedule(words, "UTC") == expected


def test_parse_schedule_uses_the_default_timezone():
    """Without a zone the configured default applies, in its canonical spelling."""
    assert parse_schedule(["fri"], "europe/paris") == Schedule(4, "09:00", "Europe/Paris")


@pytest.mark.parametrize(
    ("words", "fragment"),
    [
        (["24:00"], "`24:00` isn't a time"),
        (["25:00"], "`25:00` isn't a time"),
        (["13pm"], "`13pm` isn't a time"),
        (["0am"], "`0am` isn't a time"),
        (["09:60"], "`09:60` isn't a time"),
        (["9"], "`9` needs am, pm or minutes: `9am`, `9pm` or `09:00`."),
        (["16"], "`16` needs minutes: `16:00`."),
        (["Mars/Olympus_Mons"], "`Mars/Olympus_Mons` isn't a timezone"),
        (["mnday"], "`mnday` isn't a day, a time or a timezone"),
        (["mon", "tue"], "two days, `mon` and `tue`"),
        (["09:00", "10:00"], "two times"),
        (["UTC", "Europe/Berlin"], "two timezones"),
    ],
)
def test_parse_schedule_explains_what_was_wrong(words, fragment):
    """Every rejection names the bad piece (the Slack layer adds a working example)."""
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(words, "UTC")
    message = str(caught.value)
    assert fragment in message
    assert isinstance(caught.value, TipbotError)


@pytest.mark.parametrize(
    ("words", "time"),
    [
        (["4pm"], "16:00"),
        (["9am"], "09:00"),
        (["9AM"], "09:00"),
        (["9:30pm"], "21:30"),
        (["9", "am"], "09:00"),
        (["9:30", "p.m."], "21:30"),
        (["12am"], "00:00"),
        (["12pm"], "12:00"),
        (["noon"], "12:00"),
        (["Midnight"], "00:00"),
        (["16:30"], "16:30"),
    ],
)
def test_times_are_read_as_people_type_them(words, time):
    """am and pm (attached or apart, with or without dots), noon and midnight all parse."""
    assert parse_schedule(["fri", *words], "UTC") == Schedule(4, time, "UTC")


def test_every_unusable_word_is_reported_not_only_the_first():
    """A bad day, a bad time, a bad zone and a duplicate come back as four problems, in order."""
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(["funday", "25:00", "Mars/Base", "mon", "tue"], "UTC")
    problems = caught.value.problems
    assert len(problems) == 4
    assert problems[0].startswith("`funday` isn't a day")
    assert problems[1].startswith("`25:00` isn't a time")
    assert problems[2].startswith("`Mars/Base` isn't a timezone")
    assert problems[3] == "You gave two days, `mon` and `tue`; pick one."


def test_parse_schedule_escapes_the_bad_piece_for_slack():
    """Markup in user input cannot become a mention or link in the error message."""
    with pytest.raises(ScheduleError) as caught:
        parse_schedule(["<!channel>&`x"], "UTC")
    message = str(caught.value)
    assert "<!channel>" not in message
    assert "`&lt;!channel&gt;&amp;'x`" in message


def test_parse_schedule_rejects_a_bad_default_timezone_as_a_programming_error():
    """A bad configured default is not the user's fault, so it is not a ScheduleError."""
    with pytest.raises(ValueError, match="Nowhere/Land"):
        parse_schedule([], "Nowhere/Land")


def test_resolve_timezone_is_case_insensitive():
    """Zone names are matched in any case and returned canonically; unknown ones are None."""
    assert resolve_timezone("EUROPE/BERLIN") == "Europe/Berlin"
    assert resolve_timezone("Europe/Nowhere") is None


@pytest.mark.parametrize(
    "name",
    [
        "localtime",
        "posixrules",
        "Factory",
        "right/UTC",
        "posix/Europe/Berlin",
        "../etc/localtime",
        "/etc/localtime",
        "Europe/../Europe/Berlin",
        "",
    ],
)
def test_resolve_timezone_accepts_only_names_tzdata_lists(name):
    """Host-only names (`localtime`, even where the host lists it), `Factory` and paths fail."""
    assert resolve_timezone(name) is None


def test_legacy_links_are_accepted_as_tzdata_spells_them():
    """`US/Pacific` and `Asia/Calcutta` are kept (not followed), and load like their targets."""
    assert resolve_timezone("us/pacific") == "US/Pacific"
    assert resolve_timezone("ASIA/CALCUTTA") == "Asia/Calcutta"
    assert resolve_timezone("Europe/Oslo") == "Europe/Oslo"
    summer = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert summer.astimezone(ZoneInfo("US/Pacific")).utcoffset() == timedelta(hours=-7)


def test_schedule_describes_itself_for_people():
    """`describe` reads like a sentence fragment for a Slack reply."""
    assert Schedule(0, "09:00", "Europe/Berlin").describe() == "Mondays at 09:00 (Europe/Berlin)"
    assert Schedule(6, "17:30", "UTC").describe() == "Sundays at 17:30 (UTC)"


@pytest.mark.parametrize(("weekday", "time"), [(7, "09:00"), (-1, "09:00"), (0, "9:00")])
def test_schedule_refuses_an_invalid_day_or_time(weekday, time):
    """A day or time no version ever accepted is a bug, wherever the Schedule came from."""
    with pytest.raises(ValueError):  # noqa: PT011 - each case fails a different check
        Schedule(weekday, time, "UTC")


@pytest.mark.parametrize("zone", ["localtime", "utc", "Nowhere", "Factory"])
def test_a_schedule_in_a_zone_tipbot_cannot_use_loads_but_has_no_slots(zone):
    """An old row's zone is kept as stored; asking for its zone or a slot raises UnknownTimezone."""
    schedule = Schedule(0, "09:00", zone)
    assert schedule.describe() == f"Mondays at 09:00 ({zone})"
    with pytest.raises(UnknownTimezone, match=zone):
        next_slot(schedule, datetime(2025, 6, 2, tzinfo=UTC))


def test_next_slot_is_strictly_after_and_in_utc():
    """A slot exactly at `after` is not next; the result is the following week's, in UTC."""
    schedule = Schedule(0, "09:00", "Europe/Berlin")
    monday_nine = datetime(2025, 6, 2, 9, 0, tzinfo=BERLIN)
    assert next_slot(schedule, monday_nine - timedelta(seconds=1)) == datetime(
        2025, 6, 2, 7, 0, tzinfo=UTC
    )
    following = next_slot(schedule, monday_nine)
    assert following == datetime(2025, 6, 9, 7, 0, tzinfo=UTC)
    assert following.tzinfo is UTC


def test_next_slot_accepts_any_aware_datetime_and_refuses_naive():
    """The input zone does not matter, only the instant; naive datetimes are refused."""
    schedule = Schedule(2, "12:00", "UTC")
    after = datetime(2025, 6, 3, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert next_slot(schedule, after) == datetime(2025, 6, 4, 12, 0, tzinfo=UTC)
    with pytest.raises(ValueError, match="aware"):
        next_slot(schedule, datetime(2025, 6, 3))


def test_slots_between_is_open_at_start_and_closed_at_end():
    """(start, end]: a slot at `start` is excluded, a slot at `end` included."""
    schedule = Schedule(0, "09:00", "UTC")
    start = datetime(2025, 6, 2, 9, 0, tzinfo=UTC)
    end = datetime(2025, 6, 16, 9, 0, tzinfo=UTC)
    assert slots_between(schedule, start, end) == [
        datetime(2025, 6, 9, 9, 0, tzinfo=UTC),
        datetime(2025, 6, 16, 9, 0, tzinfo=UTC),
    ]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC datetime, briefly."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("schedule", "start", "end", "expected"),
    [
        pytest.param(
            # Europe/Berlin 09:00 is 07:00 UTC in summer and 08:00 UTC after clocks go back.
            Schedule(0, "09:00", "Europe/Berlin"),
            utc(2025, 10, 15),
            utc(2025, 11, 5),
            [utc(2025, 10, 20, 7), utc(2025, 10, 27, 8), utc(2025, 11, 3, 8)],
            id="nine-stays-nine-across-october",
        ),
        pytest.param(
            # Sunday 02:30 does not exist in Berlin on 2025-03-30: it fires at 03:30 CEST.
            Schedule(6, "02:30", "Europe/Berlin"),
            utc(2025, 3, 20),
            utc(2025, 4, 10),
            [utc(2025, 3, 23, 1, 30), utc(2025, 3, 30, 1, 30), utc(2025, 4, 6, 0, 30)],
            id="skipped-spring-hour-fires-an-hour-later",
        ),
        pytest.param(
            # Sunday 02:30 happens twice in Berlin on 2025-10-26: only the first is a slot.
            Schedule(6, "02:30", "Europe/Berlin"),
            utc(2025, 10, 15),
            utc(2025, 11, 5),
            [utc(2025, 10, 19, 0, 30), utc(2025, 10, 26, 0, 30), utc(2025, 11, 2, 1, 30)],
            id="repeated-autumn-hour-fires-once",
        ),
        pytest.param(
            # US clocks moved forward on 2025-03-09: 14:00 UTC before, 13:00 UTC after.
            Schedule(0, "09:00", "America/New_York"),
            utc(2025, 3, 1),
            utc(2025, 3, 18),
            [utc(2025, 3, 3, 14), utc(2025, 3, 10, 13), utc(2025, 3, 17, 13)],
            id="new-york-changes-on-its-own-week",
        ),
    ],
)
def test_slots_follow_the_schedules_own_zone_across_clock_changes(
    schedule: Schedule, start: datetime, end: datetime, expected: list[datetime]
) -> None:
    """Each weekly slot is the schedule's wall-clock time in its zone, DST or not, once."""
    slots = slots_between(schedule, start, end)
    assert slots == expected
    local = ZoneInfo(schedule.timezone)
    assert {slot.astimezone(local).strftime("%a") for slot in slots} == {
        DAY_ABBREVIATIONS[schedule.weekday]
    }

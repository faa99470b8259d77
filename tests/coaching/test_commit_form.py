"""The rules of the commit and snooze forms, as the modal's errors show them."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.coaching.commit_form import (
    CommitForm,
    default_check_in,
    default_snooze,
    problems,
)

NOW = datetime(2026, 3, 4, 15, 30, tzinfo=UTC)  # a Wednesday afternoon
IN_A_WEEK = NOW + timedelta(days=7)


def test_a_good_form_has_no_problems() -> None:
    """Words, a time between 2 minutes and 90 days ahead, an optional note."""
    assert problems(CommitForm("Ask Ada to run standup", IN_A_WEEK), NOW) == {}
    assert problems(CommitForm("x" * 300, NOW + timedelta(minutes=2), "n" * 1000), NOW) == {}
    assert problems(CommitForm("x", NOW + timedelta(days=90)), NOW) == {}


@pytest.mark.parametrize(
    ("form", "field", "says"),
    [
        (CommitForm("   ", IN_A_WEEK), "text", "Say in a few words what you'll try."),
        (CommitForm("x" * 301, IN_A_WEEK), "text", "That's 301 characters; keep it to 300."),
        (CommitForm("x", None), "due", "Pick a day and a time for the check-in."),
        (
            CommitForm("x", NOW - timedelta(minutes=1)),
            "due",
            "That time has passed. Pick one at least 2 minutes from now.",
        ),
        (
            CommitForm("x", NOW + timedelta(seconds=119)),
            "due",
            "Pick a time at least 2 minutes from now.",
        ),
        (
            CommitForm("x", NOW + timedelta(days=90, minutes=1)),
            "due",
            "Pick a time within the next 90 days.",
        ),
        (
            CommitForm("x", IN_A_WEEK, "n" * 1001),
            "note",
            "Keep the note to 1,000 characters (it has 1,001).",
        ),
    ],
)
def test_each_bad_field_is_named_with_what_to_do(form, field, says) -> None:
    """One problem, under the field it belongs to, in a sentence a person can act on."""
    assert problems(form, NOW) == {field: says}


def test_every_problem_is_reported_at_once() -> None:
    """Empty words and a past time both come back, so the person fixes both in one go."""
    assert set(problems(CommitForm("", NOW - timedelta(days=1), "n" * 2000), NOW)) == {
        "text",
        "due",
        "note",
    }


def test_the_default_check_in_is_a_week_away_at_nine_in_the_persons_timezone() -> None:
    """Wednesday 15:30 UTC is Thursday 00:30 in Tokyo: the check-in is next Thursday 09:00."""
    tokyo = default_check_in(NOW, ZoneInfo("Asia/Tokyo"))
    assert tokyo == datetime(2026, 3, 12, 9, 0, tzinfo=ZoneInfo("Asia/Tokyo"))
    berlin = default_check_in(NOW, ZoneInfo("Europe/Berlin"))
    assert berlin == datetime(2026, 3, 11, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    assert problems(CommitForm("x", berlin), NOW) == {}


def test_not_yet_defaults_to_a_week_after_the_check_in_and_never_to_the_past() -> None:
    """Snoozing a check-in due today moves it a week; one due weeks ago moves past today."""
    assert default_snooze(NOW - timedelta(hours=1), NOW) == NOW + timedelta(days=7, hours=-1)
    old = NOW - timedelta(days=15)
    assert default_snooze(old, NOW) == old + timedelta(weeks=3)

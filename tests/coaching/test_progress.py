"""What a person sees of their progress: counts, what is open, streaks, last reflections."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.coaching.models import Commitment, CommitmentState
from bot.coaching.progress import progress, streak

# Thursday 12 March 2026, noon UTC.
NOW = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)
WEEK = timedelta(weeks=1)


def commitment(number: int, state: CommitmentState, **fields: Any) -> Commitment:
    """A commitment numbered `number` in `state`; times default to a week before NOW."""
    made = Commitment(
        id=number,
        team_id="T1",
        user_id="U1",
        tip_id=f"tip-{number}",
        tip_title=f"Tip {number}",
        text=f"Try {number}",
        note=None,
        timezone="UTC",
        due_at=NOW - WEEK,
        state=state,
        next_action_at=None,
        created_at=NOW - 2 * WEEK,
        updated_at=NOW - WEEK,
    )
    return replace(made, **fields)


def test_a_streak_counts_weeks_in_a_row_with_a_done() -> None:
    """This week, last week and the week before: 3; a gap ends the streak."""
    done = [NOW, NOW - WEEK, NOW - 2 * WEEK, NOW - 4 * WEEK]
    assert streak(done, NOW, UTC) == 3


def test_a_week_not_over_yet_does_not_break_a_streak() -> None:
    """Nothing done yet this week, but last week and the one before: still 2."""
    assert streak([NOW - WEEK, NOW - 2 * WEEK], NOW, UTC) == 2
    assert streak([NOW - 2 * WEEK], NOW, UTC) == 0
    assert streak([], NOW, UTC) == 0


def test_weeks_are_counted_in_the_persons_timezone() -> None:
    """Sunday 23:30 in Berlin is Sunday 22:30 UTC, still that week; Monday 00:30 is the next."""
    berlin = ZoneInfo("Europe/Berlin")
    sunday_late = datetime(2026, 3, 8, 23, 30, tzinfo=berlin)
    monday_early = datetime(2026, 3, 9, 0, 30, tzinfo=berlin)
    assert streak([sunday_late, monday_early], NOW, berlin) == 2


def test_progress_counts_each_ending_and_lists_what_is_open_soonest_first() -> None:
    """Open ones by due time; done, partly, dropped and lapsed counted; reflections newest first."""
    summary = progress(
        [
            commitment(1, "active", due_at=NOW + 2 * WEEK),
            commitment(2, "paused", due_at=NOW + WEEK),
            commitment(3, "done", answered_at=NOW, reflection="A", reflected_at=NOW),
            commitment(4, "done", answered_at=NOW - WEEK, reflection="B", reflected_at=NOW - WEEK),
            commitment(5, "partly", reflection="C", reflected_at=NOW - 3 * WEEK),
            commitment(6, "partly", reflection="D", reflected_at=NOW - 4 * WEEK),
            commitment(7, "dropped"),
            commitment(8, "lapsed"),
        ],
        NOW,
        UTC,
    )
    assert [c.id for c in summary.open] == [2, 1]
    assert (summary.done, summary.partly, summary.dropped, summary.lapsed) == (2, 2, 1, 1)
    assert summary.streak_weeks == 2
    assert [c.reflection for c in summary.reflections] == ["A", "B", "C"]

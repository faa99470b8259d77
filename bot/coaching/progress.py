"""What a person sees of their own coaching: what is open, what they did, their streak."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from bot.coaching.models import Commitment

LAST_REFLECTIONS = 3


@dataclass(frozen=True)
class Progress:
    """One person's coaching at a glance, for `/tip me` and the Home tab."""

    open: tuple[Commitment, ...]
    done: int
    partly: int
    dropped: int
    lapsed: int
    streak_weeks: int
    reflections: tuple[Commitment, ...]


def progress(commitments: Sequence[Commitment], now: datetime, zone: tzinfo) -> Progress:
    """Summarise a person's commitments as of `now`, weeks counted in their timezone."""
    counts = dict.fromkeys(("done", "partly", "dropped", "lapsed"), 0)
    for commitment in commitments:
        if commitment.state in counts:
            counts[commitment.state] += 1
    done_at = [c.answered_at for c in commitments if c.state == "done" and c.answered_at]
    reflected = sorted(
        (c for c in commitments if c.reflection and c.reflected_at),
        key=lambda c: c.reflected_at or now,
        reverse=True,
    )
    return Progress(
        open=tuple(sorted((c for c in commitments if c.is_open), key=lambda c: c.due_at)),
        done=counts["done"],
        partly=counts["partly"],
        dropped=counts["dropped"],
        lapsed=counts["lapsed"],
        streak_weeks=streak(done_at, now, zone),
        reflections=tuple(reflected[:LAST_REFLECTIONS]),
    )


def week_of(moment: datetime, zone: tzinfo) -> date:
    """The Monday starting the week `moment` falls in, in `zone`."""
    local = moment.astimezone(zone).date()
    return local - timedelta(days=local.weekday())


def streak(done_at: Iterable[datetime], now: datetime, zone: tzinfo) -> int:
    """Weeks in a row with a Done, up to this week; a week not over yet does not break it."""
    weeks = {week_of(moment, zone) for moment in done_at}
    week = week_of(now, zone)
    if week not in weeks:
        week -= timedelta(weeks=1)
    count = 0
    while week in weeks:
        count += 1
        week -= timedelta(weeks=1)
    return count

"""Time as the code reads it: a callable, so tests can pass in their own.

Not to be confused with `tipbot clock`, the process that runs only the weekly tip scheduler
(bot/scheduler.py, started by `run_clock` in bot/runner.py).
"""

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The real clock, in UTC."""
    return datetime.now(UTC)

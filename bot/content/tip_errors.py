"""Errors in tip files, located by file and line, and capped so no file can flood a report."""

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.content.limits import (
    MAX_ERROR_CHARS,
    MAX_ERRORS_PER_FILE,
    MAX_QUOTED_CHARS,
    MAX_REPORT_CHARS,
    MAX_REPORTED_ERRORS,
)
from bot.wording import plural


@dataclass(frozen=True, slots=True)
class TipError:
    """One problem in a tip file, located by file and 1-based line."""

    path: str
    line: int
    message: str
    # Set on the "… and N more" line that stands for a file's errors past the cap: N.
    hidden: int = 0

    def __post_init__(self) -> None:
        # Messages quote the file; a hostile one must not make every report that repeats it huge.
        object.__setattr__(self, "message", clip(self.message, MAX_ERROR_CHARS))

    def __str__(self) -> str:
        # Line 0 means the problem is the file or folder itself, not a place in it.
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def clip(text: str, limit: int) -> str:
    """`text` cut to at most `limit` characters, ending in … when something was cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def quoted(text: str) -> str:
    """A piece of a tip file in double quotes, cut short enough to sit inside an error."""
    return f'"{clip(text, MAX_QUOTED_CHARS)}"'


def error_count(errors: Sequence[TipError]) -> int:
    """How many errors `errors` stands for, counting those behind each "… and N more" line."""
    return sum(error.hidden or 1 for error in errors)


class FileErrors:
    """One file's errors: the first MAX_ERRORS_PER_FILE kept whole, the rest only counted."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.count = 0
        self._kept: list[TipError] = []

    def add(self, line: int, message: str) -> None:
        """Record an error at a 1-based line (0: the file as a whole)."""
        self.count += 1
        if len(self._kept) < MAX_ERRORS_PER_FILE:
            self._kept.append(TipError(self.path, line, message))

    def report(self) -> list[TipError]:
        """The kept errors, then one line saying how many more there are, if any."""
        hidden = self.count - len(self._kept)
        if not hidden:
            return list(self._kept)
        more = f"… and {plural(hidden, 'more error')} in this file; fix these and validate again"
        return [*self._kept, TipError(self.path, 0, more, hidden=hidden)]


def first_errors(
    errors: Sequence[TipError],
    render: Callable[[TipError], str] = str,
    count: int = MAX_REPORTED_ERRORS,
    chars: int | None = MAX_REPORT_CHARS,
) -> tuple[list[str], int]:
    """The errors one report lists, rendered (at most `count`, in `chars`), and how many not."""
    lines: list[str] = []
    used = 0
    for error in errors[:count]:
        line = render(error)
        used += len(line) + 1
        if chars is not None and used > chars:
            break
        lines.append(line)
    return lines, error_count(errors[len(lines) :])


def log_errors(log: logging.Logger, prefix: str, errors: Sequence[TipError]) -> None:
    """Log the first MAX_REPORTED_ERRORS errors, one line each, then how many were left out."""
    lines, more = first_errors(errors, chars=None)  # a log has room; each error is capped
    for line in lines:
        log.error("%s: %s", prefix, line)
    if more:
        log.error("%s: …and %d more; run `tipbot validate` to see all", prefix, more)

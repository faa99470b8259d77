"""Reloading tip files into the running bot: diff, swap atomically, or keep the last good."""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.content.current import CurrentLibrary
from bot.content.library import Library
from bot.content.loader import load_library
from bot.content.tip_errors import TipError, log_errors

logger = logging.getLogger(__name__)

ErrorsHandler = Callable[[tuple[TipError, ...]], None]


@dataclass(frozen=True)
class ReloadOutcome:
    """What a reload did: tip ids added, changed and removed, or the errors that stopped it."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    errors: tuple[TipError, ...] = ()

    @property
    def applied(self) -> bool:
        """True when the new files are being served."""
        return not self.errors


def diff_libraries(old: Library, new: Library) -> ReloadOutcome:
    """Tip ids added, changed (in what a reader sees) and removed between two libraries."""

    def content(library: Library, tip_id: str) -> tuple[object, ...]:
        tip = library.by_id[tip_id]
        return (tip.title, tip.body, tip.try_, tip.tags, tip.level, tip.source)

    before, after = set(old.by_id), set(new.by_id)
    changed = [i for i in before & after if content(old, i) != content(new, i)]
    return ReloadOutcome(
        added=tuple(sorted(after - before)),
        changed=tuple(sorted(changed)),
        removed=tuple(sorted(before - after)),
    )


class LibraryReloader:
    """Reloads `directory` into `library`; an invalid edit keeps the last good one."""

    def __init__(
        self,
        library: CurrentLibrary,
        directory: Path,
        clock: Callable[[], datetime],
        on_new_errors: ErrorsHandler | None = None,
    ) -> None:
        self.library = library
        self.directory = directory
        self.clock = clock
        self.on_new_errors = on_new_errors
        self._reported: tuple[str, ...] = ()
        self._lock = threading.Lock()

    def report_current_errors(self) -> None:
        """Tell people about errors the files had at start (a deploy is an edit too)."""
        if self.library.errors:
            self._report(self.library.errors)

    def reload(self) -> ReloadOutcome:
        """Load the files again and serve them if they are valid; report errors once."""
        with self._lock:
            outcome = self._reload()
        if outcome.errors:
            # Outside the lock: telling people can be slow and must not hold up a reload.
            self._report(outcome.errors)
        return outcome

    def _reload(self) -> ReloadOutcome:
        result = load_library(self.directory)
        if result.errors:
            self.library.refuse(result.errors)
            log_errors(logger, "Tip files not reloaded", result.errors)
            return ReloadOutcome(errors=result.errors)
        result.library.warm()  # outside any request, before the swap
        outcome = diff_libraries(self.library.current, result.library)
        self.library.replace(result, self.clock())
        self._reported = ()
        logger.info(
            "Reloaded %d tips: %d added, %d changed, %d removed",
            len(result.library),
            len(outcome.added),
            len(outcome.changed),
            len(outcome.removed),
        )
        return outcome

    def _report(self, errors: tuple[TipError, ...]) -> None:
        # The same broken file saved twice, or a watcher firing twice, must not DM twice.
        fingerprint = tuple(str(e) for e in errors)
        with self._lock:
            if fingerprint == self._reported or self.on_new_errors is None:
                return
            self._reported = fingerprint
        try:
            self.on_new_errors(errors)
        except Exception:
            logger.exception("Could not tell the admins about the tip file errors")

"""The library being served right now, swapped whole so a request never sees half of one."""

import threading
from datetime import datetime

from bot.content.library import Library
from bot.content.loader import LoadResult
from bot.content.tip_errors import TipError


class CurrentLibrary:
    """Holds the last good LoadResult, and the errors of the latest load if it was refused.

    Readers take one reference per call (`current`), so a swap between two requests is
    atomic: each request sees the old library or the new one, never a mix.
    """

    def __init__(self, result: LoadResult, loaded_at: datetime) -> None:
        self._result = result
        self._loaded_at = loaded_at
        self._pending_errors: tuple[TipError, ...] = ()
        self._lock = threading.Lock()

    @property
    def current(self) -> Library:
        """The tips being served; take it once per request, so a swap cannot split one."""
        return self._result.library

    @property
    def result(self) -> LoadResult:
        """The whole result of the load being served, its errors included."""
        return self._result

    @property
    def loaded_at(self) -> datetime:
        """When the library being served was loaded."""
        return self._loaded_at

    @property
    def errors(self) -> tuple[TipError, ...]:
        """What is wrong in the files right now: the refused edit's errors, else the served ones."""
        return self._pending_errors or self._result.errors

    def replace(self, result: LoadResult, loaded_at: datetime) -> None:
        """Serve `result` from now on; a single reference swap, so readers never see a mix."""
        with self._lock:
            self._result = result
            self._loaded_at = loaded_at
            self._pending_errors = ()

    def refuse(self, errors: tuple[TipError, ...]) -> None:
        """Keep serving the last good library and remember why the new files were refused."""
        with self._lock:
            self._pending_errors = errors

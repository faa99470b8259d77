"""The library being served right now, swapped whole so a request never sees half of one."""

import threading
from datetime import datetime

from bot.content.library import Library
from bot.content.loader import LoadResult


class CurrentLibrary:
    """Holds the last good LoadResult; readers get one consistent snapshot per call."""

    def __init__(self, result: LoadResult, loaded_at: datetime) -> None:
        self._result = result
        self._loaded_at = loaded_at
        self._lock = threading.Lock()

    @property
    def library(self) -> Library:
        """The tips being served."""
        return self._result.library

    @property
    def result(self) -> LoadResult:
        """The whole result of the last load, errors included."""
        return self._result

    @property
    def loaded_at(self) -> datetime:
        """When the library being served was loaded."""
        return self._loaded_at

    def replace(self, result: LoadResult, loaded_at: datetime) -> None:
        """Serve `result` from now on; a single reference swap, so readers never see a mix."""
        with self._lock:
            self._result = result
            self._loaded_at = loaded_at

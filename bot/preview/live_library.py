"""The tips as they are on disk now: reloaded whenever a YAML file's fingerprint changes."""

import hashlib
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.content.loader import LoadResult, is_content_path, load_library
from bot.time_source import Clock


@dataclass(frozen=True)
class Snapshot:
    """One load of the tips directory, and the fingerprint of the files it was loaded from."""

    directory: Path
    result: LoadResult
    fingerprint: str
    loaded_at: datetime


def fingerprint(directory: Path) -> str:
    """A short hash of every YAML file's path, modification time and size under `directory`.

    The topics file counts: a new description or synonym shows without a restart.
    """
    digest = hashlib.sha256()
    for path, mtime_ns, size in sorted(_file_stats(directory)):
        digest.update(f"{path}\0{mtime_ns}\0{size}\n".encode())
    return digest.hexdigest()[:16]


def _file_stats(directory: Path) -> list[tuple[str, int, int]]:
    """(path, mtime_ns, size) of each *.yaml and *.yml file; files that vanish are skipped."""
    stats = []
    # rglob on a directory that does not exist (yet) yields nothing, which is what we want.
    for path in directory.rglob("*"):
        if not is_content_path(path):
            continue
        try:
            stat = path.stat()
        except OSError:
            continue  # removed between listing and stat: the next request sees it gone
        if path.is_file():
            stats.append((str(path), stat.st_mtime_ns, stat.st_size))
    return stats


class LiveLibrary:
    """Hands out the current Snapshot, reloading first when the files have changed."""

    def __init__(self, directory: Path, clock: Clock) -> None:
        self.directory = directory
        self._clock = clock
        # Requests arrive on several threads; one reload at a time, and a snapshot is swapped
        # in whole, so no request ever sees half a library.
        self._lock = threading.Lock()
        self._snapshot = self._load(fingerprint(directory))

    def current(self) -> Snapshot:
        """The snapshot matching the files on disk right now."""
        now = fingerprint(self.directory)
        with self._lock:
            if now != self._snapshot.fingerprint:
                self._snapshot = self._load(now)
            return self._snapshot

    def _load(self, files_fingerprint: str) -> Snapshot:
        # The fingerprint is taken before loading: a file saved mid-load is caught next time.
        result = load_library(self.directory, include_drafts=True)
        return Snapshot(self.directory, result, files_fingerprint, self._clock())

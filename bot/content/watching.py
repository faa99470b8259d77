"""Watching the tips directory and reloading when files change, with a debounce."""

import logging
import threading
from pathlib import Path

from watchfiles import Change, watch

from bot.content.loader import is_content_path
from bot.content.reloading import LibraryReloader

logger = logging.getLogger(__name__)

# Editors save in bursts (temp file, rename, chmod); wait for the burst to settle.
DEBOUNCE_MS = 300


def is_content_file(change: Change, path: str) -> bool:
    """Only YAML files matter (tip files and the topics file); swap files and backups do not."""
    return is_content_path(path)


def watch_tips(
    directory: Path, reloader: LibraryReloader, stop: threading.Event
) -> threading.Thread:
    """Reload when a tip file or the topics file is added, changed or removed, until `stop`."""

    def loop() -> None:
        for changes in watch(
            directory,
            watch_filter=is_content_file,
            debounce=DEBOUNCE_MS,
            stop_event=stop,
            raise_interrupt=False,
        ):
            logger.info("Tip files changed: %s", ", ".join(sorted(p for _, p in changes)))
            try:
                reloader.reload()
            except Exception:
                # Keep watching: the next save may well fix whatever went wrong.
                logger.exception("Reloading the tip files failed; still serving the last good")

    thread = threading.Thread(target=loop, name="tip-watcher", daemon=True)
    thread.start()
    return thread

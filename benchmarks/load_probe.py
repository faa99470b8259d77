"""`python -m benchmarks.load_probe DIR`: load a tips directory once and print figures as JSON.

Run in a fresh interpreter by the library benchmark, so the peak RSS is this load's alone.
"""

import json
import resource
import sys
import time
from pathlib import Path

from bot.content.loader import load_library

PROC_STATUS = Path("/proc/self/status")


def peak_rss_kib() -> int:
    """This process's peak resident set size so far, in KiB.

    Linux's ru_maxrss carries over the parent's peak when the child was started with vfork, as
    subprocess does, so a large parent would mask the load; VmHWM belongs to this process's own
    memory map. Elsewhere ru_maxrss is the best there is (KiB on Linux, bytes on macOS).
    """
    if PROC_STATUS.exists():
        for line in PROC_STATUS.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main(directory: str) -> None:
    """Time one `load_library` and report it with the peak RSS before and after it."""
    rss_before = peak_rss_kib()
    started = time.perf_counter()
    result = load_library(Path(directory))
    seconds = time.perf_counter() - started
    rss_loaded = peak_rss_kib()
    # The search index is built off the request path (at start, or before a reload's swap);
    # reported apart from loading and validating, and included in the peak memory.
    started = time.perf_counter()
    result.library.warm()
    index_seconds = time.perf_counter() - started
    figures = {
        "seconds": seconds,
        "index_seconds": index_seconds,
        "rss_loaded_kib": rss_loaded,
        "tips": len(result.library),
        "errors": len(result.errors),
        "rss_before_kib": rss_before,
        "rss_peak_kib": peak_rss_kib(),
        "ru_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1])

"""Benchmark 2: the tip library at 10,000 tips: load and validate, then topic lookup and search.

Loading runs in a fresh subprocess (see `load_probe`) so its peak RSS is the load's own, not
whatever this process has touched before.
"""

import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.generated_tips import HEAD_WORDS, TAGS, VOCABULARY, generated_topics, write_tips
from benchmarks.report import percentile, render_table, verdict
from bot.content.library import Library
from bot.content.search import find_tips
from bot.content.selection import TipPicker

REPO = Path(__file__).resolve().parents[1]
FILES = 20
TIPS_PER_FILE = 500
TIP_COUNT = FILES * TIPS_PER_FILE
USERS = 50

MAX_LOAD_SECONDS = 1.0
MAX_PEAK_RSS_MB = 100.0  # 10**6 bytes
MAX_SEARCH_P50_MS = 2.0
WARMUP_CALLS = 50

QUERY_COUNT = 2_000
QUICK_QUERY_COUNT = 400
LOAD_RUNS = 3
QUICK_LOAD_RUNS = 1
MISSES = ("kubernetes", "salary", "vacation", "typescript")


@dataclass(frozen=True)
class LoadFigures:
    """What one fresh process measured while loading the generated library."""

    seconds: float
    index_seconds: float
    rss_loaded_kib: int
    tips: int
    errors: int
    rss_before_kib: int
    rss_peak_kib: int
    ru_maxrss_kib: int


@dataclass(frozen=True)
class Row:
    """One line of the results table."""

    what: str
    figure: str
    target: str
    result: str


def measure_load(directory: Path) -> LoadFigures:
    """Load `directory` in a fresh interpreter and read back what it measured."""
    completed = subprocess.run(
        [sys.executable, "-m", "benchmarks.load_probe", str(directory)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        message = f"the load probe failed (exit {completed.returncode}):\n{completed.stderr}"
        raise RuntimeError(message)
    return LoadFigures(**json.loads(completed.stdout))


def typical_queries(rng: random.Random, count: int) -> list[str]:
    """1 to 4 words each: half common words, half any word of the library, 1 in 10 unknown."""
    everyday = VOCABULARY.words
    found = []
    for _ in range(count):
        picked = []
        for _ in range(rng.randint(1, 4)):
            roll = rng.random()
            pool = MISSES if roll < 0.1 else HEAD_WORDS if roll < 0.55 else everyday
            picked.append(rng.choice(pool))
        found.append(" ".join(picked))
    return found


def common_word_queries(rng: random.Random, count: int) -> list[str]:
    """1 to 4 of the most common words each: the longest posting lists, the slowest searches."""
    return [" ".join(rng.sample(HEAD_WORDS, rng.randint(1, 4))) for _ in range(count)]


def topic_texts(library: Library) -> list[str]:
    """What people type after `/tip` for a topic: tags, plurals, synonyms, hashtags and misses."""
    texts = list(TAGS)
    texts += [f"{tag}s" for tag in TAGS[:10]]
    texts += [f"#{tag}" for tag in TAGS[:10]]
    texts += [word for topic in library.vocabulary.topics for word in topic.synonyms]
    texts += ["kubernetes", "salary negotiation", "vacation"]
    return texts


def time_calls(call: Callable[[str, str], object], inputs: Sequence[str]) -> list[float]:
    """Seconds each `call(text, user)` took, after a few untimed calls to warm caches."""
    users = [f"U{n:04d}" for n in range(USERS)]
    for index, text in enumerate(inputs[:WARMUP_CALLS]):
        call(text, users[index % USERS])
    timings = []
    for index, text in enumerate(inputs):
        started = time.perf_counter()
        call(text, users[index % USERS])
        timings.append(time.perf_counter() - started)
    return timings


def measure_lookups(library: Library, quick: bool) -> list[Row]:
    """Search, topic lookup and a topic pick over the library, as `/tip <words>` runs them."""
    picker = TipPicker(random.Random(7))
    count = QUICK_QUERY_COUNT if quick else QUERY_COUNT
    topics = topic_texts(library)
    topic_inputs = topics * max(1, count // len(topics))

    def search(text: str, user: str) -> object:
        return picker.pick(find_tips(library, text).tips, user)

    def resolve(text: str, _user: str) -> object:
        return library.resolve_topic(text)

    def topic_pick(text: str, user: str) -> object:
        # `/tip mentoring` at this scale: resolve the tag, then pick among its many tips.
        tag = library.resolve_topic(text)
        return picker.random_tip(library, user, tag) if tag else None

    cases: list[tuple[str, Callable[[str, str], object], list[str], float | None]] = [
        (
            "search, typical queries",
            search,
            typical_queries(random.Random(11), count),
            MAX_SEARCH_P50_MS,
        ),
        ("search, common words only", search, common_word_queries(random.Random(12), count), None),
        ("topic: resolve_topic", resolve, topic_inputs, None),
        ("topic: resolve + random_tip", topic_pick, topic_inputs, None),
    ]
    rows = []
    for name, call, inputs, target_ms in cases:
        timings = time_calls(call, inputs)
        p50_ms = percentile(timings, 0.50) * 1000
        p99_ms = percentile(timings, 0.99) * 1000
        target = f"< {target_ms:g} ms" if target_ms else "-"
        result = verdict(p50_ms < target_ms) if target_ms else "-"
        rows.append(Row(f"{name} ({len(inputs):,}): p50", f"{p50_ms:.3f} ms", target, result))
        rows.append(Row(f"{name}: p99", f"{p99_ms:.3f} ms", "-", "-"))
    return rows


def load_rows(figures: list[LoadFigures]) -> list[Row]:
    """Rows for the load: median wall time, and the highest peak RSS of any run."""
    seconds = percentile([f.seconds for f in figures], 0.5)
    worst = max(figures, key=lambda f: f.rss_peak_kib)
    peak_mb = worst.rss_peak_kib * 1024 / 1_000_000
    delta_mb = (worst.rss_peak_kib - worst.rss_before_kib) * 1024 / 1_000_000
    valid = all(f.tips == TIP_COUNT and f.errors == 0 for f in figures)
    return [
        Row(
            f"load_library wall time (median of {len(figures)})",
            f"{seconds:.3f} s",
            f"< {MAX_LOAD_SECONDS:g} s",
            verdict(seconds < MAX_LOAD_SECONDS),
        ),
        Row(
            "search index build, off the request path (median)",
            f"{percentile([f.index_seconds for f in figures], 0.5):.3f} s",
            "-",
            "-",
        ),
        Row(
            "peak RSS after loading, before the index",
            f"{worst.rss_loaded_kib * 1024 / 1_000_000:.1f} MB",
            "-",
            "-",
        ),
        Row(
            "peak RSS with the search index (VmHWM)",
            f"{peak_mb:.1f} MB",
            f"< {MAX_PEAK_RSS_MB:g} MB",
            verdict(peak_mb < MAX_PEAK_RSS_MB),
        ),
        Row("RSS added by the load (peak - after imports)", f"{delta_mb:.1f} MB", "-", "-"),
        Row(
            "ru_maxrss (includes the parent's peak, see load_probe)",
            f"{worst.ru_maxrss_kib * 1024 / 1_000_000:.1f} MB",
            "-",
            "-",
        ),
        Row(
            "tips loaded / errors (every run)",
            f"{figures[0].tips:,} / {figures[0].errors}",
            f"{TIP_COUNT:,} / 0",
            verdict(valid),
        ),
    ]


def run(quick: bool) -> bool:
    """Run the benchmark and print its table; True when every target is met."""
    with tempfile.TemporaryDirectory(prefix="tipbot-bench-") as tmp:
        directory = Path(tmp)
        tips = write_tips(directory, FILES, TIPS_PER_FILE)
        size_mb = sum(p.stat().st_size for p in directory.iterdir()) / 1_000_000
        runs = QUICK_LOAD_RUNS if quick else LOAD_RUNS
        figures = [measure_load(directory) for _ in range(runs)]
    # The same tips the probe loaded from YAML, indexed here without parsing them again.
    library = Library(tuple(tips), generated_topics())
    rows = load_rows(figures) + measure_lookups(library, quick)
    table = render_table(
        ["measure", "figure", "target", "result"],
        [[row.what, row.figure, row.target, row.result] for row in rows],
    )
    words = len(VOCABULARY.words)
    print(
        f"Library at scale ({TIP_COUNT:,} generated tips in {FILES} files, {size_mb:.1f} MB of "
        f"YAML; Zipf-distributed words from a {words:,}-word vocabulary)\n"
    )
    print(table)
    return all(row.result != "FAIL" for row in rows)

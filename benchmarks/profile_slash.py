"""`python -m benchmarks.profile_slash`: where one `/tip` request spends its time, under cProfile.

Calls each app's `dispatch` directly in one thread with a signed request (no sockets, no
server), so the profile shows only what tipbot adds on top of Bolt: compare its CPU time per
request with the bare app's, then read the functions that account for the difference.
"""

import argparse
import cProfile
import pstats
import random
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from slack_bolt import App, BoltRequest

from benchmarks.floor_apps import bare_sync_app
from bot.config import Settings
from bot.runner import build_services
from bot.slack.app import create_app
from tests.signing import SIGNING_SECRET, signed_headers, slash_command_body
from tests.slack_stand_in import SlackStandIn

REQUESTS = 3_000
REPO = Path(__file__).resolve().parents[1]
# A random tip, a topic, and free-text search: the three paths a `/tip` takes.
TEXTS = ("", "mentoring", "cache popular items")


def tipbot_app(stand_in: SlackStandIn, data_dir: Path) -> App:
    """tipbot's real app with the shipped tips, its Web API pointed at the stand-in."""
    settings = Settings(
        bot_token="xoxb-bench-token",
        signing_secret=SIGNING_SECRET,
        api_url=stand_in.api_url,
        host="127.0.0.1",
        port=0,
        tips_dir=REPO / "tips",
        database_url=f"sqlite:///{data_dir / 'tipbot.db'}",
        scheduler_enabled=False,
    )
    return create_app(build_services(settings, random.Random(7)))


def signed_request(text: str) -> BoltRequest:
    """A signed `/tip <text>` as the server hands it to Bolt."""
    body = slash_command_body(text, "http://127.0.0.1:9/response/profile")
    headers: dict[str, str | Sequence[str]] = {
        name.lower(): value for name, value in signed_headers(body).items()
    }
    return BoltRequest(body=body, headers=headers)


def send(app: App, requests: int, profiler: cProfile.Profile | None = None) -> float:
    """CPU seconds per request over `requests` calls, rotating through TEXTS."""
    started = time.process_time()
    if profiler:
        profiler.enable()
    for index in range(requests):
        response = app.dispatch(signed_request(TEXTS[index % len(TEXTS)]))
        if response.status != 200:
            raise RuntimeError(f"unexpected status {response.status}: {response.body}")
    if profiler:
        profiler.disable()
    return (time.process_time() - started) / requests


def main() -> None:
    """Print CPU time per request for tipbot and the bare app, then tipbot's profile."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile_slash")
    parser.add_argument("--requests", type=int, default=REQUESTS)
    parser.add_argument("--top", type=int, default=30, help="functions to list")
    args = parser.parse_args()
    stand_in = SlackStandIn().start()
    profiler = cProfile.Profile()
    with tempfile.TemporaryDirectory(prefix="tipbot-profile-") as data_dir:
        try:
            tipbot = tipbot_app(stand_in, Path(data_dir))
            bare = bare_sync_app(SIGNING_SECRET, stand_in.api_url)
            for name, app in (("bare Bolt (pbr=True)", bare), ("tipbot /tip", tipbot)):
                send(app, 200)  # warm up imports and caches
                per_request = send(app, args.requests)
                print(f"{name}: {per_request * 1e6:,.0f} µs CPU per request (no profiler)")
            send(tipbot, args.requests, profiler)
        finally:
            stand_in.stop()
    stats = pstats.Stats(profiler)
    print(f"\ntipbot /tip under cProfile, {args.requests:,} requests, by cumulative time:")
    stats.sort_stats("cumulative").print_stats(args.top)
    print("by own time:")
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()

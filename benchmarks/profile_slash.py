"""`python -m benchmarks.profile_slash`: where one `/tip` request spends its time, under cProfile.

Calls each app's WSGI callable directly in one thread (no sockets, no waitress), so the
profile shows only what tipbot adds on top of Bolt: compare its CPU time per request with the
bare app's, then read the functions that account for the difference.
"""

import argparse
import cProfile
import io
import pstats
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from slack_bolt import App

from benchmarks.floor_apps import bare_sync_app
from bot.config import Settings
from bot.content.selection import TipPicker
from bot.runner import load_current_library, open_store
from bot.services import Services
from bot.slack.app import create_app
from bot.slack.server import EVENTS_PATH, wsgi_app
from tests.signing import SIGNING_SECRET, signed_headers, slash_command_body
from tests.slack_stand_in import SlackStandIn

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIEnvironment

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
    services = Services(
        settings=settings,
        library=load_current_library(settings),
        store=open_store(settings),
        picker=TipPicker(random.Random(7)),
    )
    return create_app(services)


def environ_for(text: str) -> "WSGIEnvironment":
    """A signed `/tip <text>` POST as waitress would hand it to the WSGI app."""
    body = slash_command_body(text, "http://127.0.0.1:9/response/profile")
    headers = signed_headers(body)
    return {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": EVENTS_PATH,
        "QUERY_STRING": "",
        "CONTENT_TYPE": headers["Content-Type"],
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_SLACK_REQUEST_TIMESTAMP": headers["X-Slack-Request-Timestamp"],
        "HTTP_X_SLACK_SIGNATURE": headers["X-Slack-Signature"],
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "3000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body.encode()),
        "wsgi.url_scheme": "http",
    }


def send(app: App, requests: int, profiler: cProfile.Profile | None = None) -> float:
    """CPU seconds per request over `requests` calls, rotating through TEXTS."""
    application = wsgi_app(app)
    bodies = [environ_for(text) for text in TEXTS]

    def start_response(
        status: str, _headers: list[tuple[str, str]], _exc_info: object = None, /
    ) -> Callable[[bytes], object]:
        if not status.startswith("200"):
            raise RuntimeError(f"unexpected status {status}")
        return _ignore_write

    started = time.process_time()
    if profiler:
        profiler.enable()
    for index in range(requests):
        environ = dict(bodies[index % len(bodies)])
        environ["wsgi.input"].seek(0)
        b"".join(application(environ, start_response))
    if profiler:
        profiler.disable()
    return (time.process_time() - started) / requests


def _ignore_write(_data: bytes) -> None:
    """WSGI's legacy write(); Bolt never calls it."""


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

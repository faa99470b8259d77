"""Serve the preview page with waitress: GET /, /matches, /fingerprint and /health only."""

import argparse
import signal
import sys
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from waitress.server import MultiSocketServer

from bot.config import load_settings
from bot.content.tip_errors import error_count
from bot.errors import TipbotError
from bot.http_server import bound_port, create_wsgi_server, stop_on_sigterm
from bot.preview.filters import Filters
from bot.preview.live_library import LiveLibrary
from bot.preview.page import CONTENT_SECURITY_POLICY, matches_json, render_page
from bot.time_source import Clock
from bot.wording import plural

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

# A local page for one admin: a few threads cover the open tab and its once-a-second poll.
THREADS = 4
TEXT = "text/plain; charset=utf-8"
NO_STORE = ("Cache-Control", "no-store")


def preview_app(library: LiveLibrary) -> "WSGIApplication":
    """The WSGI app: the page, the tips its search shows, the files' fingerprint, and health."""

    def application(environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path not in ("/", "/matches", "/fingerprint", "/health"):
            return _reply(start_response, "404 Not Found", TEXT, "Not found. The preview is at /\n")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            headers = [("Allow", "GET, HEAD")]
            return _reply(start_response, "405 Method Not Allowed", TEXT, "GET only\n", headers)
        if path == "/health":
            return _reply(start_response, "200 OK", TEXT, "tipbot preview is running\n")
        snapshot = library.current()
        if path == "/fingerprint":
            return _reply(start_response, "200 OK", TEXT, snapshot.fingerprint)
        filters = Filters.from_query(parse_qs(environ.get("QUERY_STRING", "")))
        if path == "/matches":
            matches = matches_json(snapshot, filters)
            return _reply(start_response, "200 OK", "application/json", matches)
        headers = [
            ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
            ("X-Content-Type-Options", "nosniff"),
        ]
        page = render_page(snapshot, filters)
        return _reply(start_response, "200 OK", "text/html; charset=utf-8", page, headers)

    return application


def _reply(
    start_response: "StartResponse",
    status: str,
    content_type: str,
    body: str,
    extra: list[tuple[str, str]] | None = None,
) -> list[bytes]:
    data = body.encode()
    headers = [("Content-Type", content_type), ("Content-Length", str(len(data))), NO_STORE]
    start_response(status, [*headers, *(extra or [])])
    return [data]


def create_preview_server(
    directory: Path, host: str, port: int, clock: Clock | None = None
) -> tuple[MultiSocketServer, LiveLibrary]:
    """A waitress server for the preview of `directory` (port 0 picks a free one), not running."""
    library = LiveLibrary(directory, clock or _local_now)
    # The page takes no request bodies, hence the tiny limit.
    server = create_wsgi_server(
        preview_app(library), host, port, threads=THREADS, ident="tipbot-preview", max_body=1024
    )
    return server, library


def page_url(host: str, port: int) -> str:
    """The address to open in a browser; a wildcard host is reachable on loopback."""
    if host in ("0.0.0.0", "", "::"):  # noqa: S104 - naming the wildcard, not binding to it
        host = "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def run_preview(args: argparse.Namespace) -> int:
    """Serve the preview until Ctrl-C or SIGTERM; prints the URL to open."""
    directory: Path = args.directory or load_settings(need_slack=False).tips_dir
    try:
        server, library = create_preview_server(directory, args.host, args.port)
    except OSError as exc:
        message = f"cannot listen on {args.host}:{args.port} ({exc.strerror or exc})"
        raise TipbotError(f"{message}; pick another with --port") from exc
    snapshot = library.current()
    tips = plural(len(snapshot.result.library), "tip")
    problems = plural(error_count(snapshot.result.errors), "problem")
    print(f"Previewing {tips} from {directory} ({problems}).")
    print(f"Open {page_url(args.host, bound_port(server))} (Ctrl-C to stop)", flush=True)
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    try:
        server.run()
    except KeyboardInterrupt:
        print("Preview stopped.", file=sys.stderr)
    finally:
        server.close()
    return 0


def _local_now() -> datetime:
    return datetime.now().astimezone()

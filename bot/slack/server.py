"""Serve Slack's requests: gunicorn pre-forking uvicorn workers over HTTP, or Socket Mode.

`tipbot serve` is one command that uses every core: a gunicorn master forks
`WEB_CONCURRENCY` workers (default: the cores this process may run on), restarts any that
die, and on SIGTERM lets each finish the requests it has before it exits. Each worker runs
an asyncio event loop (uvicorn, with uvloop and httptools), so hundreds of idle or slow
clients cost sockets, not threads, and builds its own app after the fork: its own
database connections, file watcher and scheduler (see `bot.runner.build_web_worker`).
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, ClassVar

from gunicorn.app.base import BaseApplication
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse
from uvicorn_worker import UvicornWorker

from bot import metrics
from bot.config import Settings
from bot.slack.install_pages import HTML_HEADERS, landing_page
from bot.slack.signed_requests import CheckedRequestHandler

logger = logging.getLogger(__name__)

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

EVENTS_PATH = "/slack/events"
HEALTH_PATHS = ("/", "/health")
# Seconds a stopping worker gives the requests it has before it is killed.
GRACEFUL_TIMEOUT = 30
# Seconds an idle keep-alive connection stays open (Slack opens a new one per request).
KEEPALIVE = 5


class TipbotWeb:
    """The ASGI app: POST /slack/events to Bolt once checked, GET /health; stops cleanly.

    In OAuth mode also the landing page at GET /, and Bolt's install flow at GET
    /slack/install and /slack/oauth_redirect. A single-workspace tipbot has nothing to
    install: / stays the plain "running" answer that platforms' health checks may already
    poll, and the install paths are 404 as before.
    """

    def __init__(self, app: App, signing_secret: str, on_shutdown: Callable[[], None]) -> None:
        self.slack = CheckedRequestHandler(app, signing_secret, EVENTS_PATH)
        self.on_shutdown = on_shutdown
        self.oauth_flow = app.oauth_flow
        self.landing: bytes | None = None
        self.install_paths: dict[str, Callable[[BoltRequest], BoltResponse]] = {}
        if self.oauth_flow is not None:
            self.landing = landing_page(self.oauth_flow.install_path).encode()
            self.install_paths = {
                self.oauth_flow.install_path: self.oauth_flow.handle_installation,
                self.oauth_flow.redirect_uri_path: self.oauth_flow.handle_callback,
            }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Route one ASGI connection."""
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
        elif scope["type"] != "http":
            return
        elif scope["method"] in ("GET", "HEAD") and scope["path"] == "/" and self.landing:
            await send_bytes(send, 200, self.landing, HTML_HEADERS)
        elif scope["method"] in ("GET", "HEAD") and scope["path"] in HEALTH_PATHS:
            await send_text(send, 200, "tipbot is running\n")
        elif scope["method"] == "GET" and scope["path"] in self.install_paths:
            await self.install(scope, send, self.install_paths[scope["path"]])
        elif scope["method"] in ("GET", "HEAD") and scope["path"] == metrics.PATH:
            await metrics.answer_scrape(scope, send)  # not Slack's: no signature
        else:
            await self.slack(scope, receive, send)  # type: ignore[arg-type]

    async def install(
        self, scope: Scope, send: Send, handle: Callable[[BoltRequest], BoltResponse]
    ) -> None:
        """One step of Bolt's install flow, off the event loop: it calls Slack and the
        database (oauth.v2.access, then storing the install)."""
        headers: dict[str, str | list[str]] = {}
        cookies: list[str] = []
        for name, value in scope["headers"]:
            key = name.decode("latin-1").lower()
            text = value.decode("latin-1")
            if key == "cookie":
                cookies.append(text)
            else:
                headers[key] = text
        # Bolt looks for the state cookie in every Cookie header it is given.
        headers["cookie"] = cookies
        query = scope.get("query_string", b"").decode("latin-1")
        request = BoltRequest(body="", query=query, headers=dict(headers))
        response = await asyncio.to_thread(handle, request)
        await send_bolt_response(send, response)

    async def lifespan(self, receive: Receive, send: Send) -> None:
        """Start at once (the worker built everything already); on shutdown, stop in order."""
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                # Stopping waits for a weekly post in flight, so it runs off the loop.
                await asyncio.to_thread(self.on_shutdown)
                await send({"type": "lifespan.shutdown.complete"})
                return


async def send_text(send: Send, status: int, text: str) -> None:
    """Answer with a short plain-text body."""
    await send_bytes(send, status, text.encode(), {"content-type": "text/plain; charset=utf-8"})


async def send_bytes(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    """Answer with `body` and `headers`."""
    raw = [(name.lower().encode(), value.encode("latin-1")) for name, value in headers.items()]
    raw.append((b"content-length", b"%d" % len(body)))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def send_bolt_response(send: Send, response: BoltResponse) -> None:
    """Answer with what Bolt's flow decided: status, every header (Set-Cookie too), body."""
    body = response.body.encode() if isinstance(response.body, str) else bytes(response.body)
    raw = [
        (name.lower().encode(), value.encode("latin-1"))
        for name, values in response.headers.items()
        if name.lower() != "content-length"
        for value in values
    ]
    raw.append((b"content-length", b"%d" % len(body)))
    await send({"type": "http.response.start", "status": response.status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class TipbotWorker(UvicornWorker):  # type: ignore[misc]  # uvicorn-worker ships no types
    """gunicorn's worker for tipbot: uvicorn with uvloop and httptools, lifespan on."""

    CONFIG_KWARGS: ClassVar[dict[str, Any]] = {
        "loop": "auto",
        "http": "auto",
        "lifespan": "on",
        "server_header": False,
    }


class TipbotServer(BaseApplication):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn, configured from Settings rather than its command line."""

    def __init__(self, settings: Settings, build_worker: Callable[[], TipbotWeb]) -> None:
        self.settings = settings
        self.build_worker = build_worker
        super().__init__()

    def load_config(self) -> None:
        """Bind, worker count and class, timeouts; no access log (Slack's requests are many)."""
        config = {
            "bind": f"{self.settings.host}:{self.settings.port}",
            "workers": self.settings.web_concurrency,
            "worker_class": f"{__name__}.TipbotWorker",
            "graceful_timeout": GRACEFUL_TIMEOUT,
            "timeout": GRACEFUL_TIMEOUT,
            "keepalive": KEEPALIVE,
            "proc_name": "tipbot",
            "accesslog": None,
            # gunicorn's runtime control socket lives at one path per user: two tipbots on
            # one machine would fight over it, and tipbot is managed by its platform.
            "control_socket_disable": True,
            # LOG_FORMAT=json reaches gunicorn's and uvicorn's own lines too.
            "logger_class": "bot.gunicorn_log.FormattedLogger",
            "child_exit": metrics.worker_exited,
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> TipbotWeb:
        """Build the app in a freshly forked worker."""
        return self.build_worker()


def serve_http(settings: Settings, build_worker: Callable[[], TipbotWeb]) -> None:
    """Block serving HTTP on HOST:PORT with `settings.web_concurrency` workers."""
    logger.info(
        "Listening on http://%s:%d%s with %d workers",
        settings.host,
        settings.port,
        EVENTS_PATH,
        settings.web_concurrency,
    )
    metrics.prepare_for_workers(settings)
    TipbotServer(settings, build_worker).run()


def serve_socket_mode(app: App, settings: Settings) -> None:
    """Block answering Slack over Socket Mode (no public URL needed)."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415

    logger.info("Connecting to Slack in Socket Mode")
    SocketModeHandler(app, settings.app_token).start()  # type: ignore[no-untyped-call]

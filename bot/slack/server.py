"""Serve the Bolt app over HTTP with waitress, a production WSGI server in pure Python."""

import logging
from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from waitress.server import MultiSocketServer

from bot.config import Settings
from bot.http_server import bound_port, create_wsgi_server
from bot.slack.signed_requests import CheckedRequestHandler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATHS = ("/", "/health")
# Enough threads that 50 concurrent slash commands queue briefly rather than wait on each other.
THREADS = 16


def wsgi_app(app: App, signing_secret: str) -> "WSGIApplication":
    """POST /slack/events goes to Bolt once signed and readable; GET /health says we are up."""
    slack = CheckedRequestHandler(app, signing_secret, path=EVENTS_PATH)

    def application(environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") == "GET" and environ.get("PATH_INFO") in HEALTH_PATHS:
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"tipbot is running\n"]
        return slack(environ, start_response)

    return application


def create_http_server(app: App, host: str, port: int, *, signing_secret: str) -> MultiSocketServer:
    """A waitress server for the bot bound to host:port (0 picks a free one), not yet running."""
    # Slack sends small bodies; refuse anything large before reading it.
    application = wsgi_app(app, signing_secret)
    return create_wsgi_server(
        application, host, port, threads=THREADS, ident="tipbot", max_body=1_048_576
    )


def serve_slack(app: App, settings: Settings) -> None:
    """Block serving Slack's requests: Socket Mode with an app token, else HTTP on PORT."""
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415

        logger.info("Connecting to Slack in Socket Mode")
        SocketModeHandler(app, settings.app_token).start()  # type: ignore[no-untyped-call]
        return
    server = create_http_server(
        app, settings.host, settings.port, signing_secret=settings.signing_secret
    )
    logger.info("Listening on http://%s:%d/slack/events", settings.host, bound_port(server))
    try:
        server.run()
    finally:
        server.close()

"""The floors: bare Bolt apps whose `/tip` only acks a fixed string, as each server runs them.

Each server process builds its app from the environment, as a real deployment would:
SLACK_SIGNING_SECRET, and SLACK_API_URL pointing at the benchmark's stand-in, where Bolt checks
the token with one auth.test. Servers import the factories by name:

    gunicorn 'benchmarks.floor_apps:sync_wsgi()'
    uvicorn --factory benchmarks.floor_apps:async_asgi
    python -m benchmarks.floor_apps PORT     (waitress, as tipbot serves today)
"""

import os
import sys
from typing import TYPE_CHECKING

import waitress
from slack_bolt import Ack, App
from slack_bolt.adapter.asgi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk import WebClient
from slack_sdk.web.async_client import AsyncWebClient

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

EVENTS_PATH = "/slack/events"
FIXED_ANSWER = "fixed string"
BOT_TOKEN = "xoxb-bench"
# tipbot's waitress today (bot.slack.server.THREADS); fixed here so the floor stays put.
WAITRESS_THREADS = 16


def bare_sync_app(signing_secret: str, api_url: str) -> App:
    """Bolt's sync App with `process_before_response=True`, as tipbot configures it."""
    app = App(
        client=WebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=signing_secret,
        process_before_response=True,
    )

    @app.command("/tip")
    def ack_fixed(ack: Ack) -> None:
        ack(FIXED_ANSWER)

    return app


def bare_async_app(signing_secret: str, api_url: str) -> AsyncApp:
    """Bolt's AsyncApp with `process_before_response=True`."""
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=api_url),
        signing_secret=signing_secret,
        process_before_response=True,
    )

    @app.command("/tip")
    async def ack_fixed(ack: AsyncAck) -> None:
        await ack(FIXED_ANSWER)

    return app


def sync_wsgi() -> "WSGIApplication":
    """The sync app behind Bolt's WSGI adapter, configured from the environment."""
    app = bare_sync_app(os.environ["SLACK_SIGNING_SECRET"], os.environ["SLACK_API_URL"])
    return SlackRequestHandler(app, path=EVENTS_PATH)


def async_asgi() -> AsyncSlackRequestHandler:
    """The async app behind Bolt's ASGI adapter, configured from the environment."""
    app = bare_async_app(os.environ["SLACK_SIGNING_SECRET"], os.environ["SLACK_API_URL"])
    return AsyncSlackRequestHandler(app, path=EVENTS_PATH)


def serve_on_waitress(port: int) -> None:
    """Serve the sync app with waitress on loopback until the process is stopped."""
    waitress.serve(sync_wsgi(), host="127.0.0.1", port=port, threads=WAITRESS_THREADS)


if __name__ == "__main__":
    serve_on_waitress(int(sys.argv[1]))

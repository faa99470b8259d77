"""Wire the pieces together and run them: the library, the Bolt app, the server."""

import logging
import signal
from types import FrameType

from bot.config import Settings
from bot.content.current import CurrentLibrary
from bot.content.loader import load_library
from bot.services import Services, utc_now
from bot.slack.app import create_app
from bot.slack.server import bound_port, create_http_server

logger = logging.getLogger(__name__)


def load_current_library(settings: Settings) -> CurrentLibrary:
    """Load the tips, logging every error; a broken file never stops the good tips serving."""
    result = load_library(settings.tips_dir)
    for error in result.errors:
        logger.error("Invalid tip file: %s", error)
    logger.info("Loaded %d tips from %s", len(result.library), settings.tips_dir)
    return CurrentLibrary(result, utc_now())


def build_services(settings: Settings) -> Services:
    """Everything the listeners need, built once."""
    return Services(settings=settings, library=load_current_library(settings))


def run(settings: Settings) -> None:
    """Serve Slack over HTTP, or over Socket Mode when an app-level token is set."""
    services = build_services(settings)
    app = create_app(services)
    if settings.socket_mode:
        from slack_bolt.adapter.socket_mode import SocketModeHandler  # noqa: PLC0415

        logger.info("Connecting to Slack in Socket Mode")
        SocketModeHandler(app, settings.app_token).start()  # type: ignore[no-untyped-call]
        return
    server = create_http_server(app, settings.host, settings.port)
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    logger.info("Listening on http://%s:%d/slack/events", settings.host, bound_port(server))
    try:
        server.run()
    except KeyboardInterrupt:
        logger.info("Shutting down")
    finally:
        server.close()


def stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Platforms stop a process with SIGTERM; treat it like Ctrl-C so shutdown is clean."""
    raise KeyboardInterrupt

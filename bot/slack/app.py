"""The Bolt app factory: one App, its Web API client, its error handler and listeners."""

import logging
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.config import Settings
from bot.services import Services
from bot.slack.listeners import register_listeners
from bot.slack.retrying import RetryAfterHandler

logger = logging.getLogger(__name__)


def create_client(settings: Settings) -> WebClient:
    """A Web API client pointed at SLACK_API_URL that retries rate limits and server errors."""
    return WebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        timeout=10,
        retry_handlers=[
            ConnectionErrorRetryHandler(max_retry_count=2),
            # Not the SDK's RateLimitErrorRetryHandler: its jitter wastes a third of the limit.
            RetryAfterHandler(max_retry_count=5),
            ServerErrorRetryHandler(max_retry_count=2),
        ],
    )


def create_app(services: Services, client: WebClient | None = None) -> App:
    """Build the Bolt app for HTTP or Socket Mode."""
    settings = services.settings
    app = App(
        client=client or create_client(settings),
        signing_secret=settings.signing_secret or None,
        # Listeners answer in the ack and push slow work to lazy listeners, so Bolt need not
        # poll for the ack on a second thread (that polling costs about 10 ms per request).
        process_before_response=True,
        logger=logging.getLogger("slack_bolt"),
    )

    @app.error
    def log_error(error: Exception, body: dict[str, Any]) -> None:
        kind = body.get("type") or ("command" if "command" in body else "request")
        logger.error("Unhandled error in a %s listener", kind, exc_info=error)

    register_listeners(app, services)
    return app

"""Wire the pieces together and run them: the library, the store, the Bolt app, the server."""

import logging
import signal
import threading
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler

from bot.clock import utc_now
from bot.config import Settings
from bot.content.current import CurrentLibrary
from bot.content.loader import load_library
from bot.content.reloading import LibraryReloader
from bot.content.tip_errors import log_errors
from bot.content.watching import watch_tips
from bot.http_server import stop_on_sigterm
from bot.scheduler import NuggetJob, start_scheduler
from bot.services import Services
from bot.slack.admin_notices import AdminNotifier
from bot.slack.app import create_app
from bot.slack.posting import SlackNotifier, SlackPoster
from bot.slack.server import serve_slack
from bot.store.database import engine_from_url, migrate
from bot.store.sql import SqlStore

if TYPE_CHECKING:
    from slack_bolt import App

logger = logging.getLogger(__name__)


def load_current_library(settings: Settings) -> CurrentLibrary:
    """Load the tips, logging every error; a broken file never stops the good tips serving."""
    result = load_library(settings.tips_dir)
    result.library.warm()
    log_errors(logger, "Invalid tip file", result.errors)
    logger.info("Loaded %d tips from %s", len(result.library), settings.tips_dir)
    return CurrentLibrary(result, utc_now())


def open_store(settings: Settings) -> SqlStore:
    """Connect to DATABASE_URL and bring its schema up to date."""
    engine = engine_from_url(settings.database_url)
    migrate(engine)
    logger.info("Database ready (%s)", engine.url.get_backend_name())
    return SqlStore(engine)


def start_reloading(
    app: "App", services: Services, stop: threading.Event, *, tell_admins: bool
) -> None:
    """Reload tips when files change; with `tell_admins`, DM them about bad files once."""
    settings = services.settings
    notifier = AdminNotifier(app.client, settings.admins, settings.command) if tell_admins else None
    reloader = LibraryReloader(
        services.library,
        services.settings.tips_dir,
        services.clock,
        notifier.tip_errors if notifier else None,
    )
    services.reloader = reloader
    reloader.report_current_errors()
    directory = services.settings.tips_dir
    if directory.is_dir():
        watch_tips(directory, reloader, stop)
    else:
        logger.warning("Not watching %s: no such directory; /tip reload still works", directory)


def build_services(settings: Settings) -> Services:
    """Everything the listeners and the scheduler need, built once."""
    return Services(
        settings=settings, library=load_current_library(settings), store=open_store(settings)
    )


def scheduler_for(app: "App", services: Services) -> BackgroundScheduler:
    """Start the weekly tip scheduler, posting through the app's Web API client."""
    poster = SlackPoster(app.client)
    notifier = SlackNotifier(app.client, services.settings.command)
    return start_scheduler(NuggetJob(services, poster, notifier))


def run(settings: Settings) -> None:
    """Serve Slack over HTTP (or Socket Mode), with the scheduler unless it is switched off."""
    run_until_stopped(settings, answer_slack=True, schedule=settings.scheduler_enabled)


def run_clock(settings: Settings) -> None:
    """Run only the scheduler, for deployments with several web processes."""
    run_until_stopped(settings, answer_slack=False, schedule=True)


def run_until_stopped(settings: Settings, *, answer_slack: bool, schedule: bool) -> None:
    """Start the parts asked for, block until SIGTERM or Ctrl-C, then stop them in order."""
    services = build_services(settings)
    app = create_app(services)
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    stop = threading.Event()
    # Both process kinds follow edits to the files: the clock posts tips too. Only the one
    # running the scheduler (one per deployment) DMs the admins, so they hear it once.
    start_reloading(app, services, stop, tell_admins=schedule)
    scheduler = scheduler_for(app, services) if schedule else None
    try:
        if answer_slack:
            serve_slack(app, settings)
        else:
            stop.wait()
    except KeyboardInterrupt:
        logger.info("Shutting down")
    finally:
        stop.set()
        if scheduler is not None:
            # Let a post in flight finish so its ledger row ends as sent, not interrupted.
            scheduler.shutdown(wait=True)

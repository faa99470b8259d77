"""Wire the pieces together and run them: the library, the store, the Bolt app, the server."""

import logging
import random
import signal
import threading
from datetime import timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.background import BackgroundScheduler

from bot import metrics
from bot.config import Settings
from bot.content.current import CurrentLibrary
from bot.content.loader import load_library
from bot.content.reloading import LibraryReloader
from bot.content.selection import TipPicker
from bot.content.tip_errors import log_errors
from bot.content.watching import watch_tips
from bot.http_server import stop_on_sigterm
from bot.scheduler import (
    NuggetJob,
    SchedulerLease,
    lease_for,
    start_scheduler,
    stop_scheduler,
)
from bot.services import Services
from bot.slack.admin_notices import AdminNotifier
from bot.slack.app import create_app
from bot.slack.installations import Installations, open_installations
from bot.slack.posting import slack_posters
from bot.slack.server import TipbotWeb, serve_http, serve_socket_mode
from bot.slack.workspace_clients import OneBotToken, TokenPerWorkspace, WorkspaceClients
from bot.store.database import engine_from_url, migrate
from bot.store.recent_tips import StoredRecentTips
from bot.store.sql import SqlStore
from bot.time_source import utc_now

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
    migrate(engine, utc_now())
    logger.info("Database ready (%s)", engine.url.get_backend_name())
    return SqlStore(engine)


# How long admins are not DMed again about the very same errors in the tip files.
ADMIN_DM_QUIET_PERIOD = timedelta(hours=24)


def start_reloading(app: "App", services: Services, stop: threading.Event) -> None:
    """Reload tips when files change; DM admins about bad files once across all processes."""
    settings = services.settings

    def first_time(key: str) -> bool:
        return services.store.first_time(key, services.clock(), ADMIN_DM_QUIET_PERIOD)

    # In OAuth mode the app's own client holds no token, and TIPBOT_ADMINS may be in any
    # workspace: broken files go to the log only.
    admins = () if settings.oauth else settings.admins
    notifier = AdminNotifier(app.client, admins, settings.command, first_time)
    reloader = LibraryReloader(
        services.library, services.settings.tips_dir, services.clock, notifier.tip_errors
    )
    services.reloader = reloader
    reloader.report_current_errors()
    directory = services.settings.tips_dir
    if directory.is_dir():
        watch_tips(directory, reloader, stop)
    else:
        logger.warning("Not watching %s: no such directory; /tip reload still works", directory)


def build_services(settings: Settings, rng: random.Random | None = None) -> Services:
    """Everything the listeners and the scheduler need, built once (tests pass a seeded rng)."""
    store = open_store(settings)
    return Services(
        settings=settings,
        library=load_current_library(settings),
        store=store,
        picker=TipPicker(rng, StoredRecentTips(store, utc_now)),
    )


def installations_for(services: Services) -> Installations | None:
    """OAuth mode's installation store, on the bot's own database; None for one workspace."""
    if not services.settings.oauth:
        return None
    store = services.store
    assert isinstance(store, SqlStore), "the installs live in the bot's SQL database"
    return open_installations(services.settings, store.engine)


def posting_clients(services: Services) -> WorkspaceClients:
    """Whose token posts for a workspace: SLACK_BOT_TOKEN's for every workspace, or in OAuth
    mode the workspace's own install (none when tipbot is not installed there)."""
    installations = installations_for(services)
    if installations is None:
        return OneBotToken(services.settings)
    return TokenPerWorkspace(services.settings, installations.bot_token)


def nugget_job(services: Services) -> NuggetJob:
    """The scheduler's minute job, posting with each workspace's client, whose tokens are
    read afresh as each tick starts."""
    clients = posting_clients(services)
    poster, notifier, check_in_poster = slack_posters(services.settings, clients)
    return NuggetJob(services, poster, notifier, check_in_poster, before_tick=clients.next_tick)


def scheduler_for(app: "App", services: Services) -> tuple[BackgroundScheduler, SchedulerLease]:
    """Start the scheduler (weekly tips, then check-ins) posting with each workspace's client."""
    job = nugget_job(services)
    lease = lease_for(job)
    return start_scheduler(job, lease), lease


def run(settings: Settings) -> None:
    """Serve Slack over HTTP (or Socket Mode), with the scheduler unless it is switched off."""
    if settings.socket_mode:
        run_until_stopped(settings, answer_slack=True, schedule=settings.scheduler_enabled)
    else:
        serve_http(settings, lambda: build_web_worker(settings))


def build_web_worker(settings: Settings) -> TipbotWeb:
    """Everything one HTTP worker runs, built after the fork: app, watcher, scheduler."""
    metrics.start_recording(settings)
    services = build_services(settings)
    app = create_app(services, installations=installations_for(services))
    stop = threading.Event()
    start_reloading(app, services, stop)
    scheduling = scheduler_for(app, services) if settings.scheduler_enabled else None

    def shut_down() -> None:
        stop.set()
        if scheduling is not None:
            stop_scheduler(*scheduling)

    return TipbotWeb(app, settings.signing_secret, shut_down)


def run_clock(settings: Settings) -> None:
    """Run only the scheduler, for deployments with several web processes."""
    run_until_stopped(settings, answer_slack=False, schedule=True)


def run_until_stopped(settings: Settings, *, answer_slack: bool, schedule: bool) -> None:
    """One process (Socket Mode, or the clock): start the parts asked for, block until
    SIGTERM or Ctrl-C, then stop them in order."""
    metrics.serve_alone(settings)  # before the scheduler's first tick, so it is counted
    services = build_services(settings)
    app = create_app(services, installations=installations_for(services))
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    stop = threading.Event()
    scheduling = None
    # Starting inside the try: a SIGTERM that lands while the scheduler starts (its
    # catch-up tick posts at once) still stops what has started, in the finally below.
    try:
        # Both process kinds follow edits to the files: the clock posts tips too.
        start_reloading(app, services, stop)
        scheduling = scheduler_for(app, services) if schedule else None
        if answer_slack:
            serve_socket_mode(app, settings)
        else:
            # SIGTERM delivered to another thread (the fan-out's, the watcher's) does not wake
            # a wait without a timeout, so the handler would never run: wake once a second.
            while not stop.wait(timeout=1.0):
                pass
    except KeyboardInterrupt:
        logger.info("Shutting down")
    finally:
        stop.set()
        if scheduling is not None:
            stop_scheduler(*scheduling)

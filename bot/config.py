"""One frozen Settings object, read from the environment and checked once at start."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError
from bot.log_format import LOG_FORMATS
from bot.nuggets.timezones import resolve_timezone

SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DATABASE_URL = "sqlite:///data/tipbot.db"

MISSING_CREDENTIALS = """\
tipbot cannot start: {missing} {verb} not set.

Create the Slack app from manifest.yml (https://api.slack.com/apps > Create New App >
From an app manifest), install it to your workspace, then set:
  SLACK_BOT_TOKEN       OAuth & Permissions > Bot User OAuth Token (starts with xoxb-)
  SLACK_SIGNING_SECRET  Basic Information > App Credentials > Signing Secret
  SLACK_APP_TOKEN       optional, for Socket Mode: Basic Information > App-Level Tokens,
                        with the connections:write scope (starts with xapp-)
Put them in the environment (or a .env file your platform loads) and start tipbot again.

To offer "Add to Slack" to many workspaces instead (OAuth mode), leave SLACK_BOT_TOKEN unset
and set SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_SIGNING_SECRET (Basic Information >
App Credentials)."""

BOTH_MODES = """\
tipbot cannot start: SLACK_BOT_TOKEN and SLACK_CLIENT_ID/SLACK_CLIENT_SECRET are both set.

Pick one:
  single workspace  set SLACK_BOT_TOKEN and unset SLACK_CLIENT_ID and SLACK_CLIENT_SECRET
  Add to Slack      unset SLACK_BOT_TOKEN; every workspace's token then comes from its
                    install (GET /slack/install)"""

HALF_OAUTH = """\
tipbot cannot start: {present} is set but {missing} is not.

OAuth mode ("Add to Slack" for many workspaces) needs both, from Basic Information > App
Credentials; unset both to run for one workspace with SLACK_BOT_TOKEN."""

OAUTH_WITHOUT_HTTP = """\
tipbot cannot start: OAuth mode needs HTTP, but SLACK_APP_TOKEN asks for Socket Mode.

Installs come back to GET /slack/oauth_redirect on a public URL: unset SLACK_APP_TOKEN
and set SLACK_SIGNING_SECRET."""


@dataclass(frozen=True)
class Settings:
    """Everything tipbot reads from its environment; secrets are kept out of repr()."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
    # OAuth mode: both set, and no bot token; each workspace's token comes from its install.
    client_id: str | None = None
    client_secret: str | None = field(default=None, repr=False)
    # Where Slack sends the installer back; unset, Slack uses the app's one redirect URL.
    redirect_uri: str | None = None
    api_url: str = SLACK_API_URL
    port: int = 3000
    host: str = "0.0.0.0"  # noqa: S104 - a web dyno must listen on every interface.
    tips_dir: Path = Path("tips")
    command: str = "/tip"
    database_url: str = field(default=DEFAULT_DATABASE_URL, repr=False)
    timezone: str = "UTC"
    admins: frozenset[str] = frozenset()
    grace_hours: float = 12.0
    scheduler_enabled: bool = True
    scheduler_lease_seconds: float = 90.0
    web_concurrency: int = 1
    log_level: str = "INFO"
    # Web API calls waiting on Slack at once across all workspaces (see bot/slack/pacing.py).
    slack_calls_in_flight: int = 64
    # Posts a second per workspace, if set; else each workspace is paced by Slack's 429s.
    slack_workspace_rate: float = 0.0
    log_format: str = "text"
    metrics_enabled: bool = False
    metrics_token: str | None = field(default=None, repr=False)

    @property
    def oauth(self) -> bool:
        """True when tipbot serves many workspaces, each with the token its install gave."""
        return bool(self.client_id and self.client_secret)

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token asks for Socket Mode instead of HTTP."""
        return bool(self.app_token)

    def is_admin(self, user_id: str) -> bool:
        """Whether `user_id` is named in TIPBOT_ADMINS (an operator: an admin everywhere).

        Requests ask bot.slack.admins.is_admin, which adds each workspace's own admins.
        """
        return user_id in self.admins


def load_settings(
    env: Mapping[str, str] | None = None, need_slack: bool = True, serves_slack: bool = True
) -> Settings:
    """Read and check the environment; raises ConfigError with a message a person can act on.

    `serves_slack` is False for the clock process: it only calls Slack, so it needs the bot
    token but no signing secret.
    """
    env = os.environ if env is None else env
    bot_token = env.get("SLACK_BOT_TOKEN", "").strip()
    signing_secret = env.get("SLACK_SIGNING_SECRET", "").strip()
    app_token = env.get("SLACK_APP_TOKEN", "").strip() or None
    client_id = env.get("SLACK_CLIENT_ID", "").strip() or None
    client_secret = env.get("SLACK_CLIENT_SECRET", "").strip() or None
    oauth = _oauth_mode(bot_token, client_id, client_secret, app_token)
    if need_slack:
        # In OAuth mode each workspace's bot token comes from its install, in the database.
        missing = [] if oauth or bot_token else ["SLACK_BOT_TOKEN"]
        if serves_slack and not signing_secret and not app_token:
            missing.append("SLACK_SIGNING_SECRET")
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise ConfigError(MISSING_CREDENTIALS.format(missing=" and ".join(missing), verb=verb))
    command = env.get("TIPBOT_COMMAND", "/tip").strip() or "/tip"
    return Settings(
        bot_token=bot_token,
        signing_secret=signing_secret,
        app_token=app_token,
        client_id=client_id,
        client_secret=client_secret,
        redirect_uri=env.get("SLACK_REDIRECT_URI", "").strip() or None,
        api_url=_api_url(env.get("SLACK_API_URL", "")),
        port=_integer(env, "PORT", 3000),
        host=env.get("HOST", "0.0.0.0"),  # noqa: S104 - see Settings.host
        tips_dir=Path(env.get("TIPS_DIR", "tips")),
        command=command if command.startswith("/") else f"/{command}",
        database_url=env.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        timezone=_timezone(env.get("TIPBOT_TIMEZONE", "UTC")),
        admins=frozenset(u.strip() for u in env.get("TIPBOT_ADMINS", "").split(",") if u.strip()),
        grace_hours=_number(env, "TIPBOT_GRACE_HOURS", 12.0, "hours"),
        scheduler_enabled=_switch(env, "TIPBOT_SCHEDULER", default=True),
        scheduler_lease_seconds=_number(env, "TIPBOT_SCHEDULER_LEASE_SECONDS", 90.0, "seconds"),
        web_concurrency=_positive(env, "WEB_CONCURRENCY", default=available_cores()),
        log_level=env.get("LOG_LEVEL", "INFO").upper(),
        slack_calls_in_flight=_positive(env, "TIPBOT_SLACK_CALLS_IN_FLIGHT", default=64),
        slack_workspace_rate=_number(env, "TIPBOT_SLACK_WORKSPACE_RATE", 0.0, "posts a second"),
        log_format=_choice(env, "LOG_FORMAT", LOG_FORMATS),
        metrics_enabled=_switch(env, "TIPBOT_METRICS", default=False),
        metrics_token=env.get("TIPBOT_METRICS_TOKEN", "").strip() or None,
    )


def _oauth_mode(
    bot_token: str, client_id: str | None, client_secret: str | None, app_token: str | None
) -> bool:
    """Whether the settings ask for OAuth mode; ConfigError when they contradict each other."""
    if not client_id and not client_secret:
        return False
    if bool(client_id) != bool(client_secret):
        present, missing = (
            ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")
            if client_id
            else ("SLACK_CLIENT_SECRET", "SLACK_CLIENT_ID")
        )
        raise ConfigError(HALF_OAUTH.format(present=present, missing=missing))
    if bot_token:
        raise ConfigError(BOTH_MODES)
    if app_token:
        raise ConfigError(OAUTH_WITHOUT_HTTP)
    return True


def _api_url(value: str) -> str:
    url = value.strip() or SLACK_API_URL
    return url if url.endswith("/") else f"{url}/"


def _integer(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}.") from None


def available_cores() -> int:
    """How many cores this process may run on (a container's share, not the host's)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _positive(env: Mapping[str, str], name: str, default: int) -> int:
    value = _integer(env, name, default)
    if value < 1:
        raise ConfigError(f"{name} must be at least 1, got {value}.")
    return value


def _number(env: Mapping[str, str], name: str, default: float, unit: str) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of {unit}, got {raw!r}.") from None
    if value < 0:
        raise ConfigError(f"{name} cannot be negative, got {raw!r}.")
    return value


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "true", "1", "yes"):
        return True
    if raw in ("off", "false", "0", "no"):
        return False
    raise ConfigError(f"{name} must be on or off, got {raw!r}.")


def _choice(env: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices` (the first when unset), in any case."""
    raw = env.get(name, "").strip().lower()
    if not raw:
        return choices[0]
    if raw not in choices:
        raise ConfigError(f"{name} must be {' or '.join(choices)}, got {raw!r}.")
    return raw


def _timezone(raw: str) -> str:
    name = raw.strip() or "UTC"
    zone = resolve_timezone(name)
    if zone is None:
        message = f"TIPBOT_TIMEZONE must be an IANA zone such as Europe/Berlin, got {name!r}."
        raise ConfigError(message)
    return zone

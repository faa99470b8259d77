"""One frozen Settings object, read from the environment and checked once at start."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError
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
Put them in the environment (or a .env file your platform loads) and start tipbot again."""


@dataclass(frozen=True)
class Settings:
    """Everything tipbot reads from its environment; secrets are kept out of repr()."""

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    app_token: str | None = field(default=None, repr=False)
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

    @property
    def socket_mode(self) -> bool:
        """True when an app-level token asks for Socket Mode instead of HTTP."""
        return bool(self.app_token)

    def is_admin(self, user_id: str) -> bool:
        """Whether `user_id` is named in TIPBOT_ADMINS."""
        return user_id in self.admins

    def may(self, access: str, user_id: str) -> bool:
        """Whether `user_id` passes a subcommand's access rule (see bot.subcommands.Access)."""
        if access == "admins":
            return self.is_admin(user_id)
        if access == "admins-if-set":
            return not self.admins or self.is_admin(user_id)
        return True


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
    if need_slack:
        missing = [name for name, value in (("SLACK_BOT_TOKEN", bot_token),) if not value]
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
    )


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


def _timezone(raw: str) -> str:
    name = raw.strip() or "UTC"
    zone = resolve_timezone(name)
    if zone is None:
        message = f"TIPBOT_TIMEZONE must be an IANA zone such as Europe/Berlin, got {name!r}."
        raise ConfigError(message)
    return zone

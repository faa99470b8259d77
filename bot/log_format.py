"""How log lines look: today's text, or one JSON object per line (LOG_FORMAT=json).

Both formats go through the standard library's logging, so every logger (tipbot's, Bolt's,
slack-sdk's, APScheduler's, gunicorn's and uvicorn's, see bot/gunicorn_log.py) comes out
the same way. Both also blank out Slack tokens and the secrets tipbot was given, in case a
library ever puts one in a message: a log line is read by more people than a secret is.
"""

import json
import logging
import re
import sys
import threading
from collections.abc import Iterable
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(process)d] %(name)s: %(message)s"
REDACTED = "[redacted]"
# Slack's tokens: bot (xoxb-), user (xoxp-), app-level (xapp-), refresh (xoxe-) and the rest.
SLACK_TOKEN = re.compile(r"\b(?:xox[a-z]|xapp)-[0-9A-Za-z-]+")

# Everything a LogRecord carries by itself; any other attribute came from `extra=`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", logging.INFO, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class Redactor:
    """Blanks out Slack tokens and the given secret values in a finished line."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        # Longest first, so a secret that contains another is blanked whole.
        self.secrets = sorted({s for s in secrets if len(s) >= 8}, key=len, reverse=True)

    def __call__(self, line: str) -> str:
        """The line with every token and secret replaced by [redacted]."""
        for secret in self.secrets:
            line = line.replace(secret, REDACTED)
        return SLACK_TOKEN.sub(REDACTED, line)


class TextFormatter(logging.Formatter):
    """Today's text line: time, level, [pid], logger, message (and a traceback if any)."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__(TEXT_FORMAT)
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """The record as one text line, secrets blanked."""
        return self.redact(super().format(record))


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for log collectors that index fields."""

    def __init__(self, redact: Redactor) -> None:
        super().__init__()
        self.redact = redact

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON: fixed fields first, then the caller's extras."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and key not in entry:
                entry[key] = value
        # default=str: an extra such as a datetime or a Path is still written, as text.
        return self.redact(json.dumps(entry, ensure_ascii=False, default=str))


def formatter_for(log_format: str, secrets: Iterable[str] = ()) -> logging.Formatter:
    """The formatter LOG_FORMAT names, blanking `secrets` and Slack tokens."""
    redact = Redactor(secrets)
    return JsonFormatter(redact) if log_format == "json" else TextFormatter(redact)


def install(level: str, log_format: str, secrets: Iterable[str] = ()) -> logging.Handler:
    """Send every logger's records to stderr in `log_format`; returns the root's handler."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter_for(log_format, secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    if log_format == "json":
        _route_stray_output()
    return handler


def _route_stray_output() -> None:
    """Warnings and uncaught exceptions become log records too, so no line is left as
    plain text in a JSON log."""
    logging.captureWarnings(True)
    crash = logging.getLogger("tipbot.uncaught")

    def log_uncaught(
        kind: type[BaseException], error: BaseException, trace: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, trace)
            return
        crash.critical("Uncaught exception", exc_info=(kind, error, trace))

    def log_thread_crash(args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None:
            return
        name = args.thread.name if args.thread else "?"
        crash.critical(
            "Uncaught exception in thread %s",
            name,
            exc_info=(args.exc_type, args.exc_value, args.exc_traceback),
        )

    sys.excepthook = log_uncaught
    threading.excepthook = log_thread_crash


def root_formatter() -> logging.Formatter | None:
    """The formatter the root logger's first handler uses, if tipbot installed one."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, JsonFormatter | TextFormatter):
            return handler.formatter
    return None

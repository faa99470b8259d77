"""gunicorn's own log lines (and uvicorn's, which its worker sends through them) in
tipbot's format when LOG_FORMAT=json.

gunicorn gives its loggers their own handlers and format and stops them propagating, so
the root logger's JSON never reaches them; uvicorn's worker then borrows those handlers.
This logger class keeps gunicorn's handlers and swaps in the formatter tipbot installed.
"""

from typing import Any

from gunicorn.glogging import Logger

from bot.log_format import JsonFormatter, root_formatter


class FormattedLogger(Logger):  # type: ignore[misc]  # gunicorn ships no types
    """gunicorn's Logger, writing JSON lines when tipbot's own lines are JSON."""

    def setup(self, cfg: Any) -> None:
        """Set up as gunicorn does, then use tipbot's JSON formatter on its handlers."""
        super().setup(cfg)
        formatter = root_formatter()
        if not isinstance(formatter, JsonFormatter):
            return  # text: gunicorn's lines stay as they always were
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(formatter)

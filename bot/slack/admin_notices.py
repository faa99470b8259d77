"""Direct messages to tipbot's admins about problems only they can fix."""

import hashlib
import logging
import threading
from collections.abc import Callable, Iterable, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.content.tip_errors import TipError, first_errors
from bot.slack.escaping import escape

logger = logging.getLogger(__name__)


def error_list(errors: Sequence[TipError]) -> str:
    """Errors as a mrkdwn bullet list, escaped, as many as fit in a share of one section."""
    lines, more = first_errors(errors, render=_bullet)
    if more:
        lines.append(f"…and {more} more; run `tipbot validate` to see all.")
    return "\n".join(lines)


def _bullet(error: TipError) -> str:
    # A backtick from the file would close the code span early; the rest is escaped.
    text = str(error).replace("`", "'")
    return f"• `{escape(text)}`"


def tip_errors_text(errors: Sequence[TipError], command: str) -> str:
    """What an admin reads when an edit to the tip files was refused."""
    return (
        ":warning: The tip files have errors, so I'm still serving the last good tips:\n"
        f"{error_list(errors)}\n"
        f"Fix them and save; I pick up the fix by myself (or type `{command} reload`)."
    )


class AdminNotifier:
    """DMs every admin in TIPBOT_ADMINS; with none set, the log is the only place it goes.

    Every process watches the files and finds the same errors; `first_time` (the store's,
    shared by all of them) lets exactly one of them send each distinct message.
    """

    def __init__(
        self,
        client: WebClient,
        admins: Iterable[str],
        command: str,
        first_time: Callable[[str], bool] = lambda _key: True,
    ) -> None:
        self.client = client
        self.admins = sorted(admins)
        self.command = command
        self.first_time = first_time

    def tip_errors(self, errors: tuple[TipError, ...]) -> None:
        """Tell the admins about an edit that was refused, on a thread of its own.

        The caller may be a watcher or a command; neither should wait on Slack.
        """
        thread = threading.Thread(
            target=self._send, args=(tip_errors_text(errors, self.command),), daemon=True
        )
        thread.start()

    def _send(self, text: str) -> None:
        if not self.first_time("admin-dm:" + hashlib.sha256(text.encode()).hexdigest()):
            return
        if not self.admins:
            logger.warning("Tip file errors, and no TIPBOT_ADMINS to tell; see the log above")
        for admin in self.admins:
            try:
                self.client.chat_postMessage(channel=admin, text=text)
            except SlackApiError as exc:
                logger.error("Could not DM admin %s: %s", admin, exc.response.get("error"))

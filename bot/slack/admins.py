"""Who may run tipbot's admin commands: the one place every admin check goes through.

TIPBOT_ADMINS names the operators, admins everywhere. In OAuth mode each workspace also
has its own: whoever installed tipbot there, and the workspace's Slack admins and owners
(`users.info`). A single-workspace tipbot has only TIPBOT_ADMINS, as it always had.
"""

import logging
import threading
import urllib.error
from datetime import timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.services import Services
from bot.slack.installations import Installations
from bot.time_source import Clock

logger = logging.getLogger(__name__)

# A role change in Slack reaches tipbot within this long; `/tip stats` clicked again and
# again asks Slack once.
ROLE_CACHE = timedelta(minutes=5)
# users.info runs before an ack, inside Slack's 3 seconds.
BUDGET_SECONDS = 1
# Past this many remembered answers, the expired ones are dropped.
MAX_REMEMBERED = 10_000


def is_admin(services: Services, client: WebClient, user_id: str) -> bool:
    """Whether `user_id` is a tipbot admin where this request's `client` speaks."""
    if services.settings.is_admin(user_id):
        return True
    admins = services.workspace_admins
    return admins is not None and admins.is_admin(client, user_id)


def may(services: Services, access: str, client: WebClient, user_id: str) -> bool:
    """Whether `user_id` passes a subcommand's access rule (see bot.subcommands.Access).

    "admins-if-set" stays open to everyone until TIPBOT_ADMINS names someone: the
    operators decide whether channels' weekly tips are for admins only, everywhere.
    """
    if access == "admins":
        return is_admin(services, client, user_id)
    if access == "admins-if-set":
        return not services.settings.admins or is_admin(services, client, user_id)
    return True


class SlackWorkspaceAdmins:
    """A workspace's installer, Slack admins and owners, remembered for ROLE_CACHE."""

    def __init__(
        self, installations: Installations, clock: Clock, remember: timedelta = ROLE_CACHE
    ) -> None:
        self.installations = installations
        self.clock = clock
        self.remember = remember
        self._known: dict[tuple[str, str], tuple[Any, bool]] = {}
        self._lock = threading.Lock()

    def is_admin(self, client: Any, user_id: str) -> bool:
        """The installer of this workspace's install, or a Slack admin or owner there."""
        token = getattr(client, "token", None)
        if not token or not user_id:
            return False
        key = (token, user_id)
        now = self.clock()
        with self._lock:
            known = self._known.get(key)
        if known is not None and known[0] > now:
            return bool(known[1])
        answer = self.installations.installed_by(token, user_id) or slack_role(client, user_id)
        if answer is None:
            # Slack did not answer: not an admin this time, and asked again next time.
            return False
        with self._lock:
            if len(self._known) >= MAX_REMEMBERED:
                self._known = {k: v for k, v in self._known.items() if v[0] > now}
            self._known[key] = (now + self.remember, answer)
        return answer


def slack_role(client: WebClient, user_id: str) -> bool | None:
    """Whether Slack says the person is an admin or owner there; None if Slack did not say."""
    quick = WebClient(
        token=client.token, base_url=client.base_url, timeout=BUDGET_SECONDS, retry_handlers=[]
    )
    try:
        user = quick.users_info(user=user_id).get("user") or {}
    except SlackApiError as exc:
        logger.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
        return None
    except (urllib.error.URLError, OSError) as exc:
        logger.warning("users.info for %s did not answer in time: %s", user_id, exc)
        return None
    return bool(user.get("is_admin") or user.get("is_owner"))

"""A request that acts is handled once, however often it arrives.

Slack's signature stays valid for five minutes, so a signed "Share in channel" captured on
the way could be sent again and post again. Requests that post or store something are
remembered in the database (every process shares it) by an id Slack gives each
interaction, and a second arrival is answered with an empty 200 and otherwise ignored.
Reading requests (a `/tip`, the Home tab opening) may repeat harmlessly and cost nothing.
"""

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.slack.workspaces import WORKSPACE
from bot.store.interface import Store
from bot.subcommands import SUBCOMMANDS_BY_NAME, parse_command
from bot.time_source import Clock
from bot.workspace import Workspace

logger = logging.getLogger(__name__)

# Slack refuses signatures older than five minutes; twice that covers skewed clocks.
REMEMBER_FOR = timedelta(minutes=10)
# Interactions that may act: every button, select and modal submission.
ACTING_PAYLOADS = frozenset({"block_actions", "view_submission"})


def acts(body: dict[str, Any]) -> bool:
    """Whether handling this request posts or stores something."""
    if body.get("type") in ACTING_PAYLOADS:
        return True
    if "command" in body:
        subcommand = SUBCOMMANDS_BY_NAME.get(parse_command(str(body.get("text", ""))).name)
        return subcommand is not None and subcommand.acts
    return False


def request_key(body: dict[str, Any]) -> str:
    """What identifies one interaction: its workspace and trigger id, else its whole body."""
    team = body.get("team_id") or (body.get("team") or {}).get("id") or ""
    trigger = body.get("trigger_id")
    if trigger:
        return f"{team}:{trigger}"
    canonical = json.dumps(body, sort_keys=True, default=str).encode()
    return f"{team}:sha256:{hashlib.sha256(canonical).hexdigest()}"


class IgnoreReplays(Middleware):
    """Global middleware: let a request that acts through once, answer repeats with 200."""

    def __init__(self, store: Store, clock: Clock) -> None:
        self.store = store
        self.clock = clock

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        """Call `next` the first time a request that acts arrives; ignore it after that."""
        body = req.body
        if not acts(body):
            return next()
        key = request_key(body)
        # Kept with the workspace's rows, so forgetting a workspace forgets these too.
        workspace = req.context.get(WORKSPACE)
        store = (
            self.store.for_workspace(workspace) if isinstance(workspace, Workspace) else self.store
        )
        if store.first_time(key, self.clock(), REMEMBER_FOR):
            return next()
        logger.warning("Ignored a request that was already handled (%s)", key[:80])
        return BoltResponse(status=200, body="")

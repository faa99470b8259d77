"""Which workspace a request comes from, so its listener sees only that workspace's data.

A global middleware reads it once per request and leaves it in the context, which Bolt
copies for lazy listeners; each listener then works with `in_workspace(services, context)`.
"""

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse
from slack_bolt.middleware import Middleware

from bot.services import Services
from bot.workspace import Workspace

logger = logging.getLogger(__name__)

WORKSPACE = "tipbot_workspace"


class UnknownWorkspace(LookupError):
    """A request that names no workspace reached a listener that needs one."""


def _text(value: Any) -> str | None:
    return str(value) if value else None


def _part(body: dict[str, Any], name: str) -> dict[str, Any]:
    part = body.get(name)
    return part if isinstance(part, dict) else {}


def workspace_from(context: BoltContext, body: dict[str, Any]) -> Workspace | None:
    """The workspace of a request: Bolt's team and org ids, else the body's own.

    Bolt takes them from the installation the request is for (`authorizations`), so a
    shared channel's event counts for the workspace that installed tipbot. For an org-wide
    install Bolt may find no team in an event; the event's workspace is then `team_id`.
    """
    event, user, view = (_part(body, name) for name in ("event", "user", "view"))
    team = (
        _text(context.team_id)
        or _text(body.get("team_id"))
        or _text(user.get("team_id"))
        or _text(view.get("team_id"))
        or _text(event.get("team"))
    )
    if team is None:
        return None
    return Workspace(team, _text(context.enterprise_id) or _text(body.get("enterprise_id")))


class KnowWorkspace(Middleware):
    """Global middleware: put the request's workspace in the context for the listeners."""

    def process(
        self,
        *,
        req: BoltRequest,
        resp: BoltResponse,
        next: Callable[[], BoltResponse],
    ) -> BoltResponse | None:
        """Record the workspace and carry on; a request without one reaches no store."""
        workspace = workspace_from(req.context, req.body)
        if workspace is not None:
            req.context[WORKSPACE] = workspace
        return next()


def workspace_of(context: BoltContext) -> Workspace:
    """The workspace `KnowWorkspace` found for this request."""
    workspace = context.get(WORKSPACE)
    if not isinstance(workspace, Workspace):
        raise UnknownWorkspace("the request names no workspace, so it cannot touch any data")
    return workspace


def in_workspace(services: Services, context: BoltContext) -> Services:
    """The services as the request's workspace sees them."""
    return services.for_workspace(workspace_of(context))

"""OAuth mode: a workspace that uninstalls tipbot, or revokes its tokens, is forgotten.

Bolt ships the listeners that delete installs (`TokenRevocationListeners`) but does not
register them by itself; tipbot registers Bolt's for `tokens_revoked` as they are, and wraps
Bolt's for `app_uninstalled` so the workspace's data goes with its install.
"""

import logging

from slack_bolt import App, BoltContext

from bot import metrics
from bot.services import Services
from bot.workspace import Workspace

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    """Listen for app_uninstalled and tokens_revoked."""
    # A revoked bot token leaves the bots table, where every request and post finds its
    # token: nothing is posted with it again; a reinstall stores a new one.
    app.event("tokens_revoked")(app.default_tokens_revoked_event_listener())
    delete_install = app.default_app_uninstalled_event_listener()

    def on_uninstalled(context: BoltContext) -> None:
        """Delete the install, then every row the workspace's people left."""
        delete_install(context=context)
        metrics.uninstalled()
        workspace = _uninstalled_workspace(context)
        if workspace is None:
            # An org-wide install's event names only the org: forget the workspaces whose
            # subscriptions, ledger or commitments name it (see the README).
            org = context.enterprise_id
            counts = services.store.forget_org(org) if org else {}
            logger.info(
                "tipbot was uninstalled from org %s; forgot %d rows",
                org,
                sum(counts.values()),
                extra={"enterprise_id": org},
            )
            return
        counts = services.store.forget_workspace(workspace)
        logger.info(
            "tipbot was uninstalled from %s; forgot %d rows",
            workspace,
            sum(counts.values()),
            extra={"team_id": workspace.team_id, "enterprise_id": workspace.enterprise_id},
        )

    app.event("app_uninstalled")(on_uninstalled)


def _uninstalled_workspace(context: BoltContext) -> Workspace | None:
    """The workspace whose install Bolt deleted; None for an org-wide install, whose event
    names only the org (the payload's own team is not the one uninstalled)."""
    if not context.team_id:
        return None
    return Workspace(context.team_id, context.enterprise_id)

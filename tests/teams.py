"""The workspaces tests store rows for: the team of the signed requests, and another."""

from slack_bolt import BoltContext

from bot.slack.workspaces import WORKSPACE
from bot.workspace import Workspace

# The team of tests/signing.py's requests and of the stand-in's auth.test.
TEAM = Workspace("T1")
# A second workspace, for isolation tests.
OTHER_TEAM = Workspace("T2")


def context_in(workspace: Workspace = TEAM) -> BoltContext:
    """The context Bolt hands a listener for a request from `workspace`."""
    return BoltContext({WORKSPACE: workspace, "team_id": workspace.team_id})

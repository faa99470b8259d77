"""Which workspace a request is for, as Bolt and Slack's payloads say it, org-wide too."""

import json
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

from slack_bolt import BoltRequest

from bot.slack.workspaces import workspace_from
from bot.workspace import Workspace

FORM: dict[str, str | Sequence[str]] = {"content-type": ["application/x-www-form-urlencoded"]}
JSON: dict[str, str | Sequence[str]] = {"content-type": ["application/json"]}


def workspace_of_body(payload: dict[str, Any], *, form: bool = True) -> Workspace | None:
    """The workspace `workspace_from` finds in a body as Slack posts it."""
    body = urlencode({"payload": json.dumps(payload)}) if form else json.dumps(payload)
    request = BoltRequest(body=body, headers=FORM if form else JSON)
    return workspace_from(request.context, request.body)


def test_a_slash_command_from_a_grid_workspace_names_its_team_and_org() -> None:
    """A slash command carries team_id and enterprise_id as form fields."""
    body = urlencode({"command": "/tip", "team_id": "T9", "enterprise_id": "E1", "text": ""})
    request = BoltRequest(body=body, headers=FORM)
    assert workspace_from(request.context, request.body) == Workspace("T9", "E1")


def test_an_event_for_an_org_wide_install_is_kept_with_the_workspace_it_happened_in() -> None:
    """Bolt finds no team in the org install's authorization; the event's team_id says it."""
    event: dict[str, Any] = {
        "type": "event_callback",
        "team_id": "T9",
        "enterprise_id": "E1",
        "authorizations": [{"enterprise_id": "E1", "team_id": None, "is_enterprise_install": True}],
        "event": {"type": "app_home_opened", "user": "U1", "tab": "home"},
    }
    assert workspace_of_body(event, form=False) == Workspace("T9", "E1")


def test_a_click_in_an_org_wide_install_without_a_team_uses_the_users_team() -> None:
    """Interactivity payloads of org-wide installs may have team null; user.team_id is it."""
    click: dict[str, Any] = {
        "type": "block_actions",
        "team": None,
        "enterprise": {"id": "E1", "name": "Org"},
        "is_enterprise_install": True,
        "user": {"id": "U1", "team_id": "T9"},
        "actions": [],
    }
    assert workspace_of_body(click) == Workspace("T9", "E1")


def test_a_request_that_names_no_workspace_has_none() -> None:
    """Nothing to go by: no workspace, so no listener can touch any data."""
    assert workspace_of_body({"type": "block_actions", "actions": []}) is None

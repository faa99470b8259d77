"""What a parsed Slack payload must hold before Bolt routes it to our listeners.

Bolt's routing indexes into a payload without checking it: the first of `actions` and its
`action_id` for a button, `view.callback_id` for a modal submission, `event.type` for an
event. Our listeners read `user.id` from a button click and a submission. Slack always
sends these, so a payload without them is refused with 400 rather than failing inside Bolt
with a 500.
"""

from typing import Any


def payload_problem(body: dict[str, Any]) -> str | None:
    """Why Bolt or our listeners could not route `body`, or None when they can."""
    kind = body.get("type")
    if kind == "block_actions":
        return actions_problem(body.get("actions")) or user_problem(body.get("user"))
    if kind == "view_submission":
        return view_problem(body.get("view")) or user_problem(body.get("user"))
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "an event_callback payload whose event has no type"
    return None


def actions_problem(actions: Any) -> str | None:
    """Why a block_actions payload's `actions` cannot be routed, or None."""
    if not isinstance(actions, list) or not actions:
        return "a block_actions payload without actions"
    for action in actions:
        if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
            return "a block_actions payload with an action that has no action_id"
    return None


def view_problem(view: Any) -> str | None:
    """Why a view_submission's `view` cannot be routed to a listener, or None."""
    if not isinstance(view, dict) or not isinstance(view.get("callback_id"), str):
        return "a view_submission payload whose view has no callback_id"
    return None


def user_problem(user: Any) -> str | None:
    """Why a click's or a submission's `user` does not say who it was, or None."""
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        return "a payload without the user who clicked or submitted"
    return None

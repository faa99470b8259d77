"""Slash commands counted and timed by subcommand for /metrics (see bot/metrics.py)."""

import time

from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_bolt.response import BoltResponse

from bot import metrics
from bot.subcommands import parse_command


def dispatch_counted(app: App, request: BoltRequest) -> BoltResponse:
    """Let Bolt answer; a slash command is counted, with the time its answer took."""
    command = request.body.get("command")
    if not metrics.recording() or not isinstance(command, str):
        return app.dispatch(request)
    started = time.perf_counter()
    response = app.dispatch(request)
    elapsed = time.perf_counter() - started
    text = request.body.get("text")
    name = parse_command(text if isinstance(text, str) else "").name
    metrics.command_answered(name, elapsed, ok=response.status == 200)
    return response

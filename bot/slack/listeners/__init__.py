"""Every Bolt listener, registered in one place, grouped by Slack surface.

Each module's `register(app, services)` wires its listeners. Those that need the bot's
services are methods of one small class per module, built once with them: Bolt passes a
listener's arguments by name and skips `self`, and tests can call a method directly. The
services are not put in Bolt's context, because Bolt deep-copies the context it hands a
lazy listener.
"""

from slack_bolt import App

from bot.services import Services
from bot.slack.listeners import actions, commitments, home, slash_command, views


def register_listeners(app: App, services: Services) -> None:
    """Attach all listeners to `app`."""
    slash_command.register(app, services)
    actions.register(app, services)
    commitments.register(app, services)
    home.register(app, services)
    views.register(app, services)

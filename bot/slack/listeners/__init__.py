"""Every Bolt listener, registered in one place, grouped by Slack surface."""

from slack_bolt import App

from bot.services import Services
from bot.slack.listeners import actions, home, slash_command


def register_listeners(app: App, services: Services) -> None:
    """Attach all listeners to `app`."""
    slash_command.register(app, services)
    actions.register(app, services)
    home.register(app, services)

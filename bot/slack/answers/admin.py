"""Admin-only answers: `/tip reload` and `/tip stats`."""

from bot.services import Services
from bot.slack.admin_notices import error_list
from bot.wording import plural


def refusal(services: Services, subcommand: str) -> str:
    """The polite no for someone who is not in TIPBOT_ADMINS."""
    admins = ", ".join(f"<@{admin}>" for admin in sorted(services.settings.admins))
    command = services.settings.command
    return f"Sorry, only tipbot admins can use `{command} {subcommand}`. Ask one of them: {admins}."


def answer_reload(services: Services) -> str:
    """Reload the tip files now; say what changed, or why the last good tips are still up."""
    if services.reloader is None:
        return "Reloading isn't available in this process."
    outcome = services.reloader.reload()
    if not outcome.applied:
        return (
            f":warning: {plural(len(outcome.errors), 'error')} in the tip files, so I'm still "
            f"serving the last good tips:\n{error_list(outcome.errors)}"
        )
    total = len(services.library.library)
    return (
        f":white_check_mark: Reloaded {plural(total, 'tip')}: {len(outcome.added)} added, "
        f"{len(outcome.changed)} changed, {len(outcome.removed)} removed."
    )

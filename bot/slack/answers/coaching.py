"""`/tip me` and `/tip track`: a person's own coaching, answered in the ack."""

from datetime import tzinfo
from typing import Any

from bot.coaching.models import Profile
from bot.coaching.preferences import FAVOURED_WEIGHT, parse_track, tip_weight
from bot.coaching.progress import Progress, progress
from bot.content.selection import TipWeight
from bot.nuggets.errors import UnknownTimezone
from bot.nuggets.timezones import load_zone
from bot.services import Services
from bot.slack import coaching_messages
from bot.slack.escaping import echo
from bot.subcommands import TipCommand

WHOM = {
    "senior": "tips written for senior engineers",
    "staff": "tips written for staff engineers",
}


def person_zone(services: Services, timezone: str | None) -> tzinfo:
    """The zone a person's weeks are counted in: their latest commitment's, else the bot's."""
    for name in (timezone, services.settings.timezone):
        if name:
            try:
                return load_zone(name)
            except UnknownTimezone:
                continue
    return load_zone("UTC")


def progress_of(services: Services, user_id: str) -> Progress:
    """One person's commitments summed up as of now (theirs only)."""
    commitments = services.store.commitments_of(user_id)
    zone = person_zone(services, commitments[0].timezone if commitments else None)
    return progress(commitments, services.clock(), zone)


def answer_me(services: Services, user_id: str) -> tuple[list[dict[str, Any]], str]:
    """`/tip me`: what you are trying, how it went, your track, focus and reflections."""
    blocks = coaching_messages.me_message(
        progress_of(services, user_id),
        services.store.get_profile(user_id),
        services.settings.command,
    )
    return blocks, "My coaching"


def weight_for(services: Services, user_id: str) -> TipWeight | None:
    """How the person's track and focus weigh the tips picked for them."""
    return tip_weight(services.store.get_profile(user_id))


def answer_track(services: Services, request: TipCommand, command: dict[str, Any]) -> str:
    """`/tip track senior|staff|both`: set whom your tips favour, and say what that does."""
    user_id = str(command.get("user_id", ""))
    name = services.settings.command
    profile = services.store.get_profile(user_id) or Profile(user_id)
    track = parse_track(request.args[0]) if len(request.args) == 1 else None
    if track is None:
        given = f"`{echo(' '.join(request.args))}` isn't a track. " if request.args else ""
        current = f"Your track is *{profile.track}*. " if profile.track else ""
        return (
            f"{given}{current}Type `{name} track senior`, `{name} track staff` or "
            f"`{name} track both`."
        )
    services.store.save_profile(Profile(user_id, track, profile.focus), services.clock())
    if track == "both":
        favoured = "Your tips no longer favour a track"
        if profile.focus:
            favoured += ", only your focus topics"
        return f":white_check_mark: Track set to *both*. {favoured}. Nothing is left out."
    return (
        f":white_check_mark: Track set to *{track}*: {WHOM[track]} now come "
        f"{FAVOURED_WEIGHT:g} times as often as others in `{name}`, Another tip and your "
        "weekly DM. Nothing is left out. Pick focus topics on my Home tab."
    )

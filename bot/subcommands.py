"""What a `/tip` command asks for, parsed from its text; plain Python, no Slack types."""

from dataclasses import dataclass
from typing import Literal

# Who may use a subcommand. Changing a channel's own schedule is everyone's business until a
# workspace names admins; reloading files and reading workspace stats never is.
Access = Literal["everyone", "admins-if-set", "admins"]


@dataclass(frozen=True, slots=True)
class Subcommand:
    """A word after `/tip` that does something other than find a tip, documented in help."""

    name: str
    # What follows the command name; placeholders in [brackets], since Slack reads <…> as links.
    usage: str
    # One sentence in help's voice: it starts with a verb and ends with a full stop.
    summary: str
    example: str = ""
    access: Access = "everyone"
    # Whether it changes or posts something, so that a replayed request must not run it again.
    acts: bool = False

    def admins_only(self, admins_named: bool) -> bool:
        """Whether only admins may use it, given whether TIPBOT_ADMINS names anyone."""
        return self.access == "admins" or (self.access == "admins-if-set" and admins_named)


# The one list of subcommands: the parser and `/tip help` both read it, so help cannot drift.
SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("topics", "topics", "List every topic, with how many tips each has."),
    Subcommand(
        "me",
        "me",
        "Show what you're trying, when I'll check in, how many you've done, your streak, "
        "track, focus and last reflections (only you see it).",
    ),
    Subcommand(
        "track",
        "track senior|staff|both",
        "Make your tips favour your track: tips written for it come three times as often; "
        "nothing is left out.",
        "track staff",
        acts=True,
    ),
    Subcommand("help", "help", "Show this help."),
    Subcommand(
        "subscribe",
        "subscribe [day] [time] [timezone]",
        "Post one tip a week in this channel: Mondays at 09:00 unless you give a day, "
        "a time (`9am`, `4pm`, `16:30`, `noon`) or a timezone.",
        "subscribe mon 09:00 Europe/Berlin",
        access="admins-if-set",
        acts=True,
    ),
    Subcommand("schedule", "schedule", "Show when this channel's next weekly tip comes."),
    Subcommand(
        "unsubscribe",
        "unsubscribe",
        "Stop the weekly tip in this channel.",
        access="admins-if-set",
        acts=True,
    ),
    Subcommand(
        "reload",
        "reload",
        "Reload the tip files now and report what changed.",
        access="admins",
        acts=True,
    ),
    Subcommand(
        "stats",
        "stats",
        "Show the top tips, how subscriptions are doing, recent weekly posts, and how "
        "commitments go, per tip and as a funnel (counts only, no names).",
        access="admins",
    ),
)
SUBCOMMANDS_BY_NAME = {sub.name: sub for sub in SUBCOMMANDS}


@dataclass(frozen=True, slots=True)
class TipCommand:
    """A parsed `/tip`: `name` is a subcommand, "random" or "find"; `args` the words after it."""

    name: str
    args: tuple[str, ...] = ()
    text: str = ""


def parse_command(text: str) -> TipCommand:
    """Split `/tip` text into a subcommand and its arguments, or a search for tips."""
    cleaned = " ".join(text.split())
    if not cleaned:
        return TipCommand("random")
    first, *rest = cleaned.split(" ")
    if first.lower() in SUBCOMMANDS_BY_NAME:
        return TipCommand(first.lower(), tuple(rest), cleaned)
    return TipCommand("find", (), cleaned)

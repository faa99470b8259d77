"""The timezone names tipbot accepts: the same list on every host, each loadable everywhere.

`zoneinfo.available_timezones()` also walks the host's /usr/share/zoneinfo, which adds names
such as `localtime` (whatever that machine's own zone is). A name a web process accepted
would then mean something else, or nothing, to a clock process on another machine. tipbot
accepts exactly the names the pinned `tzdata` package lists, which zoneinfo can load on any
host because it falls back to that package, except `Factory`, tzdata's "zone not set".

Links such as `US/Pacific` or `Asia/Calcutta` are accepted and kept as written: Slack and
people still use them, and following links would also turn `Europe/Oslo` into
`Europe/Berlin`, which nobody in Oslo typed.
"""

import functools
from importlib import resources
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.nuggets.errors import UnknownTimezone

NOT_A_PLACE = frozenset({"Factory"})


@functools.cache
def _timezones_by_lower_name() -> dict[str, str]:
    listed = resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8").split()
    return {name.lower(): name for name in listed if name not in NOT_A_PLACE}


def resolve_timezone(name: str) -> str | None:
    """Return the canonical IANA spelling of `name` (any case), or None if it is unknown."""
    return _timezones_by_lower_name().get(name.strip().lower())


def load_zone(name: str) -> ZoneInfo:
    """The zone named exactly `name`; UnknownTimezone if tipbot refuses it or cannot load it."""
    if resolve_timezone(name) != name:
        raise UnknownTimezone(name)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnknownTimezone(name) from None

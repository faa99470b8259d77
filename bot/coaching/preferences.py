"""A person's track and focus topics, and how much more their tips favour what fits them.

Nothing is ever excluded: a tip that fits is `FAVOURED_WEIGHT` times as likely to be picked
as any other tip the pick could choose, README states the ratio, and a test checks it.
"""

from collections.abc import Callable, Iterable

from bot.coaching.models import TRACKS, Profile, Track
from bot.content.model import Tip

FAVOURED_WEIGHT = 3.0
MAX_FOCUS = 3

TipWeight = Callable[[Tip], float]


def parse_track(word: str) -> Track | None:
    """`senior`, `staff` or `both` in any case; None for anything else."""
    cleaned = word.strip().lower()
    return next((track for track in TRACKS if track == cleaned), None)


def clean_focus(topics: Iterable[str], known: Iterable[str]) -> tuple[str, ...]:
    """The first `MAX_FOCUS` distinct topics among `known`, in the order given."""
    allowed = set(known)
    chosen = [topic for topic in dict.fromkeys(topics) if topic in allowed]
    return tuple(chosen[:MAX_FOCUS])


def fits(profile: Profile, tip: Tip) -> bool:
    """Whether a tip is written for the person's track or carries one of their focus topics.

    A tip for `both` levels fits no track in particular, and the track `both` favours none.
    """
    on_track = profile.track in ("senior", "staff") and tip.level == profile.track
    return on_track or bool(set(tip.tags) & set(profile.focus))


def tip_weight(profile: Profile | None) -> TipWeight | None:
    """How much each tip weighs in a pick for this person; None when they favour nothing."""
    if profile is None or (profile.track in (None, "both") and not profile.focus):
        return None
    chosen = profile

    def weight(tip: Tip) -> float:
        return FAVOURED_WEIGHT if fits(chosen, tip) else 1.0

    return weight

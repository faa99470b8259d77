"""Track and focus: which tips fit a person, and the weight a fitting tip gets."""

from dataclasses import replace

from bot.coaching.models import Profile
from bot.coaching.preferences import (
    FAVOURED_WEIGHT,
    clean_focus,
    fits,
    parse_track,
    tip_weight,
)
from bot.content.model import Tip
from tests.nuggets.fakes import make_tip


def tip(level: str, *tags: str) -> Tip:
    """A tip at `level` with `tags` (a tag nobody focuses on when none are given)."""
    return replace(make_tip(f"{level}-tip"), level=level, tags=tags or ("career",))


def test_a_track_is_one_of_three_words_in_any_case() -> None:
    """senior, staff, both; anything else is not a track."""
    assert [parse_track(word) for word in ("Senior", " staff ", "BOTH")] == [
        "senior",
        "staff",
        "both",
    ]
    assert parse_track("principal") is None


def test_focus_keeps_three_known_topics_in_order() -> None:
    """Unknown topics and repeats are dropped, and at most three are kept."""
    known = ["a", "b", "c", "d"]
    assert clean_focus(["b", "zzz", "b", "a", "d", "c"], known) == ("b", "a", "d")


def test_a_tip_fits_by_its_level_or_by_a_focus_topic() -> None:
    """A staff tip fits the staff track; a tip for both levels fits no track in particular."""
    staff = Profile("U1", "staff", ("mentoring",))
    assert fits(staff, tip("staff"))
    assert not fits(staff, tip("senior"))
    assert not fits(staff, tip("both"))
    assert fits(staff, tip("senior", "mentoring"))
    assert not fits(Profile("U1", "both"), tip("staff"))


def test_a_fitting_tip_weighs_three_times_as_much_and_none_weighs_nothing() -> None:
    """3 to 1, and no preference at all means no weighting."""
    weight = tip_weight(Profile("U1", "senior"))
    assert weight is not None
    assert weight(tip("senior")) == FAVOURED_WEIGHT == 3.0
    assert weight(tip("staff")) == 1.0
    assert tip_weight(None) is None
    assert tip_weight(Profile("U1", "both")) is None
    assert tip_weight(Profile("U1", None, ())) is None

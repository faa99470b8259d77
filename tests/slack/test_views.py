"""Block Kit views built from tips and texts, within Slack's limits."""

from bot.slack.home_view import dm_choice
from bot.slack.views import SECTION_LIMIT, fit_section, notice_message


def test_long_notices_are_cut_at_a_line_within_slacks_limit() -> None:
    """A notice with a hundred long error lines still builds, cut between two lines."""
    lines = [f"• `tips/file.yaml:{n}: {'x' * 60}`" for n in range(100)]
    text = "\n".join(lines)
    (block,) = notice_message(text)
    shown = block["text"]["text"]  # type: ignore[index]
    assert len(shown) <= SECTION_LIMIT
    assert shown.endswith("`\n…")
    assert fit_section("short") == "short"


def test_dm_choice_reads_the_tab_and_falls_back_on_odd_values() -> None:
    """Day and time come from the view's state; anything missing or odd means Monday 09:00."""
    state = {
        "home_dm": {
            "home_dm_day": {"selected_option": {"value": "4"}},
            "home_dm_time": {"selected_time": "17:45"},
        }
    }
    assert dm_choice({"state": {"values": state}}) == (4, "17:45")
    odd = {
        "home_dm": {
            "home_dm_day": {"selected_option": {"value": "9"}},
            "home_dm_time": {"selected_time": "25:00"},
        }
    }
    assert dm_choice({"state": {"values": odd}}) == (0, "09:00")
    assert dm_choice({}) == (0, "09:00")

"""Messages built from tips and texts, within Slack's limits."""

from bot.content.model import Source
from bot.slack.home_view import dm_choice
from bot.slack.messages import SECTION_LIMIT, attribution, fit_section, notice_message


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


def test_attribution_links_the_url_escaped() -> None:
    """An & in the url is escaped inside the link, as Slack asks; the title is escaped too."""
    source = Source("Q&A <notes>", "Ann", "2024-01-01", url="https://example.com/?a=1&b=2")

    assert attribution(source) == (
        "From <https://example.com/?a=1&amp;b=2|Q&amp;A &lt;notes&gt;> by Ann, 2024-01-01"
    )


def test_attribution_cannot_be_turned_into_a_mention() -> None:
    """A url or date that got past the loader still cannot close the link or ping anyone."""
    url = "https://x.example/><!channel><https://y.example/|x"
    source = Source("T", "A", "<!here>", url=url)

    text = attribution(source)

    assert "<!channel>" not in text
    assert "<!here>" not in text
    assert text == (
        "From <https://x.example/&gt;&lt;!channel&gt;&lt;https://y.example/%7Cx|T> by A, "
        "&lt;!here&gt;"
    )

"""Block Kit views built from tips and texts, within Slack's limits."""

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

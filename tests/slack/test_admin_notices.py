"""What admins read about broken tip files: every error list fits one Slack section."""

from bot.content.limits import MAX_REPORT_CHARS, MAX_REPORTED_ERRORS
from bot.content.tip_errors import TipError
from bot.slack.admin_notices import error_list, tip_errors_text
from bot.slack.messages import SECTION_LIMIT


def errors(count: int, message: str = 'tip "a": missing field "body"') -> list[TipError]:
    """`count` errors in one file, one line apart."""
    return [TipError("tips/x.yaml", line, message) for line in range(1, count + 1)]


def test_a_short_list_is_given_whole() -> None:
    """A few errors are listed one bullet each, in code, with nothing left out."""
    assert error_list(errors(2)) == (
        '• `tips/x.yaml:1: tip "a": missing field "body"`\n'
        '• `tips/x.yaml:2: tip "a": missing field "body"`'
    )


def test_a_thousand_errors_list_the_first_and_count_the_rest() -> None:
    """1,000 errors: MAX_REPORTED_ERRORS bullets, then how many more and where to see them."""
    lines = error_list(errors(1_000)).splitlines()

    assert len(lines) == MAX_REPORTED_ERRORS + 1
    more = 1_000 - MAX_REPORTED_ERRORS
    assert lines[-1] == f"…and {more} more; run `tipbot validate` to see all."


def test_long_escaped_errors_stop_at_the_character_budget() -> None:
    """Errors full of markup, longer once escaped, are listed only as far as the budget goes."""
    listed = error_list(errors(20, message="<" * 1_000))

    assert len(listed) <= MAX_REPORT_CHARS + 100
    assert "<" not in listed
    assert listed.splitlines()[-1].startswith("…and ")


def test_a_file_s_more_line_counts_the_errors_it_stands_for() -> None:
    """The "… and N more" line of a capped file counts as its N errors in the list's total."""
    capped = [*errors(25), TipError("tips/x.yaml", 0, "… and 480 more errors", hidden=480)]

    assert error_list(capped).splitlines()[-1] == (
        "…and 485 more; run `tipbot validate` to see all."
    )


def test_a_backtick_in_an_error_cannot_end_its_code_span() -> None:
    """Text quoted from the file with a backtick is shown with a plain quote instead."""
    listed = error_list([TipError("tips/x.yaml", 3, 'unknown field "`<!channel>`"')])

    assert listed == "• `tips/x.yaml:3: unknown field \"'&lt;!channel&gt;'\"`"


def test_the_direct_message_fits_one_section() -> None:
    """The whole DM about 1,000 long errors stays under Slack's section limit."""
    text = tip_errors_text(errors(1_000, message="x" * 1_000), "/tip")

    assert len(text) <= SECTION_LIMIT
    assert text.startswith(":warning: The tip files have errors")
    assert text.endswith("(or type `/tip reload`).")

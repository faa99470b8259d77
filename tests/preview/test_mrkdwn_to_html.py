"""Slack mrkdwn drawn as HTML: each construct Slack formats, and everything else escaped."""

import pytest

from bot.preview.mrkdwn_to_html import render_inline, render_mrkdwn, render_plain


def line(html: str) -> str:
    """The HTML of a one-line text, as render_mrkdwn wraps it."""
    return f'<span class="line">{html}</span>'


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("*bold*", "<strong>bold</strong>"),
        ("_italic_", "<em>italic</em>"),
        ("~strike~", "<del>strike</del>"),
        ("`code`", "<code>code</code>"),
        ("a *b* and _c_ then ~d~", "a <strong>b</strong> and <em>c</em> then <del>d</del>"),
        ("*_both_*", "<strong><em>both</em></strong>"),
        ("_*both*_", "<em><strong>both</strong></em>"),
        ("(*in brackets*)", "(<strong>in brackets</strong>)"),
    ],
)
def test_emphasis_and_code(text, html):
    """Bold, italics, strike and inline code render as Slack draws them, nested too."""
    assert render_inline(text) == html


@pytest.mark.parametrize(
    "text",
    ["snake_case_name", "2*3*4", "a * b * c", "* not bold*", "*not bold *", "**", "~ ~"],
)
def test_markers_inside_words_or_spaced_stay_literal(text):
    """Markers inside a word or next to a space are plain characters, as in Slack."""
    assert render_inline(text) == text


def test_code_keeps_its_content_literal():
    """Inside `code`, markers and links are not formatted, and HTML is escaped."""
    assert render_inline("`*x* <b> _y_`") == "<code>*x* &lt;b&gt; _y_</code>"


def test_code_block_spans_lines_and_is_escaped():
    """A ```code block``` keeps its lines, drops the newlines around it, escapes HTML."""
    html = render_mrkdwn("Run:\n```make test\n<all> &amp; *more*```\nthen relax")
    assert html == (
        line("Run:")
        + '<pre class="code-block">make test\n&lt;all&gt; &amp; *more*</pre>'
        + line("then relax")
    )


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "<https://example.com|the article>",
            '<a href="https://example.com" target="_blank" rel="noopener noreferrer">'
            "the article</a>",
        ),
        (
            "<http://example.com/a?b=1&amp;c=2>",
            '<a href="http://example.com/a?b=1&amp;c=2" target="_blank" '
            'rel="noopener noreferrer">http://example.com/a?b=1&amp;c=2</a>',
        ),
        (
            "<mailto:team@example.com|write to us>",
            '<a href="mailto:team@example.com" target="_blank" rel="noopener noreferrer">'
            "write to us</a>",
        ),
    ],
)
def test_safe_links_become_anchors(text, html):
    """http, https and mailto links become <a> with their label, or the URL as label."""
    assert render_inline(text) == html


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<javascript:alert(1)|click me>", "&lt;javascript:alert(1)|click me&gt;"),
        ("<data:text/html,hi|x>", "&lt;data:text/html,hi|x&gt;"),
        ("<ftp://example.com>", "&lt;ftp://example.com&gt;"),
    ],
)
def test_other_links_show_as_text(text, html):
    """Any other scheme is shown as the text typed, never as a link."""
    assert render_inline(text) == html
    assert "<a" not in render_inline(text)


def test_link_inside_bold():
    """Emphasis can wrap a link, as Slack allows."""
    assert render_inline("*see <https://a.example|this>*") == (
        '<strong>see <a href="https://a.example" target="_blank" '
        'rel="noopener noreferrer">this</a></strong>'
    )


def test_link_url_cannot_break_out_of_the_attribute():
    """A quote in a URL is escaped, so it cannot add attributes to the anchor."""
    html = render_inline('<https://x.example/" onmouseover="alert(1)|x>')
    assert 'href="https://x.example/&quot; onmouseover=&quot;alert(1)"' in html


def test_mentions_are_drawn_as_slack_does():
    """<!here>, <@U…> and <#C…|name> show as @here, @U… and #name."""
    html = render_inline("<!here> <@U123> <#C42|general>")
    assert html == (
        '<span class="mention">@here</span> <span class="mention">@U123</span> '
        '<span class="mention">#general</span>'
    )


def test_entities_show_as_the_characters_slack_shows():
    """&lt; &gt; &amp; display as < > &, escaped again for HTML."""
    assert render_inline("a &lt; b &gt; c &amp; d") == "a &lt; b &gt; c &amp; d"
    assert render_inline("&amp;lt;") == "&amp;lt;"


def test_script_tags_are_text():
    """Raw HTML in a tip is shown as text, never run."""
    html = render_mrkdwn('<script>alert("x")</script><img src=x onerror=alert(1)>')
    assert "<script" not in html
    assert "<img" not in html
    assert "&lt;script&gt;" in html


def test_bullet_lists():
    """Lines starting with "• " or "- " become one list."""
    assert render_mrkdwn("Steps:\n• one\n- *two*") == (
        line("Steps:") + "<ul><li>one</li><li><strong>two</strong></li></ul>"
    )


def test_numbered_lists_keep_their_first_number():
    """Lines starting with "1. " or "3) " become an ordered list starting at that number."""
    assert render_mrkdwn("3. three\n4) four\nafter") == (
        '<ol start="3"><li>three</li><li>four</li></ol>' + line("after")
    )


def test_quotes():
    """A line starting with > (sent as &gt;) is a quote."""
    assert render_mrkdwn("&gt; quoted\nnot") == "<blockquote>quoted</blockquote>" + line("not")


def test_line_breaks_are_kept():
    """Newlines are line breaks; a blank line stays a blank line."""
    assert render_mrkdwn("one\ntwo\n\nfour") == line("one<br>two<br><br>four")


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (":dart: *Try this week:*", "🎯 <strong>Try this week:</strong>"),
        (":calendar: :+1: :speech_balloon:", "📆 👍 💬"),
        (":not_an_emoji_we_know:", ":not_an_emoji_we_know:"),
    ],
)
def test_emoji_shortcodes(text, html):
    """The shortcodes tipbot uses become emoji; others stay as typed."""
    assert render_inline(text) == html


def test_plain_text_is_escaped_but_keeps_emoji():
    """plain_text (headers, buttons) is never formatted, only escaped, with emoji drawn."""
    assert render_plain(":+1: Helpful *<b>*") == "👍 Helpful *&lt;b&gt;*"


def test_placeholder_characters_in_a_tip_cannot_inject_html():
    """The renderer's internal placeholder characters in the input are neutralised."""
    html = render_mrkdwn("\ue0000\ue001 <https://a.example|x>")
    assert html.count("<a ") == 1
    assert "\ue000" not in html

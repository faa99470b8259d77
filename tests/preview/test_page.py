"""The preview over real HTTP: tips drawn as Slack messages, filters, errors and reloads."""

import dataclasses
import json
import os
import urllib.error
import urllib.request
from html import escape
from urllib.parse import urlencode

import pytest

from bot.content.loader import load_library
from bot.content.model import Source
from bot.content.search import find_tips
from bot.content.topics import TOPICS_FILE
from bot.preview.page import render_blocks
from bot.slack.messages import tip_message
from tests.conftest import SHIPPED_TIPS
from tests.preview.conftest import BROKEN_ERROR, BROKEN_TIP, FIXED_TIP, Preview
from tests.preview.dom import read_page

SHIPPED = load_library(SHIPPED_TIPS).library


def test_every_tip_renders_as_a_slack_message(preview: Preview):
    """Each tip is a card with app name, header, body, try line, attribution and buttons."""
    page = preview.get("/")
    assert page.status == 200
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    shown = read_page(page.text)
    assert shown.visible == [tip.id for tip in SHIPPED.tips]
    assert shown.hidden == []
    assert shown.errors == []
    assert f"{len(SHIPPED)} tips from 1 file" in page.text
    assert "loaded at 2024-05-06 09:30:00" in page.text
    card = _card(page.text, "check-cache-limits")
    assert '<span class="name">tipbot</span><span class="badge">APP</span>' in card
    title = escape(SHIPPED.by_id["check-cache-limits"].title)
    assert f'<div class="block header">{title}</div>' in card
    assert "<strong>100 most popular items of the last hour</strong>" in card
    assert "🎯 <strong>Try this week:</strong> Pick one service your project calls" in card
    assert "From “Leadership: Senior Engineer vs Staff Engineer” by iago, 2023-03-19" in card
    assert '<button type="button" disabled>Another tip</button>' in card
    assert '<button type="button" disabled class="primary">Share in channel</button>' in card


def test_weekly_form_draws_the_channel_post(preview: Preview):
    """?form=weekly draws each tip as the weekly post, with its Helpful button."""
    card = _card(preview.get("/?form=weekly").text, "check-cache-limits")
    assert "📆 <strong>Tip of the week</strong>" in card
    assert "💬" in card
    assert '<button type="button" disabled>👍 Helpful</button>' in card
    assert "Share in channel" not in card


@pytest.mark.parametrize(
    "query", ["cache", "CACHE popular", "outage", "On call", "incident hero", "mentors"]
)
def test_search_shows_exactly_what_slash_tip_finds(preview: Preview, query: str):
    """?q=WORDS shows the tips `/tip WORDS` picks from in Slack, and hides the rest."""
    shown = read_page(preview.get("/?" + urlencode({"q": query})).text)

    assert shown.visible == [tip.id for tip in find_tips(SHIPPED, query).tips]
    assert shown.visible
    assert len(shown.visible) + len(shown.hidden) == len(SHIPPED)


def test_a_synonym_shows_its_whole_topic_and_says_so(preview: Preview):
    """?q=outage shows every incidents tip, and the note says /tip reads it as that topic."""
    page = preview.get("/?q=outage").text
    incidents = [tip.id for tip in SHIPPED.with_tag("incidents")]

    assert read_page(page).visible == incidents
    assert (
        f"“/tip outage” names the topic “incidents” and picks one of its {len(incidents)} tips"
        in (page)
    )


def test_free_words_show_the_best_matches_and_say_so(preview: Preview):
    """Words that name no topic show the tips tied for the best score, as /tip ranks them."""
    page = preview.get("/?q=cache+popular").text

    assert read_page(page).visible == ["check-cache-limits"]
    assert "“/tip cache popular” names no topic and answers with the one tip that best" in page


def test_tag_filter(preview: Preview):
    """?tag=mentoring shows exactly the tips tagged mentoring, selects it, and describes it."""
    page = preview.get("/?tag=mentoring")
    shown = read_page(page.text)
    assert shown.visible == [tip.id for tip in SHIPPED.with_tag("mentoring")]
    assert shown.visible
    assert '<option value="mentoring" selected>' in page.text
    description = SHIPPED.vocabulary.topic("mentoring").description
    assert f"Topic “mentoring”: {description}." in page.text


def test_a_tag_is_read_like_a_topic_typed_after_slash_tip(preview: Preview):
    """?tag=Outages means the incidents topic: case, plural and synonym, as in Slack."""
    page = preview.get("/?tag=Outages").text

    assert read_page(page).visible == [tip.id for tip in SHIPPED.with_tag("incidents")]
    assert '<option value="incidents" selected>' in page


@pytest.mark.parametrize(
    ("tag", "hint"),
    [("kubernetes", "Pick one from the menu."), ("mentorin", "Did you mean “mentoring”?")],
)
def test_an_unknown_tag_shows_nothing_and_says_so(preview: Preview, tag: str, hint: str):
    """?tag=nope no longer shows everything: no card, and a note naming the missing topic."""
    page = preview.get(f"/?tag={tag}").text

    assert read_page(page).visible == []
    assert f"No topic is called “{tag}”, so no tip is shown. {hint}" in page
    assert f'<option value="{tag}" selected>{tag} (no such topic)</option>' in page


def test_search_and_tag_together(preview: Preview):
    """Search words and a tag combine: what /tip finds for the words, within the topic."""
    shown = read_page(preview.get("/?q=debugging&tag=mentoring").text)
    found = find_tips(SHIPPED, "debugging").tips
    assert shown.visible == [tip.id for tip in found if "mentoring" in tip.tags]
    assert shown.visible == ["hand-off-incident-debugging"]


def test_no_match_says_so(preview: Preview):
    """A search nothing matches hides every card and says Slack would list the topics."""
    page = preview.get("/?q=zzzz")
    assert read_page(page.text).visible == []
    assert '<p id="no-match">No tip matches this search.</p>' in page.text
    assert "“/tip zzzz” finds no tip; Slack answers with the list of topics." in page.text


def test_matches_answers_the_page_script_with_the_same_search(preview: Preview):
    """/matches?q=&tag= gives the script the ids the page itself would show, and the note."""
    answer = preview.get("/matches?q=outage&tag=mentoring")
    page = read_page(preview.get("/?q=outage&tag=mentoring").text)

    assert answer.status == 200
    assert answer.headers["Content-Type"] == "application/json"
    data = json.loads(answer.text)
    assert data["shown"] == page.visible
    assert data["tag"] == "mentoring"
    assert data["note"].startswith("“/tip outage” names the topic “incidents”")


def test_search_text_is_echoed_escaped(preview: Preview):
    """The search box shows what was searched for, escaped."""
    page = preview.get("/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E")
    # &#34; is how Jinja2 (MarkupSafe) writes a double quote, as &quot; would.
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in page.text
    assert "<script>alert" not in page.text


def test_broken_file_shows_its_error_while_good_tips_render(preview: Preview):
    """A file with a missing field is listed at the top as path:line; the rest still render."""
    (preview.tips_dir / "broken.yaml").write_text(BROKEN_TIP, encoding="utf-8")
    page = preview.get("/")
    shown = read_page(page.text)
    assert len(shown.errors) == 1
    assert shown.errors[0].endswith(BROKEN_ERROR)
    assert shown.visible == [tip.id for tip in SHIPPED.tips]
    assert page.text.index('id="errors"') < page.text.index('id="tips"')
    assert "1 problem in the tip files" in page.text


def test_a_file_with_hundreds_of_errors_lists_twenty_and_counts_all(preview: Preview):
    """300 unknown keys: 20 errors and a line for the rest are listed; the heading counts 300."""
    keys = "".join(f"    key{number}: value\n" for number in range(300))
    text = FIXED_TIP.replace("    level: both\n", "    level: both\n" + keys)
    (preview.tips_dir / "broken.yaml").write_text(text, encoding="utf-8")
    page = preview.get("/")
    shown = read_page(page.text)
    assert len(shown.errors) == 21
    assert shown.errors[-1].endswith(
        "broken.yaml: … and 280 more errors in this file; fix these and validate again"
    )
    assert "300 problems in the tip files" in page.text


def test_fixing_the_file_clears_the_error(preview: Preview):
    """Once the broken file is fixed, the error goes and its tip appears."""
    broken = preview.tips_dir / "broken.yaml"
    broken.write_text(BROKEN_TIP, encoding="utf-8")
    assert read_page(preview.get("/").text).errors
    broken.write_text(FIXED_TIP, encoding="utf-8")
    shown = read_page(preview.get("/").text)
    assert shown.errors == []
    assert "draft-without-try" in shown.visible


def test_removing_every_file_empties_the_page(preview: Preview):
    """Removing every tip file empties the page and says why, without crashing."""
    for path in preview.tips_dir.glob("*.yaml"):
        path.unlink()
    page = preview.get("/")
    shown = read_page(page.text)
    assert shown.visible == []
    assert len(shown.errors) == 1
    assert shown.errors[0].endswith("/tips: no *.yaml or *.yml tip files found")
    assert "There are no tips to show yet." in page.text


def test_fingerprint_changes_when_a_file_changes(preview: Preview):
    """/fingerprint is stable while nothing changes and differs after an edit or a new file."""
    first = preview.get("/fingerprint").text
    assert first == preview.get("/fingerprint").text
    assert f'data-fingerprint="{first}"' in preview.get("/").text
    shipped = next(preview.tips_dir.glob("*.yaml"))
    shipped.write_text(shipped.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    second = preview.get("/fingerprint").text
    assert second != first
    (preview.tips_dir / "new.yml").write_text(FIXED_TIP, encoding="utf-8")
    third = preview.get("/fingerprint").text
    assert third not in (first, second)


def test_an_edit_to_the_topics_file_reloads_the_page(preview: Preview):
    """topics.yaml counts as a content file: a new description changes /fingerprint and shows."""
    first = preview.get("/fingerprint").text
    topics = preview.tips_dir / TOPICS_FILE
    old = "Growing the engineers around you toward the next level"
    text = topics.read_text(encoding="utf-8")
    topics.write_text(text.replace(old, "Helping teammates grow"), encoding="utf-8")

    assert preview.get("/fingerprint").text != first
    page = preview.get("/").text
    count = len(SHIPPED.with_tag("mentoring"))
    assert f"mentoring ({count}): Helping teammates grow" in page
    assert old not in page


def test_fingerprint_sees_a_touch_without_a_size_change(preview: Preview):
    """Saving a file with the same size still counts as a change (its mtime moved)."""
    first = preview.get("/fingerprint").text
    shipped = next(preview.tips_dir.glob("*.yaml"))
    stat = shipped.stat()
    os.utime(shipped, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert preview.get("/fingerprint").text != first


def test_hostile_tip_text_is_shown_not_run(preview: Preview):
    """Markup in a tip is escaped and unsafe links stay text; only the page's own script runs."""
    hostile = FIXED_TIP.replace(
        "This tip has no try line yet.",
        '"<script>alert(1)</script> <javascript:alert(2)|click> <https://ok.example|fine>"',
    ).replace("A draft that forgot its try line", '"<img src=x onerror=alert(3)>"')
    (preview.tips_dir / "hostile.yaml").write_text(hostile, encoding="utf-8")
    page = preview.get("/")
    card = _card(page.text, "draft-without-try")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    assert "&lt;img src=x onerror=alert(3)&gt;" in card
    assert "&lt;javascript:alert(2)|click&gt;" in card
    assert '<a href="https://ok.example"' in card
    assert page.text.count("<script>") == 1
    policy = page.headers["Content-Security-Policy"]
    assert "script-src 'sha256-" in policy
    assert "default-src 'none'" in policy


def test_health_404_and_methods(preview: Preview):
    """/health answers; unknown paths are 404; the page only answers GET."""
    assert preview.get("/health").status == 200
    assert preview.get("/nope").status == 404
    assert preview.get("/fingerprint/extra").status == 404
    assert "no-store" in preview.get("/").headers["Cache-Control"]


def test_post_is_refused(preview: Preview):
    """POST to the page gets 405 with the allowed methods."""
    request = urllib.request.Request(preview.url, data=b"x", method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 405
    assert refused.value.headers["Allow"] == "GET, HEAD"


def _card(html: str, tip_id: str) -> str:
    """The HTML of one tip's card."""
    start = html.index(f'<article class="card" id="tip-{tip_id}"')
    return html[start : html.index("</article>", start)]


def test_drafts_are_shown_and_flagged_as_not_served(preview: Preview):
    """A draft from `tipbot import` is drawn for review, under a note that Slack won't get it."""
    draft = FIXED_TIP + "# TODO review: drafted by tipbot import\n"
    (preview.tips_dir / "draft.yaml").write_text(draft, encoding="utf-8")
    page = preview.get("/")
    assert 'id="drafts"' in page.text
    assert "draft.yaml</code>" in page.text
    assert "not sent to Slack until they are" in page.text
    assert "draft-without-try" in read_page(page.text).visible


def test_a_source_url_is_linked_with_its_characters_escaped():
    """The attribution's url becomes an href with & and " escaped; its label is plain text."""
    source = Source("Q&A", "Ann", "2024-01-01", url='https://example.com/?a=1&b="2"')
    tip = dataclasses.replace(SHIPPED.tips[0], source=source)

    html = render_blocks(tip_message(tip))

    assert (
        '<a href="https://example.com/?a=1&amp;b=&quot;2&quot;" target="_blank" '
        'rel="noopener noreferrer">Q&amp;A</a> by Ann, 2024-01-01'
    ) in html

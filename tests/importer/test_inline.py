"""Inline text read by markdown-it: sentences, Slack mrkdwn and plain text from its runs."""

from markdown_it import MarkdownIt

from bot.importer.inline import Inline, mrkdwn, plain, read_inline, sentences

PARSER = MarkdownIt("commonmark")


def inline(markdown: str) -> Inline:
    """The runs of the first paragraph of `markdown`."""
    token = next(t for t in PARSER.parse(markdown) if t.type == "inline")
    return read_inline(token.children or [])


def test_sentences_split_after_abbreviations_and_keep_their_bold() -> None:
    """`Sr.` and `e.g.` end no sentence, nor a full stop in code; bold cut between sentences
    stays bold in each."""
    text = inline("Ask a Sr. Engineer, e.g. John. **Bold one. Bold two.** Done `a. B` here.")

    assert [mrkdwn(s) for s in sentences(text)] == [
        "Ask a Sr. Engineer, e.g. John.",
        "*Bold one.*",
        "*Bold two.*",
        "Done `a. B` here.",
    ]


def test_inline_markdown_becomes_inert_mrkdwn_and_plain_text() -> None:
    """Bold, italics, links and code convert; images, tags, scripts and Slack mentions go, and
    the characters Slack reads as markup become words (or entities inside code)."""
    text = inline(
        "**Bold**, *it* and [a link](https://x.io) ![img](i.png) <b>tag</b> "
        "<script>alert(1)</script> `a<b && c` R&D <@U1|sam> @here x -> y"
    )

    assert mrkdwn(text) == (
        "*Bold*, _it_ and a link tag `a&lt;b &amp;&amp; c` R and D sam here x → y"
    )
    assert plain(text) == "Bold, it and a link tag a less than b and and c R and D sam here x → y"


def test_code_between_bold_words_stays_inside_the_bold() -> None:
    """`**escape `<` first**` is one bold span in Slack, not three."""
    assert mrkdwn(inline("**escape `<` and `>` first**, then post")) == (
        "*escape `&lt;` and `&gt;` first*, then post"
    )

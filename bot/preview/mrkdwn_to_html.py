"""Slack mrkdwn to safe HTML: what Slack would draw, with every other character escaped."""

import re
from html import escape

EMOJI = {
    "dart": "🎯",
    "calendar": "📆",
    "+1": "👍",
    "thumbsup": "👍",
    "speech_balloon": "💬",
    "bulb": "💡",
    "wave": "👋",
    "tada": "🎉",
}
LINK_SCHEMES = ("http://", "https://", "mailto:")
# Channel-wide mentions Slack writes as <!here>; drawn the way Slack draws them.
SPECIAL_MENTIONS = {"!here": "@here", "!channel": "@channel", "!everyone": "@everyone"}

CODE_BLOCK = re.compile(r"```(.*?)```", re.DOTALL)
# One pass finds what must not be touched by emphasis: `code` spans and <…> control sequences.
INLINE_TOKEN = re.compile(r"`(?P<code>[^`\n]+)`|<(?P<control>[^<>\n]*)>")
EMOJI_CODE = re.compile(r":([a-z0-9_+\-]+):")
BULLET = re.compile(r"^\s*[•-]\s+(?P<item>.*)$")
NUMBERED = re.compile(r"^\s*(?P<number>\d+)[.)]\s+(?P<item>.*)$")
QUOTE = re.compile(r"^(?:>|&gt;)\s?(?P<item>.*)$")
# Slack only formats *x* when the markers hug the text and do not sit inside a word.
EMPHASIS = [
    (
        re.compile(rf"(?<![^\W_])(?<!{m}){m}(?=[^\s{m}])([^{m}\n]*?\S){m}(?![^\W_])(?!{m})"),
        tag,
    )
    for m, tag in ((r"\*", "strong"), ("_", "em"), ("~", "del"))
]
# Placeholders for already-rendered HTML; private-use characters cannot come from a tip.
OPEN, CLOSE = "\ue000", "\ue001"
PLACEHOLDER = re.compile(f"{OPEN}(\\d+){CLOSE}")


def render_mrkdwn(text: str) -> str:
    """Slack mrkdwn as HTML: emphasis, code, links, lists, quotes, line breaks and emoji."""
    text = text.replace(OPEN, "\ufffd").replace(CLOSE, "\ufffd")
    # split() with a group alternates text and code: even indexes are text, odd are code.
    pieces = CODE_BLOCK.split(text)
    parts: list[str] = []
    for index, piece in enumerate(pieces):
        if index % 2:
            code = escape(decode_entities(piece.strip("\n")))
            parts.append(f'<pre class="code-block">{code}</pre>')
            continue
        # Slack draws a code block on lines of its own, so the newlines around it add no gap.
        lines = piece.removeprefix("\n") if index > 0 else piece
        lines = lines.removesuffix("\n") if index < len(pieces) - 1 else lines
        parts.append(_render_lines(lines))
    return "".join(parts)


def render_plain(text: str) -> str:
    """A plain_text object as HTML: escaped, with emoji shortcodes drawn, as Slack does."""
    return _with_emoji(escape(text))


def decode_entities(text: str) -> str:
    """The three entities Slack's text uses for &, < and >, as the characters people see."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _render_lines(text: str) -> str:
    """Lines grouped into lists and quotes where they start with a marker, else joined by <br>."""
    if not text:
        return ""
    html: list[str] = []
    group_kind = ""
    group: list[str] = []

    def flush() -> None:
        if group_kind == "ul":
            html.append("<ul>" + "".join(f"<li>{item}</li>" for item in group) + "</ul>")
        elif group_kind.startswith("ol"):
            start = group_kind.removeprefix("ol")
            items = "".join(f"<li>{item}</li>" for item in group)
            html.append(f'<ol start="{start}">{items}</ol>')
        elif group_kind == "quote":
            html.append("<blockquote>" + "<br>".join(group) + "</blockquote>")
        elif group_kind == "text":
            html.append('<span class="line">' + "<br>".join(group) + "</span>")
        group.clear()

    for line in text.split("\n"):
        kind, content = _classify(line)
        continues = kind == group_kind or (kind.startswith("ol") and group_kind.startswith("ol"))
        if not continues:
            flush()
            group_kind = kind
        group.append(render_inline(content))
    flush()
    return "".join(html)


def _classify(line: str) -> tuple[str, str]:
    """What a line is (ul, ol<start>, quote or text) and the text after its marker."""
    if match := BULLET.match(line):
        return "ul", match["item"]
    if match := NUMBERED.match(line):
        return f"ol{int(match['number'])}", match["item"]
    if match := QUOTE.match(line):
        return "quote", match["item"]
    return "text", line


def render_inline(text: str) -> str:
    """One line of mrkdwn as HTML: code spans, links, emphasis, entities and emoji."""
    rendered: list[str] = []

    def hold(html: str) -> str:
        rendered.append(html)
        return f"{OPEN}{len(rendered) - 1}{CLOSE}"

    pieces: list[str] = []
    position = 0
    for match in INLINE_TOKEN.finditer(text):
        pieces.append(_plain(text[position : match.start()]))
        if match["code"] is not None:
            pieces.append(hold(f"<code>{escape(decode_entities(match['code']))}</code>"))
        else:
            pieces.append(hold(_control(match["control"])))
        position = match.end()
    pieces.append(_plain(text[position:]))
    html = "".join(pieces)
    for pattern, tag in EMPHASIS:
        html = pattern.sub(rf"<{tag}>\1</{tag}>", html)
    return PLACEHOLDER.sub(lambda m: rendered[int(m.group(1))], html)


def _plain(text: str) -> str:
    """Ordinary text: entities decoded, then HTML-escaped, then emoji drawn."""
    return _with_emoji(escape(decode_entities(text)))


def _with_emoji(html: str) -> str:
    """Known :shortcodes: as emoji; unknown ones stay as typed, since Slack may know them."""
    return EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), html)


def _control(inner: str) -> str:
    """A <…> control sequence: a link when the URL is safe, a mention, or else literal text."""
    target, _, label = inner.partition("|")
    if target in SPECIAL_MENTIONS:
        return f'<span class="mention">{SPECIAL_MENTIONS[target]}</span>'
    if target.startswith(("@", "#")):
        shown = f"{target[0]}{label}" if label else target
        return f'<span class="mention">{escape(decode_entities(shown))}</span>'
    if target.lower().startswith(LINK_SCHEMES):
        href = escape(decode_entities(target), quote=True)
        shown = escape(decode_entities(label or target))
        return f'<a href="{href}" target="_blank" rel="noopener noreferrer">{shown}</a>'
    return escape(f"<{decode_entities(inner)}>")

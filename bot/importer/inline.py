"""An article's inline text as styled runs: read from markdown-it tokens, cut into sentences,
and written out as Slack mrkdwn or plain text."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from markdown_it.token import Token


@dataclass(frozen=True, slots=True)
class Run:
    """A stretch of inline text in one style."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False


Inline = tuple[Run, ...]

# Elements whose content is never prose: their text is dropped along with the tags.
HIDDEN_ELEMENT = re.compile(r"<(/?)(script|style|iframe|textarea|object|svg)\b", re.IGNORECASE)
SLACK_SEQUENCE = re.compile(r"<[!@#]([^<>|]*)(?:\|([^<>]*))?>")
BROADCAST = re.compile(r"[@!](here|channel|everyone)\b", re.IGNORECASE)
LEFTOVER_MARKS = re.compile(r"\*\*|__|~~")
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")
SYMBOLS = (("->", "→"), ("<-", "←"), ("=>", "⇒"), ("<=", "≤"), (">=", "≥"))
# Slack reads &, < and > as markup, so prose gets words and code gets Slack's own entities.
PROSE_WORDS = (("&", " and "), ("<", " less than "), (">", " greater than "))
CODE_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+(?=[\"'“‘(\[]*[A-Z0-9À-Þ])")
ABBREVIATIONS = frozenset(
    "mr mrs ms dr sr jr st vs etc e.g i.e eg ie approx fig no inc ltd co cf al".split()
)


def read_inline(tokens: Sequence[Token]) -> Inline:
    """The runs of one markdown-it inline token's children; images and HTML are left out."""
    runs: list[Run] = []
    bold = italic = hidden = 0
    for token in tokens:
        kind = token.type
        if kind == "html_inline":
            element = HIDDEN_ELEMENT.match(token.content)
            if element and not token.content.rstrip().endswith("/>"):
                hidden = max(hidden + (-1 if element.group(1) else 1), 0)
        elif hidden:
            continue
        elif kind in ("strong_open", "strong_close"):
            bold = max(bold + (1 if kind == "strong_open" else -1), 0)
        elif kind in ("em_open", "em_close"):
            italic = max(italic + (1 if kind == "em_open" else -1), 0)
        elif kind in ("text", "text_special"):
            runs.append(Run(token.content, bold > 0, italic > 0))
        elif kind in ("softbreak", "hardbreak"):
            runs.append(Run(" ", bold > 0, italic > 0))
        elif kind == "code_inline":
            runs.append(Run(token.content, code=True))
    return merged(runs)


def merged(runs: Iterable[Run]) -> Inline:
    """`runs` without empty ones, neighbours of one style joined."""
    joined: list[Run] = []
    for run in runs:
        if not run.text:
            continue
        last = joined[-1] if joined else None
        if last and (last.bold, last.italic, last.code) == (run.bold, run.italic, run.code):
            joined[-1] = replace(last, text=last.text + run.text)
        else:
            joined.append(run)
    return tuple(joined)


def raw_text(inline: Inline) -> str:
    """The characters of every run, unstyled and unconverted."""
    return "".join(run.text for run in inline)


def plain(inline: Inline) -> str:
    """Plain text with no markup at all, for titles, ids and matching words."""
    text = "".join(_prose(_code_words(r.text) if r.code else r.text) for r in inline)
    return _tidy(text)


def mrkdwn(inline: Inline) -> str:
    """Slack mrkdwn: *bold*, _italics_ and `code`, with nothing Slack would read as markup.

    Code between two bold words stays inside the bold, as `*escape `<` first*` does in Slack.
    """
    runs = merged(inline)
    styles = list(zip(_styled(runs, "bold"), _styled(runs, "italic"), strict=True))
    parts: list[str] = []
    start = 0
    for end in range(1, len(runs) + 1):
        if end < len(runs) and styles[end] == styles[start]:
            continue
        text = "".join(_code(r.text) if r.code else _prose(r.text) for r in runs[start:end])
        parts.append(_wrapped(text, *styles[start]))
        start = end
    return _tidy("".join(parts))


def _styled(runs: Inline, style: str) -> list[bool]:
    """Whether each run is in `style`; code counts when the prose on both sides of it is."""
    flags = [getattr(run, style) and not run.code for run in runs]
    prose = [i for i, run in enumerate(runs) if not run.code]
    for i, run in enumerate(runs):
        if run.code:
            before = [p for p in prose if p < i]
            after = [p for p in prose if p > i]
            flags[i] = bool(before and after and flags[before[-1]] and flags[after[0]])
    return flags


def _wrapped(text: str, bold: bool, italic: bool) -> str:
    """`text` in Slack's bold and italic marks, its outer white space left outside them."""
    core = text.strip()
    if not core or not (bold or italic):
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    core = f"_{core}_" if italic else core
    core = f"*{core}*" if bold else core
    return f"{lead}{core}{trail}"


def _tidy(text: str) -> str:
    return SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split())).strip()


def _prose(text: str) -> str:
    """Prose with the characters Slack treats as markup spelled out, and no broadcast mentions."""
    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace())
    text = SLACK_SEQUENCE.sub(lambda m: m.group(2) or m.group(1), text)
    text = BROADCAST.sub(r"\1", LEFTOVER_MARKS.sub("", text))
    for symbol, arrow in SYMBOLS:
        text = text.replace(symbol, arrow)
    for char, word in PROSE_WORDS:
        text = text.replace(char, word)
    return text


def _code_words(content: str) -> str:
    return " ".join(content.replace("`", "'").split())


def _code(content: str) -> str:
    """A code span as Slack code, with entities for the characters Slack reads as markup."""
    content = "".join(ch for ch in _code_words(content) if ch.isprintable())
    for char, entity in CODE_ENTITIES:
        content = content.replace(char, entity)
    return f"`{content}`" if content else ""


def sliced(inline: Inline, start: int, end: int) -> Inline:
    """The runs between character offsets `start` and `end` of the raw text."""
    pieces: list[Run] = []
    offset = 0
    for run in inline:
        low, high = max(start - offset, 0), min(end - offset, len(run.text))
        if low < high:
            pieces.append(replace(run, text=run.text[low:high]))
        offset += len(run.text)
    return merged(pieces)


def stripped(inline: Inline) -> Inline:
    """`inline` without the white space at either end."""
    text = raw_text(inline)
    start = len(text) - len(text.lstrip())
    return sliced(inline, start, len(text.rstrip()))


def joined(*parts: Inline) -> Inline:
    """The parts one after another, a space between each."""
    runs: list[Run] = []
    for part in (stripped(p) for p in parts):
        if part:
            runs += [Run(" ")] if runs else []
            runs += part
    return merged(runs)


def sentences(inline: Inline) -> list[Inline]:
    """The sentences of `inline`; a full stop inside code or after an abbreviation ends none."""
    text = raw_text(inline)
    code_spans: list[tuple[int, int]] = []
    offset = 0
    for run in inline:
        if run.code:
            code_spans.append((offset, offset + len(run.text)))
        offset += len(run.text)
    found: list[Inline] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        cut = match.start()
        if any(low <= cut < high for low, high in code_spans):
            continue
        before = text[start:cut].split()
        word = before[-1].lower().lstrip("(\"'“‘") if before else ""
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        found.append(stripped(sliced(inline, start, match.end())))
        start = match.end()
    found.append(stripped(sliced(inline, start, len(text))))
    return [sentence for sentence in found if plain(sentence)]


def leading_bold(inline: Inline) -> tuple[Inline, Inline] | None:
    """(the bold words `inline` opens with, the rest), or None when it opens otherwise."""
    runs = stripped(inline)
    if not runs or not runs[0].bold or runs[0].code:
        return None
    count = next((i for i, run in enumerate(runs) if not run.bold), len(runs))
    return runs[:count], runs[count:]


def is_bold(inline: Inline) -> bool:
    """Whether every visible character of `inline` is bold."""
    return all(run.bold for run in inline if run.text.strip())


def bold_words(inline: Inline) -> int:
    """How many words the longest bold stretch of `inline` holds."""
    return max((len(run.text.split()) for run in inline if run.bold), default=0)


def bold(text: str) -> Inline:
    """`text` as one bold run."""
    return (Run(text, bold=True),)


def unstyled(text: str) -> Inline:
    """`text` as one plain run."""
    return (Run(text),) if text else ()

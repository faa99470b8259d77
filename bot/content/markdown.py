"""A small line-based markdown reader: front matter, blocks, sentences, and Slack mrkdwn text."""

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import yaml

from bot.content.limits import MAX_NESTING, MAX_YAML_VALUES
from bot.content.yaml_tree import Refusal, YamlRefused, safe_load_bounded
from bot.errors import TipbotError

BlockKind = Literal["heading", "paragraph", "item", "quote"]

# Front matter is read within the same bounds as a tip file, and refused past them.
FRONT_MATTER_REFUSED: dict[Refusal, str] = {
    "anchor": "uses a YAML anchor (&name)",
    "alias": "uses a YAML alias (*name)",
    "nesting": f"nests lists or mappings more than {MAX_NESTING} levels deep",
    "values": f"holds more than {MAX_YAML_VALUES:,} values",
}
FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
ATX_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
SETEXT_UNDERLINE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
THEMATIC_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
QUOTE_LINE = re.compile(r"^(?: {0,3}> ?)+(.*)$")  # nested quotes read as one level
LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+(?:\[[ xX]\][ \t]+)?(.*))?$")
HTML_START = re.compile(
    r"^ {0,3}<(?:/?[A-Za-z][A-Za-z0-9-]*(?:[\s/>]|$)|!--|\?|!DOCTYPE|!\[CDATA\[)", re.IGNORECASE
)
RAW_HTML = re.compile(r"^ {0,3}<(script|style|pre|textarea)\b", re.IGNORECASE)
TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S+")
SLASH_SIGNATURE = re.compile(r"^\s*/([^\W\d_][\w.-]{0,39})\s*$")
DASH_SIGNATURE = re.compile(r"^\s*(?:[—–]|--)\s*([^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,3})\s*$")

CODE_SPAN = re.compile(r"(`+)(.+?)\1")
ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")
HTML_COMMENT = re.compile(r"<!--.*?(?:-->|$)")
HTML_WITH_CONTENT = re.compile(
    r"<(script|style|iframe|textarea|object|svg)\b[^>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE
)
HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
IMAGE = re.compile(r"!\[[^\]]*\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\])?")
LINK = re.compile(r"\[([^\]]*)\](?:\((?:[^()]|\([^()]*\))*\)|\[[^\]]*\])")
ANGLE_LINK = re.compile(r"<((?:https?|mailto|ftp):[^<>|\s]+)(?:\|([^<>]*))?>", re.IGNORECASE)
SLACK_SEQUENCE = re.compile(r"<[!@#]([^<>|]*)(?:\|([^<>]*))?>")
BROADCAST = re.compile(r"[@!](here|channel|everyone)\b", re.IGNORECASE)
BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
ITALIC = re.compile(r"(?<![*\w])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![*\w])")
STRIKE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
LEFTOVER_MARKS = re.compile(r"\*\*|__|~~")
SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([.,;:!?])")
SYMBOLS = (("->", "→"), ("<-", "←"), ("=>", "⇒"), ("<=", "≤"), (">=", "≥"))
# Slack reads &, < and > as markup, so prose gets words and code gets Slack's own entities.
PROSE_WORDS = (("&", " and "), ("<", " less than "), (">", " greater than "))
CODE_ENTITIES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))

SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?:\*\*|__)?\s+(?=[\"'“‘(\[*_`]*[A-Z0-9À-Þ])")
ABBREVIATIONS = frozenset(
    "mr mrs ms dr sr jr st vs etc e.g i.e eg ie approx fig no inc ltd co cf al".split()
)
PROTECTED = re.compile(r"(`+).+?\1|\[[^\]]*\]\([^)]*\)|<[^<>]*>")


class ArticleError(TipbotError):
    """The article cannot be turned into tips; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class Block:
    """One block of an article: its kind, its inline markdown joined onto one line, its line."""

    kind: BlockKind
    text: str
    line: int
    level: int = 0


@dataclass(frozen=True)
class Article:
    """A parsed article: its front matter, its blocks in order, and a sign-off if it has one."""

    front_matter: dict[str, Any] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()
    signature: str | None = None

    @property
    def title(self) -> str | None:
        """The text of the first level-1 heading, if any."""
        return next((b.text for b in self.blocks if b.kind == "heading" and b.level == 1), None)


def parse_article(text: str) -> Article:
    """Split `text` into front matter and blocks; raises ArticleError for broken front matter."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front_matter, first = _front_matter(lines)
    body = lines[first:]
    signature = _signature(body)
    if signature is not None:
        last = max(i for i, line in enumerate(body) if line.strip())
        body = body[:last]
    blocks = _BlockReader(body, first + 1).read()
    return Article(front_matter, tuple(blocks), signature)


def _front_matter(lines: list[str]) -> tuple[dict[str, Any], int]:
    """The YAML front matter and the index of the first body line (0 when there is none)."""
    if not lines or lines[0].strip() not in ("---", "+++"):
        return {}, 0
    fence = lines[0].strip()
    closers = ("---", "...") if fence == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in closers), None)
    if end is None:
        return {}, 0  # a lone `---` is a thematic break, not front matter
    if fence == "+++":
        return {}, end + 1  # TOML front matter: skipped, so flags must supply the details
    try:
        data = safe_load_bounded("\n".join(lines[1:end]))
    except YamlRefused as exc:
        message = (
            f"the front matter (line {exc.line + 1}) {FRONT_MATTER_REFUSED[exc.kind]}, which "
            "tipbot does not read; fix it, or remove it and pass --title, --author and --date"
        )
        raise ArticleError(message) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        message = (
            f"the front matter is not valid YAML{where}: {problem}; "
            "fix it, or remove it and pass --title, --author and --date"
        )
        raise ArticleError(message) from None
    if data is None:
        return {}, end + 1
    if not isinstance(data, dict):
        message = "the front matter must be `key: value` lines such as `title: ...`"
        raise ArticleError(message)
    return data, end + 1


def _signature(body: list[str]) -> str | None:
    """The name in a last line such as `/iago` or `— Jane Doe`, if the article signs off."""
    last = next((line for line in reversed(body) if line.strip()), None)
    if last is None:
        return None
    handle = SLASH_SIGNATURE.match(last)
    if handle:
        return handle.group(1)
    # A dash sign-off must look like a name, so "— and that's all." is not taken for one.
    name = DASH_SIGNATURE.match(last)
    if name and name.group(1)[0].isupper() and not name.group(1).endswith((".", "!", "?")):
        return name.group(1)
    return None


def _starts_block(line: str) -> bool:
    """Whether `line` opens a new block, so it cannot continue a paragraph."""
    patterns = (FENCE, ATX_HEADING, THEMATIC_BREAK, QUOTE_LINE, LIST_ITEM, HTML_START)
    return any(pattern.match(line) for pattern in patterns)


class _BlockReader:
    """Reads lines into blocks; code, HTML, tables and link definitions are skipped."""

    def __init__(self, lines: list[str], first_line: int) -> None:
        self.lines = lines
        self.first_line = first_line
        self.blocks: list[Block] = []
        self.open: list[str] = []
        self.open_kind: BlockKind = "paragraph"
        self.open_line = 0
        self.after_item = False

    def read(self) -> list[Block]:
        index = 0
        while index < len(self.lines):
            index = self.step(index)
        self.close()
        return self.blocks

    def step(self, index: int) -> int:
        """Handle the line at `index`; returns the index of the next line to read."""
        line = self.lines[index]
        number = self.first_line + index
        if not line.strip():
            self.close()
            return index + 1
        if self.open and self.open_kind == "paragraph" and SETEXT_UNDERLINE.match(line):
            level = 1 if line.strip().startswith("=") else 2
            self.blocks.append(Block("heading", " ".join(self.open), self.open_line, level))
            self.open = []
            return index + 1
        if self.open and self.open_kind == "item" and not _starts_block(line):
            self.open.append(line.strip())
            return index + 1
        indented = line.startswith(("  ", "\t"))
        if self.after_item and not self.open and indented and not LIST_ITEM.match(line):
            # A second paragraph of the same list item, indented under it.
            last = self.blocks[-1]
            self.blocks[-1] = replace(last, text=f"{last.text} {line.strip()}")
            return index + 1
        if self.open and self.open_kind == "paragraph" and not _starts_block(line):
            self.open.append(line.strip())
            return index + 1
        self.close()
        return self.start_block(index, number)

    def start_block(self, index: int, number: int) -> int:
        """Start whatever block the line at `index` opens; returns the next line to read."""
        line = self.lines[index]
        openers: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], int]], ...] = (
            (FENCE, lambda m: self.skip_fence(index, m.group(1))),
            (THEMATIC_BREAK, lambda m: index + 1),
            (ATX_HEADING, lambda m: self.add_heading(m, index, number)),
            (QUOTE_LINE, lambda m: self.read_quote(index, number)),
            (HTML_START, lambda m: self.skip_html(index)),
            (TABLE_ROW, lambda m: index + 1),
            (LINK_DEFINITION, lambda m: index + 1),
        )
        for pattern, handle in openers:
            match = pattern.match(line)
            if match:
                self.after_item = self.after_item and pattern in (TABLE_ROW, LINK_DEFINITION)
                return handle(match)
        item = LIST_ITEM.match(line)
        if item:
            self.open, self.open_kind, self.open_line = (
                [(item.group(2) or "").strip()],
                "item",
                number,
            )
        elif line.startswith(("    ", "\t")) and not self.after_item:
            return self.skip_indented_code(index)
        else:
            self.after_item = False
            self.open, self.open_kind, self.open_line = [line.strip()], "paragraph", number
        return index + 1

    def add_heading(self, match: re.Match[str], index: int, number: int) -> int:
        level = len(match.group(1))
        self.blocks.append(Block("heading", (match.group(2) or "").strip(), number, level))
        return index + 1

    def close(self) -> None:
        """Finish the open paragraph or list item, if any."""
        if not self.open:
            return
        text = " ".join(part for part in self.open if part)
        if text:
            self.blocks.append(Block(self.open_kind, text, self.open_line))
        self.after_item = self.open_kind == "item"
        self.open = []

    def read_quote(self, index: int, number: int) -> int:
        """Read one block quote (with lazy continuation lines) into a single quote block."""
        inner: list[str] = []
        end = index
        while end < len(self.lines):
            line = self.lines[end]
            match = QUOTE_LINE.match(line)
            if match:
                inner.append(match.group(1))
            elif line.strip() and inner and inner[-1].strip() and not _starts_block(line):
                inner.append(line)
            else:
                break
            end += 1
        children = _BlockReader(inner, number).read()
        text = " ".join(_as_sentence(child.text) for child in children if child.text)
        if text:
            self.blocks.append(Block("quote", text, number))
        return end

    def skip_fence(self, index: int, marker: str) -> int:
        """Skip a fenced code block; code is never a takeaway."""
        closing = re.compile(rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}[ \t]*$")
        end = index + 1
        while end < len(self.lines) and not closing.match(self.lines[end]):
            end += 1
        return end + 1

    def skip_indented_code(self, index: int) -> int:
        """Skip an indented code block, blank lines inside it included."""
        end = index
        while end < len(self.lines) and (
            self.lines[end].startswith(("    ", "\t")) or not self.lines[end].strip()
        ):
            end += 1
        return end

    def skip_html(self, index: int) -> int:
        """Skip an HTML block: a comment or raw element to its end, anything else to a blank."""
        line = self.lines[index]
        raw = RAW_HTML.match(line)
        if raw or "<!--" in line:
            closer = f"</{raw.group(1).lower()}" if raw else "-->"
            end = index
            while end < len(self.lines) and closer not in self.lines[end].lower():
                end += 1
            return end + 1
        end = index
        while end < len(self.lines) and self.lines[end].strip():
            end += 1
        return end


def _as_sentence(text: str) -> str:
    """`text` ending in sentence punctuation, so joined quote paragraphs still split cleanly."""
    bare = text.rstrip("*_`\"'”’)] ")
    return text if bare.endswith((".", "!", "?", "…", ":", ";")) else f"{text}."


def split_sentences(text: str) -> list[str]:
    """Sentences of one line of inline markdown; a bold span cut in two is closed and reopened."""
    protected = [match.span() for match in PROTECTED.finditer(text)]
    sentences: list[str] = []
    start = 0
    for match in SENTENCE_END.finditer(text):
        cut = match.start()
        if any(low <= cut < high for low, high in protected):
            continue
        before = text[start:cut].split()
        word = before[-1].lower().lstrip("*_(\"'“‘") if before else ""
        if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
            continue
        sentences.append(text[start : match.end()].strip())
        start = match.end()
    sentences.append(text[start:].strip())
    return _balance_bold([s for s in sentences if s])


def _balance_bold(sentences: list[str]) -> list[str]:
    """Close a `**` left open at the end of a sentence and reopen it in the next one."""
    balanced: list[str] = []
    carried = False
    for sentence in sentences:
        text = f"**{sentence}" if carried else sentence
        marks = CODE_SPAN.sub("", text).count("**")
        carried = marks % 2 == 1
        balanced.append(f"{text}**" if carried else text)
    return balanced


def to_mrkdwn(text: str) -> str:
    """Inline markdown as Slack mrkdwn: links as their text, *bold*, _italics_, `code`."""
    return _convert(text, plain=False)


def to_plain(text: str) -> str:
    """Inline markdown as plain text with no markup at all, for titles and attribution."""
    return _convert(text, plain=True)


def _convert(text: str, plain: bool) -> str:
    codes: list[str] = []

    def keep(value: str) -> str:
        codes.append(value)
        return f"\x00{len(codes) - 1}\x00"

    text = "".join(ch for ch in text if ch.isprintable() or ch.isspace()).replace("\x00", "")
    text = CODE_SPAN.sub(lambda m: keep(_code(m.group(2), plain)), text)
    text = ESCAPED.sub(lambda m: keep(_prose(m.group(1))), text)
    text = html.unescape(text)
    text = HTML_COMMENT.sub(" ", text)
    text = HTML_WITH_CONTENT.sub(" ", text)
    text = IMAGE.sub(" ", text)
    text = LINK.sub(lambda m: m.group(1), text)
    text = ANGLE_LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = SLACK_SEQUENCE.sub(lambda m: m.group(2) or m.group(1), text)
    text = HTML_TAG.sub(" ", text)
    text = _prose(text)
    if plain:
        text = BOLD.sub(r"\2", text)
        text = ITALIC.sub(r"\2", text)
        text = STRIKE.sub(r"\1", text)
    else:
        text = BOLD.sub("\x01\\2\x01", text)
        text = ITALIC.sub(r"_\2_", text)
        text = STRIKE.sub(r"~\1~", text)
    text = LEFTOVER_MARKS.sub("", text).replace("\x01", "*")
    text = SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))
    return re.sub("\x00(\\d+)\x00", lambda m: codes[int(m.group(1))], text).strip()


def _prose(text: str) -> str:
    """Prose with the characters Slack treats as markup spelled out, and no broadcast mentions."""
    for symbol, arrow in SYMBOLS:
        text = text.replace(symbol, arrow)
    text = BROADCAST.sub(r"\1", text)
    for char, word in PROSE_WORDS:
        text = text.replace(char, word)
    return text


def _code(content: str, plain: bool) -> str:
    """A code span as Slack code (entities for markup characters), or as plain words."""
    content = " ".join(content.replace("`", "'").split())
    if not content:
        return ""
    if plain:
        return " ".join(_prose(content).split())
    for char, entity in CODE_ENTITIES:
        content = content.replace(char, entity)
    return f"`{content}`"

"""An article read with markdown-it: its front matter, its blocks in order, and its sign-off."""

import re
from dataclasses import dataclass, field, replace
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.tree import SyntaxTreeNode

from bot.importer.front_matter import read_front_matter
from bot.importer.inline import Inline, merged, plain, raw_text, read_inline, sliced

# CommonMark, with tables and strikethrough read as such rather than as paragraphs of pipes.
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
SLASH_SIGNATURE = re.compile(r"^\s*/([^\W\d_][\w.-]{0,39})\s*$")
DASH_SIGNATURE = re.compile(r"^\s*(?:[—–]|--)\s*([^\W\d_][\w.'’-]*(?:[ \t]+[\w.'’-]+){0,3})\s*$")


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading: its level (1 for `#`), its text, and its line in the article."""

    level: int
    text: Inline
    line: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A paragraph's text, its lines joined, and its first line in the article."""

    text: Inline
    line: int


@dataclass(frozen=True, slots=True)
class Item:
    """One item of a list: the blocks inside it."""

    blocks: "tuple[Block, ...]"
    line: int


@dataclass(frozen=True, slots=True)
class ListBlock:
    """A bulleted or numbered list."""

    items: tuple[Item, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Quote:
    """A block quote: the blocks inside it."""

    blocks: "tuple[Block, ...]"
    line: int


Block = Heading | Paragraph | ListBlock | Quote


@dataclass(frozen=True)
class Article:
    """A parsed article: front matter, blocks (code, HTML and tables left out), sign-off."""

    front_matter: dict[str, Any] = field(default_factory=dict)
    blocks: tuple[Block, ...] = ()
    signature: str | None = None

    @property
    def title(self) -> str | None:
        """The text of the first level-1 heading, if any."""
        first = next((b for b in self.blocks if isinstance(b, Heading) and b.level == 1), None)
        return plain(first.text) if first else None


def parse_article(text: str) -> Article:
    """Front matter, blocks and sign-off of `text`; ArticleError for broken front matter."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    front_matter, first = read_front_matter(lines)
    body = lines[first:]
    signature = _signature(body)
    if signature is not None:
        body = body[: max(i for i, line in enumerate(body) if line.strip())]
    tree = SyntaxTreeNode(PARSER.parse("\n".join(body)))
    return Article(front_matter, _blocks(tree, first), signature)


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


def _blocks(node: SyntaxTreeNode, first_line: int) -> tuple[Block, ...]:
    """The blocks under `node` that can hold prose; code, HTML, tables and rules are skipped."""
    blocks: list[Block] = []
    for child in node.children:
        line = first_line + (child.map[0] if child.map else 0) + 1
        if child.type == "heading":
            blocks.append(Heading(int(child.tag[1:]), _inline(child), line))
        elif child.type == "paragraph":
            blocks.append(Paragraph(_inline(child), line))
        elif child.type in ("bullet_list", "ordered_list"):
            items = tuple(
                Item(_blocks(item, first_line), first_line + (item.map[0] if item.map else 0) + 1)
                for item in child.children
            )
            blocks.append(ListBlock(items, line))
        elif child.type == "blockquote":
            blocks.append(Quote(_blocks(child, first_line), line))
    return tuple(blocks)


def _inline(node: SyntaxTreeNode) -> Inline:
    """The text of a heading or paragraph node."""
    inline = node.children[0] if node.children else None
    if inline is None or inline.token is None:
        return ()
    return _bold_left_open(read_inline(inline.token.children or []))


def _bold_left_open(text: Inline) -> Inline:
    """A paragraph opening with `**` that a line of HTML cut short, as the bold it meant."""
    raw = raw_text(text)
    if not raw.startswith(("**", "__")) or any(run.bold for run in text):
        return text
    closed = raw.rstrip().endswith(raw[:2])
    inner = sliced(text, 2, len(raw.rstrip()) - (2 if closed else 0))
    return merged(replace(run, bold=True) for run in inner)

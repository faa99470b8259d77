"""Takeaways: the passages an article's author marked as lessons, with the story before each."""

from collections.abc import Sequence
from dataclasses import dataclass

from bot.content.markdown import BOLD, Block, split_sentences, to_plain

CONTEXT_BLOCKS = 2
MIN_BOLD_WORDS = 3  # shorter bold is emphasis on a word, not a takeaway


@dataclass(frozen=True, slots=True)
class Takeaway:
    """A passage the author marked as a lesson, with the story paragraphs just before it."""

    text: str
    context: tuple[str, ...]
    line: int
    marked_by: str


def find_takeaways(blocks: Sequence[Block]) -> list[Takeaway]:
    """Block quotes and bold passages, each with the story paragraphs just before it."""
    takeaways: list[Takeaway] = []
    context: list[str] = []
    for block in blocks:
        if block.kind == "heading":
            context = []  # a new section starts a new story
            continue
        if block.kind == "quote":
            takeaways.append(Takeaway(block.text, tuple(context), block.line, "block quote"))
            context = []
            continue
        bold = _bold_passage(block.text)
        if bold is None:
            context = [*context, block.text][-CONTEXT_BLOCKS:]
            continue
        passage, before = bold
        story = (before,) if before else tuple(context)
        takeaways.append(Takeaway(passage, story, block.line, "bold text"))
        context = []
    return [t for t in takeaways if to_plain(t.text)]


def _bold_passage(text: str) -> tuple[str, str] | None:
    """The bold sentences of a paragraph and the sentences before them; None if none is bold.

    A paragraph that opens with a bold sentence or a bold label ("**Tip:**") is one passage.
    """
    spans = [m.group(2) for m in BOLD.finditer(text)]
    if not spans:
        return None
    opening = text.lstrip().startswith(("**", "__"))
    if opening and (len(spans[0].split()) >= MIN_BOLD_WORDS or spans[0].endswith(":")):
        return text, ""
    sentences = split_sentences(text)
    marked = [
        index
        for index, sentence in enumerate(sentences)
        if any(len(m.group(2).split()) >= MIN_BOLD_WORDS for m in BOLD.finditer(sentence))
    ]
    if not marked:
        return None
    passage = " ".join(sentences[marked[0] : marked[-1] + 1])
    return passage, " ".join(sentences[: marked[0]])

"""Takeaways: the lessons an article marks, as a careful reader would list them.

Authors mark a lesson in one of a few ways: a block quote, a bold sentence, a bold label that
opens a paragraph or a list item ("**Ask first.** When someone..."), a heading that says what
to do ("## Ship small"), or a list announced as lessons or as mistakes to avoid.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from bot.content.model import LIMITS
from bot.importer.article import Block, Heading, Item, ListBlock, Paragraph, Quote
from bot.importer.inline import (
    Inline,
    bold_words,
    joined,
    leading_bold,
    mrkdwn,
    plain,
    raw_text,
    sentences,
    sliced,
    stripped,
)
from bot.importer.phrasing import (
    is_numbered,
    is_structure,
    label_kind,
    names_lessons,
    names_mistakes,
    reads_imperative,
    without_numbering,
    words_of,
)

STORY_PARAGRAPHS = 2  # how far back the story before a takeaway is kept
MIN_BOLD_WORDS = 3  # shorter bold inside a sentence is emphasis on a word, not a takeaway
MIN_EXPLAINED_WORDS = 5  # a one-word label counts when this much explanation follows it
# Words that point back to the sentence before: a sentence opening with them continues a point.
BACK_REFERENCES = frozenset("it its them they this these those one ones such".split())
BACK_REFERENCE_REACH = 4


@dataclass(frozen=True, slots=True)
class Takeaway:
    """A lesson the article marks: the words naming it, the passage saying it, where it is."""

    label: str  # a heading or bold label naming the lesson ("Ask first"); "" when none
    text: Inline  # the passage that says or explains the lesson, without its label
    context: tuple[Inline, ...]  # the story paragraphs just before it, if any
    line: int
    marked_by: str
    warns: bool = False  # the article lists it as a mistake to avoid


@dataclass(frozen=True, slots=True)
class Section:
    """The blocks under one heading (or before the first), and what its headings announce."""

    heading: Heading | None
    blocks: tuple[Block, ...]
    warns: bool  # its heading announces mistakes to avoid, so its lists hold them
    lessons: bool  # its heading announces lessons, so its lists hold them
    parent_warns: bool  # the heading above announces mistakes: this heading names one
    parent_lessons: bool  # the heading above announces lessons: this heading names one


def find_takeaways(blocks: Sequence[Block]) -> list[Takeaway]:
    """Every takeaway of an article, in order; a long passage holding several gives each."""
    found: list[Takeaway] = []
    for section in _sections(blocks):
        inside = _marked(section)
        if inside:
            found += inside
        elif section.heading is not None and _is_lesson_heading(section):
            found.append(_heading_takeaway(section, section.heading))
    split = [point for takeaway in found for point in _points(takeaway)]
    return [t for t in split if t.label or plain(t.text)]


def _sections(blocks: Sequence[Block]) -> Iterator[Section]:
    """The article cut at its headings, each part knowing what its own and its parent say."""
    above: list[Heading] = []
    body: list[Block] = []
    for block in [*blocks, None]:
        if block is not None and not isinstance(block, Heading):
            body.append(block)
            continue
        if above or body:
            own = plain(above[-1].text) if above else ""
            parent = plain(above[-2].text) if len(above) > 1 else ""
            yield Section(
                above[-1] if above else None,
                tuple(body),
                warns=names_mistakes(own),
                lessons=names_lessons(own),
                parent_warns=names_mistakes(parent),
                parent_lessons=names_lessons(parent),
            )
        if block is None:
            return
        above = [h for h in above if h.level < block.level] + [block]
        body = []


def _is_lesson_heading(section: Section) -> bool:
    """Whether a section's heading is itself a lesson: an instruction, or one of a numbered or
    announced list of them; never a part such as "Introduction"."""
    assert section.heading is not None
    text = plain(section.heading.text)
    if section.heading.level == 1 or is_structure(text) or not without_numbering(text):
        return False
    if names_mistakes(text) or names_lessons(text):
        return False  # it announces the lessons below; it is not one of them
    parent_says = section.parent_warns or section.parent_lessons
    return parent_says or is_numbered(text) or reads_imperative(without_numbering(text))


def _heading_takeaway(section: Section, heading: Heading) -> Takeaway:
    """A lesson heading, with the prose of its section as the passage explaining it."""
    prose = [b.text for b in section.blocks if isinstance(b, Paragraph) and not _is_lead_in(b.text)]
    label = _clean_label(plain(heading.text))
    return Takeaway(
        label, joined(*prose), (), heading.line, "section heading", section.parent_warns
    )


def _marked(section: Section) -> list[Takeaway]:
    """The takeaways marked inside one section's blocks, each with the story just before it."""
    found: list[Takeaway] = []
    story: list[Inline] = []
    lead_in: str = ""
    for block in section.blocks:
        if isinstance(block, Paragraph):
            takeaway = _paragraph_takeaway(block, story, section.warns)
            if takeaway is not None:
                found.append(takeaway)
                story = []
            elif _is_lead_in(block.text):
                lead_in = plain(block.text)
                continue
            else:
                story = [*story, block.text][-STORY_PARAGRAPHS:]
        elif isinstance(block, Quote):
            text = joined(*_paragraphs(block.blocks))
            if plain(text):
                found.append(Takeaway("", text, tuple(story), block.line, "block quote"))
                story = []
        elif isinstance(block, ListBlock):
            warns = section.warns or names_mistakes(lead_in)
            lessons = section.lessons or names_lessons(lead_in)
            for item in block.items:
                takeaway = _item_takeaway(item, warns, lessons)
                found += [takeaway] if takeaway is not None else []
        lead_in = ""
    return found


def _paragraphs(blocks: Sequence[Block]) -> list[Inline]:
    """The text of every paragraph in `blocks`, lists and quotes inside them included."""
    texts: list[Inline] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            texts.append(block.text)
        elif isinstance(block, Quote):
            texts += _paragraphs(block.blocks)
        elif isinstance(block, ListBlock):
            for item in block.items:
                texts += _paragraphs(item.blocks)
    return texts


def _is_lead_in(text: Inline) -> bool:
    """Whether a paragraph only announces what follows ("Three habits helped:")."""
    return raw_text(text).rstrip().rstrip("*_").endswith(":")


def _paragraph_takeaway(block: Paragraph, story: list[Inline], warns: bool) -> Takeaway | None:
    """A paragraph opening with a bold lesson, or holding bold sentences; None otherwise."""
    labelled = _labelled(block.text, block.line, "bold label", warns=warns, in_list=False)
    if labelled is not None:
        return labelled
    marked = _bold_sentences(block.text)
    if marked is None:
        return None
    passage, before = marked
    context = (before,) if plain(before) else tuple(story)
    return Takeaway("", passage, context, block.line, "bold text", warns)


def _item_takeaway(item: Item, warns: bool, lessons: bool) -> Takeaway | None:
    """A list item opening with a bold label, holding a bold sentence, or in a list of lessons."""
    texts = [b.text for b in item.blocks if isinstance(b, Paragraph)]
    if not texts:
        return None
    first, more = texts[0], texts[1:]
    labelled = _labelled(
        first, item.line, "bold list item", warns=warns, in_list=True, lessons=lessons
    )
    if labelled is not None:
        return Takeaway(
            labelled.label, joined(labelled.text, *more), (), item.line, labelled.marked_by, warns
        )
    marked = _bold_sentences(first)
    if marked is not None:
        return Takeaway("", joined(marked[0], *more), (), item.line, "bold text", warns)
    if warns or lessons:
        kind = "list of mistakes" if warns else "list of lessons"
        return Takeaway("", joined(first, *more), (), item.line, kind, warns)
    return None


def _labelled(
    text: Inline, line: int, marked_by: str, *, warns: bool, in_list: bool, lessons: bool = False
) -> Takeaway | None:
    """A takeaway from text opening with a bold label, if the label reads as a lesson."""
    split = leading_bold(text)
    if split is None:
        return None
    label_runs, rest = split
    label = plain(label_runs)
    rest = _after_label(rest)
    kind = label_kind(label)
    if kind == "aside":
        return None
    if kind == "lead-in":
        return Takeaway("", rest, (), line, marked_by, warns) if plain(rest) else None
    if len(label) > LIMITS["title"] or len(sentences(label_runs)) > 1:
        # A bold opening this long is a passage in bold, not a label naming one.
        return Takeaway("", joined(label_runs, rest), (), line, "bold text", warns)
    count = len(words_of(label))
    explained = len(plain(rest).split()) >= MIN_EXPLAINED_WORDS and label.endswith((".", "!"))
    lesson = count >= MIN_BOLD_WORDS or reads_imperative(label) or warns or lessons
    if not (lesson or (in_list and count >= 2) or explained):
        return None
    return Takeaway(_clean_label(label), rest, (), line, marked_by, warns)


def _after_label(rest: Inline) -> Inline:
    """The text after a bold label, without the colon or dash that separated them."""
    text = raw_text(rest)
    start = len(text) - len(text.lstrip(" \t:—–-.")) if text.lstrip()[:1] in ":—–-." else 0
    return stripped(sliced(rest, start, len(text)))


def _clean_label(label: str) -> str:
    """A label as the words of a lesson: no numbering, no punctuation closing it."""
    return without_numbering(label).strip().rstrip(".:;,!—–-").strip()


def _bold_sentences(text: Inline) -> tuple[Inline, Inline] | None:
    """(the sentences from the first bold one on, the sentences before), or None if none is."""
    found = sentences(text)
    marked = [i for i, sentence in enumerate(found) if bold_words(sentence) >= MIN_BOLD_WORDS]
    if not marked:
        return None
    first = found[marked[0]]
    # "The fix is simple: **write it down**" says its point after the colon.
    opening = raw_text(first)
    bold_at = 0
    for run in first:
        if run.bold:
            break
        bold_at += len(run.text)
    if 0 < bold_at < len(opening) and opening[:bold_at].rstrip().endswith(":"):
        first = stripped(sliced(first, bold_at, len(opening)))
    return joined(first, *found[marked[0] + 1 :]), joined(*found[: marked[0]])


def _points(takeaway: Takeaway) -> list[Takeaway]:
    """A passage too long for one tip, cut into its separate instructions; others as they are.

    A new point starts at a sentence that says what to do, once the current point has an
    instruction of its own, unless the sentence points back ("Plan for it...").
    """
    if takeaway.label or len(mrkdwn(takeaway.text)) <= LIMITS["body"]:
        return [takeaway]
    groups: list[list[Inline]] = []
    instructed = False
    for sentence in sentences(takeaway.text):
        text = plain(sentence)
        says_do = reads_imperative(text)
        if not groups or (says_do and instructed and not _points_back(text)):
            groups.append([sentence])
            instructed = says_do
        else:
            groups[-1].append(sentence)
            instructed = instructed or says_do
    return [
        Takeaway(
            "",
            joined(*group),
            takeaway.context if number == 0 else (),
            takeaway.line,
            takeaway.marked_by,
            takeaway.warns,
        )
        for number, group in enumerate(groups)
    ]


def _points_back(sentence: str) -> bool:
    """Whether a sentence leans on the one before it ("Plan for it", "Review each one")."""
    found = words_of(sentence)[1 : BACK_REFERENCE_REACH + 1]
    return any(word in BACK_REFERENCES for word in found)

"""Draft tips from takeaways: one tip per takeaway, with ids that do not clash."""

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.topics import Vocabulary
from bot.importer.bodies import draft_body
from bot.importer.ids import slugify, unique_id
from bot.importer.inline import plain
from bot.importer.tagging import choose_tags
from bot.importer.takeaways import Takeaway
from bot.importer.titles import PLACEHOLDER_TITLE, draft_title
from bot.importer.try_lines import draft_try

ID_WORDS = 8  # an untitled draft's id is made of its passage's first words


@dataclass(frozen=True, slots=True)
class DraftTip:
    """One drafted tip, with notes for the reviewer on where in the article it came from."""

    id: str
    title: str
    body: str
    try_: str
    tags: tuple[str, ...]
    level: str
    notes: tuple[str, ...]


def draft_tips(
    takeaways: Iterable[Takeaway], taken: set[str], vocabulary: Vocabulary, level: str
) -> list[DraftTip]:
    """A tip for every takeaway, at the article's `level`; ids avoid `taken` and each other."""
    used = set(taken)
    tips: list[DraftTip] = []
    for takeaway in takeaways:
        tip = _draft(takeaway, used, vocabulary, level)
        used.add(tip.id)
        tips.append(tip)
    return tips


def _draft(takeaway: Takeaway, used: set[str], vocabulary: Vocabulary, level: str) -> DraftTip:
    title = draft_title(takeaway)
    body = draft_body(takeaway)
    named = (
        title if title != PLACEHOLDER_TITLE else " ".join(plain(takeaway.text).split()[:ID_WORDS])
    )
    tip_id = unique_id(slugify(named) or "tip", used)
    tags = choose_tags(f"{takeaway.label} {plain(takeaway.text)}", vocabulary)
    notes = [f"# from the {takeaway.marked_by} at line {takeaway.line} of the article"]
    if body.left_out:
        sentences = "sentence" if body.left_out == 1 else "sentences"
        notes.append(f"# {body.left_out} more {sentences} of the passage did not fit the body")
    return DraftTip(tip_id, title, body.text, draft_try(takeaway), tags, level, tuple(notes))

"""Draft tips from takeaways: one tip per part of each passage, with ids that do not clash."""

from collections.abc import Iterable
from dataclasses import dataclass

from bot.content.draft_body import body_parts, context_sentence, unwrapped, with_context
from bot.content.draft_ids import slugify, suffixed, unique_id
from bot.content.draft_labels import choose_level, choose_tags
from bot.content.draft_title import draft_title
from bot.content.draft_try import draft_try
from bot.content.markdown import to_plain
from bot.content.takeaways import Takeaway
from bot.content.topics import Vocabulary


@dataclass(frozen=True, slots=True)
class DraftTip:
    """One drafted tip, with where in the article it came from."""

    id: str
    title: str
    body: str
    try_: str
    tags: tuple[str, ...]
    level: str
    comment: str


def draft_tips(
    takeaways: Iterable[Takeaway], taken: set[str], vocabulary: Vocabulary
) -> list[DraftTip]:
    """Tips for every takeaway, split where one is too long; ids avoid `taken`."""
    used = set(taken)
    tips: list[DraftTip] = []
    for takeaway in takeaways:
        tips += _takeaway_tips(takeaway, used, vocabulary)
    return tips


def _takeaway_tips(takeaway: Takeaway, used: set[str], vocabulary: Vocabulary) -> list[DraftTip]:
    """One takeaway's tips, adding their ids to `used`; later parts number the first part's id."""
    parts = body_parts(unwrapped(takeaway.text))
    context = context_sentence(takeaway)
    level = choose_level(to_plain(takeaway.text))
    tips: list[DraftTip] = []
    first_id = ""
    for number, (markdown, slack) in enumerate(parts, start=1):
        body = with_context(slack, context) if number == 1 else slack
        plain = to_plain(markdown)
        title = draft_title(plain)
        base = (slugify(title) or "tip") if number == 1 else suffixed(first_id, number)
        tip_id = unique_id(base, used)
        used.add(tip_id)
        first_id = first_id or tip_id
        story = to_plain(context or "") if number == 1 else ""
        tags = choose_tags(plain, story, vocabulary)
        where = _origin_comment(takeaway, number, len(parts))
        tips.append(DraftTip(tip_id, title, body, draft_try(plain, title), tags, level, where))
    return tips


def _origin_comment(takeaway: Takeaway, number: int, count: int) -> str:
    """The YAML comment saying where in the article a tip (or part `number` of `count`) is from."""
    where = f"# from the {takeaway.marked_by} at line {takeaway.line} of the article"
    if count > 1:
        where += f" (part {number} of {count})"
    return where

"""A drafted tip's title: the lesson in whole words, never a sentence cut where it ran out."""

import re

from bot.content.model import LIMITS, PLACEHOLDER
from bot.importer.inline import plain, sentences
from bot.importer.phrasing import as_warning, key_clause
from bot.importer.takeaways import Takeaway

PLACEHOLDER_TITLE = f"{PLACEHOLDER}: a title of at most {LIMITS['title']} characters"
# Where a clause ends, strongest first: a clause before a semicolon or dash stands alone more
# surely than one before a comma, and that more surely than one before "and" or "because".
CLAUSE_BREAKS = (
    re.compile(r"\s*;\s+|\s+[—–]\s+|\s+-\s+|:\s+"),
    re.compile(r",\s+"),
    re.compile(r"\s+(?=(?:and|but|or|so|because|yet)\s)"),
)
MIN_CLAUSE_WORDS = 4


def lesson_of(takeaway: Takeaway) -> str:
    """The takeaway's label as advice: a mistake to avoid is said as a warning against it."""
    return as_warning(takeaway.label) if takeaway.warns else takeaway.label


def draft_title(takeaway: Takeaway) -> str:
    """The label, or the point of the passage's first sentence, or the longest whole clause
    of it that fits; a placeholder when not even a clause fits."""
    if takeaway.label:
        clause = key_clause(lesson_of(takeaway))
    else:
        first = sentences(takeaway.text)
        clause = key_clause(plain(first[0])) if first else ""
        clause = as_warning(clause) if takeaway.warns and clause else clause
    for candidate in whole_clauses(clause):
        if len(candidate) <= LIMITS["title"]:
            return candidate[:1].upper() + candidate[1:]
    return PLACEHOLDER_TITLE


def whole_clauses(text: str) -> list[str]:
    """`text`, then its beginnings that end where a clause does: at the strongest breaks
    first, longest first among those."""
    found = [text.strip()] if text.strip() else []
    for pattern in CLAUSE_BREAKS:
        heads = [text[: m.start()].strip() for m in pattern.finditer(text)]
        found += [
            h for h in reversed(heads) if len(h.split()) >= MIN_CLAUSE_WORDS and h not in found
        ]
    return found

"""A drafted tip's try line: the takeaway's own instruction for this week, or a placeholder."""

import re
from collections.abc import Iterator

from bot.content.model import LIMITS, PLACEHOLDER
from bot.importer.inline import plain, sentences
from bot.importer.phrasing import as_instruction, key_clause
from bot.importer.takeaways import Takeaway
from bot.importer.titles import whole_clauses

TRY_PREFIX = "This week, "
TRY_PLACEHOLDER = f"{PLACEHOLDER}: one thing to do this week"
TRY_CLAUSE_BREAK = re.compile(
    r",\s+(?:which|because|since|so|as|while|when|or|but)\b|[;:]\s+|\s+[—–]\s+"
)
# "Say yes to everything and you will be popular" describes a mistake; it is no instruction.
CONSEQUENCE = re.compile(r"\band (?:you|you['’]ll|you will|it|they|people)\b", re.IGNORECASE)
MIN_ACTION_WORDS = 2
FULL_LABEL_WORDS = 3  # "Read the description first" says it all; "Ask first" leaves out what


def draft_try(takeaway: Takeaway) -> str:
    """The first instruction the takeaway gives, as something to do this week; a placeholder
    when it gives none (for a mistake, only what to do instead counts)."""
    room = LIMITS["try"] - len(TRY_PREFIX) - 1
    for action in _actions(takeaway):
        fitting = next((head for head in whole_clauses(action) if len(head) <= room), None)
        if fitting:
            return f"{TRY_PREFIX}{fitting}."
    return TRY_PLACEHOLDER


def _actions(takeaway: Takeaway) -> Iterator[str]:
    """A label that instructs in full, then the passage's instructions, then a short label's;
    for a mistake, only instructions in the passage, which say what to do instead."""
    said = [plain(sentence) for sentence in sentences(takeaway.text)]
    if takeaway.warns:
        # The label names the mistake, so only the passage can say what to do instead.
        said = [sentence for sentence in said if not CONSEQUENCE.search(sentence)]
    elif len(takeaway.label.split()) >= FULL_LABEL_WORDS:
        said.insert(0, takeaway.label)
    elif takeaway.label:
        said.append(takeaway.label)
    for sentence in said:
        action = _instruction(sentence, said_of_roles=not takeaway.warns)
        if action:
            yield action


def _instruction(sentence: str, said_of_roles: bool) -> str | None:
    """The sentence's point as an instruction, up to its first clause break; None if none."""
    action = as_instruction(key_clause(sentence), said_of_roles)
    if action is None:
        return None
    action = TRY_CLAUSE_BREAK.split(action)[0].strip().rstrip(".!?,;:").strip()
    return action if len(action.split()) >= MIN_ACTION_WORDS else None

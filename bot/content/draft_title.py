"""A drafted tip's title: the passage's point, as a plain headline within the title limit."""

import re

from bot.content.markdown import split_sentences
from bot.content.model import LIMITS
from bot.content.takeaways import MIN_BOLD_WORDS
from bot.content.text import stem

CLAUSE_BREAK = re.compile(r"\s*[;:]\s+|\s+[—–]\s+|\s+-\s+|,\s+")
CONJUNCTION = re.compile(r"\s+(?=(?:and|or|when|while|because|so|which|that|if)\s)")
SUBORDINATORS = frozenset(
    "while when whenever if although though because as since after before unless whereas once "
    "until".split()
)
TRAILING_FILLER = frozenset(
    "a an the and or but of on in to for with at by from as that which who is are be its their "
    "his her your our this these those".split()
)
MAX_LEAD_IN_WORDS = 12
SHORT_LEAD_IN = 4
LEAD_IN_NOUNS = frozenset(
    "difference lesson tip rule takeaway point thing idea truth secret key fix answer trick "
    "principle habit problem question reason part step".split()
)


def key_clause(plain: str) -> str:
    """The passage's point: its first sentence without a lead-in or a leading subordinate clause.

    "The second difference: X" is about X; "While A, B" is about B.
    """
    sentence = split_sentences(plain)[0] if plain.strip() else ""
    head, _, rest = sentence.partition(": ")
    if _is_lead_in(head) and len(rest.split()) >= MIN_BOLD_WORDS:
        sentence = rest
    first, comma, main = sentence.partition(", ")
    if comma and first.split()[0].lower() in SUBORDINATORS and len(main.split()) >= MIN_BOLD_WORDS:
        sentence = main
    return sentence.strip().rstrip(".!?…:;,").strip()


def _is_lead_in(text: str) -> bool:
    """Whether the words before a colon only announce the point ("The second difference")."""
    found = text.lower().split()
    if not found or len(found) > MAX_LEAD_IN_WORDS:
        return False
    return len(found) <= SHORT_LEAD_IN or any(stem(w.strip(",")) in LEAD_IN_NOUNS for w in found)


def draft_title(plain: str) -> str:
    """A plain headline from the passage's first clause, at most the title limit."""
    clause = key_clause(plain)
    if len(clause) > LIMITS["title"]:
        first = CLAUSE_BREAK.split(clause)[0]
        if len(first.split()) >= MIN_BOLD_WORDS:
            clause = first
    if len(clause) > LIMITS["title"]:
        # Cutting before "and", "when"... leaves a phrase that still reads whole.
        cuts = [m.start() for m in CONJUNCTION.finditer(clause) if m.start() <= LIMITS["title"]]
        if cuts and len(clause[: cuts[-1]].split()) > SHORT_LEAD_IN:
            clause = clause[: cuts[-1]]
    title = trim_words(clause, LIMITS["title"])
    return (title[:1].upper() + title[1:]) if title else "Untitled tip"


def trim_words(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, without a dangling word."""
    kept = text.split()
    while kept and len(" ".join(kept)) > limit:
        kept.pop()
    if not kept:
        return text[:limit].strip()
    while len(kept) > 1 and kept[-1].lower().strip(",;:") in TRAILING_FILLER:
        kept.pop()
    return " ".join(kept).rstrip(",;:—–-").strip()

"""A drafted tip's body: the lesson and as much of its passage as fits, in whole sentences."""

import re
from dataclasses import dataclass

from bot.content.model import LIMITS
from bot.content.text import STOPWORDS, words
from bot.importer.inline import Inline, bold, mrkdwn, plain, raw_text, sentences, sliced
from bot.importer.phrasing import MIN_POINT_WORDS, is_lead_in
from bot.importer.takeaways import Takeaway
from bot.importer.titles import lesson_of

CONTEXT_LABEL = "_Context:_"
MAX_CONTEXT = 200
# A story sentence opening on one of these leans on a sentence the reader does not have.
LEANING_OPENERS = frozenset("he she they it this that these those his her their him them".split())
# The author's "I" in a tip read alone stands for nobody the reader knows.
FIRST_PERSON = frozenset("i i'm i've my me mine".split())
# A tip is read alone, so it may not open on a word that links it to a sentence before it.
SEQUENCE_WORD = re.compile(
    r"^(?:(?:finally|also|then|firstly|first|secondly|second|thirdly|third|next|lastly|last|"
    r"above all|instead|plus|again),\s+|(?:and|but|so|also|plus)\s+)",
    re.IGNORECASE,
)
CLAUSE_END = re.compile(r",\s+|;\s+|\s+[—–]\s+|:\s+")


@dataclass(frozen=True, slots=True)
class DraftBody:
    """A body in Slack mrkdwn, and how many sentences of the passage did not fit in it."""

    text: str
    left_out: int


def draft_body(takeaway: Takeaway) -> DraftBody:
    """The lesson in bold when a label names it, then the passage's sentences while they fit,
    then one sentence of the story before it, when one fits and shares its words."""
    body = _lead(takeaway)
    said = sentences(takeaway.text)
    if said and not body:
        said[0] = _without_lead_in(said[0])
    passage = [
        _capitalized(mrkdwn(sentence)) if not body and n == 0 else mrkdwn(sentence)
        for n, sentence in enumerate(said)
    ]
    kept = 0
    for sentence in passage:
        joint = "" if sentence[:1] in ",;:.!?" else " "
        longer = f"{body}{joint}{sentence}".strip()
        if len(longer) > LIMITS["body"]:
            break
        body, kept = longer, kept + 1
    if not body and passage:
        return DraftBody(_cut(passage[0]), len(passage) - 1)
    left_out = len(passage) - kept
    story = _story_sentence(takeaway) if left_out == 0 else None
    if story and len(f"{body} {CONTEXT_LABEL} {story}") <= LIMITS["body"]:
        body = f"{body} {CONTEXT_LABEL} {story}"
    return DraftBody(body, left_out)


def _without_lead_in(sentence: Inline) -> Inline:
    """A first sentence without what only announces it or ties it to the one before: "The
    first lesson: X" and "Finally, X" say X."""
    text = raw_text(sentence)
    linked = SEQUENCE_WORD.match(text)
    if linked and len(text[linked.end() :].split()) >= MIN_POINT_WORDS:
        return sliced(sentence, linked.end(), len(text))
    head, colon, rest = text.partition(": ")
    if not colon or not is_lead_in(head) or len(rest.split()) < MIN_POINT_WORDS:
        return sentence
    return sliced(sentence, len(head) + len(colon), len(text))


def _capitalized(text: str) -> str:
    """`text` with its first letter upper case, past any opening `*` or `_`."""
    marks = len(text) - len(text.lstrip("*_"))
    return text[:marks] + text[marks : marks + 1].upper() + text[marks + 1 :]


def _lead(takeaway: Takeaway) -> str:
    """The lesson a label names, in bold; it runs on into the passage when that goes on lower
    case ("*End early* so people can...")."""
    if not takeaway.label:
        return ""
    lesson = mrkdwn(bold(lesson_of(takeaway)))
    follows = plain(takeaway.text)[:1]
    runs_on = follows.islower() or follows in (",", ";")
    if runs_on or lesson.rstrip("*").endswith(("?", "!", ".")):
        return lesson
    return f"{lesson[:-1]}.*"


def _cut(sentence: str) -> str:
    """A sentence too long for a body, cut after the last whole clause that fits, with "…"."""
    limit = LIMITS["body"] - 4  # room for "…" and the marks it may have to close
    ends = [m.start() for m in CLAUSE_END.finditer(sentence) if 0 < m.start() <= limit]
    point = ends[-1] if ends else sentence.rfind(" ", 0, limit)
    head = sentence[: point if point > 0 else limit].rstrip(" ,;:—–") + "…"
    for mark in "`_*":  # close code, then italics, then bold, as they were opened
        if head.count(mark) % 2:
            head += mark
    return head


def _story_sentence(takeaway: Takeaway) -> str | None:
    """The story sentence sharing most words with the takeaway (the nearest on a tie)."""
    wanted = set(_content_words(plain(takeaway.text)))
    best: tuple[int, int, str] | None = None
    position = 0
    for paragraph in takeaway.context:
        for sentence in sentences(paragraph):
            position += 1
            text, said = mrkdwn(sentence), plain(sentence)
            opener = said.split()[0].lower() if said.split() else ""
            leaning = opener in LEANING_OPENERS or FIRST_PERSON & set(said.lower().split())
            if len(text) > MAX_CONTEXT or leaning or said.endswith(":"):
                continue
            overlap = len(wanted & set(_content_words(said)))
            if overlap and (best is None or (overlap, position) >= best[:2]):
                best = (overlap, position, text)
    return best[2] if best else None


def _content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 2]

"""A drafted tip's body: the passage cut into parts that fit, and the story sentence it keeps."""

import math
import re
from collections.abc import Sequence

from bot.content.markdown import split_sentences, to_mrkdwn, to_plain
from bot.content.model import LIMITS
from bot.content.takeaways import Takeaway
from bot.content.text import STOPWORDS, words

CONTEXT_LABEL = "_Context:_"
MAX_CONTEXT = 200
LONG_CLAUSE_BREAK = re.compile(r";\s+|\s+[—–]\s+|,\s+(?=which|who|so|but|and|because)|:\s+")


def unwrapped(text: str) -> str:
    """A passage without the bold around all of it: the bold only marked it as a takeaway."""
    match = re.fullmatch(r"\s*(\*\*|__)(?=\S)(.+?)(?<=\S)\1([.!?]?)\s*", text)
    if match and "**" not in match.group(2) and "__" not in match.group(2):
        return match.group(2) + match.group(3)
    return text


def body_parts(text: str) -> list[tuple[str, str]]:
    """The passage as (markdown, mrkdwn) parts cut between sentences, as few and even as fit."""
    sentences = [(s, to_mrkdwn(s)) for s in _fitting_sentences(text)]
    sentences = [pair for pair in sentences if pair[1]]
    limit = LIMITS["body"]
    total = len(" ".join(slack for _, slack in sentences))
    count = len(_pack(sentences, limit))
    # Even parts read better than a full one and a scrap: find the smallest width that
    # still needs no more parts than packing to the limit does.
    for width in range(math.ceil(total / max(count, 1)), limit + 1):
        parts = _pack(sentences, width)
        if len(parts) <= count:
            return parts
    return _pack(sentences, limit)


def _pack(sentences: Sequence[tuple[str, str]], width: int) -> list[tuple[str, str]]:
    parts: list[tuple[str, str]] = []
    for markdown, slack in sentences:
        if parts and len(parts[-1][1]) + 1 + len(slack) <= width:
            parts[-1] = (f"{parts[-1][0]} {markdown}", f"{parts[-1][1]} {slack}")
        else:
            parts.append((markdown, slack))
    return parts


def _fitting_sentences(text: str) -> list[str]:
    """Sentences of `text`, with any that would not fit the body limit cut at clauses or words."""
    fitting: list[str] = []
    for sentence in split_sentences(text):
        fitting.extend(_cut(sentence))
    return fitting


def _cut(sentence: str) -> list[str]:
    """`sentence` in pieces that fit the body limit: at a clause near the middle, else a word."""
    if len(to_mrkdwn(sentence)) <= LIMITS["body"]:
        return [sentence]
    points = [m.end() for m in LONG_CLAUSE_BREAK.finditer(sentence) if m.end() < len(sentence)]
    points = points or [m.end() for m in re.finditer(r"\s+", sentence) if m.end() < len(sentence)]
    middle = len(sentence) // 2
    point = min(points, key=lambda p: abs(p - middle)) if points else middle
    head, tail = sentence[:point].rstrip().rstrip(",;:—–").rstrip(), sentence[point:].strip()
    bold = "**" if head.count("**") % 2 else ""
    head, tail = f"{head}…{bold}", f"{bold}{tail}"  # the ellipsis shows the sentence goes on
    return [*_cut(head), *_cut(tail)]


def with_context(slack: str, context: str | None) -> str:
    """`slack` and the story sentence after it, when the part ends whole and both fit."""
    if not context or slack.rstrip("*_").endswith("…"):
        return slack
    body = f"{slack} {CONTEXT_LABEL} {context}"
    return body if len(body) <= LIMITS["body"] else slack


def context_sentence(takeaway: Takeaway) -> str | None:
    """The story sentence sharing most words with the takeaway (the nearest on a tie)."""
    wanted = set(_content_words(to_plain(takeaway.text)))
    best: tuple[int, int, str] | None = None
    position = 0
    for paragraph in takeaway.context:
        for sentence in split_sentences(paragraph):
            position += 1
            text = to_mrkdwn(sentence)
            if not text or len(text) > MAX_CONTEXT:
                continue
            overlap = len(wanted & set(_content_words(to_plain(sentence))))
            if best is None or (overlap, position) >= best[:2]:
                best = (overlap, position, text)
    return best[2] if best else None


def _content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 2]

"""`tipbot import ARTICLE.md`: draft tips from an article's takeaways for an admin to review."""

import argparse
import math
import os
import re
import sys
import textwrap
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from bot.config import load_settings
from bot.content.library import SYNONYMS
from bot.content.loader import (
    DRAFT_MARKER,
    LIMITS,
    MAX_TAGS,
    SLUG,
    load_library,
    parse_tip_file,
)
from bot.content.markdown import (
    BOLD,
    Article,
    ArticleError,
    Block,
    parse_article,
    split_sentences,
    to_mrkdwn,
    to_plain,
)
from bot.content.model import Source
from bot.content.text import STOPWORDS, stem, words
from bot.errors import TipbotError
from bot.wording import plural

MAX_ARTICLE_BYTES = 1_000_000
DRAFT_TAGS = 3  # drafts carry a few strong tags; the admin may add up to MAX_TAGS
FALLBACK_TAG = "leadership"
MIN_TAG_SCORE = 3  # one naming in the passage, or a naming in the story plus a hint
CONTEXT_LABEL = "_Context:_"
MAX_CONTEXT = 200
CONTEXT_BLOCKS = 2
MIN_BOLD_WORDS = 3  # shorter bold is emphasis on a word, not a takeaway
TODO_COMMENT = DRAFT_MARKER
TRY_PREFIX = "This week, "
GENERIC_TRY = "This week, find one place in your own work where this holds, and act on it: {}."
YAML_WIDTH = 92
ONE_LINE = 1_000_000  # a width no scalar reaches, so PyYAML never folds one
DATE_PREFIX = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:$|[\sT])")
CLAUSE_BREAK = re.compile(r"\s*[;:]\s+|\s+[—–]\s+|\s+-\s+|,\s+")
TRY_CLAUSE_BREAK = re.compile(
    r",\s+(?:which|because|since|so|as|while|when|or|but)\b|[;:]\s+|\s+[—–]\s+"
)
CONJUNCTION = re.compile(r"\s+(?=(?:and|or|when|while|because|so|which|that|if)\s)")
LONG_CLAUSE_BREAK = re.compile(r";\s+|\s+[—–]\s+|,\s+(?=which|who|so|but|and|because)|:\s+")
STAFF = re.compile(r"\bstaff\b", re.IGNORECASE)
SENIOR = re.compile(r"\b(?:senior|sr)\b", re.IGNORECASE)
SUBORDINATORS = frozenset(
    "while when whenever if although though because as since after before unless whereas once "
    "until".split()
)
TRAILING_FILLER = frozenset(
    "a an the and or but of on in to for with at by from as that which who is are be its their "
    "his her your our this these those".split()
)
ARTICLES = frozenset({"a", "an", "the"})
ROLES = frozenset(
    "engineer engineers eng engs leader leaders lead leads manager managers developer developers "
    "people you we seniors".split()
)
ROLE_WORDS = frozenset(
    "a an the good great strong effective most staff senior sr sr. principal tech software "
    "engineering".split()
)
NOT_VERBS = frozenset(
    "a an the this that these those each every all some any no one my our your his her their its "
    "it he she they we you i there here here's it's nobody everyone someone people most many few "
    "more less if when while because although though as since after before until unless so but "
    "and or not very just only also then now".split()
)
OBJECT_WORDS = frozenset(
    "the a an one two three four five ten your every each all some it them this those these "
    "people someone something time back up down out off in on to with for yourself what how why "
    "who more less no".split()
)
PLURALS = frozenset({"people", "you", "we"})
MODALS = frozenset("should must can will always often usually also actively really".split())
MAX_LEAD_IN_WORDS = 12
SHORT_LEAD_IN = 4
LEAD_IN_NOUNS = frozenset(
    "difference lesson tip rule takeaway point thing idea truth secret key fix answer trick "
    "principle habit problem question reason part step".split()
)
IMPERATIVE_VERBS = frozenset(
    "always ask avoid be block build celebrate check choose create decide default delegate "
    "document don't do find focus follow give invest keep lead learn let list listen make measure "
    "mentor name never note own pair pick plan praise prefer protect put read record remove "
    "replace review say schedule set share ship show spend start stop take talk teach tell thank "
    "train treat trust try use write".split()
)
OWN_PRONOUNS = (
    (r"\bhe/she\b|\bshe/he\b|\bhe or she\b|\bthey\b", "you"),
    (r"\btheir\b|\bhis\b|\bhis/her\b|\bher/his\b", "your"),
    (r"\bthemselves\b|\bhimself\b|\bherself\b", "yourself"),
)


@dataclass(frozen=True, slots=True)
class Takeaway:
    """A passage the author marked as a lesson, with the story paragraphs just before it."""

    text: str
    context: tuple[str, ...]
    line: int
    marked_by: str


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


def run_import(args: argparse.Namespace) -> int:
    """Draft tips from `args.article`; 0 when written or printed, 1 with a message on stderr."""
    try:
        return _import(args)
    except TipbotError as exc:
        print(f"tipbot import: {exc}", file=sys.stderr)
        return 1


def _import(args: argparse.Namespace) -> int:
    tips_dir = load_settings(need_slack=False).tips_dir
    path: Path = args.article
    article = parse_article(read_article(path))
    takeaways = find_takeaways(article.blocks)
    if not takeaways:
        message = (
            f"found no takeaways in {path}: mark each lesson as a block quote (lines starting "
            "with `> `) or in **bold**, then run the import again"
        )
        raise ArticleError(message)
    source = article_source(article, args, path)
    out: Path = args.out or tips_dir / f"{slugify(source.title) or 'article'}.yaml"
    # Drafts count: their ids will be served once they are reviewed.
    library = load_library(tips_dir, include_drafts=True).library
    # Ids in the file being replaced are free again: that file's tips go away with it.
    replaced = out.resolve() if args.force else None
    taken = {t.id for t in library.tips if replaced is None or Path(t.path).resolve() != replaced}
    vocabulary = [tag for tag, _ in library.topics()]
    tips = draft_tips(takeaways, taken, [*vocabulary, *sorted(set(SYNONYMS.values()))])
    text = render_yaml(source, tips)
    check_draft(text, str(out), tips)
    if args.dry_run:
        print(text, end="")
        print(f"Dry run: {plural(len(tips), 'draft tip')}; nothing written.", file=sys.stderr)
        return 0
    write_draft(out, text, force=args.force)
    print(
        f"Wrote {plural(len(tips), 'draft tip')} to {out}; "
        "review the try lines marked TODO, then run tipbot validate."
    )
    return 0


def read_article(path: Path) -> str:
    """The article's text; ArticleError when it is missing, binary, not UTF-8 or empty."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise ArticleError(f"{path} is a folder; name a markdown file such as article.md")
        if not path.is_file():
            raise ArticleError(f"{path} is not a regular file; name a markdown file")
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(f"{path} is {size} bytes; an article should be under 1 MB")
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ArticleError(f"no such file: {path}") from None
    except OSError as exc:
        raise ArticleError(f"cannot read {path}: {exc.strerror}") from None
    if b"\x00" in raw:
        raise ArticleError(f"{path} looks like a binary file, not markdown text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        byte = raw[exc.start : exc.start + 1].hex().upper()
        message = f"{path} is not UTF-8 text (byte 0x{byte} on line {line}); save it as UTF-8"
        raise ArticleError(message) from None
    if not text.strip():
        raise ArticleError(f"{path} is empty; there is nothing to import")
    return text


def article_source(article: Article, args: argparse.Namespace, path: Path) -> Source:
    """Title, author, date and url: flags first, then front matter, then the article's text."""
    front = article.front_matter
    title = args.title or _front_text(front.get("title")) or article.title
    author = args.author or _front_author(front.get("author")) or article.signature
    if args.date:
        when = _parse_date(args.date, strict=True)
        if when is None:
            raise ArticleError(f"--date must be a date written YYYY-MM-DD, not {args.date!r}")
    else:
        when = _front_date(front.get("date"))
    missing = [
        (flag, key)
        for flag, key, value in (
            ("--title TITLE", "title", title),
            ("--author NAME", "author", author),
            ("--date YYYY-MM-DD", "date", when),
        )
        if not value
    ]
    if missing:
        what = _listing([key for _, key in missing])
        flags = _listing([flag for flag, _ in missing])
        keys = _listing([f"`{key}:`" for _, key in missing])
        message = (
            f"{path} does not say its {what}: pass {flags} "
            f"(or add {keys} to the article's front matter)"
        )
        raise ArticleError(message)
    url = args.url or _front_url(front)
    return Source(
        title=to_plain(str(title)),
        author=to_plain(str(author)),
        date=str(when),
        url=" ".join(url.split()) if url else None,
    )


def _listing(items: Sequence[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    return " and ".join([", ".join(items[:-1]), items[-1]]) if len(items) > 1 else items[0]


def _front_text(value: Any) -> str | None:
    text = " ".join(str(value).split()) if isinstance(value, str | int | float) else ""
    return text or None


def _front_author(value: Any) -> str | None:
    """An author given as a name, a list of names, or a mapping with a `name`."""
    if isinstance(value, dict):
        return _front_text(value.get("name"))
    if isinstance(value, list):
        names = [name for name in (_front_author(item) for item in value) if name]
        return ", ".join(names) or None
    return _front_text(value)


def _front_date(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    when = _parse_date(str(value), strict=False)
    if when is None:
        raise ArticleError(f"the front matter date {value!r} is not a date; pass --date YYYY-MM-DD")
    return when


def _parse_date(text: str, strict: bool) -> str | None:
    """`YYYY-MM-DD` from `text`; a time and zone after it are dropped unless `strict`."""
    match = DATE_PREFIX.match(text)
    if match is None or (strict and text.strip() != match.group(1)):
        return None
    try:
        return date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        return None


def _front_url(front: dict[str, Any]) -> str | None:
    for key in ("url", "canonical_url"):
        value = front.get(key)
        if isinstance(value, str) and value.startswith(("https://", "http://")):
            return value
    return None


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


def draft_tips(
    takeaways: Iterable[Takeaway], taken: set[str], vocabulary: Sequence[str]
) -> list[DraftTip]:
    """Tips for every takeaway, split where one is too long; ids avoid `taken`."""
    used = set(taken)
    tips: list[DraftTip] = []
    for takeaway in takeaways:
        parts = body_parts(_unwrapped(takeaway.text))
        context = context_sentence(takeaway)
        level = choose_level(to_plain(takeaway.text))
        first_id = ""
        for number, (markdown, slack) in enumerate(parts, start=1):
            with_context = f"{slack} {CONTEXT_LABEL} {context}"
            ends_sentence = not slack.rstrip("*_").endswith("…")
            fits = len(with_context) <= LIMITS["body"]
            body = with_context if number == 1 and context and ends_sentence and fits else slack
            plain = to_plain(markdown)
            title = draft_title(plain)
            base = (slugify(title) or "tip") if number == 1 else _suffixed(first_id, number)
            tip_id = unique_id(base, used)
            used.add(tip_id)
            first_id = first_id or tip_id
            where = f"# from the {takeaway.marked_by} at line {takeaway.line} of the article"
            if len(parts) > 1:
                where += f" (part {number} of {len(parts)})"
            story = to_plain(context or "") if number == 1 else ""
            tags = choose_tags(plain, story, vocabulary)
            tips.append(DraftTip(tip_id, title, body, draft_try(plain, title), tags, level, where))
    return tips


def _unwrapped(text: str) -> str:
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
    title = _trim_words(clause, LIMITS["title"])
    return (title[:1].upper() + title[1:]) if title else "Untitled tip"


def _trim_words(text: str, limit: int) -> str:
    """`text` cut at a word boundary to at most `limit` characters, without a dangling word."""
    kept = text.split()
    while kept and len(" ".join(kept)) > limit:
        kept.pop()
    if not kept:
        return text[:limit].strip()
    while len(kept) > 1 and kept[-1].lower().strip(",;:") in TRAILING_FILLER:
        kept.pop()
    return " ".join(kept).rstrip(",;:—–-").strip()


def draft_try(plain: str, title: str) -> str:
    """An imperative for this week, from the passage's point; a general prompt if none reads."""
    action = _as_imperative(key_clause(plain))
    if action:
        action = TRY_CLAUSE_BREAK.split(action)[0]
        action = _trim_words(action, LIMITS["try"] - len(TRY_PREFIX) - 1)
        return f"{TRY_PREFIX}{action}."
    return GENERIC_TRY.format(_trim_words(title, LIMITS["try"] - len(GENERIC_TRY) + 2))


def _as_imperative(clause: str) -> str | None:
    """`Staff Engineers train people` → `train people`; None when the clause will not turn."""
    tokens = clause.split()
    if not tokens:
        return None
    if _reads_imperative([t.lower() for t in tokens]):
        return clause[:1].lower() + clause[1:]
    role = next((k for k, t in enumerate(tokens[:4]) if t.lower() in ROLES), None)
    # Only a subject such as "A Staff Engineer" or "Good leaders" is the reader's own role.
    if role is None or any(t.lower() not in ROLE_WORDS for t in tokens[:role]):
        return None
    rest = tokens[role + 1 :]
    while rest and rest[0].lower() in MODALS:
        rest = rest[1:]
    if not rest or not rest[0].isalpha():
        return None
    subject = tokens[role].lower()
    verb = _base_verb(rest[0].lower(), plural_subject=subject.endswith("s") or subject in PLURALS)
    if verb is None or (len(rest) > 1 and (rest[1] == "not" or rest[1].endswith("ing"))):
        return None
    action = " ".join([verb, *rest[1:]])
    for pattern, pronoun in OWN_PRONOUNS:
        action = re.sub(pattern, pronoun, action, flags=re.IGNORECASE)
    return action


def _reads_imperative(tokens: Sequence[str]) -> bool:
    """A known instruction verb first, or an unknown first word followed by its object."""
    first = tokens[0]
    if first in IMPERATIVE_VERBS:
        return True
    plural_noun = first.endswith("s") and not first.endswith(("ss", "us"))
    if first in NOT_VERBS or plural_noun or first.endswith(("ly", "ing", "ed")) or len(tokens) < 2:
        return False
    return tokens[1] in OBJECT_WORDS


def _base_verb(word: str, plural_subject: bool) -> str | None:
    irregular = {"is": "be", "are": "be", "has": "have", "does": "do", "goes": "go"}
    if word in irregular:
        return irregular[word]
    if word in ("was", "were", "had", "did", "not", "never", "also"):
        return None
    if plural_subject or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "sses", "xes", "zes")):
        return word[:-2]
    return word[:-1]


def choose_tags(text: str, context: str, vocabulary: Sequence[str]) -> tuple[str, ...]:
    """Up to DRAFT_TAGS tags from `vocabulary` named by the passage's words; a fallback if none.

    A word in the passage counts twice a word in its context, so one mention of a topic in
    the story is not enough on its own.
    """
    found = Counter(w for w in words(text) if w not in STOPWORDS)
    found.update(w for w in words(text) if w not in STOPWORDS)
    found.update(w for w in words(context) if w not in STOPWORDS)
    synonyms = {stem(key): tag for key, tag in SYNONYMS.items()}
    scores: dict[str, int] = {}
    for tag in dict.fromkeys(vocabulary):
        parts = ({stem(part) for part in tag.split("-")} - STOPWORDS) if "-" in tag else set()
        score = 0
        for word, count in found.items():
            if word == stem(tag) or synonyms.get(word) == tag:
                score += 2 * count
            elif word in parts:
                score += count
        if score >= MIN_TAG_SCORE and SLUG.match(tag):
            scores[tag] = score
    ranked = sorted(scores, key=lambda tag: -scores[tag])  # stable: library order breaks ties
    chosen = tuple(ranked[: min(DRAFT_TAGS, MAX_TAGS)])
    return chosen or (FALLBACK_TAG,)


def choose_level(text: str) -> str:
    """staff when the passage speaks of staff engineers, senior when only of seniors, else both."""
    if STAFF.search(text):
        return "staff"
    if SENIOR.search(text):
        return "senior"
    return "both"


def slugify(text: str, limit: int = LIMITS["id"]) -> str:
    """A lowercase ASCII slug of `text` (accents folded, a/an/the dropped), at most `limit`."""
    folded = unicodedata.normalize("NFKD", text.replace("'", "").replace("’", ""))
    tokens = re.findall(r"[a-z0-9]+", folded.encode("ascii", "ignore").decode().lower())
    tokens = [t for t in tokens if t not in ARTICLES] or tokens
    slug = ""
    for token in tokens:
        longer = f"{slug}-{token}" if slug else token
        if len(longer) > limit:
            break
        slug = longer
    return slug or (tokens[0][:limit] if tokens else "")


def unique_id(base: str, used: set[str], limit: int = LIMITS["id"]) -> str:
    """`base`, or `base-2`, `base-3`... (shortened to fit) when it is already in `used`."""
    if base not in used:
        return base
    number = 2
    while _suffixed(base, number, limit) in used:
        number += 1
    return _suffixed(base, number, limit)


def _suffixed(base: str, number: int, limit: int = LIMITS["id"]) -> str:
    """`base-N`, with `base` shortened so the whole id stays within `limit`."""
    suffix = f"-{number}"
    return base[: limit - len(suffix)].rstrip("-") + suffix


def render_yaml(source: Source, tips: Sequence[DraftTip]) -> str:
    """The tip file, written by hand so it can carry the review comments."""
    lines = [
        f"# DRAFT to review: drafted by `tipbot import` from {_quoted(source.title)}",
        f"# by {source.author} ({source.date}).",
        "#",
        "# A program picked these titles, bodies, tags and levels, and wrote every `try` line",
        "# marked TODO review. Read each tip against the article, rewrite what reads wrong, then",
        "# delete the TODO comments and this header. Until then the bot does not serve this file",
        "# (tipbot preview shows it, so you can review it there).",
        "#",
        "# Fields: id is a slug of at most 60 characters, unique across tips/ and never renamed",
        "# once shipped; title is plain text (at most 80); body is Slack mrkdwn (at most 400);",
        "# try is one thing to do this week (at most 200); tags are 1 to 6 slugs; level is",
        "# senior, staff or both. Check with `tipbot validate`.",
        "source:",
        f"  title: {_quoted(source.title)}",
        f"  author: {_quoted(source.author)}",
        f"  date: {source.date}",
    ]
    if source.url:
        lines.append(f"  url: {_quoted(source.url)}")
    lines.append("tips:")
    for tip in tips:
        lines += [
            f"  {tip.comment}",
            f"  - id: {_scalar(tip.id)}",
            f"    title: {_quoted(tip.title)}",
            "    body: >-",
            *textwrap.wrap(
                tip.body,
                width=YAML_WIDTH,
                initial_indent="      ",
                subsequent_indent="      ",
                break_long_words=False,
                break_on_hyphens=False,
            ),
            f"    {TODO_COMMENT}",
            f"    try: {_quoted(tip.try_)}",
            f"    tags: [{', '.join(_scalar(tag) for tag in tip.tags)}]",
            f"    level: {tip.level}",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar on one line."""
    return yaml.safe_dump(value, default_style='"', allow_unicode=True, width=ONE_LINE).strip()


def _scalar(value: str) -> str:
    """A slug written bare, unless YAML would read it as something other than that text."""
    return value if SLUG.match(value) and yaml.safe_load(value) == value else _quoted(value)


def check_draft(text: str, path: str, tips: Sequence[DraftTip]) -> None:
    """Raise ArticleError unless the draft passes the loader and reads back exactly as drafted."""
    loaded, errors = parse_tip_file(text, path)
    problems = [str(error) for error in errors]
    drafted = [(t.id, t.title, t.body, t.try_, t.tags, t.level) for t in tips]
    read_back = [(t.id, t.title, t.body, t.try_, t.tags, t.level) for t in loaded]
    if not problems and read_back != drafted:
        problems.append(f"{path}: the YAML does not read back as the drafted tips")
    if problems:
        listed = "\n  ".join(problems)
        message = (
            f"the draft does not pass validation, so nothing was written:\n  {listed}\n"
            "This is a bug in tipbot import; please report it with the article."
        )
        raise ArticleError(message)


def write_draft(path: Path, text: str, force: bool) -> None:
    """Write the draft in one step; an existing file is replaced only with `force`."""
    if path.is_dir():
        raise ArticleError(f"{path} is a folder; pass --out with a file name such as tips/new.yaml")
    if path.exists() and not force:
        message = (
            f"{path} already exists; pass --force to overwrite it, or --out to write elsewhere"
        )
        raise ArticleError(message)
    if not path.parent.is_dir():
        raise ArticleError(f"cannot write {path}: the folder {path.parent} does not exist")
    # A temporary name outside *.yaml, then one rename: a reloading bot never reads half a file.
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ArticleError(f"cannot write {path}: {exc.strerror}") from None

"""Drafts measured against answer keys: the takeaways a careful reader lists for each article.

Each article in tests/fixtures/articles/ with a `<name>.takeaways.yaml` beside it was written
for these tests in the shape of a real post (no real article's text is copied here). A draft
covers a takeaway of the key when its title and body hold, in any case, at least one phrase
from every group of the takeaway's `phrases`; a takeaway marked `warns` is a mistake, and
only a draft that warns against it covers it. Drafts and takeaways are paired one to one,
so a draft that glues two takeaways together counts once.
"""

import contextlib
import io
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.cli import main
from bot.content.loader import load_library, parse_tip_file
from bot.content.model import MAX_TAGS, Tip, is_placeholder
from bot.content.text import STOPWORDS, words
from bot.content.topics import TOPICS_FILE
from tests.conftest import FIXTURES, SHIPPED_TIPS
from tests.importer.reviewing import cleared

ARTICLES = FIXTURES / "articles"
KEYS = sorted(ARTICLES.glob("*.takeaways.yaml"))
NAMES = [key.name.removesuffix(".takeaways.yaml") for key in KEYS]
MIN_RECALL = MIN_PRECISION = 0.9
MIN_PER_ARTICLE = 0.8  # one shape of article may not fall far below the rest unnoticed
WARNING = re.compile(r"^(?:Avoid|Don['’]t|Do not|Never|Stop|Mistake to avoid)\b")
# Where a clause may end in the article: closing bold, punctuation, a conjunction, a line end.
CLAUSE_END = r"(?:\*\*|__|\s*[.!?,;:—–)\"”]|\s+(?:and|but|or|so|because|yet)\b|\s*\n|\s*$)"
SHARED_WORDS = 2  # a try line drawn from its tip shares at least this many content words


@dataclass(frozen=True)
class Drafted:
    """One article's draft: its text, its tips, and the takeaways of its answer key."""

    name: str
    article: str
    text: str
    tips: list[Tip]
    keys: list[dict[str, Any]]


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Drafted]:
    """Every keyed article drafted once by `tipbot import --dry-run`, with the shipped topics."""
    tips_dir = tmp_path_factory.mktemp("tips")
    shutil.copy(SHIPPED_TIPS / TOPICS_FILE, tips_dir / TOPICS_FILE)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TIPS_DIR", str(tips_dir))
        return {name: _draft(name) for name in NAMES}


def _draft(name: str) -> Drafted:
    article = ARTICLES / f"{name}.md"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["import", str(article), "--dry-run"])
    assert code == 0, err.getvalue()
    tips, errors = parse_tip_file(out.getvalue(), f"{name}.yaml")
    assert errors == [], errors
    key = yaml.safe_load((ARTICLES / f"{name}.takeaways.yaml").read_text(encoding="utf-8"))
    text = article.read_text(encoding="utf-8")
    return Drafted(name, text, out.getvalue(), tips, key["takeaways"])


def shown(tip: Tip) -> str:
    """A tip's title and body as a reader sees them, lowercased, without mrkdwn marks."""
    return re.sub(r"[*_`]", "", f"{tip.title}\n{tip.body}").lower()


def covers(tip: Tip, key: dict[str, Any]) -> bool:
    """Whether the tip says the key's takeaway (and, for a mistake, warns against it)."""
    text = shown(tip)
    says = all(any(phrase.lower() in text for phrase in group) for group in key["phrases"])
    return says and (not key.get("warns") or bool(WARNING.match(tip.title)))


def pairs(draft: Drafted) -> dict[int, int]:
    """The most tips paired one to one with takeaways they cover: takeaway -> tip."""
    edges = [[k for k, key in enumerate(draft.keys) if covers(tip, key)] for tip in draft.tips]
    owner: dict[int, int] = {}

    def claim(tip: int, seen: set[int]) -> bool:
        for key in edges[tip]:
            if key not in seen:
                seen.add(key)
                if key not in owner or claim(owner[key], seen):
                    owner[key] = tip
                    return True
        return False

    for tip in range(len(draft.tips)):
        claim(tip, set())
    return owner


def scores(draft: Drafted) -> tuple[float, float]:
    """(recall: takeaways found / takeaways, precision: tips that are takeaways / tips)."""
    found = len(pairs(draft))
    return found / len(draft.keys), found / max(len(draft.tips), 1)


def table(drafts: dict[str, Drafted]) -> str:
    """Recall and precision per article, as lines to read in a failure message."""
    lines = []
    for name, draft in drafts.items():
        found = len(pairs(draft))
        lines.append(f"{name}: found {found}/{len(draft.keys)}, real {found}/{len(draft.tips)}")
    return "\n".join(lines)


def test_every_keyed_article_has_an_answer_key_of_takeaways() -> None:
    """At least six articles carry answer keys, each listing takeaways with phrases."""
    assert len(KEYS) >= 6
    for key in KEYS:
        takeaways = yaml.safe_load(key.read_text(encoding="utf-8"))["takeaways"]
        assert takeaways, key
        assert all(t["lesson"] and t["phrases"] for t in takeaways), key


def test_drafts_find_nine_in_ten_takeaways_and_nine_in_ten_drafts_are_takeaways(
    drafted: dict[str, Drafted],
) -> None:
    """Over every answer key: at least 90% of the takeaways are drafted, and at least 90% of
    the drafted tips are takeaways of the key."""
    keys = sum(len(d.keys) for d in drafted.values())
    tips = sum(len(d.tips) for d in drafted.values())
    found = sum(len(pairs(d)) for d in drafted.values())

    assert found / keys >= MIN_RECALL, table(drafted)
    assert found / tips >= MIN_PRECISION, table(drafted)


@pytest.mark.parametrize("name", NAMES)
def test_no_shape_of_article_falls_behind(drafted: dict[str, Drafted], name: str) -> None:
    """Each article on its own: at least 80% of its takeaways found, 80% of its drafts real."""
    recall, precision = scores(drafted[name])

    assert recall >= MIN_PER_ARTICLE, table({name: drafted[name]})
    assert precision >= MIN_PER_ARTICLE, table({name: drafted[name]})


@pytest.mark.parametrize("name", NAMES)
def test_no_title_is_cut_mid_sentence(drafted: dict[str, Drafted], name: str) -> None:
    """Every title ends where a clause of the article ends: at punctuation, closing bold, a
    conjunction or a line's end; none ends on "…" or is numbered as a part."""
    article = _flattened(drafted[name].article)
    for tip in drafted[name].tips:
        if is_placeholder(tip.title):
            continue
        assert not tip.title.endswith("…"), tip.title
        assert not re.search(r"\bpart \d", tip.title), tip.title
        # A warning's own words ("Avoid") are the importer's; the rest are the article's.
        said = WARNING.sub("", tip.title).lstrip(": ")
        last = re.findall(r"[\w’'-]+", said)[-3:]
        ending = r"\W+".join(map(re.escape, last)) + CLAUSE_END
        assert re.search(ending, article, re.IGNORECASE), tip.title


def _flattened(article: str) -> str:
    """The article's markdown with quote marks gone and each paragraph on one line."""
    text = re.sub(r"(?m)^\s*>\s?", "", article)
    return re.sub(r"(?<!\n)\n(?!\n)", " ", text)


@pytest.mark.parametrize("name", NAMES)
def test_every_draft_passes_validation_once_its_markers_are_cleared(
    drafted: dict[str, Drafted], name: str, tmp_path: Path
) -> None:
    """A fresh draft is valid but not served; with its review comments deleted and a value
    written for each TODO, every one of its tips is served."""
    shutil.copy(SHIPPED_TIPS / TOPICS_FILE, tmp_path / TOPICS_FILE)
    path = tmp_path / "draft.yaml"
    path.write_text(drafted[name].text, encoding="utf-8")

    fresh = load_library(tmp_path)
    path.write_text(cleared(drafted[name].text), encoding="utf-8")
    reviewed = load_library(tmp_path)

    assert (fresh.errors, fresh.library.tips) == ((), ())
    assert (reviewed.errors, reviewed.drafts) == ((), ())
    assert len(reviewed.library) == len(drafted[name].tips)


def test_mistakes_to_avoid_become_advice_against_them(drafted: dict[str, Drafted]) -> None:
    """A listed mistake is drafted as a warning, in the title and first in the body, and its
    try line is what the article says to do instead, or a TODO; never the mistake."""
    draft = drafted["mistakes-to-avoid"]
    for key, tip in pairs(draft).items():
        said = draft.tips[tip]
        phrases = [p.lower() for group in draft.keys[key]["phrases"] for p in group]
        assert WARNING.match(said.title), said.title
        assert said.body.startswith(f"*{said.title}"), said.body
        assert is_placeholder(said.try_) or not any(p in said.try_.lower() for p in phrases)
    assert draft.tips[1].title == "Don't rewrite it from scratch"
    assert draft.tips[0].try_ == (
        "This week, pair a teammate with the hard problem and review their approach."
    )


def test_lead_ins_and_neighbouring_items_are_never_glued_on(drafted: dict[str, Drafted]) -> None:
    """No tip says two takeaways of its key at once, and no lead-in ending in ":" becomes
    a tip's context."""
    for draft in drafted.values():
        for tip in draft.tips:
            said = [k for k, key in enumerate(draft.keys) if covers(tip, key)]
            assert len(said) <= 1, (draft.name, tip.title)
            _, _, context = tip.body.partition("_Context:_")
            assert not context.rstrip().endswith(":"), tip.body
    lead_ins = drafted["lead-ins-ending-in-colon"]
    for tip in lead_ins.tips:
        assert "younger self" not in tip.body
        assert "Three habits" not in tip.body
        assert "care about most" not in tip.body


def test_try_lines_come_from_their_own_takeaway_or_say_todo(drafted: dict[str, Drafted]) -> None:
    """Each try line is the tip's own instruction, sharing its words, or a TODO; no two tips
    share one."""
    seen: set[str] = set()
    for draft in drafted.values():
        for tip in draft.tips:
            if is_placeholder(tip.try_):
                continue
            assert tip.try_.startswith("This week, ")
            assert tip.try_.endswith(".")
            own = _content(f"{tip.title} {tip.body}")
            assert len(own & _content(tip.try_)) >= SHARED_WORDS, tip.try_
            assert tip.try_ not in seen
            seen.add(tip.try_)


def _content(text: str) -> set[str]:
    return {word for word in words(text) if word not in STOPWORDS and len(word) > 2}


def test_tags_come_only_from_the_topics_file(drafted: dict[str, Drafted]) -> None:
    """Every tag is a topic of tips/topics.yaml named by the tip's words, at most 3 of them,
    or the TODO that asks the admin to pick one."""
    vocabulary = load_library(SHIPPED_TIPS).library.vocabulary
    for draft in drafted.values():
        for tip in draft.tips:
            assert 1 <= len(tip.tags) <= min(3, MAX_TAGS)
            if tip.tags == ("TODO",):
                continue
            assert all(tag in vocabulary for tag in tip.tags), tip.tags
    tagged = drafted["story-with-quoted-takeaways"].tips
    assert tagged[0].tags == ("incidents",)

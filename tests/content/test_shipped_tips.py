"""The tips shipped in tips/ are valid and together cover every takeaway of their article."""

import re
from collections import Counter
from pathlib import Path

import pytest

from bot.content.loader import LoadResult, load_library
from bot.content.model import Tip

ROOT = Path(__file__).resolve().parents[2]
TIPS_DIR = ROOT / "tips"
ARTICLE_TITLE = "Leadership: Senior Engineer vs Staff Engineer"

# Each takeaway of the article, as groups of phrases. A tip covers the takeaway when its
# title, body and try line contain, case-insensitively, at least one phrase from EVERY group.
# The phrases are specific enough that deleting the tip that covers a takeaway fails its case.
TAKEAWAYS: dict[str, list[tuple[str, ...]]] = {
    "train-and-trust-so-nothing-stops": [("train",), ("trust",), ("not around",)],
    "work-across-many-teams": [("across many teams",), ("organization",)],
    "know-or-research-other-systems": [("depend",), ("research",)],
    "leader-of-leaders-includes-others": [
        ("leader of leaders",),
        ("inspire",),
        ("include",),
        ("empower",),
    ],
    "each-team-lead-knows-what-to-do": [
        ("each team leader", "each team lead"),
        ("not around",),
    ],
    "lead-company-wide-projects-through-leads": [
        ("through their team leaders", "through team leaders", "through team leads"),
        ("company-wide", "company wide"),
    ],
    "team-versus-organization-impact": [("scope of work",), ("organization",), ("team",)],
    "mentor-engineers-to-senior": [("mentor",), ("become senior",)],
    "everyone-calls-you-trap": [
        ("everyone calls",),
        ("feature",),
        ("integration",),
        ("incident",),
        ("two days",),
    ],
    "cache-holds-100-most-popular-items": [("100 most popular",), ("last hour",)],
    "undersized-database-and-slow-apis": [("database",), ("apis",), ("volume",)],
    "expert-writes-the-requirements": [("write the requirements",), ("own team",)],
    "expert-gets-a-voice-in-design": [("voice",), ("architecture",), ("meeting",)],
    "ask-answer-and-share-business-knowledge": [
        ("asking questions",),
        ("answering questions",),
        ("business knowledge",),
    ],
    "trust-engineers-in-the-meeting": [
        ("trust the engineers", "trusted the engineers"),
        ("architecture",),
    ],
    "share-credit-with-everyone": [("kudos", "credit"), ("10 different teams",), ("30 people",)],
    "nobody-taught-the-leadership-side": [("no one taught",), ("career ladder",)],
    "many-overlaps-senior-and-staff": [("overlaps",), ("about the same",)],
}

# A tip reaches people alone, weeks after the last, so its body may not open on something only
# a reader of the article (or of the previous tip) knows: an ordinal from the article's list,
# a scene from its story, or a pronoun with nothing before it to stand for.
CONTEXT_OPENERS = (
    "The first",
    "The second",
    "The third",
    "The final",
    "The last",
    "Final",
    "Another",
    "Also",
    "Then",
    "Once",
    "After",
    "Right after",
    "Here's",
    "Here is",
    "In that",
    "In this",
    "In the story",
    "In the article",
    "The article",
    "The author",
    "The story",
    "The Staff",
    "The cache",
    "The same",
    "When the",
    "This",
    "That",
    "These",
    "Those",
    "It ",
    "Its ",
    "He ",
    "She ",
    "They ",
    "His ",
    "Her ",
    "Their ",
    "Him ",
    "Them ",
    "So ",
    "But ",
    "And ",
)
# Where a tip refers to the article's order instead of standing on its own.
ARTICLE_ORDER = re.compile(r"\b(?:first|second|third|final|last|next) difference\b", re.I)
# The people of the article's story; a tip may name one only as part of "the article's story".
STORY_PEOPLE = re.compile(r"\b(?:John|iago|his manager|the Staff|the author)\b")
STORY_MARK = "the article"


@pytest.fixture(scope="module")
def result() -> LoadResult:
    """The shipped tips/ directory, loaded once for every test in this module."""
    return load_library(TIPS_DIR)


@pytest.fixture(scope="module")
def tips(result: LoadResult) -> tuple[Tip, ...]:
    """Every tip that loaded from the shipped tips/ directory."""
    return result.library.tips


def text_of(tip: Tip) -> str:
    """The words a reader sees for a tip: title, body and try line, lowercased."""
    return f"{tip.title}\n{tip.body}\n{tip.try_}".lower()


def covers(tip: Tip, groups: list[tuple[str, ...]]) -> bool:
    """Whether the tip contains one phrase from each group of phrases."""
    text = text_of(tip)
    return all(any(phrase.lower() in text for phrase in group) for group in groups)


def test_shipped_tips_validate_without_errors(result: LoadResult, tips: tuple[Tip, ...]) -> None:
    """The shipped tips/ directory loads with no errors and holds at least 16 tips."""
    assert [str(error) for error in result.errors] == []
    assert len(tips) >= 16


def test_article_tips_are_attributed_to_the_article(tips: tuple[Tip, ...]) -> None:
    """Tips drawn from the article carry its title, its author iago and its date."""
    article_tips = [tip for tip in tips if tip.source.title == ARTICLE_TITLE]
    assert len(article_tips) >= 16
    assert {(tip.source.author, tip.source.date) for tip in article_tips} == {
        ("iago", "2023-03-19")
    }


@pytest.mark.parametrize("groups", list(TAKEAWAYS.values()), ids=list(TAKEAWAYS))
def test_every_takeaway_is_covered_by_a_tip(
    tips: tuple[Tip, ...], groups: list[tuple[str, ...]]
) -> None:
    """Each takeaway of the article is covered by at least one shipped tip."""
    article_tips = [tip for tip in tips if tip.source.title == ARTICLE_TITLE]
    matching = [tip.id for tip in article_tips if covers(tip, groups)]
    assert matching, f"no tip mentions all of {groups}"


def test_try_lines_are_instructions_not_questions(tips: tuple[Tip, ...]) -> None:
    """Every tip's try line is a non-empty instruction, not a question."""
    bad = [tip.id for tip in tips if not tip.try_.strip() or tip.try_.rstrip().endswith("?")]
    assert bad == []


def test_every_tag_is_shared_by_at_least_two_tips(tips: tuple[Tip, ...]) -> None:
    """No tag is used by a single tip only, so every topic offers more than one tip."""
    counts = Counter(tag for tip in tips for tag in tip.tags)
    lonely = sorted(tag for tag, count in counts.items() if count < 2)
    assert lonely == []


def test_no_tip_opens_on_context_a_lone_reader_lacks(tips: tuple[Tip, ...]) -> None:
    """No body starts with an ordinal, a scene from the story or a pronoun with no antecedent."""
    leaning = [
        (tip.id, opener)
        for tip in tips
        for opener in CONTEXT_OPENERS
        if tip.body.startswith(opener)
    ]
    assert leaning == []


def test_no_tip_counts_the_articles_differences(tips: tuple[Tip, ...]) -> None:
    """ "The second difference" only means something to someone who read the first."""
    assert [tip.id for tip in tips if ARTICLE_ORDER.search(text_of(tip))] == []


def test_people_of_the_story_appear_only_in_the_articles_story(tips: tuple[Tip, ...]) -> None:
    """A tip naming John, the Staff or the author says it is telling the article's story."""
    unmarked = [
        tip.id
        for tip in tips
        if STORY_PEOPLE.search(f"{tip.title} {tip.body} {tip.try_}")
        and STORY_MARK not in tip.body.lower()
    ]
    assert unmarked == []
    assert [tip.id for tip in tips if STORY_PEOPLE.search(f"{tip.title} {tip.try_}")] == []


def test_the_story_is_one_example_after_the_principle(tips: tuple[Tip, ...]) -> None:
    """A body mentions the article at most once, and never in its first sentence."""
    for tip in tips:
        body = tip.body.lower()
        assert body.count(STORY_MARK) <= 1, tip.id
        first_sentence = re.split(r"(?<=[.;:!?])\s", body, maxsplit=1)[0]
        assert STORY_MARK not in first_sentence, tip.id


def test_levels_are_balanced_between_senior_staff_and_both(tips: tuple[Tip, ...]) -> None:
    """Seniors on the way get their share: no level has more than twice another's tips."""
    counts = Counter(tip.level for tip in tips)
    assert set(counts) == {"senior", "staff", "both"}
    assert max(counts.values()) <= 2 * min(counts.values()), counts


def test_every_topic_in_the_topics_file_has_tips(result: LoadResult) -> None:
    """Each topic tips/topics.yaml names is carried by at least two shipped tips."""
    counts = {topic.tag: count for topic, count in result.library.topics()}
    vocabulary = result.library.vocabulary
    assert vocabulary.topics
    assert [topic.tag for topic in vocabulary.topics if counts.get(topic.tag, 0) < 2] == []

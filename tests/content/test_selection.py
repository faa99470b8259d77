"""Choosing a tip: by topic, by free text, or at random without repeating the last five."""

import random

import pytest

from bot.content.library import Library
from bot.content.loader import load_vocabulary
from bot.content.model import Source, Tip
from bot.content.search import Found, find_tips
from bot.content.selection import MemoryRecentTips, TipPicker
from bot.content.text import query_words
from bot.content.topics import Topic, Vocabulary
from tests.conftest import SHIPPED_TIPS

ARTICLE = Source(
    title="Leadership: Senior Engineer vs Staff Engineer", author="iago", date="2023-03-19"
)


def make_tip(
    tip_id: str,
    title: str = "Plain headline",
    body: str = "Plain advice.",
    try_: str = "Do one thing.",
    tags: tuple[str, ...] = ("scope",),
) -> Tip:
    """A valid tip whose fields default to words no test searches for."""
    return Tip(
        id=tip_id, title=title, body=body, try_=try_, tags=tags, level="both", source=ARTICLE
    )


SHIPPED_TOPICS = load_vocabulary(SHIPPED_TIPS)[0]

EIGHT_TIPS = Library(
    (
        make_tip("trust-your-team", tags=("delegation", "mentoring")),
        make_tip("mentor-future-seniors", tags=("mentoring", "career-ladder")),
        make_tip("go-to-person", tags=("incidents", "delegation")),
        make_tip("cache-limits", tags=("reliability", "systems-thinking")),
        make_tip("undersized-database", tags=("reliability",)),
        make_tip("share-the-credit", tags=("recognition", "influence")),
        make_tip("leader-of-leaders", tags=("influence", "decision-making")),
        make_tip("expert-writes-requirements", tags=("requirements", "delegation")),
    ),
    SHIPPED_TOPICS,
)


def ids(tips: list[Tip] | tuple[Tip, ...]) -> list[str]:
    """The ids of `tips`, in order."""
    return [tip.id for tip in tips]


def best_match(library: Library, text: str, picker: TipPicker | None = None) -> Tip | None:
    """The tip `/tip TEXT` shows user U1, picked as the slash command picks it."""
    return (picker or TipPicker(random.Random(0))).pick(find_tips(library, text).tips, "U1")


# --- topics -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("mentoring", "mentoring"),
        ("Mentoring", "mentoring"),
        ("  MENTORING  ", "mentoring"),
        ("#mentoring", "mentoring"),
        ("incidents", "incidents"),
        ("incident", "incidents"),
        ("Incident", "incidents"),
        ("career-ladder", "career-ladder"),
        ("career ladder", "career-ladder"),
        ("Career Ladders", "career-ladder"),
        ("#career-ladder", "career-ladder"),
        ("decision making", "decision-making"),
    ],
)
def test_topic_matches_its_tag_whatever_the_case_plural_hash_or_spaces(
    typed: str, tag: str
) -> None:
    """A tag is found typed in any case, singular or plural, with `#`, or with spaces for -."""
    assert EIGHT_TIPS.resolve_topic(typed) == tag


@pytest.mark.parametrize(
    ("typed", "tag"),
    [
        ("outage", "incidents"),
        ("outages", "incidents"),
        ("on-call", "incidents"),
        ("mentor", "mentoring"),
        ("mentors", "mentoring"),
        ("Mentorship", "mentoring"),
        ("career", "career-ladder"),
        ("promotion", "career-ladder"),
        ("kudos", "recognition"),
        ("credit", "recognition"),
        ("delegate", "delegation"),
        ("systems", "systems-thinking"),
        ("decisions", "decision-making"),
    ],
)
def test_synonyms_resolve_to_the_tag_they_mean(typed: str, tag: str) -> None:
    """Everyday words in tips/topics.yaml (outage, mentor, kudos...) resolve, plurals too."""
    assert EIGHT_TIPS.resolve_topic(typed) == tag


def test_synonyms_come_from_the_topics_file_only() -> None:
    """Without a topics file no word but the tag itself finds a topic; with one, its synonyms do."""
    tips = (make_tip("go-to-person", tags=("incidents",)),)
    listed = Vocabulary([Topic("incidents", "Production problems", ("pager",))])

    assert Library(tips).resolve_topic("outage") is None
    assert Library(tips).resolve_topic("incidents") == "incidents"
    assert Library(tips, listed).resolve_topic("Pagers") == "incidents"
    assert Library(tips, listed).resolve_topic("outage") is None


def test_on_call_typed_with_a_space_is_a_synonym_too() -> None:
    """`on call` resolves like `on-call`, the way `career ladder` resolves like `career-ladder`."""
    assert EIGHT_TIPS.resolve_topic("on call") == "incidents"


@pytest.mark.parametrize("typed", ["", "   ", "#", "kubernetes", "plain", "advice"])
def test_text_that_names_no_tag_is_not_a_topic(typed: str) -> None:
    """Empty text, unknown words and words that only appear in tip text resolve to None."""
    assert EIGHT_TIPS.resolve_topic(typed) is None


def test_synonym_for_a_tag_no_tip_carries_is_not_a_topic() -> None:
    """A synonym only resolves when the library has tips with the tag it stands for."""
    library = Library((make_tip("trust-your-team", tags=("delegation",)),), SHIPPED_TOPICS)

    assert library.resolve_topic("kudos") is None
    assert library.resolve_topic("delegate") == "delegation"


def test_topics_counts_tips_per_tag_most_common_first() -> None:
    """topics() lists every tag with its tip count, by count then alphabetically."""
    assert [(topic.tag, count) for topic, count in EIGHT_TIPS.topics()] == [
        ("delegation", 3),
        ("influence", 2),
        ("mentoring", 2),
        ("reliability", 2),
        ("career-ladder", 1),
        ("decision-making", 1),
        ("incidents", 1),
        ("recognition", 1),
        ("requirements", 1),
        ("systems-thinking", 1),
    ]


def test_with_tag_lists_the_tips_of_one_topic_in_file_order() -> None:
    """with_tag() returns exactly the tips carrying the tag, in the order they were loaded."""
    assert ids(EIGHT_TIPS.with_tag("delegation")) == [
        "trust-your-team",
        "go-to-person",
        "expert-writes-requirements",
    ]
    assert EIGHT_TIPS.with_tag("unknown") == []


def test_random_tip_within_a_topic_stays_in_that_topic() -> None:
    """A random pick for a topic only ever returns tips carrying that tag."""
    picker = TipPicker(random.Random(3))

    picked = {picker.random_tip(EIGHT_TIPS, "U1", topic="reliability") for _ in range(20)}

    assert {tip.id for tip in picked if tip} == {"cache-limits", "undersized-database"}


# --- free text ----------------------------------------------------------------------------


def test_query_words_drop_stopwords_and_stem_plurals() -> None:
    """Queries keep only the words worth matching, lowercased and singular."""
    assert query_words("What should I do about the Incidents?") == ["incident"]
    assert query_words("how do I write tips for my team") == ["write", "team"]
    assert query_words("the of and to") == []


def test_title_match_beats_body_only_match() -> None:
    """A query word in a tip's title ranks it above a tip with the word only in its body."""
    in_body = make_tip("in-body", body="Every incident waits for you.")
    in_title = make_tip("in-title", title="Learn from each incident")
    library = Library((in_body, in_title))  # body-only first, so file order cannot decide

    ranked = library.search(query_words("incident"))

    assert [tip.id for _, tip in ranked] == ["in-title", "in-body"]
    assert best_match(library, "incident") == in_title


def test_more_query_words_matched_beats_fewer() -> None:
    """Matching two query words anywhere beats matching one word in every field."""
    one_word_everywhere = make_tip(
        "one-word",
        title="The cache",
        body="A cache of items.",
        try_="Read the cache code.",
        tags=("cache",),
    )
    two_words_in_body = make_tip("two-words", body="The database is behind the cache.")
    library = Library((one_word_everywhere, two_words_in_body))

    assert best_match(library, "cache database") == two_words_in_body


def test_stopwords_in_a_query_match_nothing() -> None:
    """Words like "what", "the" and "how" never make an otherwise unrelated tip match."""
    full_of_stopwords = make_tip("stopwords", title="What is the way how you do it")
    about_incidents = make_tip("incidents", body="Each incident teaches the team.")
    library = Library((full_of_stopwords, about_incidents))

    ranked = library.search(query_words("what is the incident"))

    assert [tip.id for _, tip in ranked] == ["incidents"]


def test_search_covers_try_line_tags_and_tag_parts() -> None:
    """Words in the `try` line and tags count, including each part of a hyphenated tag."""
    in_try = make_tip("in-try", try_="Pair with a newcomer.")
    in_tag = make_tip("in-tag", tags=("career-ladder",))
    library = Library((in_try, in_tag))

    assert [tip.id for _, tip in library.search(query_words("newcomers"))] == ["in-try"]
    assert [tip.id for _, tip in library.search(query_words("ladder"))] == ["in-tag"]
    assert [tip.id for _, tip in library.search(query_words("career-ladder"))] == ["in-tag"]


@pytest.mark.parametrize("text", ["the of and to", "?!", "kubernetes"])
def test_query_with_nothing_to_match_finds_nothing(text: str) -> None:
    """Only stopwords, only punctuation, or words in no tip: nothing, so topics are listed."""
    assert find_tips(EIGHT_TIPS, text).tips == ()
    assert best_match(EIGHT_TIPS, text) is None


@pytest.mark.parametrize("text", ["", "   "])
def test_no_text_finds_every_tip(text: str) -> None:
    """`/tip` alone picks from the whole library, with no topic."""
    assert find_tips(EIGHT_TIPS, text) == Found(EIGHT_TIPS.tips)


@pytest.mark.parametrize("text", ["reliability", "Performance", "scaling", "#reliability"])
def test_text_naming_a_topic_finds_exactly_its_tips(text: str) -> None:
    """A tag or a synonym finds every tip of that topic, and says which topic it was."""
    assert find_tips(EIGHT_TIPS, text) == Found(
        tuple(EIGHT_TIPS.with_tag("reliability")), "reliability"
    )


def test_words_find_only_the_tips_with_the_best_score() -> None:
    """Free text finds the tips tied for the best score, in file order, and no topic."""
    first = make_tip("first", title="Incident review")
    weaker = make_tip("weaker", body="An incident, once.")
    second = make_tip("second", title="Incident drills")
    library = Library((first, weaker, second))

    assert find_tips(library, "incident hero") == Found((first, second))


def test_tied_best_matches_prefer_one_the_user_has_not_seen() -> None:
    """Among equally good matches, the one this user saw lately is passed over."""
    first = make_tip("first", title="Incident review")
    second = make_tip("second", title="Incident drills")
    library = Library((first, second))

    for seed in range(10):
        recent = MemoryRecentTips()
        recent.remember("U1", "first")
        picker = TipPicker(random.Random(seed), recent)
        assert best_match(library, "incident", picker) == second


# --- random picks and per-user memory -------------------------------------------------------


def test_random_tips_avoid_the_users_last_five() -> None:
    """With 8 tips, no random pick repeats any of the 5 tips that user saw just before."""
    picker = TipPicker(random.Random(1234))
    shown: list[str] = []

    for _ in range(200):
        tip = picker.random_tip(EIGHT_TIPS, "U1")
        assert tip is not None
        assert tip.id not in shown[-5:]
        shown.append(tip.id)

    assert set(shown) == {tip.id for tip in EIGHT_TIPS.tips}


def test_the_same_seed_gives_the_same_picks() -> None:
    """Randomness comes only from the injected random.Random, so a seed replays a session."""

    def session(seed: int) -> list[str]:
        picker = TipPicker(random.Random(seed))
        return [tip.id for _ in range(20) if (tip := picker.random_tip(EIGHT_TIPS, "U1"))]

    assert session(42) == session(42)
    assert len(session(42)) == 20


def test_when_every_candidate_was_seen_one_is_still_picked() -> None:
    """A topic with fewer tips than the memory still answers once all were seen."""
    picker = TipPicker(random.Random(5))

    picks = [picker.random_tip(EIGHT_TIPS, "U1", topic="reliability") for _ in range(4)]

    assert all(tip is not None for tip in picks)


def test_empty_candidates_pick_nothing() -> None:
    """Picking from no tips returns None and remembers nothing."""
    picker = TipPicker(random.Random(0))

    assert picker.random_tip(EIGHT_TIPS, "U1", topic="unknown") is None
    assert picker.recent.recent("U1") == []


def test_one_users_history_does_not_affect_another() -> None:
    """What one user saw is remembered for that user only."""
    recent = MemoryRecentTips()
    recent.remember("U1", "trust-your-team")

    assert recent.recent("U1") == ["trust-your-team"]
    assert recent.recent("U2") == []


def test_memory_per_user_keeps_only_the_last_few() -> None:
    """Each user's memory holds only their last `per_user` tips."""
    recent = MemoryRecentTips(per_user=5)
    for number in range(1, 8):
        recent.remember("U1", f"tip-{number}")

    assert recent.recent("U1") == [f"tip-{number}" for number in range(3, 8)]


def test_memory_forgets_the_least_recently_active_user() -> None:
    """Past `max_users`, the user who asked longest ago is forgotten, not a recent one."""
    recent = MemoryRecentTips(max_users=3)
    for user in ("U1", "U2", "U3"):
        recent.remember(user, "trust-your-team")
    recent.remember("U1", "share-the-credit")  # U1 is active again, so U2 is now the oldest

    recent.remember("U4", "trust-your-team")

    assert recent.recent("U2") == []
    assert recent.recent("U1") == ["trust-your-team", "share-the-credit"]
    assert recent.recent("U3") == ["trust-your-team"]
    assert recent.recent("U4") == ["trust-your-team"]

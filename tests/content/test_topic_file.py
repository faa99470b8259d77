"""tips/topics.yaml: the topic vocabulary, checked like tip files, and tags checked against it.

Cases are directories under tests/fixtures/tips/, as for the loader's tests; paths in messages
are relative to the repository root, where every test here runs.
"""

from pathlib import Path

import pytest

from bot.content.loader import load_library, parse_tip_file
from bot.content.topic_file import parse_topics_file
from bot.content.topics import Topic
from tests.conftest import FIXTURES, REPO

CASES = FIXTURES / "tips"


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root so paths in messages read tests/fixtures/tips/..."""
    monkeypatch.chdir(REPO)


def errors_in(case: str) -> list[str]:
    """The error lines loading one fixture directory produces, as `validate` prints them."""
    return [str(error) for error in load_library(CASES / case).errors]


def test_the_topics_file_is_read_as_the_vocabulary_not_as_tips() -> None:
    """topics.yaml beside the tips gives each topic its description and synonyms."""
    result = load_library(CASES / "valid")

    assert result.errors == ()
    assert result.files == ("tests/fixtures/tips/valid/tips.yaml",)
    vocabulary = result.library.vocabulary
    assert vocabulary.topic("delegation") == Topic(
        "delegation", "Handing work and trust to others", ("delegate", "trust"), 3
    )
    assert [(topic.tag, topic.description, count) for topic, count in result.library.topics()] == [
        ("delegation", "Handing work and trust to others", 1),
        ("mentoring", "Growing the engineers around you", 1),
        ("recognition", "Giving credit where it is due", 1),
    ]


def test_a_tag_missing_from_the_topics_file_is_an_error_with_a_did_you_mean() -> None:
    """A synonym or typo suggests the topic it means; an unrelated word says what to do."""
    path = "tests/fixtures/tips/unknown-tag/tips.yaml"
    topics = "tests/fixtures/tips/unknown-tag/topics.yaml"
    assert errors_in("unknown-tag") == [
        f'{path}:11: tip "trust-your-team": tag "mentor" is not a topic in {topics} '
        '(did you mean "mentoring"?)',
        f'{path}:18: tip "share-the-credit": tag "delegaton" is not a topic in {topics} '
        '(did you mean "delegation"?)',
        f'{path}:18: tip "share-the-credit": tag "kubernetes" is not a topic in {topics}; '
        "use one of its topics, or add it there",
    ]
    served = load_library(CASES / "unknown-tag").library
    assert [tip.id for tip in served.tips] == ["mentor-future-seniors"]


def test_every_kind_of_broken_topic_is_reported_at_its_line() -> None:
    """Bad tags, fields, descriptions and synonyms, and words listed twice, in line order."""
    path = "tests/fixtures/tips/bad-topics/topics.yaml"
    assert errors_in("bad-topics") == [
        f'{path}:7: topic "Mentoring": "tag" must be a lowercase slug like "on-call"',
        f'{path}:10: topic "mentoring": missing field "description"',
        f'{path}:11: topic "mentoring": unknown field "descripton" (did you mean "description"?)',
        f'{path}:14: topic "recognition": "description" is 85 characters; at most 75',
        f'{path}:15: topic "recognition": synonyms must be lowercase words, joined by hyphens '
        'where people type a space ("on-call" matches "on call"); fix "give credit"',
        f'{path}:18: topic "incidents": "description" must be one line',
        f'{path}:21: topic "incidents": synonym "trust" is listed already, under topic '
        '"delegation" at line 5; list each word once',
        f'{path}:21: topic "incidents": synonym "incident" is its own tag; list each word once',
        f'{path}:21: topic "incidents": synonym "outage" is listed already, in this topic at '
        "line 21; list each word once",
        f'{path}:23: topic "delegations": the tag means the same as "delegation" at line 3, '
        "as plurals match; keep one",
    ]


def test_a_topic_with_a_fault_still_counts_for_the_tips_that_use_it() -> None:
    """The tips tagged with a broken topic load: the topics file's own errors say what to fix."""
    result = load_library(CASES / "bad-topics")

    assert all(error.path.endswith("topics.yaml") for error in result.errors)
    assert [tip.id for tip in result.library.tips] == ["trust-your-team", "share-the-credit"]
    assert result.library.vocabulary.topic("mentoring").description == ""
    assert result.library.resolve_topic("kudos") is None  # its synonyms were refused whole
    assert result.library.resolve_topic("delegate") == "delegation"


def test_a_topics_file_that_cannot_be_read_leaves_tags_unchecked() -> None:
    """Broken YAML is one error; the tips beside it load rather than each failing its tags."""
    assert errors_in("broken-topics-file") == [
        "tests/fixtures/tips/broken-topics-file/topics.yaml:6: YAML syntax error: did not find "
        "expected ',' or ']' (while parsing a flow sequence that started at line 5)",
    ]
    served = load_library(CASES / "broken-topics-file").library
    assert [tip.id for tip in served.tips] == ["trust-your-team", "share-the-credit"]


def test_without_a_topics_file_any_tag_is_accepted(tmp_path: Path) -> None:
    """A tips directory with no topics.yaml checks no tag, and its topics have no description."""
    text = (CASES / "unknown-tag" / "tips.yaml").read_text(encoding="utf-8")
    (tmp_path / "tips.yaml").write_text(text, encoding="utf-8")

    result = load_library(tmp_path)

    assert result.errors == ()
    assert {topic.description for topic, _ in result.library.topics()} == {""}


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "tips/topics.yaml:1: file is empty; expected `topics:` and a list of topics"),
        ("- tag: x\n", "tips/topics.yaml:1: expected a mapping with `topics:` at the top level"),
        ("topics: []\n", "tips/topics.yaml:1: `topics` must be a list of topics (each item "),
        ("topic:\n  - tag: x\n", 'tips/topics.yaml:1: file: unknown field "topic" (did you'),
        ("topics:\n  - incidents\n", "tips/topics.yaml:2: each topic must be a mapping of tag"),
        (
            "topics:\n  - tag: x\n    description: X\n    synonyms: outage\n",
            'tips/topics.yaml:4: topic "x": "synonyms" must be a list such as [outage, on-call]',
        ),
        (
            "topics:\n  - tag: x\n    description: !!python/name:os.system\n",
            'tips/topics.yaml:3: topic "x": "description" uses the YAML tag',
        ),
        (
            "topics:\n  - &a\n    tag: x\n    description: X\n",
            "tips/topics.yaml:2: YAML anchors (&a) are not allowed",
        ),
    ],
)
def test_a_topics_file_of_the_wrong_shape_says_what_is_expected(text: str, error: str) -> None:
    """Each wrong shape is reported at its line, first of all saying what was expected."""
    _, errors = parse_topics_file(text, "tips/topics.yaml")

    assert str(errors[0]).startswith(error)


def test_parse_tip_file_checks_tags_only_when_given_a_vocabulary() -> None:
    """One file's text alone accepts any tag; given the topics, it refuses the unknown ones."""
    text = (CASES / "unknown-tag" / "tips.yaml").read_text(encoding="utf-8")
    topics_text = (CASES / "unknown-tag" / "topics.yaml").read_text(encoding="utf-8")
    vocabulary, _ = parse_topics_file(topics_text, "topics.yaml")

    unchecked, no_errors = parse_tip_file(text, "tips.yaml")
    checked, errors = parse_tip_file(text, "tips.yaml", vocabulary)

    assert (len(unchecked), no_errors) == (3, [])
    assert [tip.id for tip in checked] == ["mentor-future-seniors"]
    assert len(errors) == 3

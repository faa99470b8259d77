"""Loading tip files: every kind of broken file is reported as `path:line: message`.

Each case is a directory of real files under tests/fixtures/tips/. Paths in messages are
shown relative to the working directory, so every test runs from the repository root.
"""

import re
from pathlib import Path

import pytest

from bot.content.loader import load_library, parse_tip_file
from bot.content.model import Source
from tests.conftest import FIXTURES, REPO

CASES = FIXTURES / "tips"
ARTICLE = Source(
    title="Leadership: Senior Engineer vs Staff Engineer", author="iago", date="2023-03-19"
)


@pytest.fixture(autouse=True)
def _from_repo_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run from the repository root so paths in messages read tests/fixtures/tips/..."""
    monkeypatch.chdir(REPO)


def errors_in(case: str) -> list[str]:
    """The error lines loading one fixture directory produces, as `validate` prints them."""
    return [str(error) for error in load_library(CASES / case).errors]


def tip_ids(case: str) -> list[str]:
    """Ids of the tips that loaded from one fixture directory, in load order."""
    return [tip.id for tip in load_library(CASES / case).library.tips]


def test_valid_file_loads_every_tip_with_its_source_and_location() -> None:
    """A valid file loads all tips, each with the file's source and where it was defined."""
    result = load_library(CASES / "valid")

    assert result.errors == ()
    assert result.files == ("tests/fixtures/tips/valid/tips.yaml",)
    first, second = result.library.tips
    assert (first.id, first.path, first.line) == (
        "trust-your-team",
        "tests/fixtures/tips/valid/tips.yaml",
        7,
    )
    assert first.title == "Trust your team"
    assert first.try_ == "Hand one task you always do to a teammate."
    assert first.tags == ("delegation", "mentoring")
    assert first.level == "staff"
    assert first.source == ARTICLE
    assert (second.id, second.line) == ("share-the-credit", 14)


def test_unknown_key_points_at_the_key_and_suggests_the_right_one() -> None:
    """A typo such as `boddy` is reported on its own line with a "did you mean" hint."""
    path = "tests/fixtures/tips/unknown-key/tips.yaml"
    assert errors_in("unknown-key") == [
        f'{path}:9: tip "trust-your-team": unknown field "boddy" (did you mean "body"?)',
        f'{path}:13: tip "trust-your-team": unknown field "colour" '
        "(allowed: id, title, body, try, tags, level)",
        f'{path}:7: tip "trust-your-team": missing field "body"',
    ]
    assert tip_ids("unknown-key") == []


def test_missing_field_points_at_the_start_of_the_tip() -> None:
    """A missing field is reported on the line where the tip (`- id:`) begins."""
    assert errors_in("missing-field") == [
        'tests/fixtures/tips/missing-field/tips.yaml:7: tip "trust-your-team": '
        'missing field "body"',
    ]


def test_tip_without_id_is_named_by_its_line() -> None:
    """A tip with no id is named `tip at line N`, since there is no id to name it by."""
    assert 'tests/fixtures/tips/many-errors/tips.yaml:21: tip at line 21: missing field "id"' in (
        errors_in("many-errors")
    )


def test_duplicate_id_across_files_keeps_the_first_and_names_both_places() -> None:
    """A reused id is rejected where it reappears, the message pointing at the first use."""
    result = load_library(CASES / "duplicate-ids")

    assert [str(error) for error in result.errors] == [
        'tests/fixtures/tips/duplicate-ids/b-second.yaml:14: tip "trust-your-team": '
        "duplicate id, first at tests/fixtures/tips/duplicate-ids/a-first.yaml:7",
    ]
    kept = result.library.by_id["trust-your-team"]
    assert (kept.path, kept.title) == (
        "tests/fixtures/tips/duplicate-ids/a-first.yaml",
        "Trust your team",
    )
    assert [tip.id for tip in result.library.tips] == ["trust-your-team", "share-the-credit"]


def test_same_key_twice_in_a_tip_is_an_error() -> None:
    """A key given twice is reported at the second one instead of YAML silently keeping it."""
    assert errors_in("duplicate-key") == [
        'tests/fixtures/tips/duplicate-key/tips.yaml:11: tip "trust-your-team": '
        'field "body" appears twice',
    ]


def test_over_long_text_points_at_the_value_and_the_limit_is_inclusive() -> None:
    """Text over its limit is reported at the value with both lengths; exactly at it is fine."""
    path = "tests/fixtures/tips/over-long/tips.yaml"
    assert errors_in("over-long") == [
        f'{path}:24: tip "trust-your-team": "body" is 401 characters; at most 400',
        f'{path}:36: tip "share-the-credit": "title" is 81 characters; at most 80',
    ]
    loaded = load_library(CASES / "over-long").library.tips
    assert [(tip.id, len(tip.body)) for tip in loaded] == [("exactly-at-the-limit", 400)]


def test_wrong_types_point_at_each_value() -> None:
    """A list, mapping or nothing where text belongs, and text where a list belongs, are named."""
    path = "tests/fixtures/tips/wrong-types/tips.yaml"
    assert errors_in("wrong-types") == [
        f'{path}:8: tip "trust-your-team": "title" must be text, not a list',
        f'{path}:9: tip "trust-your-team": "body" must be text, not a mapping',
        f'{path}:10: tip "trust-your-team": "try" must be text, not nothing',
        f'{path}:11: tip "trust-your-team": "tags" must be a non-empty list such as '
        "[mentoring, scope]",
    ]


def test_numbers_and_booleans_where_text_belongs_point_at_the_value() -> None:
    """Unquoted `42` or `no` (read by YAML as a number, a boolean) are errors at their line."""
    errors = errors_in("yaml-scalars")
    path = "tests/fixtures/tips/yaml-scalars/tips.yaml"

    assert len(errors) == 2
    assert errors[0].startswith(f'{path}:8: tip "trust-your-team": "title" must be text, not ')
    assert errors[1].startswith(f'{path}:10: tip "trust-your-team": "try" must be text, not ')


def test_number_and_boolean_types_are_named_in_plain_words() -> None:
    """Type errors name YAML numbers and booleans the way a tip author would say them."""
    messages = " ".join(errors_in("yaml-scalars"))

    assert not re.search(r"not a (int|float|bool)\b", messages)


def test_empty_files_are_errors() -> None:
    """A file with no bytes, or only comments, is an error on line 1 saying what to add."""
    assert errors_in("empty-file") == [
        "tests/fixtures/tips/empty-file/only-comments.yaml:1: file is empty; "
        "expected `source:` and `tips:`",
        "tests/fixtures/tips/empty-file/tips.yaml:1: file is empty; expected `source:` and `tips:`",
    ]


def test_yaml_syntax_error_is_reported_where_the_parser_stopped() -> None:
    """Unparseable YAML is one error at the line the parser stopped, not a crash."""
    (error,) = errors_in("yaml-syntax")
    # libyaml and the pure-Python parser word the problem differently; the place is the same.
    assert error.startswith("tests/fixtures/tips/yaml-syntax/tips.yaml:12: YAML syntax error: ")
    assert "',' or ']'" in error
    assert error.endswith("(while parsing a flow sequence that started at line 11)")


def test_file_without_source_is_an_error() -> None:
    """Tips need a `source:` to attribute them; its absence is reported at the top mapping."""
    assert errors_in("no-source") == [
        'tests/fixtures/tips/no-source/tips.yaml:2: file: missing field "source"',
    ]
    assert tip_ids("no-source") == []


def test_bad_source_block_names_each_problem() -> None:
    """A misspelt source key gets a hint, and a missing author points at the source block."""
    errors = errors_in("bad-source")
    path = "tests/fixtures/tips/bad-source/tips.yaml"

    assert f'{path}:5: source: unknown field "ulr" (did you mean "url"?)' in errors
    assert f'{path}:3: source: missing field "author"' in errors


def test_bad_source_does_not_hide_the_errors_in_its_tips() -> None:
    """A broken source block is reported together with the errors of the tips below it."""
    assert (
        'tests/fixtures/tips/bad-source/tips.yaml:7: tip "trust-your-team": missing field "body"'
        in errors_in("bad-source")
    )


def test_ids_must_be_lowercase_slugs() -> None:
    """Ids with capitals, underscores or doubled hyphens are rejected at the id's line."""
    path = "tests/fixtures/tips/bad-slug/tips.yaml"
    assert errors_in("bad-slug") == [
        f'{path}:7: tip "Trust_Your_Team": "id" must be a lowercase slug like "trust-your-team"',
        f'{path}:14: tip "share--the-credit": "id" must be a lowercase slug like "trust-your-team"',
    ]


def test_level_must_be_senior_staff_or_both() -> None:
    """An unknown level is reported at its value, listing the levels allowed."""
    assert errors_in("bad-level") == [
        'tests/fixtures/tips/bad-level/tips.yaml:12: tip "trust-your-team": '
        '"level" must be one of senior, staff, both',
    ]


def test_tags_must_be_one_to_six_lowercase_slugs() -> None:
    """Bad tags are listed by name; an empty list and a seventh tag are errors at the list."""
    path = "tests/fixtures/tips/bad-tags/tips.yaml"
    assert errors_in("bad-tags") == [
        f'{path}:11: tip "trust-your-team": tags must be lowercase words or slugs; '
        'fix "Delegation", "on call"',
        f'{path}:18: tip "share-the-credit": "tags" must be a non-empty list such as '
        "[mentoring, scope]",
        f'{path}:25: tip "mentor-future-seniors": "tags" has 7 entries; at most 6',
    ]


def test_a_tag_repeated_in_one_tip_counts_that_tip_once() -> None:
    """`tags: [mentoring, delegation, mentoring]` never makes one tip count as two."""
    result = load_library(CASES / "repeated-tag")

    counts = {topic.tag: count for topic, count in result.library.topics()}
    assert counts.get("mentoring", 0) <= 1
    assert len(result.library.with_tag("mentoring")) <= 1


def test_good_tips_next_to_a_bad_one_still_load() -> None:
    """One bad tip is reported and left out; the good tips in the same file are kept."""
    assert errors_in("mixed-good-and-bad") == [
        'tests/fixtures/tips/mixed-good-and-bad/tips.yaml:14: tip "go-to-person": '
        'missing field "try"',
    ]
    assert tip_ids("mixed-good-and-bad") == ["trust-your-team", "share-the-credit"]


def test_every_error_in_a_file_is_reported_in_one_pass() -> None:
    """Several mistakes across several tips all come back from one load, good tips kept."""
    path = "tests/fixtures/tips/many-errors/tips.yaml"
    assert errors_in("many-errors") == [
        f'{path}:9: tip "trust-your-team": unknown field "boddy" (did you mean "body"?)',
        f'{path}:7: tip "trust-your-team": missing field "body"',
        f'{path}:15: tip "share-the-credit": "title" is empty',
        f'{path}:19: tip "share-the-credit": "level" must be one of senior, staff, both',
        f'{path}:21: tip at line 21: missing field "id"',
    ]
    assert tip_ids("many-errors") == ["mentor-future-seniors"]


def test_python_tags_are_refused_without_running_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`!!python/...` tags are errors at their line; a safe loader never runs the command."""
    monkeypatch.chdir(tmp_path)  # where `touch tipbot-pwned` would land if it ran
    case = CASES / "python-tag"

    result = load_library(case)

    assert not (tmp_path / "tipbot-pwned").exists()
    assert result.library.tips == ()
    located = [(error.path, error.line) for error in result.errors]
    assert located[0] == (str(case / "tips.yaml"), 10)
    assert located[-1] == (str(case / "tips.yaml"), 20)
    assert {line for _, line in located} == {10, 20}


def test_python_tag_errors_are_one_line_each() -> None:
    """Each refused tag is exactly one `path:line: message` line naming the tip and the tag."""
    path = "tests/fixtures/tips/python-tag/tips.yaml"
    errors = errors_in("python-tag")

    assert len(errors) == 2
    assert all("\n" not in error and "<unicode string>" not in error for error in errors)
    assert errors[0].startswith(f'{path}:10: tip "trust-your-team": ')
    assert "python/object/apply" in errors[0]
    assert errors[1].startswith(f'{path}:20: tip "share-the-credit": ')
    assert "python/name" in errors[1]


def test_python_tag_on_a_whole_tip_is_refused() -> None:
    """A tip mapping tagged `!!python/object/new:...` is an error, not quietly loaded."""
    assert tip_ids("python-tag-on-tip") == []
    assert any(
        error.startswith("tests/fixtures/tips/python-tag-on-tip/tips.yaml:7:")
        for error in errors_in("python-tag-on-tip")
    )


def test_not_utf8_file_is_rejected_before_parsing() -> None:
    """The fixture really is Latin-1, so the next test exercises undecodable bytes."""
    raw = (CASES / "not-utf8" / "tips.yaml").read_bytes()

    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_not_utf8_file_is_a_clear_error() -> None:
    """A file that is not UTF-8 is one error naming the file and UTF-8, not a crash."""
    result = load_library(CASES / "not-utf8")

    assert len(result.errors) == 1
    message = str(result.errors[0])
    assert message.startswith("tests/fixtures/tips/not-utf8/tips.yaml:")
    assert "UTF-8" in message


def test_yml_files_load_and_other_files_are_ignored() -> None:
    """`.yml` files (also in subdirectories) load like `.yaml`; README.md and .txt are skipped."""
    result = load_library(CASES / "yml-and-readme")

    assert result.errors == ()
    assert result.files == (
        "tests/fixtures/tips/yml-and-readme/more/credit.yml",
        "tests/fixtures/tips/yml-and-readme/tips.yaml",
    )
    assert sorted(tip.id for tip in result.library.tips) == ["share-the-credit", "trust-your-team"]


def test_missing_directory_is_an_error_not_a_crash(tmp_path: Path) -> None:
    """Pointing the loader at a directory that does not exist gives one error and no tips."""
    result = load_library(tmp_path / "nowhere")

    assert [error.message for error in result.errors] == [
        "tips directory not found; pass one, or set TIPS_DIR"
    ]
    assert len(result.library) == 0


def test_directory_without_tip_files_is_an_error(tmp_path: Path) -> None:
    """A directory holding no *.yaml or *.yml files is an error rather than an empty library."""
    (tmp_path / "README.md").write_text("# no tips here\n", encoding="utf-8")

    result = load_library(tmp_path)

    assert [error.message for error in result.errors] == ["no *.yaml or *.yml tip files found"]


def test_parse_tip_file_reports_errors_under_the_path_it_is_given() -> None:
    """parse_tip_file works on text alone and labels its errors with the given path."""
    text = (CASES / "missing-field" / "tips.yaml").read_text(encoding="utf-8")

    tips, errors = parse_tip_file(text, "tips/leadership.yaml")

    assert tips == []
    assert [str(error) for error in errors] == [
        'tips/leadership.yaml:7: tip "trust-your-team": missing field "body"',
    ]


def test_tips_cannot_mention_people_or_channels(tmp_path: Path) -> None:
    """<!channel>, <!here>, <@U…> and <#C…> in a tip are errors; links are fine."""
    text = (CASES / "valid" / "tips.yaml").read_text(encoding="utf-8")
    (tmp_path / "tips.yaml").write_text(text, encoding="utf-8")
    first = load_library(tmp_path).library.tips[0]
    for markup in ("<!channel>", "<!here|here>", "<@U123>", "<#C123|general>"):
        broken = text.replace(first.try_, f"Ask {markup} about it.", 1)
        (tmp_path / "tips.yaml").write_text(broken, encoding="utf-8")
        (error,) = load_library(tmp_path).errors
        assert f'"try" contains {markup}, which would notify people' in error.message
    linked = text.replace(first.try_, "Read <https://example.com|the post> again.", 1)
    (tmp_path / "tips.yaml").write_text(linked, encoding="utf-8")
    assert load_library(tmp_path).errors == ()


def test_a_url_with_slack_markup_is_refused_at_its_line() -> None:
    """`url: "https://x/><!channel>…"` would ping the channel from every tip: an error."""
    assert errors_in("url-markup") == [
        'tests/fixtures/tips/url-markup/tips.yaml:6: source: "url" contains ">", which Slack '
        "reads as markup; write it as %3E",
    ]
    assert tip_ids("url-markup") == []


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        ("javascript:alert(1)", "must be a web address starting with https:// or http://"),
        ("ftp://example.com/post", "must be a web address starting with https:// or http://"),
        ("example.com/post", "must be a web address starting with https:// or http://"),
        ("https://", "must be a web address starting with https:// or http://"),
        ("https://[::1/post", "must be a web address starting with https:// or http://"),
        ("https://example.com/a post", "contains a space or an invisible character"),
        ("https://example.com/a\\u200bpost", "contains a space or an invisible character"),
        ("https://example.com/a|b", 'contains "|", which Slack reads as markup; write it as %7C'),
        ("https://example.com/<b>", 'contains "<", which Slack reads as markup; write it as %3C'),
        ("https://example.com/" + "a" * 490, "is 510 characters; at most 500"),
    ],
)
def test_source_urls_must_be_plain_web_addresses(tmp_path: Path, url: str, problem: str) -> None:
    """Only http(s) addresses with a host, no spaces, no Slack markup, at most 500 characters."""
    text = (CASES / "valid" / "tips.yaml").read_text(encoding="utf-8")
    text = text.replace("  date: 2023-03-19\n", f'  date: 2023-03-19\n  url: "{url}"\n')
    (tmp_path / "tips.yaml").write_text(text, encoding="utf-8")

    (error,) = load_library(tmp_path).errors

    assert error.line == 6
    assert error.message.startswith(f'source: "url" {problem}')


@pytest.mark.parametrize(
    "url",
    ["https://example.com/post?a=1&b=2#part", "http://example.com", "https://例え.jp/記事"],
)
def test_ordinary_urls_are_accepted(tmp_path: Path, url: str) -> None:
    """Queries, fragments, plain http and non-ASCII addresses load as written."""
    text = (CASES / "valid" / "tips.yaml").read_text(encoding="utf-8")
    text = text.replace("  date: 2023-03-19\n", f'  date: 2023-03-19\n  url: "{url}"\n')
    (tmp_path / "tips.yaml").write_text(text, encoding="utf-8")

    result = load_library(tmp_path)

    assert result.errors == ()
    assert result.library.tips[0].source.url == url


def test_todo_placeholders_are_valid_but_keep_the_file_unserved(tmp_path: Path) -> None:
    """`author: TODO`, a `TODO:` try line and `tags: [TODO]` pass validation, yet serve nothing
    until an admin writes real values in their place."""
    case = CASES / "placeholders"
    path = "tests/fixtures/tips/placeholders/tips.yaml"

    served = load_library(case)
    reviewing = load_library(case, include_drafts=True)

    assert (served.errors, served.library.tips, served.drafts) == ((), (), (path,))
    (tip,) = reviewing.library.tips
    assert (tip.source.author, tip.try_, tip.tags) == (
        "TODO",
        "TODO: one thing to do this week",
        ("TODO",),
    )

    filled = (case / "tips.yaml").read_text(encoding="utf-8")
    for placeholder, value in (
        ("author: TODO", "author: Sam Lee"),
        ('"TODO: one thing to do this week"', "Write one runbook step after your next page."),
        ("[TODO]", "[incidents]"),
    ):
        filled = filled.replace(placeholder, value)
    (tmp_path / "tips.yaml").write_text(filled, encoding="utf-8")
    (tmp_path / "topics.yaml").write_bytes((case / "topics.yaml").read_bytes())

    published = load_library(tmp_path)
    assert (published.errors, published.drafts) == ((), ())
    assert [t.id for t in published.library.tips] == ["write-the-runbook-while-fresh"]

"""Tip files built to exhaust the bot: each is a short error, and the other files still load.

The hostile files are generated into tmp_path next to a copy of a valid file, except the
alias bomb, which is small enough to read: tests/fixtures/tips/alias-bomb/.
"""

import tracemalloc
from pathlib import Path

import pytest
import yaml

from bot.content import yaml_fields
from bot.content.limits import (
    MAX_ERROR_CHARS,
    MAX_ERRORS_PER_FILE,
    MAX_FILE_BYTES,
    MAX_NESTING,
    MAX_QUOTED_CHARS,
)
from bot.content.loader import LoadResult, load_library
from bot.content.tip_errors import error_count
from tests.conftest import FIXTURES, REPO

CASES = FIXTURES / "tips"
VALID = (CASES / "valid" / "tips.yaml").read_text(encoding="utf-8")
GOOD_IDS = ["trust-your-team", "share-the-credit"]
TOO_DEEP = f"lists and mappings are nested more than {MAX_NESTING} levels deep here"


def tip_file(tags: str = "[mentoring]", extra: str = "", tip_id: str = "hostile") -> str:
    """A file of one tip with `tags:` as given (line 8 when `extra` adds no lines)."""
    return (
        "source: {title: An article, author: someone, date: 2024-01-01}\n"
        "tips:\n"
        f"  - id: {tip_id}\n"
        "    title: A hostile tip\n"
        "    body: Read on.\n"
        "    try: Try it.\n"
        "    level: both\n"
        f"{extra}"
        f"    tags: {tags}\n"
    )


def load_beside_a_good_file(tmp_path: Path, text: str) -> tuple[LoadResult, str]:
    """Load `text` as b-bad.yaml next to a valid a-good.yaml; the result and the bad path."""
    (tmp_path / "a-good.yaml").write_text(VALID, encoding="utf-8")
    bad = tmp_path / "b-bad.yaml"
    bad.write_text(text, encoding="utf-8")
    return load_library(tmp_path), str(bad)


def messages(result: LoadResult) -> list[str]:
    """The error lines of a load, as `tipbot validate` prints them."""
    return [str(error) for error in result.errors]


@pytest.fixture(params=["libyaml", "pure-python"])
def parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run the test with libyaml's parser and with PyYAML's own, whose composer recurses."""
    if request.param == "pure-python":
        monkeypatch.setattr(yaml_fields, "SafeLoader", yaml.SafeLoader)
    return str(request.param)


def test_an_alias_bomb_is_one_error_at_its_first_anchor(monkeypatch: pytest.MonkeyPatch) -> None:
    """A billion laughs is refused at its first anchor, and the valid file beside it loads."""
    monkeypatch.chdir(REPO)

    result = load_library(CASES / "alias-bomb")

    assert messages(result) == [
        "tests/fixtures/tips/alias-bomb/b-bomb.yaml:10: YAML anchors (&a) are not allowed "
        "in tip files; write the value out in full"
    ]
    assert [tip.id for tip in result.library.tips] == GOOD_IDS


def test_an_alias_bomb_is_refused_before_anything_expands() -> None:
    """Loading the bomb allocates a few megabytes at most, not the gigabytes it expands to."""
    tracemalloc.start()
    try:
        load_library(CASES / "alias-bomb")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 5_000_000


def test_an_alias_is_refused_where_it_is_used(tmp_path: Path, parser: str) -> None:
    """An alias with no anchor in the file is refused at its own line, by name."""
    result, bad = load_beside_a_good_file(tmp_path, tip_file(tags="*laughs"))

    assert messages(result) == [
        f"{bad}:8: YAML aliases (*laughs) are not allowed in tip files; write the value out in full"
    ]
    assert [tip.id for tip in result.library.tips] == GOOD_IDS


@pytest.mark.parametrize("levels", [500, 1_000, 100_000])
def test_deeply_nested_brackets_are_one_error(tmp_path: Path, parser: str, levels: int) -> None:
    """Hundreds or thousands of nested [ are one error at their line, never a RecursionError."""
    tags = "[" * levels + "x" + "]" * levels

    result, bad = load_beside_a_good_file(tmp_path, tip_file(tags=tags))

    (error,) = messages(result)
    assert error.startswith(f"{bad}:8: {TOO_DEEP}; a tip file needs 4 (file, tips, tip, tags)")
    assert [tip.id for tip in result.library.tips] == GOOD_IDS


def test_deeply_indented_mappings_are_one_error_at_the_first_level_too_deep(
    tmp_path: Path, parser: str
) -> None:
    """A thousand indented `a:` levels are refused on the line of the 51st level."""
    nested = "\n" + "".join(" " * (6 + level) + "a:\n" for level in range(1_000)) + "x"

    result, bad = load_beside_a_good_file(tmp_path, tip_file(tags=nested))

    # The file, `tips`, the tip and `tags` are levels 1 to 4; `tags` opens on line 9.
    line = 9 + (MAX_NESTING + 1 - 4)
    (error,) = messages(result)
    assert error.startswith(f"{bad}:{line}: {TOO_DEEP};")
    assert [tip.id for tip in result.library.tips] == GOOD_IDS


def test_nesting_up_to_the_limit_is_read_and_judged_as_usual(tmp_path: Path) -> None:
    """At exactly MAX_NESTING levels the file is read, so the error is about the tags."""
    inside_tags = MAX_NESTING - 3  # the file, `tips` and the tip are the first three
    tags = "[" * inside_tags + "x" + "]" * inside_tags

    result, bad = load_beside_a_good_file(tmp_path, tip_file(tags=tags))

    assert messages(result) == [
        f'{bad}:8: tip "hostile": tags must be lowercase words or slugs; fix a list'
    ]


def test_a_file_of_too_many_values_is_refused(tmp_path: Path) -> None:
    """More than MAX_YAML_VALUES texts, lists and mappings in one file is one error."""
    tags = "[" + ", ".join(["a"] * 100_000) + "]"

    result, bad = load_beside_a_good_file(tmp_path, tip_file(tags=tags))

    assert messages(result) == [
        f"{bad}:8: the file holds more than 100,000 YAML values (texts, lists and mappings); "
        "split its tips into several files"
    ]
    assert [tip.id for tip in result.library.tips] == GOOD_IDS


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path: Path) -> None:
    """A 7 MB file (500,000 unknown keys) is one error naming the file and both sizes."""
    keys = "".join(f"    key{number}: value\n" for number in range(500_000))
    text = tip_file(extra=keys)

    result, bad = load_beside_a_good_file(tmp_path, text)

    assert messages(result) == [
        f"{bad}: the file is {len(text):,} bytes; a tip file may be at most 1,000,000 bytes, "
        "so split its tips into several files"
    ]
    assert [tip.id for tip in result.library.tips] == GOOD_IDS


def test_a_file_of_exactly_the_size_limit_loads(tmp_path: Path) -> None:
    """The size limit is inclusive: a valid file padded to MAX_FILE_BYTES loads."""
    padding = "#" * (MAX_FILE_BYTES - len(VALID.encode()) - 1) + "\n"
    (tmp_path / "tips.yaml").write_text(VALID + padding, encoding="utf-8")

    result = load_library(tmp_path)

    assert result.errors == ()
    assert [tip.id for tip in result.library.tips] == GOOD_IDS


def test_errors_past_the_cap_become_one_line_saying_how_many(tmp_path: Path) -> None:
    """5,000 unknown keys give MAX_ERRORS_PER_FILE errors and one "… and 4980 more" line."""
    keys = "".join(f"    key{number}: value\n" for number in range(5_000))

    result, bad = load_beside_a_good_file(tmp_path, tip_file(extra=keys))

    lines = messages(result)
    assert len(lines) == MAX_ERRORS_PER_FILE + 1
    assert lines[0] == (
        f'{bad}:8: tip "hostile": unknown field "key0" (allowed: id, title, body, try, tags, level)'
    )
    assert lines[-1] == f"{bad}: … and 4980 more errors in this file; fix these and validate again"
    assert error_count(result.errors) == 5_000


def test_a_long_key_is_quoted_cut_short(tmp_path: Path) -> None:
    """An unknown key of 1,000 characters (YAML allows no longer) is quoted cut short."""
    result, _ = load_beside_a_good_file(tmp_path, tip_file(extra=f"    {'k' * 1_000}: v\n"))

    (error,) = result.errors
    shown = "k" * (MAX_QUOTED_CHARS - 1) + "…"
    assert (
        error.message
        == f'tip "hostile": unknown field "{shown}" (allowed: id, title, body, try, tags, level)'
    )


def test_a_long_id_does_not_lengthen_every_error_of_its_tip(tmp_path: Path) -> None:
    """A 10,000-character id is named cut short, and each error stays one short line."""
    text = tip_file(tags="[Bad]", tip_id="a" * 10_000).replace("level: both", "level: all")

    result, _ = load_beside_a_good_file(tmp_path, text)

    assert len(result.errors) == 3
    assert all(len(error.message) <= MAX_ERROR_CHARS for error in result.errors)
    assert result.errors[0].message.startswith(f'tip "{"a" * (MAX_QUOTED_CHARS - 1)}…": "id" is')


def test_tags_that_are_not_text_are_named_by_kind(tmp_path: Path) -> None:
    """Lists, mappings and numbers among the tags are named as such, never printed whole."""
    result, bad = load_beside_a_good_file(tmp_path, tip_file(tags="[[a, b], {c: d}, 5, Bad]"))

    assert messages(result) == [
        f'{bad}:8: tip "hostile": tags must be lowercase words or slugs; fix a list, a mapping, '
        'a number (put the text in quotes), "Bad"'
    ]


def test_thousands_of_tags_make_three_short_errors(tmp_path: Path) -> None:
    """10,000 repeated bad tags: too many, which to fix (a few), and the repeat, once each."""
    result, bad = load_beside_a_good_file(tmp_path, tip_file(tags="[" + "Bad, " * 10_000 + "]"))

    assert messages(result) == [
        f'{bad}:8: tip "hostile": "tags" has 10000 entries; at most 6',
        f'{bad}:8: tip "hostile": tags must be lowercase words or slugs; fix '
        + ", ".join(['"Bad"'] * 6)
        + " and 9994 more",
        f'{bad}:8: tip "hostile": tag "Bad" appears more than once',
    ]


def test_over_long_text_is_not_searched_for_mentions(tmp_path: Path) -> None:
    """A body of 400,000 `<!` is reported for its length alone, without a slow search."""
    text = tip_file().replace("body: Read on.", "body: " + "<!" * 400_000)

    result, bad = load_beside_a_good_file(tmp_path, text)

    assert messages(result) == [f'{bad}:5: tip "hostile": "body" is 800000 characters; at most 400']

"""`tipbot import ARTICLE.md`: articles of every shape become draft tips that pass validation."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.loader import load_library, parse_tip_file
from bot.content.model import DRAFT_MARKER, LIMITS, Tip, is_placeholder
from bot.content.topics import TOPICS_FILE
from tests.conftest import FIXTURES, SHIPPED_TIPS
from tests.importer.reviewing import cleared
from tests.processes import run_tipbot

ARTICLES = FIXTURES / "articles"
# Written for these tests in the shape of a real post; real articles are never copied here.
STORY = ARTICLES / "story-with-quoted-takeaways.md"
SHIPPED_FILE = SHIPPED_TIPS / "leadership-senior-vs-staff-engineer.yaml"
ENTITY = re.compile(r"&(?:amp|lt|gt);")


@pytest.fixture(autouse=True)
def tips_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A library with the shipped topics and no tips yet in TIPS_DIR, not the shipped tips/."""
    directory = tmp_path / "tips"
    directory.mkdir()
    shutil.copy(SHIPPED_TIPS / TOPICS_FILE, directory / TOPICS_FILE)
    monkeypatch.setenv("TIPS_DIR", str(directory))
    return directory


def run_import(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    """Run `tipbot import ARGS` in this process; returns the exit code, stdout and stderr."""
    code = main(["import", *(str(arg) for arg in args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def draft_of(text: str) -> list[Tip]:
    """The tips in a drafted file, asserting that the loader accepts it whole."""
    tips, errors = parse_tip_file(text, "draft.yaml")
    assert errors == [], errors
    assert tips
    return tips


def assert_fit_for_slack(tips: list[Tip]) -> None:
    """Every field within its limit, and no live Slack markup or markdown left anywhere."""
    for tip in tips:
        assert len(tip.body) <= LIMITS["body"]
        assert len(tip.title) <= LIMITS["title"]
        assert len(tip.try_) <= LIMITS["try"]
        assert len(tip.id) <= LIMITS["id"]
        assert tip.id.isascii()
        for text in (tip.title, tip.body, tip.try_):
            assert "<" not in text
            assert ">" not in text
            assert "&" not in ENTITY.sub("", text)
            assert "**" not in text
            assert "](" not in text
        assert tip.try_.startswith("This week, ") or is_placeholder(tip.try_)
        assert len(tip.tags) == len(set(tip.tags))


def test_a_story_with_quoted_takeaways_drafts_one_tip_per_quote(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each block-quoted lesson of a story becomes a valid tip; front matter and signature
    give the source, the shipped topics the tags, and "Staff" the level."""
    monkeypatch.setenv("TIPS_DIR", str(SHIPPED_TIPS))
    out = tmp_path / "draft.yaml"

    code, stdout, stderr = run_import(capsys, STORY, "--out", out)

    assert (code, stderr) == (0, "")
    tips = draft_of(out.read_text(encoding="utf-8"))
    assert stdout == (
        f"Wrote 4 draft tips to {out}; "
        "review each tip and write a value wherever it says TODO, then run tipbot validate.\n"
    )
    assert tips[0].source.title == "Two Engineers and a Slow Checkout"
    assert (tips[0].source.author, tips[0].source.date) == ("Casey", "2024-05-06")
    bodies = " ".join(tip.body for tip in tips).lower()
    for phrase in (
        "coaches the team until anyone on it can handle",
        "looks across teams",
        "where one depends on another",
        "*grows the leads of many teams*",
        "deliver through other leads",
    ):
        assert phrase in bodies
    shipped = load_library(SHIPPED_TIPS).library
    assert not {tip.id for tip in tips} & set(shipped.by_id)
    vocabulary = set(shipped.vocabulary.by_tag)
    assert {tag for tip in tips for tag in tip.tags} - {"TODO"} <= vocabulary
    assert {tip.level for tip in tips} == {"staff"}
    assert_fit_for_slack(tips)


def test_a_takeaway_comes_first_with_a_line_of_story_and_a_review_mark(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each takeaway comes first without its lead-in ("The first lesson:"), a story sentence
    that shares its words follows when it fits, and every try line is marked for review."""
    code, stdout, _ = run_import(capsys, STORY, "--dry-run")

    assert code == 0
    first = draft_of(stdout)[0]
    assert first.title == (
        "A Staff Engineer coaches the team until anyone on it can handle an outage"
    )
    assert first.body.startswith("A Staff Engineer coaches the team until anyone on it")
    assert "_Context:_ Maya is a Senior Engineer on the checkout team" in first.body
    assert first.try_ == "This week, coach the team until anyone on it can handle an outage."
    assert "incidents" in first.tags
    assert stdout.count(DRAFT_MARKER) == stdout.count("    try: ")
    assert "DRAFT" in stdout.splitlines()[0]


def test_default_output_is_never_overwritten_without_force(
    capsys: pytest.CaptureFixture[str], tips_dir: Path
) -> None:
    """tips/<slug>.yaml exists: refused without --force; --force replaces it with the same ids."""
    target = tips_dir / "two-engineers-and-slow-checkout.yaml"
    assert run_import(capsys, STORY)[0] == 0
    first_ids = [tip.id for tip in draft_of(target.read_text(encoding="utf-8"))]
    target.write_text(target.read_text(encoding="utf-8") + "# reviewed\n", encoding="utf-8")
    before = target.read_text(encoding="utf-8")

    code, stdout, stderr = run_import(capsys, STORY)

    assert (code, stdout) == (1, "")
    assert f"{target} already exists; pass --force to overwrite it" in stderr
    assert target.read_text(encoding="utf-8") == before

    code, stdout, stderr = run_import(capsys, STORY, "--force")

    assert (code, stderr) == (0, "")
    assert f"to {target};" in stdout
    assert target.read_text(encoding="utf-8") != before
    result = load_library(tips_dir, include_drafts=True)
    assert result.errors == ()
    assert [tip.id for tip in result.library.tips] == first_ids


def test_article_without_front_matter_or_author_drafts_with_todo_in_their_place(
    capsys: pytest.CaptureFixture[str], tips_dir: Path
) -> None:
    """No front matter and no sign-off: the `#` heading is the title, author and date are
    `TODO` with a note saying what to write; the draft is valid but not served."""
    article = ARTICLES / "no-front-matter.md"

    code, stdout, stderr = run_import(capsys, article)

    assert (code, stderr) == (0, "")
    written = tips_dir / "notes-from-year-of-on-call.yaml"
    assert stdout == (
        f"Wrote 2 draft tips to {written}; the article does not say its author or date "
        "(--author and --date would); review each tip and write a value wherever it says "
        "TODO, then run tipbot validate.\n"
    )
    text = written.read_text(encoding="utf-8")
    assert "  author: TODO  # the article names no author: write who wrote it\n" in text
    assert "  date: TODO  # the article gives no date" in text
    tips = draft_of(text)
    assert (tips[0].source.title, tips[0].source.author) == ("Notes from a year of on-call", "TODO")
    assert tips[0].body.startswith("Write the runbook while the incident is still fresh.")
    assert tips[0].try_ == "This week, write the runbook while the incident is still fresh."
    assert "incidents" in tips[0].tags
    served = load_library(tips_dir)
    assert (served.errors, served.library.tips) == ((), ())
    assert_fit_for_slack(tips)


def test_author_and_date_flags_fill_what_the_article_does_not_say(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--author and --date win over a missing author and date; no TODO is left in the source."""
    article = ARTICLES / "no-front-matter.md"

    code, stdout, _ = run_import(
        capsys, article, "--dry-run", "--author", "Sam Lee", "--date", "2024-05-01"
    )

    assert code == 0
    source = draft_of(stdout)[0].source
    assert (source.author, source.date) == ("Sam Lee", "2024-05-01")
    assert "TODO  #" not in stdout


def test_flags_override_front_matter(capsys: pytest.CaptureFixture[str]) -> None:
    """--title, --author, --date and --url win over what the front matter says."""
    code, stdout, _ = run_import(
        capsys,
        ARTICLES / "headings-and-lists.md",
        "--dry-run",
        "--title",
        "Better meetings",
        "--author",
        "P. Raman",
        "--date",
        "2024-03-01",
        "--url",
        "https://example.com/meetings",
    )

    assert code == 0
    source = draft_of(stdout)[0].source
    assert (source.title, source.author, source.date, source.url) == (
        "Better meetings",
        "P. Raman",
        "2024-03-01",
        "https://example.com/meetings",
    )


def test_headings_and_lists_turn_bold_sentences_and_items_into_tips(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Bold sentences in paragraphs and bold list items become tips; plain items do not, and
    headings that only name a part of the article ("Before the meeting") are no lessons."""
    code, stdout, _ = run_import(capsys, ARTICLES / "headings-and-lists.md", "--dry-run")

    assert code == 0
    tips = draft_of(stdout)
    assert [tip.title for tip in tips] == [
        "Send the agenda a day ahead, with the decision you need written at the top",
        "Name one owner for every follow-up before anyone leaves the room",
        "End five minutes early",
        "Write the decision down and share it in the team channel within the hour",
    ]
    source = tips[0].source
    assert (source.author, source.date) == ("Priya Raman", "2024-02-11")
    assert tips[0].body.startswith("*Send the agenda a day ahead")
    assert tips[2].body == "*End five minutes early* so people can get to their next meeting."
    assert tips[3].body.startswith("*Write the decision down and share it")
    assert "_Context:_ A decision that only lives in the room" in tips[3].body
    assert not any("shared document" in tip.title for tip in tips)
    assert tips[3].try_ == (
        "This week, write the decision down and share it in the team channel within the hour."
    )
    assert_fit_for_slack(tips)


def test_a_long_passage_gives_one_tip_per_instruction_in_whole_sentences(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A block quote too long for one tip becomes one tip per instruction it gives, each cut
    between sentences; a single endless sentence is cut at a clause and says so with "…"."""
    code, stdout, _ = run_import(capsys, ARTICLES / "long-paragraphs.md", "--dry-run")

    assert code == 0
    tips = draft_of(stdout)
    assert tips[0].source.author == "Dana Whitfield"
    assert [tip.title for tip in tips[:5]] == [
        "Migrations fail when they are treated as a side project",
        "Measure progress in services moved, not in tickets closed",
        "Tell every team early what will change for them and when",
        "Expect the last ten percent to take as long as the first ninety",
        "Delete the old path as soon as the last service leaves it",
    ]
    assert all(tip.body.endswith(".") for tip in tips[:5])
    assert "Plan for it from the start" in tips[3].body
    assert tips[5].title == "Keep explaining why it matters, in every planning meeting"
    assert tips[5].body.endswith("…*")
    assert {tip.level for tip in tips} == {"both"}
    assert_fit_for_slack(tips)


def test_links_code_and_non_ascii_text(capsys: pytest.CaptureFixture[str], tips_dir: Path) -> None:
    """Links keep their text, images go, code stays code, accents survive but not in ids."""
    code, stdout, _ = run_import(capsys, ARTICLES / "links-code-unicode.md")

    assert code == 0
    written = tips_dir / "zoes-cafe-naive-resume-notes.yaml"
    assert f"to {written};" in stdout
    text = written.read_text(encoding="utf-8")
    tips = draft_of(text)
    source = tips[0].source
    assert (source.title, source.author) == ("Zoë’s café — naïve résumé notes", "Zoë Martín")
    assert source.url == "https://example.com/zoe/cafe"
    rollback = tips[0]
    assert "roll back first with `git revert` and debug later" in rollback.body
    assert "Crème Brûlée branch, and the timeline still hurts" in rollback.body
    assert "example.com" not in rollback.body
    assert "diagram" not in text
    assert rollback.id == "roll-back-first-with-git-revert-and-debug-later"
    assert "Subscribe" not in text
    assert "print(" not in text
    assert_fit_for_slack(tips)


def test_hostile_markup_does_not_survive(capsys: pytest.CaptureFixture[str]) -> None:
    """Scripts, <!channel>, <!here>, user mentions and raw & never reach a body as markup; a
    bold paragraph that a line of HTML cuts short is still read as the bold it meant."""
    code, stdout, _ = run_import(capsys, ARTICLES / "links-code-unicode.md", "--dry-run")

    assert code == 0
    tips = draft_of(stdout)
    warning = tips[1]
    assert warning.title == "Never paste untrusted text into a status page"
    assert warning.body.startswith(
        "*Never paste untrusted text into a status page: escape `&lt;`, `&gt;` and `&amp;` first"
    )
    for hostile in ("script", "pwned", "alert", "<!", "<@", "!here", "!channel", "@here"):
        assert hostile not in stdout
    assert_fit_for_slack(tips)


def test_ids_are_unique_against_the_library_and_within_the_draft(
    capsys: pytest.CaptureFixture[str], tips_dir: Path
) -> None:
    """Ids the library already uses get a -2 suffix; the written file loads with it cleanly."""
    article = ARTICLES / "long-paragraphs.md"
    code, stdout, _ = run_import(capsys, article, "--dry-run")
    assert code == 0
    first_ids = [tip.id for tip in draft_of(stdout)]
    shutil.copy(SHIPPED_FILE, tips_dir / "shipped.yaml")
    existing = (tips_dir / "shipped.yaml").read_text(encoding="utf-8")
    taken = existing.replace("id: train-team-to-fix-issues", f"id: {first_ids[0]}", 1)
    (tips_dir / "shipped.yaml").write_text(taken, encoding="utf-8")

    code, _, stderr = run_import(capsys, article)

    assert (code, stderr) == (0, "")
    result = load_library(tips_dir, include_drafts=True)
    assert result.errors == ()
    drafted = [tip.id for tip in result.library.tips if tip.path.endswith("patience.yaml")]
    assert len(drafted) == len(first_ids) == len(set(drafted))
    assert first_ids[0] not in drafted
    assert drafted[0] == f"{first_ids[0]}-2"
    assert len(result.library) == len(load_library(SHIPPED_TIPS).library) + len(drafted)


def test_dry_run_prints_the_yaml_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tips_dir: Path, tmp_path: Path
) -> None:
    """--dry-run puts the draft on stdout, a note on stderr, and creates no file."""
    out = tmp_path / "never.yaml"

    code, stdout, stderr = run_import(
        capsys, ARTICLES / "headings-and-lists.md", "--dry-run", "--out", out
    )

    assert code == 0
    assert stdout.startswith("# DRAFT to review")
    assert len(draft_of(stdout)) == 4
    assert stderr == "Dry run: 4 draft tips; nothing written.\n"
    assert not out.exists()
    assert [p.name for p in tips_dir.iterdir()] == [TOPICS_FILE]


def test_out_is_honoured_and_force_overwrites(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--out writes there; a second run is refused until --force, which replaces the file."""
    out = tmp_path / "elsewhere" / "meetings.yaml"
    out.parent.mkdir()
    article = ARTICLES / "headings-and-lists.md"

    assert run_import(capsys, article, "--out", out)[0] == 0
    out.write_text("# edited by hand\n", encoding="utf-8")
    code, _, stderr = run_import(capsys, article, "--out", out)

    assert code == 1
    assert f"{out} already exists; pass --force to overwrite it" in stderr
    assert out.read_text(encoding="utf-8") == "# edited by hand\n"

    code, _, _ = run_import(capsys, article, "--out", out, "--force")

    assert code == 0
    assert len(draft_of(out.read_text(encoding="utf-8"))) == 4
    assert sorted(p.name for p in out.parent.iterdir()) == ["meetings.yaml"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty; there is nothing to import"),
        (b"  \n\n\t\n", "is empty; there is nothing to import"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "looks like a binary file, not markdown text"),
        (b"# Caf\xe9\n\n> A takeaway.\n", "is not UTF-8 text (byte 0xE9 on line 1)"),
        (b"# Plain\n\nNo quotes, no bold, *just* words.\n", "found no takeaways in"),
        (b"---\ntitle: [oops\n---\n> A takeaway.\n", "the front matter is not valid YAML"),
        (b"---\ndate: someday\n---\n> A takeaway.\n", "front matter date 'someday' is not a date"),
        (
            b"---\nauthor: &a [Ann, Bo]\nby: [*a, *a]\n---\n> A takeaway.\n",
            "the front matter (line 2) uses a YAML anchor (&name), which tipbot does not read",
        ),
        (
            b"---\nauthor: " + b"[" * 500 + b"]" * 500 + b"\n---\n> A takeaway.\n",
            "the front matter (line 2) nests lists or mappings more than 50 levels deep",
        ),
        (
            b"---\ndate: [" + b"1, " * 5_000 + b"]\n---\n> A takeaway.\n",
            "front matter date [" + "1, " * 19 + "1… is not a date",
        ),
    ],
    ids=[
        "empty",
        "blank",
        "binary",
        "latin-1",
        "no-takeaways",
        "bad-front-matter",
        "bad-date",
        "front-matter-alias",
        "front-matter-nesting",
        "long-bad-date",
    ],
)
def test_unusable_input_is_a_clear_error_and_writes_nothing(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, tips_dir: Path, content: bytes, message: str
) -> None:
    """Empty, binary, non-UTF-8, takeaway-free or broken input: exit 1, a message, no file."""
    article = tmp_path / "article.md"
    article.write_bytes(content)
    out = tmp_path / "out.yaml"

    code, stdout, stderr = run_import(
        capsys, article, "--out", out, "--author", "A", "--title", "T"
    )

    assert (code, stdout) == (1, "")
    assert stderr.startswith("tipbot import: ")
    assert message in stderr
    assert not out.exists()
    assert [p.name for p in tips_dir.iterdir()] == [TOPICS_FILE]


def test_missing_file_folder_and_bad_flags_are_clear_errors(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A missing article, a folder, a bad --date or --url: exit 1 and why, nothing written."""
    cases: list[tuple[list[str | Path], str]] = [
        ([tmp_path / "nope.md"], f"no such file: {tmp_path / 'nope.md'}"),
        ([tmp_path], "is a folder; name a markdown file"),
        ([ARTICLES / "no-front-matter.md", "--date", "1/2/2024"], "--date must"),
        ([ARTICLES / "headings-and-lists.md", "--dry-run", "--url", "javascript:x"], "--url must"),
        ([ARTICLES / "headings-and-lists.md", "--dry-run", "--url", "https://x/>"], 'contains ">"'),
    ]
    for args, message in cases:
        code, stdout, stderr = run_import(capsys, *args)
        assert (code, stdout) == (1, ""), args
        assert message in stderr


def test_missing_output_folder_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--out into a folder that does not exist says so rather than failing with a traceback."""
    out = tmp_path / "no" / "such" / "draft.yaml"

    code, _, stderr = run_import(capsys, ARTICLES / "headings-and-lists.md", "--out", out)

    assert code == 1
    assert f"the folder {out.parent} does not exist" in stderr


@pytest.mark.parametrize(
    "content",
    [
        "```\n> quoted inside a fence that never closes\n",
        "> **bold that never closes\n> and a second line. Another sentence.\n",
        ">>> A nested quote about staff work.\n\n* * *\n\nTitle\n=====\n\n- **A bold item here**\n",
        "<!-- > a quote in a comment\n-->\n<div>\n**Bold inside HTML is dropped**\n</div>\n",
        "> " + "word " * 300 + "\n",
        "> " + "x" * 1200 + "\n",
        "> Ünïcödé ëverywhere: 日本語のテキスト, emoji 🎉 and `code <b>`.\n",
        "| a | b |\n|---|---|\n| **not a takeaway table cell** | x |\n\n> Real one here.\n",
    ],
    ids=["open-fence", "open-bold", "odd-blocks", "html", "long", "one-word", "cjk", "table"],
)
def test_odd_markdown_drafts_valid_tips_or_says_why(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str
) -> None:
    """Whatever the markdown, the result is a draft the loader accepts or a clean exit 1."""
    article = tmp_path / "odd.md"
    article.write_text(content, encoding="utf-8")

    code, stdout, stderr = run_import(
        capsys, article, "--dry-run", "--title", "Odd", "--author", "A", "--date", "2020-01-01"
    )

    assert code in (0, 1), stderr
    if code == 0:
        assert_fit_for_slack(draft_of(stdout))
    else:
        assert stderr.startswith("tipbot import: ")


def test_import_runs_as_a_process_without_tracebacks(tmp_path: Path, tips_dir: Path) -> None:
    """`python -m bot import` on a binary file and a good article: clean exit codes, no trace."""
    binary = tmp_path / "photo.md"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    env = {**os.environ, "TIPS_DIR": str(tips_dir)}

    def tipbot(*args: str) -> subprocess.CompletedProcess[str]:
        return run_tipbot("import", *args, env=env)

    bad = tipbot(str(binary))
    good = tipbot(str(ARTICLES / "headings-and-lists.md"))

    assert bad.returncode == 1
    assert bad.stderr == f"tipbot import: {binary} looks like a binary file, not markdown text\n"
    assert good.returncode == 0, good.stderr
    assert "Wrote 4 draft tips to" in good.stdout
    for result in (bad, good):
        assert "Traceback" not in result.stdout + result.stderr
    assert load_library(tips_dir).errors == ()


def test_a_draft_is_validated_but_not_served_until_reviewed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The bot skips a fresh draft; once its review comments are deleted and a value is
    written for each TODO, it is served."""
    tips_dir = tmp_path / "tips"
    tips_dir.mkdir(exist_ok=True)
    shutil.copy(SHIPPED_TIPS / TOPICS_FILE, tips_dir / TOPICS_FILE)
    out = tips_dir / "draft.yaml"
    code, _, _ = run_import(capsys, ARTICLES / "headings-and-lists.md", "--out", str(out))
    assert code == 0
    served = load_library(tips_dir)
    assert (served.errors, served.library.tips, served.drafts) == ((), (), (str(out),))
    assert len(load_library(tips_dir, include_drafts=True).library) > 0

    out.write_text(cleared(out.read_text(encoding="utf-8")), encoding="utf-8")
    published = load_library(tips_dir)
    assert (published.errors, published.drafts) == ((), ())
    assert len(published.library) == 4


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        (
            "- **Ask first.** When someone brings a problem, ask what they tried.\n",
            (
                "Ask first",
                "*Ask first.* When someone brings a problem, ask what they tried.",
                "This week, ask what they tried.",
            ),
        ),
        (
            "## Say no early\n\nAn early no lets the team find another owner in time.\n",
            (
                "Say no early",
                "*Say no early.* An early no lets the team find another owner in time.",
                "This week, say no early.",
            ),
        ),
        (
            "## Mistakes I made\n\n- **Hoarding the pager.** Nobody else learns the systems.\n",
            (
                "Avoid hoarding the pager",
                "*Avoid hoarding the pager.* Nobody else learns the systems.",
                "TODO: one thing to do this week",
            ),
        ),
        (
            "## Common pitfalls\n\n- **Big launches.** Instead, release to a few people first.\n",
            (
                "Avoid big launches",
                "*Avoid big launches.* Instead, release to a few people first.",
                "This week, release to a few people first.",
            ),
        ),
        (
            "Here is what helped:\n\n> Finally, keep the old path closed once the move is done.\n",
            (
                "Keep the old path closed once the move is done",
                "Keep the old path closed once the move is done.",
                "This week, keep the old path closed once the move is done.",
            ),
        ),
        (
            "**Write each decision down**, with one line on why.\n",
            (
                "Write each decision down",
                "*Write each decision down*, with one line on why.",
                "This week, write each decision down.",
            ),
        ),
    ],
    ids=["short-label", "heading", "mistake", "mistake-instead", "lead-in", "label-runs-on"],
)
def test_each_way_of_marking_a_lesson_drafts_it_as_advice(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, markdown: str, expected: tuple[str, ...]
) -> None:
    """A short bold label, a heading that says what to do, a listed mistake (as a warning,
    its try line only what to do instead) and a quote after a lead-in each draft one tip."""
    article = tmp_path / "lesson.md"
    article.write_text(markdown, encoding="utf-8")

    code, stdout, stderr = run_import(capsys, article, "--dry-run", "--title", "T")

    assert code == 0, stderr
    (tip,) = draft_of(stdout)
    assert (tip.title, tip.body, tip.try_) == expected


def test_headings_that_name_parts_of_an_article_are_no_lessons(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """ "Introduction", a question and a heading that announces lessons draft nothing alone."""
    article = tmp_path / "parts.md"
    article.write_text(
        "## Introduction\n\nWrite less, I said.\n\n## How do I start?\n\nSlowly.\n\n"
        "## Lessons learned\n\nThere were many.\n",
        encoding="utf-8",
    )

    code, stdout, stderr = run_import(capsys, article, "--dry-run", "--title", "T")

    assert (code, stdout) == (1, "")
    assert "found no takeaways in" in stderr
    assert "as a heading that says what to do (`## Ship small`)" in stderr


def test_level_comes_from_the_articles_audience_unless_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`audience:` in the front matter sets the level of every tip; --level wins over it."""
    article = tmp_path / "staff.md"
    article.write_text(
        "---\ntitle: Notes\naudience: staff engineers\n---\n\n> Write the plan down first.\n",
        encoding="utf-8",
    )

    _, from_article, _ = run_import(capsys, article, "--dry-run")
    _, from_flag, _ = run_import(capsys, article, "--dry-run", "--level", "senior")

    assert draft_of(from_article)[0].level == "staff"
    assert draft_of(from_flag)[0].level == "senior"

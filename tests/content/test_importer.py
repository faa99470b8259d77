"""`tipbot import ARTICLE.md`: articles of every shape become draft tips that pass validation."""

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.draft_yaml import TODO_COMMENT
from bot.content.loader import load_library, parse_tip_file
from bot.content.markdown import split_sentences, to_mrkdwn, to_plain
from bot.content.model import LIMITS, Tip
from bot.content.topics import TOPICS_FILE
from tests.conftest import FIXTURES, SHIPPED_TIPS
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
        assert tip.try_.startswith("This week, ")
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
        "review the try lines marked TODO, then run tipbot validate.\n"
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
    assert {tag for tip in tips for tag in tip.tags} <= vocabulary
    assert {tip.level for tip in tips} == {"staff"}
    assert_fit_for_slack(tips)


def test_a_takeaway_comes_first_with_a_line_of_story_and_a_review_mark(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each takeaway comes first, a story sentence follows when it fits, every try is marked."""
    code, stdout, _ = run_import(capsys, STORY, "--dry-run")

    assert code == 0
    first = draft_of(stdout)[0]
    assert first.title == (
        "A Staff Engineer coaches the team until anyone on it can handle an outage"
    )
    assert first.body.startswith("The first lesson: a Staff Engineer coaches the team")
    assert "_Context:_ She knows every service the team owns" in first.body
    assert first.try_ == "This week, coach the team until anyone on it can handle an outage."
    assert "incidents" in first.tags
    assert stdout.count(TODO_COMMENT) == stdout.count("    try: ")
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


def test_article_without_front_matter_takes_the_heading_and_needs_flags(
    capsys: pytest.CaptureFixture[str], tips_dir: Path
) -> None:
    """No front matter: the `#` heading is the title; author and date must come from flags."""
    article = ARTICLES / "no-front-matter.md"

    code, stdout, stderr = run_import(capsys, article)

    assert (code, stdout) == (1, "")
    assert "--author NAME and --date YYYY-MM-DD" in stderr
    assert [p.name for p in tips_dir.iterdir()] == [TOPICS_FILE]

    code, stdout, _ = run_import(capsys, article, "--author", "Sam Lee", "--date", "2024-05-01")

    assert code == 0
    written = tips_dir / "notes-from-year-of-on-call.yaml"
    assert f"Wrote 2 draft tips to {written};" in stdout
    tips = draft_of(written.read_text(encoding="utf-8"))
    source = tips[0].source
    assert (source.title, source.author, source.date) == (
        "Notes from a year of on-call",
        "Sam Lee",
        "2024-05-01",
    )
    assert tips[0].body.startswith("Write the runbook while the incident is still fresh.")
    assert tips[0].try_ == "This week, write the runbook while the incident is still fresh."
    assert "incidents" in tips[0].tags
    assert tips[1].level == "senior"
    assert_fit_for_slack(tips)


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
    """Bold sentences in paragraphs and bold list items become tips; plain items do not."""
    code, stdout, _ = run_import(capsys, ARTICLES / "headings-and-lists.md", "--dry-run")

    assert code == 0
    tips = draft_of(stdout)
    assert [tip.title for tip in tips] == [
        "Send the agenda a day ahead, with the decision you need written at the top",
        "Name one owner for every follow-up before anyone leaves the room",
        "End five minutes early so people can get to their next meeting",
        "Write the decision down and share it in the team channel within the hour",
    ]
    source = tips[0].source
    assert (source.author, source.date) == ("Priya Raman", "2024-02-11")
    assert tips[0].body.startswith("*Send the agenda a day ahead")
    assert "_Context:_ A decision that only lives in the room" in tips[3].body
    assert not any("shared document" in tip.title for tip in tips)
    assert tips[3].try_ == (
        "This week, write the decision down and share it in the team channel within the hour."
    )
    assert_fit_for_slack(tips)


def test_long_passages_split_at_sentence_boundaries(capsys: pytest.CaptureFixture[str]) -> None:
    """A long quote becomes parts -2, -3 cut between sentences; an endless sentence at clauses."""
    code, stdout, _ = run_import(capsys, ARTICLES / "long-paragraphs.md", "--dry-run")

    assert code == 0
    tips = draft_of(stdout)
    assert tips[0].source.author == "Dana Whitfield"
    ids = [tip.id for tip in tips]
    first = ids[0]
    assert ids[:3] == [first, f"{first}-2", f"{first}-3"]
    assert tips[1].body.startswith("Measure progress in services moved")
    assert all(tip.body.endswith(".") for tip in tips[1:3])
    quote = " ".join(tip.body for tip in tips[:3])
    assert "Finally, delete the old path" in quote
    assert tips[3].body.endswith("…")
    assert tips[4].id == f"{ids[3]}-2"
    assert tips[3].level == tips[4].level == "senior"
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
    assert "See the postmortem for the whole story" in rollback.body
    assert "example.com" not in rollback.body
    assert "diagram" not in text
    assert rollback.id == "roll-back-first-with-git-revert-and-debug-later"
    assert "Subscribe" not in text
    assert "print(" not in text
    assert_fit_for_slack(tips)


def test_hostile_markup_does_not_survive(capsys: pytest.CaptureFixture[str]) -> None:
    """Scripts, <!channel>, <!here>, user mentions and raw & never reach a body as markup."""
    code, stdout, _ = run_import(capsys, ARTICLES / "links-code-unicode.md", "--dry-run")

    assert code == 0
    tips = draft_of(stdout)
    warning = tips[1]
    assert warning.body.startswith(
        "Never paste untrusted text into a status page: escape `&lt;`, `&gt;` and `&amp;` first"
    )
    assert "mentions and links" in warning.body
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
        ([ARTICLES / "no-front-matter.md", "--author", "A", "--date", "1/2/2024"], "--date must"),
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


def test_sentences_split_after_abbreviations_and_keep_bold_balanced() -> None:
    """`Sr.` and `e.g.` do not end a sentence; bold cut between sentences is closed and reopened."""
    text = "Ask a Sr. Engineer, e.g. John. **Bold one. Bold two.** Done `a. B` here."

    assert split_sentences(text) == [
        "Ask a Sr. Engineer, e.g. John.",
        "**Bold one.**",
        "**Bold two.**",
        "Done `a. B` here.",
    ]


def test_inline_markdown_becomes_inert_mrkdwn_and_plain_text() -> None:
    """Bold, italics, links, images, HTML and Slack sequences convert; markup chars become words."""
    text = (
        "**Bold**, *it* and [a link](https://x.io) ![img](i.png) <b>tag</b> "
        "`a<b && c` R&D <!here> <@U1|sam> x -> y"
    )

    assert to_mrkdwn(text) == (
        "*Bold*, _it_ and a link tag `a&lt;b &amp;&amp; c` R and D here sam x → y"
    )
    assert to_plain(text) == (
        "Bold, it and a link tag a less than b and and c R and D here sam x → y"
    )


def test_a_draft_is_validated_but_not_served_until_reviewed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The bot skips a fresh draft; deleting its TODO comments publishes it."""
    tips_dir = tmp_path / "tips"
    tips_dir.mkdir(exist_ok=True)
    out = tips_dir / "draft.yaml"
    code, _, _ = run_import(
        capsys,
        ARTICLES / "no-front-matter.md",
        "--out",
        str(out),
        "--author",
        "Sam",
        "--date",
        "2024-01-02",
    )
    assert code == 0
    served = load_library(tips_dir)
    assert (served.errors, served.library.tips, served.drafts) == ((), (), (str(out),))
    assert len(load_library(tips_dir, include_drafts=True).library) > 0

    reviewed = "\n".join(
        line for line in out.read_text(encoding="utf-8").splitlines() if "TODO review" not in line
    )
    out.write_text(reviewed + "\n", encoding="utf-8")
    published = load_library(tips_dir)
    assert published.drafts == ()
    assert len(published.library) > 0

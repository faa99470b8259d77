"""`tipbot validate [DIR]`: run as a real process, the way an admin runs it before a commit."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from bot.content.loader import load_library
from tests.conftest import REPO
from tests.processes import run_tipbot as run

CASES = "tests/fixtures/tips"


def run_tipbot(
    *args: str, env: dict[str, str] | None = None, command: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run `python -m bot ARGS` without TIPS_DIR from this process's environment."""
    return run(*args, env=env if env is not None else environment(), command=command)


def environment(**overrides: str) -> dict[str, str]:
    """This process's environment without TIPS_DIR, plus `overrides`."""
    env = {name: value for name, value in os.environ.items() if name != "TIPS_DIR"}
    env.update(overrides)
    return env


def assert_no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    """Neither output stream shows a Python traceback."""
    assert "Traceback" not in result.stdout
    assert "Traceback" not in result.stderr


def test_shipped_tips_validate_with_a_one_line_summary() -> None:
    """The shipped tips/ pass: exit 0 and exactly one line saying how many tips and files."""
    shipped = load_library(REPO / "tips").library

    result = run_tipbot("validate", "tips")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"OK: {len(shipped)} tips in 1 file under tips\n"
    assert result.stderr == ""
    assert len(shipped) >= 16


def test_summary_counts_files_in_subdirectories() -> None:
    """The summary counts every .yaml/.yml file under the directory, in the plural."""
    result = run_tipbot("validate", f"{CASES}/yml-and-readme")

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"OK: 2 tips in 2 files under {CASES}/yml-and-readme\n"


def test_summary_says_tip_in_the_singular_for_one_tip() -> None:
    """A directory with one tip is summarised as "1 tip", not "1 tips"."""
    result = run_tipbot("validate", f"{CASES}/yml-and-readme/more")

    assert result.stdout == f"OK: 1 tip in 1 file under {CASES}/yml-and-readme/more\n"


def test_broken_directory_lists_every_error_and_exits_1() -> None:
    """Every error is printed as `path:line: message` on stdout; a count goes to stderr."""
    path = f"{CASES}/many-errors/tips.yaml"

    result = run_tipbot("validate", f"{CASES}/many-errors")

    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f'{path}:9: tip "trust-your-team": unknown field "boddy" (did you mean "body"?)',
        f'{path}:7: tip "trust-your-team": missing field "body"',
        f'{path}:15: tip "share-the-credit": "title" is empty',
        f'{path}:19: tip "share-the-credit": "level" must be one of senior, staff, both',
        f'{path}:21: tip at line 21: missing field "id"',
    ]
    assert result.stderr == f"5 errors in {CASES}/many-errors\n"
    assert_no_traceback(result)


def test_errors_from_several_files_are_all_listed() -> None:
    """Errors found in different files of one directory are reported in the same run."""
    result = run_tipbot("validate", f"{CASES}/empty-file")

    assert result.returncode == 1
    assert [line.split(":")[0] for line in result.stdout.splitlines()] == [
        f"{CASES}/empty-file/only-comments.yaml",
        f"{CASES}/empty-file/tips.yaml",
    ]


def test_missing_directory_is_a_clean_error(tmp_path: Path) -> None:
    """A directory that does not exist gives exit 1 and a plain message, never a traceback."""
    missing = tmp_path / "no-such-tips"

    result = run_tipbot("validate", str(missing))

    assert result.returncode == 1
    assert result.stdout == f"{missing}: tips directory not found; pass one, or set TIPS_DIR\n"
    assert result.stderr == f"1 error in {missing}\n"
    assert_no_traceback(result)


def test_file_that_is_not_utf8_is_a_clean_error() -> None:
    """A Latin-1 tip file gives exit 1 and a `path:line:` message, never a traceback."""
    result = run_tipbot("validate", f"{CASES}/not-utf8")

    assert_no_traceback(result)
    assert result.returncode == 1
    assert result.stdout.startswith(f"{CASES}/not-utf8/tips.yaml:")


def test_default_directory_is_tips_dir_from_the_environment() -> None:
    """With no DIR argument, validate checks $TIPS_DIR."""
    result = run_tipbot("validate", env=environment(TIPS_DIR=f"{CASES}/mixed-good-and-bad"))

    assert result.returncode == 1
    assert result.stdout == (
        f'{CASES}/mixed-good-and-bad/tips.yaml:14: tip "go-to-person": missing field "try"\n'
    )


def test_default_directory_without_tips_dir_is_tips() -> None:
    """With no DIR argument and no $TIPS_DIR, validate checks tips/."""
    result = run_tipbot("validate")

    assert result.returncode == 0, result.stdout + result.stderr
    assert re.fullmatch(r"OK: \d+ tips in 1 file under tips\n", result.stdout)


def test_validate_needs_no_slack_credentials() -> None:
    """validate runs with no Slack token or secret set: it only reads tip files."""
    env = {
        name: value
        for name, value in environment().items()
        if not name.startswith(("SLACK_", "TIPBOT_"))
    }

    result = run_tipbot("validate", "tips", env=env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_console_script_runs_validate() -> None:
    """The installed `tipbot` console script is the same command as `python -m bot`."""
    script = shutil.which("tipbot", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("the tipbot console script is not installed next to this Python")

    result = run_tipbot("validate", f"{CASES}/valid", command=[script])

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == f"OK: 2 tips in 1 file under {CASES}/valid\n"


@pytest.mark.parametrize(
    "args",
    [
        ("validate",),
        ("import", "tests/fixtures/articles/headings-and-lists.md", "--dry-run"),
        ("preview", "--port", "0"),
        ("export", "--user", "U012AB3CD"),
        ("forget", "--user", "U012AB3CD"),
    ],
)
def test_a_bad_setting_is_a_configuration_error_for_every_command(args: tuple[str, ...]) -> None:
    """TIPBOT_TIMEZONE=Mars/Base: each command that reads settings says so and exits 2."""
    result = run_tipbot(*args, env=environment(TIPBOT_TIMEZONE="Mars/Base"))

    assert result.returncode == 2, result.stdout + result.stderr
    assert "TIPBOT_TIMEZONE must be an IANA zone" in result.stderr
    assert "'Mars/Base'" in result.stderr
    assert result.stdout == ""
    assert_no_traceback(result)


def test_main_returns_the_exit_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """main(argv) returns 1 for broken tips and 0 for good ones instead of exiting."""
    monkeypatch.chdir(REPO)

    assert main(["validate", f"{CASES}/bad-level"]) == 1
    assert main(["validate", f"{CASES}/valid"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f'{CASES}/bad-level/tips.yaml:12: tip "trust-your-team": '
        '"level" must be one of senior, staff, both',
        f"OK: 2 tips in 1 file under {CASES}/valid",
    ]


def hostile_directory(tmp_path: Path, tags: str = "[mentoring]", extra: str = "") -> Path:
    """A directory holding the valid fixture and one generated hostile file, b-bad.yaml."""
    shutil.copy(REPO / CASES / "valid" / "tips.yaml", tmp_path / "a-good.yaml")
    (tmp_path / "b-bad.yaml").write_text(
        "source: {title: An article, author: someone, date: 2024-01-01}\n"
        "tips:\n"
        "  - id: hostile\n"
        "    title: A hostile tip\n"
        "    body: Read on.\n"
        "    try: Try it.\n"
        "    level: both\n"
        f"{extra}"
        f"    tags: {tags}\n",
        encoding="utf-8",
    )
    return tmp_path


def test_alias_bomb_is_one_line_and_exit_1() -> None:
    """The billion-laughs fixture is one `path:line:` error and exit 1, in a moment."""
    result = run_tipbot("validate", f"{CASES}/alias-bomb")

    assert result.returncode == 1
    assert result.stdout == (
        f"{CASES}/alias-bomb/b-bomb.yaml:10: YAML anchors (&a) are not allowed in tip files; "
        "write the value out in full\n"
    )
    assert result.stderr == f"1 error in {CASES}/alias-bomb\n"


def test_deep_nesting_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """500 nested brackets are one `path:line:` error and exit 1, with no traceback."""
    directory = hostile_directory(tmp_path, tags="[" * 500 + "x" + "]" * 500)

    result = run_tipbot("validate", str(directory))

    assert_no_traceback(result)
    assert result.returncode == 1
    assert result.stdout == (
        f"{directory}/b-bad.yaml:8: lists and mappings are nested more than 50 levels deep "
        "here; a tip file needs 4 (file, tips, tip, tags), so check the brackets and "
        "indentation\n"
    )


def test_a_file_of_500000_unknown_keys_prints_one_short_line(tmp_path: Path) -> None:
    """A 7 MB file of unknown keys is refused by its size: one line, not 52 MB of errors."""
    keys = "".join(f"    key{number}: value\n" for number in range(500_000))
    directory = hostile_directory(tmp_path, extra=keys)

    result = run_tipbot("validate", str(directory))

    assert result.returncode == 1
    assert result.stdout.startswith(f"{directory}/b-bad.yaml: the file is ")
    assert len(result.stdout.splitlines()) == 1
    assert len(result.stdout) < 1_000


def test_errors_past_the_per_file_cap_are_counted_not_printed(tmp_path: Path) -> None:
    """5,000 unknown keys print 20 errors and a line for the rest; stderr counts all 5,000."""
    keys = "".join(f"    key{number}: value\n" for number in range(5_000))
    directory = hostile_directory(tmp_path, extra=keys)

    result = run_tipbot("validate", str(directory))

    lines = result.stdout.splitlines()
    assert result.returncode == 1
    assert len(lines) == 21
    assert lines[-1] == (
        f"{directory}/b-bad.yaml: … and 4980 more errors in this file; fix these and validate again"
    )
    assert result.stderr == f"5000 errors in {directory}\n"


def test_validate_piped_into_head_ends_without_a_traceback(tmp_path: Path) -> None:
    """`tipbot validate | head -1` on thousands of errors: head's line, no BrokenPipe trace."""
    lines = "\n".join(f"  key{n}: {n}" for n in range(30))
    for number in range(300):
        (tmp_path / f"many-{number}.yaml").write_text(f"source:\n{lines}\ntips: []\n")
    command = f"{sys.executable} -m bot validate {tmp_path} | head -1"
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command}"],
        cwd=REPO,
        env=environment(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.stdout.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert "BrokenPipeError" not in result.stderr

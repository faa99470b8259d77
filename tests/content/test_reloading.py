"""Reloading tip files: what changed, what is kept when an edit is broken, who is told."""

import logging
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.content.current import CurrentLibrary
from bot.content.limits import MAX_REPORTED_ERRORS
from bot.content.loader import load_library
from bot.content.reloading import LibraryReloader, diff_libraries
from bot.content.tip_errors import TipError
from tests.conftest import SHIPPED_TIPS

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
FILE = "leadership-senior-vs-staff-engineer.yaml"


def reloader_for(directory: Path, told: list[tuple[TipError, ...]]) -> LibraryReloader:
    """A reloader over `directory` that records what it would DM the admins."""
    library = CurrentLibrary(load_library(directory), NOW)
    return LibraryReloader(library, directory, lambda: NOW, told.append)


def test_diff_counts_added_changed_and_removed(tmp_path: Path) -> None:
    """A retitled tip is changed, a deleted one removed, a new one added; moved lines are not."""
    shutil.copytree(SHIPPED_TIPS, tmp_path / "tips")
    path = tmp_path / "tips" / FILE
    before = load_library(tmp_path / "tips").library
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: Train people so nothing", "title: Train people so that nothing")
    text = text.replace("  - id: senior-staff-overlap", "  - id: senior-and-staff-overlap")
    path.write_text("\n\n" + text, encoding="utf-8")  # every line moves down
    outcome = diff_libraries(before, load_library(tmp_path / "tips").library)
    assert outcome.added == ("senior-and-staff-overlap",)
    assert outcome.changed == ("train-team-to-fix-issues",)
    assert outcome.removed == ("senior-staff-overlap",)


def test_a_broken_edit_is_refused_reported_once_and_cleared_by_the_fix(tmp_path: Path) -> None:
    """The last good tips keep serving; the same errors DM once; a fix swaps in and clears."""
    shutil.copytree(SHIPPED_TIPS, tmp_path / "tips")
    path = tmp_path / "tips" / FILE
    good = path.read_text(encoding="utf-8")
    told: list[tuple[TipError, ...]] = []
    reloader = reloader_for(tmp_path / "tips", told)
    served = reloader.library.current

    path.write_text(good.replace("\n    try: ", "\n    tryy: ", 1), encoding="utf-8")
    first, second = reloader.reload(), reloader.reload()
    assert not first.applied
    assert first.errors == second.errors
    assert reloader.library.current is served
    assert reloader.library.errors == first.errors
    assert len(told) == 1
    assert 'unknown field "tryy"' in str(told[0][0])

    path.write_text(good, encoding="utf-8")
    fixed = reloader.reload()
    assert fixed.applied
    assert reloader.library.errors == ()
    assert reloader.library.current is not served


def test_errors_present_at_start_are_reported(tmp_path: Path) -> None:
    """A deploy with a broken file is an edit too: the admins hear about it at start."""
    (tmp_path / "tips").mkdir()
    (tmp_path / "tips" / "bad.yaml").write_text("source: [\n", encoding="utf-8")
    told: list[tuple[TipError, ...]] = []
    reloader = reloader_for(tmp_path / "tips", told)
    reloader.report_current_errors()
    reloader.report_current_errors()
    assert len(told) == 1
    assert "bad.yaml:" in str(told[0][0])


def test_a_refused_reload_logs_a_capped_list(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Fifty broken files log MAX_REPORTED_ERRORS lines and one saying how many more."""
    shutil.copytree(SHIPPED_TIPS, tmp_path / "tips")
    reloader = reloader_for(tmp_path / "tips", [])
    for number in range(50):
        (tmp_path / "tips" / f"bad-{number:02d}.yaml").write_text("source: [\n", encoding="utf-8")

    with caplog.at_level(logging.ERROR, logger="bot.content.reloading"):
        outcome = reloader.reload()

    logged = [record.getMessage() for record in caplog.records]
    assert len(outcome.errors) == 50
    assert len(logged) == MAX_REPORTED_ERRORS + 1
    assert logged[0].startswith("Tip files not reloaded: ")
    assert "bad-00.yaml:2: YAML syntax error" in logged[0]
    assert logged[-1] == ("Tip files not reloaded: …and 30 more; run `tipbot validate` to see all")

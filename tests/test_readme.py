"""The README documents what the code offers, so the docs cannot drift."""

import argparse
import re

from bot.cli import build_parser
from bot.subcommands import SUBCOMMANDS
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")


def test_every_cli_command_is_documented() -> None:
    """Each `tipbot` subcommand appears in the README's command table."""
    parser = build_parser()
    (commands,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    assert commands.choices
    for name in commands.choices:
        assert f"`tipbot {name}" in README, name


def test_every_slash_subcommand_is_documented() -> None:
    """Each `/tip` subcommand appears in the README's usage table."""
    for sub in SUBCOMMANDS:
        assert f"`/tip {sub.name}" in README, sub.name


def test_every_setting_is_documented() -> None:
    """Every environment variable the config reads is in the configuration table."""
    source = (REPO / "bot" / "config.py").read_text(encoding="utf-8")
    names = set(re.findall(r'env(?:, |\.get\()"([A-Z_]+)"', source))
    assert "SLACK_BOT_TOKEN" in names
    for name in names:
        assert f"| `{name}` |" in README, name


def test_quick_start_gives_the_two_commands() -> None:
    """The quick start is `make run` and `make test`."""
    assert "make run" in README
    assert "make test" in README

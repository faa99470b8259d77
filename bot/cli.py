"""The `tipbot` command: serve | clock | validate | import | preview | export | forget.

Maps tipbot's own errors to clean messages and exit codes; never a traceback for those.
"""

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import log_format
from bot.config import Settings, load_settings
from bot.content.loader import load_library
from bot.content.model import LEVELS
from bot.content.tip_errors import error_count
from bot.errors import ConfigError, TipbotError
from bot.wording import plural

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_CONFIG = 2

logger = logging.getLogger("bot")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subcommand per job."""
    parser = argparse.ArgumentParser(
        prog="tipbot", description="A Slack bot that coaches engineers with short career tips."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.add_parser(
        "serve", help="run the bot (HTTP on $PORT, or Socket Mode when SLACK_APP_TOKEN is set)"
    )
    commands.add_parser(
        "clock", help="run only the weekly tip scheduler (with TIPBOT_SCHEDULER=off in web)"
    )
    validate = commands.add_parser("validate", help="check tip files; exit 1 on any error")
    validate.add_argument("directory", nargs="?", type=Path, help="default: $TIPS_DIR or tips/")
    draft = commands.add_parser("import", help="draft tips from a markdown article")
    draft.add_argument("article", type=Path, help="the article, in markdown")
    draft.add_argument("--out", type=Path, help="where to write (default: tips/<slug>.yaml)")
    draft.add_argument("--force", action="store_true", help="overwrite an existing file")
    draft.add_argument("--dry-run", action="store_true", help="print the YAML instead")
    draft.add_argument("--title", help="the article's title, if it has no front matter")
    draft.add_argument("--author", help="the article's author")
    draft.add_argument("--date", help="the article's date, YYYY-MM-DD")
    draft.add_argument("--url", help="where the article is published")
    draft.add_argument(
        "--level", choices=LEVELS, help="whom the tips are for (default: from the article)"
    )
    preview = commands.add_parser("preview", help="a local page showing every tip as Slack would")
    preview.add_argument("directory", nargs="?", type=Path, help="default: $TIPS_DIR or tips/")
    preview.add_argument("--host", default="127.0.0.1", help="default: 127.0.0.1")
    preview.add_argument("--port", type=int, default=8000, help="default: 8000")
    export = commands.add_parser("export", help="print everything stored about a person as JSON")
    forget = commands.add_parser("forget", help="delete everything stored about a person")
    for about_person in (export, forget):
        about_person.add_argument("--user", required=True, help="their Slack member ID, U…")
        about_person.add_argument(
            "--team", help="only in this workspace, by its team ID, T… (default: every workspace)"
        )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one tipbot command and return its exit code."""
    args = build_parser().parse_args(argv)
    try:
        return run_command(args)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return EXIT_CONFIG
    except TipbotError as exc:
        print(f"tipbot: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        return EXIT_OK
    except BrokenPipeError:
        # `tipbot validate | head` closed the pipe: nothing more to say, and no traceback
        # when Python flushes stdout on the way out (the standard library's own advice).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def run_command(args: argparse.Namespace) -> int:
    """Dispatch to the subcommand; `serve` when none is given."""
    # Imported per command so `tipbot validate` and `import` need no Slack or database code.
    if args.command == "validate":
        return validate(args.directory)
    if args.command == "import":
        from bot.importer.run import run_import  # noqa: PLC0415

        # The importer reports its own errors with exit 1, ConfigError among them; a broken
        # environment is exit 2 for every command, so it is checked before the import runs.
        load_settings(need_slack=False)
        return run_import(args)
    if args.command == "preview":
        from bot.preview.server import run_preview  # noqa: PLC0415

        return run_preview(args)
    if args.command in ("export", "forget"):
        return personal_data(args.command, args.user, args.team)
    if args.command == "clock":
        return clock()
    return serve()


def personal_data(command: str, user_id: str, team_id: str | None = None) -> int:
    """Print (export) or delete (forget) what is stored about one person, in one workspace
    or (without `team_id`) in every workspace."""
    from bot.personal_data import (  # noqa: PLC0415
        check_team_id,
        check_user_id,
        export_json,
        forget_summary,
        open_store,
    )
    from bot.time_source import utc_now  # noqa: PLC0415

    settings = load_settings(need_slack=False)
    check_user_id(user_id)
    if team_id is not None:
        check_team_id(team_id)
    store = open_store(settings, utc_now(), team_id)
    try:
        if command == "export":
            print(export_json(store, user_id, utc_now()))
        else:
            print(forget_summary(store, user_id))
    finally:
        store.engine.dispose()
    return EXIT_OK


def validate(directory: Path | None) -> int:
    """Print every error in the tip files; 0 and a one-line summary when all are valid."""
    if directory is None:
        directory = load_settings(need_slack=False).tips_dir
    result = load_library(directory)
    for error in result.errors:
        print(error)
    if result.errors:
        print(f"{plural(error_count(result.errors), 'error')} in {directory}", file=sys.stderr)
        return EXIT_INVALID
    files = len(result.files)
    tips = len(result.library)
    print(f"OK: {plural(tips, 'tip')} in {plural(files, 'file')} under {directory}")
    for draft in result.drafts:
        print(
            f"{draft}: a draft from tipbot import, not served until reviewed; write its TODO "
            'values and delete its "# TODO review" comments to publish it'
        )
    return EXIT_OK


def settings_for_slack(*, serves_slack: bool = True) -> Settings:
    """Settings from the environment, for a process that talks to Slack."""
    settings = load_settings(serves_slack=serves_slack)
    # Bolt reads SLACK_BOT_TOKEN by itself and warns that the client tipbot gives it wins.
    # That client carries the token from Settings, so nothing else needs the variable.
    os.environ.pop("SLACK_BOT_TOKEN", None)
    return settings


def serve() -> int:
    """Start the bot until it is stopped."""
    settings = settings_for_slack()
    configure_logging(settings)
    from bot.runner import run  # noqa: PLC0415 - keeps `tipbot validate` free of Slack imports

    run(settings)
    return EXIT_OK


def clock() -> int:
    """Run the weekly tip scheduler alone until stopped."""
    settings = settings_for_slack(serves_slack=False)
    configure_logging(settings)
    from bot.runner import run_clock  # noqa: PLC0415 - see serve()

    run_clock(settings)
    return EXIT_OK


# Libraries that say too much at INFO: APScheduler logs every run of the minute's job (about
# 2,900 lines a day), and slack-sdk logs each retry it makes whenever its own logger has no
# level set. Their warnings and errors still come through; tipbot logs what a tick did.
QUIETER_LOGGERS = {
    "apscheduler.executors.default": logging.WARNING,
    "apscheduler.scheduler": logging.WARNING,
    "slack_sdk.web.base_client": logging.INFO,
    "slack_sdk.webhook.client": logging.INFO,
}


def configure_logging(settings: Settings) -> None:
    """Log to stderr in LOG_FORMAT (text or JSON lines), never a token or secret."""
    secrets = [settings.bot_token, settings.signing_secret, settings.app_token or ""]
    secrets += [settings.client_secret or "", settings.metrics_token or ""]
    log_format.install(settings.log_level, settings.log_format, secrets)
    for name, quieter in QUIETER_LOGGERS.items():
        logging.getLogger(name).setLevel(max(quieter, logging.getLogger().level))


if __name__ == "__main__":
    sys.exit(main())

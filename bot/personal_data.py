"""`tipbot export` and `tipbot forget`: what tipbot stores about one person, printed or deleted.

Needs only DATABASE_URL: no Slack token, no tips. A user id (or team id) that is not one is
refused before the database is opened, so a typo cannot quietly find nothing. Slack user
ids are unique per workspace, so without a team both commands cover every workspace.
"""

import json
import re
from datetime import datetime

from bot.config import Settings
from bot.errors import TipbotError
from bot.store.database import engine_from_url, migrate
from bot.store.interface import PersonalData
from bot.store.sql import SqlStore
from bot.wording import plural
from bot.workspace import Workspace

# Slack user ids: U or W, then upper-case letters and digits.
USER_ID = re.compile(r"[UW][A-Z0-9]{2,}")
# Slack team ids: T, then upper-case letters and digits.
TEAM_ID = re.compile(r"T[A-Z0-9]+")


def check_user_id(user_id: str) -> str:
    """The id as given, or a TipbotError saying what one looks like."""
    if not USER_ID.fullmatch(user_id):
        message = (
            f"{user_id!r} is not a Slack user id; they look like U012AB3CD "
            "(in Slack: the person's profile > ⋮ > Copy member ID)"
        )
        raise TipbotError(message)
    return user_id


def check_team_id(team_id: str) -> str:
    """The id as given, or a TipbotError saying what one looks like."""
    if not TEAM_ID.fullmatch(team_id):
        message = f"{team_id!r} is not a Slack team id; they look like T012AB3CD"
        raise TipbotError(message)
    return team_id


def open_store(settings: Settings, now: datetime, team_id: str | None = None) -> SqlStore:
    """The store at DATABASE_URL, its schema brought up to date as the bot would; it sees
    the workspace `team_id`, or every workspace."""
    engine = engine_from_url(settings.database_url)
    migrate(engine, now)
    store = SqlStore(engine)
    return store if team_id is None else store.for_workspace(Workspace(team_id))


def export_json(store: SqlStore, user_id: str, now: datetime) -> str:
    """Everything stored about the person, as pretty JSON."""
    data: PersonalData = store.personal_data(check_user_id(user_id))
    document = {"user_id": user_id, "exported_at": now.isoformat(), "tables": data}
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True)


def forget_summary(store: SqlStore, user_id: str) -> str:
    """Delete everything about the person and say what went, table by table."""
    counts = store.forget_person(check_user_id(user_id))
    gone = [f"{table} {count}" for table, count in sorted(counts.items()) if count]
    if not gone:
        return f"Nothing stored names {user_id}."
    return f"Forgot {user_id}: {plural(sum(counts.values()), 'row')} ({', '.join(gone)})."

"""`tipbot export` and `tipbot forget`, run as an operator runs them: real processes."""

import json
import os
from pathlib import Path

import pytest

from bot.store.database import engine_from_url, migrate
from bot.store.sql import SqlStore
from tests.processes import run_tipbot
from tests.store.test_personal_data import ADA, BOB, NOW, live_through_a_month, rows_naming
from tests.teams import OTHER_TEAM, TEAM


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A SQLite file where Ada and Bob have lived through a month of tipbot, in each of two
    workspaces."""
    url = f"sqlite:///{tmp_path / 'tipbot.db'}"
    engine = engine_from_url(url)
    migrate(engine, NOW)
    for team in (TEAM, OTHER_TEAM):
        store = SqlStore(engine).for_workspace(team)
        live_through_a_month(store, ADA)
        live_through_a_month(store, BOB)
    engine.dispose()
    return url


def environment(database: str) -> dict[str, str]:
    """Only DATABASE_URL: no Slack token or secret is needed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TIPBOT_"))}
    return env | {"DATABASE_URL": database}


def test_export_prints_everything_about_the_person_as_json(database: str) -> None:
    """Their commitments with notes and reflections, votes, shares, DM subscription; not Bob."""
    result = run_tipbot("export", "--user", ADA, env=environment(database))
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["user_id"] == ADA
    tables = document["tables"]
    assert {row["note"] for row in tables["commitments"]} == {"a private note"}
    assert "What I learned" in {row["reflection"] for row in tables["commitments"]}
    assert tables["votes"]
    assert tables["shares"]
    assert tables["coaching_profiles"][0]["track"] == "staff"
    assert BOB not in result.stdout


def test_forget_deletes_every_row_that_names_the_person(database: str) -> None:
    """Afterwards no value in any table holds their id, and Bob's rows are all still there."""
    engine = engine_from_url(database)
    store = SqlStore(engine)
    bobs = rows_naming(store, BOB)
    result = run_tipbot("forget", "--user", ADA, env=environment(database))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Forgot {ADA}: ")
    assert "commitments 4" in result.stdout, "two in each workspace"
    assert rows_naming(store, ADA) == []
    assert rows_naming(store, BOB) == bobs
    again = run_tipbot("forget", "--user", ADA, env=environment(database))
    assert again.stdout == f"Nothing stored names {ADA}.\n"
    engine.dispose()


@pytest.mark.parametrize("command", ["export", "forget"])
def test_a_user_id_that_is_not_one_is_refused(database: str, command: str) -> None:
    """A typo or a name instead of a member ID: exit 1, one line saying what an id looks like."""
    result = run_tipbot(command, "--user", "ada", env=environment(database))
    assert result.returncode == 1
    assert "'ada' is not a Slack user id; they look like U012AB3CD" in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_with_a_team_export_and_forget_cover_that_workspace_only(database: str) -> None:
    """`--team T1` prints and deletes Ada's rows in T1; her rows in T2 stay as they were."""
    env = environment(database)
    exported = run_tipbot("export", "--user", ADA, "--team", TEAM.team_id, env=env)
    assert exported.returncode == 0, exported.stderr
    tables = json.loads(exported.stdout)["tables"]
    assert {row["team_id"] for rows in tables.values() for row in rows} == {TEAM.team_id}
    assert len(tables["commitments"]) == 2
    engine = engine_from_url(database)
    theirs = SqlStore(engine).for_workspace(OTHER_TEAM)
    kept = theirs.personal_data(ADA)

    forgotten = run_tipbot("forget", "--user", ADA, "--team", TEAM.team_id, env=env)

    assert forgotten.returncode == 0, forgotten.stderr
    assert "commitments 2" in forgotten.stdout
    assert SqlStore(engine).for_workspace(TEAM).commitments_of(ADA) == []
    assert theirs.personal_data(ADA) == kept
    engine.dispose()


def test_a_team_id_that_is_not_one_is_refused(database: str) -> None:
    """A workspace's name instead of its id: exit 1, one line saying what an id looks like."""
    result = run_tipbot("export", "--user", ADA, "--team", "acme", env=environment(database))
    assert result.returncode == 1
    assert "'acme' is not a Slack team id; they look like T012AB3CD" in result.stderr
    assert result.stdout == ""

"""The Slack app manifest validates against Slack's published schema and matches the server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft7Validator  # type: ignore[import-untyped]

REPO_ROOT = Path(__file__).resolve().parents[1]
MANIFEST_PATH = REPO_ROOT / "manifest.yml"
# Slack's published schema, vendored with its MIT licence (see the README beside it).
SCHEMA_DIR = Path(__file__).resolve().parent / "fixtures" / "manifest-schema"
SCHEMA_PATH = SCHEMA_DIR / "manifest.schema.1.0.0.json"
EVENTS_PATH = "/slack/events"


def _load_manifest() -> dict[str, Any]:
    """Parse manifest.yml the way Slack reads it (plain YAML, no custom tags)."""
    data = yaml.safe_load(MANIFEST_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict), "manifest.yml must be a YAML mapping"
    return data


def _validation_errors(manifest: dict[str, Any]) -> list[str]:
    """Return every schema violation in the manifest as 'path: message' lines."""
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema)
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '<root>'}: {e.message}" for e in errors]


def _strip_request_urls(node: Any) -> Any:
    """Return a copy of node without any 'url' or 'request_url' keys, at any depth."""
    if isinstance(node, dict):
        return {
            key: _strip_request_urls(value)
            for key, value in node.items()
            if key not in {"url", "request_url"}
        }
    if isinstance(node, list):
        return [_strip_request_urls(item) for item in node]
    return node


def test_manifest_validates_against_slack_schema() -> None:
    """manifest.yml has no violations of Slack's manifest schema 1.0.0."""
    errors = _validation_errors(_load_manifest())
    assert not errors, "manifest.yml does not match the schema:\n" + "\n".join(errors)


def test_manifest_routes_and_scopes_match_the_server() -> None:
    """The /tip command, interactivity and events all point at /slack/events with needed scopes."""
    manifest = _load_manifest()
    commands = manifest["features"]["slash_commands"]
    assert [c["command"] for c in commands] == ["/tip"]
    settings = manifest["settings"]
    urls = {
        "slash command url": commands[0]["url"],
        "interactivity request_url": settings["interactivity"]["request_url"],
        "event_subscriptions request_url": settings["event_subscriptions"]["request_url"],
    }
    wrong = {name: url for name, url in urls.items() if not url.endswith(EVENTS_PATH)}
    assert not wrong, f"these URLs must end in {EVENTS_PATH}: {wrong}"
    assert settings["interactivity"]["is_enabled"] is True
    assert "app_home_opened" in settings["event_subscriptions"]["bot_events"]
    bot_scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write"} <= bot_scopes


def test_manifest_lets_the_coaching_loop_dm_people_and_read_their_timezone() -> None:
    """Check-ins need DMs (im:write, the Messages tab, its buttons) and users:read for the
    person's timezone; the modals and their submissions come through interactivity."""
    manifest = _load_manifest()
    bot_scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"chat:write", "im:write", "users:read"} <= bot_scopes
    app_home = manifest["features"]["app_home"]
    assert app_home["messages_tab_enabled"] is True
    assert app_home["messages_tab_read_only_enabled"] is False
    assert app_home["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert "me" in manifest["features"]["slash_commands"][0]["usage_hint"]


def test_manifest_brings_oauth_mode_back_to_its_redirect_path_and_events() -> None:
    """Add to Slack returns to /slack/oauth_redirect; uninstalls and revoked tokens reach us."""
    manifest = _load_manifest()
    redirect_urls = manifest["oauth_config"]["redirect_urls"]
    assert [url.rsplit("/", 2)[-2:] for url in redirect_urls] == [["slack", "oauth_redirect"]]
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert {"app_uninstalled", "tokens_revoked"} <= events


def test_socket_mode_variant_still_validates() -> None:
    """Following the Socket Mode comments (enable it, drop request URLs) keeps it valid."""
    manifest = _load_manifest()
    socket_manifest = _strip_request_urls(manifest)
    socket_manifest["settings"]["socket_mode_enabled"] = True
    assert "url" not in socket_manifest["features"]["slash_commands"][0]
    assert "request_url" not in socket_manifest["settings"]["interactivity"]
    assert "request_url" not in socket_manifest["settings"]["event_subscriptions"]
    errors = _validation_errors(socket_manifest)
    assert not errors, "Socket Mode manifest does not match the schema:\n" + "\n".join(errors)

"""The preview page: errors first, then every tip drawn as the Slack message it becomes.

The HTML is in Jinja2 templates (templates/), which escape every value that is not Markup
already; tip text arrives as Markup only from mrkdwn_to_html, which escapes it itself.
"""

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from slack_sdk.errors import SlackObjectFormationError

from bot.content.model import Tip
from bot.content.tip_errors import error_count
from bot.preview.filters import Filters, shown_tips
from bot.preview.live_library import Snapshot
from bot.preview.mrkdwn_to_html import render_mrkdwn, render_plain
from bot.slack.messages import Blocks, nugget_message, tip_message
from bot.wording import plural

APP_NAME = "tipbot"
FORM_LABELS = {"reply": "/tip reply", "weekly": "Weekly post"}


def _inlined(name: str) -> Markup:
    """A file from templates/ put into the page as it is: the page's own style or script."""
    text = (files("bot.preview") / "templates" / name).read_text(encoding="utf-8")
    return Markup(text)  # noqa: S704 - our own file, not anyone's input


STYLE = _inlined("preview.css")
SCRIPT = _inlined("preview.js")
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
# Tip text is escaped already; the policy is a second wall should an escape ever be missed:
# only our own inline script runs, and the page can load nothing from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


@dataclass(frozen=True, slots=True)
class Card:
    """One tip as the page draws it: its message's blocks, or why Slack would refuse them."""

    tip: Tip
    visible: bool
    blocks: Blocks
    refused: str = ""


def render_page(snapshot: Snapshot, filters: Filters) -> str:
    """The whole preview page for one snapshot of the tips, filtered as asked."""
    result = snapshot.result
    shown = shown_tips(result.library, filters)
    visible = set(shown.ids)
    weekly = filters.form == "weekly"
    return TEMPLATES.get_template("page.html").render(
        snapshot=snapshot,
        loaded_at=snapshot.loaded_at.strftime("%Y-%m-%d %H:%M:%S"),
        errors=result.errors,
        problems=error_count(result.errors),
        drafts=result.drafts,
        files=len(result.files),
        cards=[card(tip, weekly, tip.id in visible) for tip in result.library.tips],
        showing=len(visible),
        shown=shown,
        filters=filters,
        topics=result.library.topics(),
        forms=FORM_LABELS,
        weekly=weekly,
        style=STYLE,
        script=SCRIPT,
    )


def card(tip: Tip, weekly: bool, visible: bool) -> Card:
    """The tip as the weekly post or as the answer to `/tip`."""
    try:
        return Card(tip, visible, nugget_message(tip, 0) if weekly else tip_message(tip))
    except SlackObjectFormationError as exc:
        # The loader's limits should prevent this; if they drift, say so rather than crash.
        return Card(tip, visible, [], refused=str(exc))


def matches_json(snapshot: Snapshot, filters: Filters) -> str:
    """What the page's script asks for as the admin types: the ids to show, and the note."""
    shown = shown_tips(snapshot.result.library, filters)
    return json.dumps({"shown": list(shown.ids), "tag": shown.tag, "note": shown.note})


def render_blocks(blocks: Blocks) -> str:
    """Block Kit blocks as HTML: header, section, context, actions and divider."""
    return TEMPLATES.get_template("blocks.html").render(blocks=blocks)


def slack_text(obj: object) -> Markup:
    """A text object: mrkdwn rendered, plain_text escaped with its emoji drawn."""
    if isinstance(obj, str):
        return Markup(render_plain(obj))  # noqa: S704 - render_plain escapes it
    if not isinstance(obj, Mapping):
        return Markup()
    text = str(obj.get("text", ""))
    html = render_mrkdwn(text) if obj.get("type") == "mrkdwn" else render_plain(text)
    return Markup(html)  # noqa: S704 - both renderers escape everything they do not draw


def elements(block: Mapping[str, object]) -> list[Mapping[str, object]]:
    """A block's elements that are mappings; anything else in the list is skipped."""
    found = block.get("elements")
    if not isinstance(found, list):
        return []
    return [element for element in found if isinstance(element, Mapping)]


# Built last, since its filters are the functions above.
TEMPLATES = Environment(
    loader=PackageLoader("bot.preview"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
TEMPLATES.filters.update(slack_text=slack_text, elements=elements)
TEMPLATES.globals.update(plural=plural, app_name=APP_NAME)

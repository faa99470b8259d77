"""The preview page: errors first, then every tip drawn as the Slack message it becomes."""

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from html import escape

from slack_sdk.errors import SlackObjectFormationError

from bot.content.model import Tip
from bot.content.tip_errors import TipError, error_count
from bot.content.topics import Topic
from bot.preview.filters import Filters, Shown, shown_tips
from bot.preview.live_library import Snapshot
from bot.preview.mrkdwn_to_html import render_mrkdwn, render_plain
from bot.slack.messages import Blocks, nugget_message, tip_message
from bot.wording import plural

APP_NAME = "tipbot"
FORM_LABELS = {"reply": "/tip reply", "weekly": "Weekly post"}

STYLE = """
:root { --text: #1d1c1d; --muted: #616061; --line: #dddddd; --green: #007a5a; }
* { box-sizing: border-box; }
body { margin: 0; background: #f8f8f8; color: var(--text);
  font: 15px/1.46668 Slack-Lato, Lato, "Helvetica Neue", Helvetica, Arial, sans-serif; }
header.top { background: #3f0e40; color: #fff; padding: 12px 24px; }
header.top h1 { margin: 0; font-size: 18px; }
header.top p { margin: 2px 0 0; color: #cfc3cf; font-size: 13px; }
main { max-width: 760px; margin: 0 auto; padding: 16px 24px 48px; }
.errors { background: #fff4f4; border: 1px solid #e01e5a; border-radius: 8px;
  padding: 12px 16px; margin-bottom: 16px; }
.errors h2 { margin: 0 0 4px; font-size: 16px; color: #a0133f; }
.errors p { margin: 0 0 8px; color: var(--muted); font-size: 13px; }
.errors ul { margin: 0; padding-left: 20px; }
.errors li { margin: 2px 0; }
.drafts { background: #fffbea; border: 1px solid #e8b339; border-radius: 8px;
  padding: 8px 16px; margin-bottom: 16px; font-size: 13px; }
.errors code { font-size: 13px; white-space: pre-wrap; word-break: break-word; }
.summary { color: var(--muted); font-size: 13px; margin: 0 0 12px; }
form.filters { display: flex; gap: 8px; flex-wrap: wrap; align-items: center; margin-bottom: 8px; }
form.filters input[type=search] { flex: 1 1 260px; padding: 8px 10px; font: inherit;
  border: 1px solid #bbb; border-radius: 4px; }
form.filters select, form.filters button { padding: 7px 10px; font: inherit;
  border: 1px solid #bbb; border-radius: 4px; background: #fff; }
nav.forms { font-size: 13px; color: var(--muted); margin-bottom: 16px; }
nav.forms a { color: #1264a3; margin-left: 8px; }
nav.forms a[aria-current] { color: var(--text); font-weight: 700; text-decoration: none; }
.card { display: flex; gap: 8px; background: #fff; border: 1px solid var(--line);
  border-radius: 8px; padding: 12px 16px; margin-bottom: 12px; }
.card[hidden] { display: none; }
#search-note { color: var(--muted); font-size: 13px; margin: 0 0 8px; }
.avatar { flex: 0 0 36px; height: 36px; border-radius: 6px; background: #2eb67d; color: #fff;
  display: flex; align-items: center; justify-content: center; font-size: 20px; }
.message { flex: 1; min-width: 0; }
.sender { font-size: 15px; }
.sender .name { font-weight: 900; }
.sender .badge { background: #e8e8e8; color: var(--muted); font-size: 10px; font-weight: 700;
  padding: 1px 3px; border-radius: 2px; margin-left: 4px; vertical-align: 2px; }
.sender .note { color: var(--muted); font-size: 12px; margin-left: 6px; }
.block { margin: 4px 0; overflow-wrap: anywhere; }
.block.header { font-size: 18px; font-weight: 900; line-height: 1.33; margin-top: 6px; }
.block.context { color: var(--muted); font-size: 12px; }
.block.context a { color: #1264a3; }
.block .line { display: block; }
.block ul, .block ol { margin: 0; padding-left: 24px; }
.block blockquote { margin: 0; padding-left: 12px; border-left: 4px solid var(--line); }
.block code { font: 12px Monaco, Menlo, Consolas, monospace; color: #e01e5a;
  background: #f6f6f6; border: 1px solid #e8e8e8; border-radius: 3px; padding: 1px 3px; }
.block pre.code-block { font: 12px/1.5 Monaco, Menlo, Consolas, monospace; margin: 4px 0;
  background: #f8f8f8; border: 1px solid #e8e8e8; border-radius: 4px; padding: 8px;
  white-space: pre-wrap; }
.block a { color: #1264a3; text-decoration: none; }
.block .mention { background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }
.block.actions { display: flex; gap: 8px; margin-top: 8px; }
.block.actions button { font: 700 15px/1 inherit; font-family: inherit; padding: 8px 12px;
  border-radius: 4px; border: 1px solid #bbb; background: #fff; color: var(--text);
  cursor: not-allowed; }
.block.actions button.primary { background: var(--green); border-color: var(--green);
  color: #fff; }
.block.actions button.danger { background: #e01e5a; border-color: #e01e5a; color: #fff; }
.refused { color: #a0133f; }
.meta { margin-top: 10px; padding-top: 8px; border-top: 1px dashed var(--line);
  font-size: 12px; color: var(--muted); }
.meta a.tag { display: inline-block; background: #f1f1f1; color: var(--text); border-radius: 10px;
  padding: 0 8px; margin: 0 2px; text-decoration: none; }
#no-match { color: var(--muted); }
"""

# Filters as the admin types by asking the server which tips to show: the same search
# `/tip` runs in Slack, so the page never guesses. The form is a plain GET, so the page
# works without JavaScript too. Then reloads the page whenever a tip file changes.
SCRIPT = """
(() => {
  const form = document.getElementById("filters");
  const search = form.elements.namedItem("q");
  const tag = form.elements.namedItem("tag");
  const cards = [...document.querySelectorAll("article.card")];
  const shown = document.getElementById("shown");
  const empty = document.getElementById("no-match");
  const note = document.getElementById("search-note");
  let asked = 0;

  function remember(params) {
    for (const link of document.querySelectorAll("a[data-form]")) {
      const linked = new URLSearchParams(params);
      if (link.dataset.form === "reply") { linked.delete("form"); }
      else { linked.set("form", link.dataset.form); }
      link.href = "?" + linked;
    }
    // Keep the filters in the address, so the reload after an edit shows the same view.
    const query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  async function apply() {
    const params = new URLSearchParams(location.search);
    const wanted = new URLSearchParams();
    for (const [name, value] of [["q", search.value.trim()], ["tag", tag.value]]) {
      if (value) { params.set(name, value); wanted.set(name, value); } else { params.delete(name); }
    }
    remember(params);
    const mine = ++asked;
    let answer;
    try {
      const response = await fetch("/matches?" + wanted, { cache: "no-store" });
      if (!response.ok) { return; }
      answer = await response.json();
    } catch (error) {
      return;  // the preview server is restarting; the next keystroke asks again
    }
    if (mine !== asked) { return; }  // a later keystroke's answer is on its way
    const visible = new Set(answer.shown);
    let count = 0;
    for (const card of cards) {
      card.hidden = !visible.has(card.dataset.id);
      count += card.hidden ? 0 : 1;
    }
    shown.textContent = String(count);
    empty.hidden = count > 0;
    note.textContent = answer.note;
    note.hidden = !answer.note;
  }

  let typing;
  search.addEventListener("input", () => {
    clearTimeout(typing);
    typing = setTimeout(apply, 150);
  });
  tag.addEventListener("change", apply);
  form.addEventListener("submit", (event) => { event.preventDefault(); apply(); });

  // A link such as /#q=cache&tag=scope sets the filters without loading the page again.
  const fromHash = new URLSearchParams(location.hash.slice(1));
  if (fromHash.has("tag") && ![...tag.options].some((o) => o.value === fromHash.get("tag"))) {
    tag.add(new Option(fromHash.get("tag"), fromHash.get("tag")));
  }
  if (fromHash.has("q")) { search.value = fromHash.get("q"); }
  if (fromHash.has("tag")) { tag.value = fromHash.get("tag"); }
  if (fromHash.has("q") || fromHash.has("tag")) { apply(); }

  const loaded = document.body.dataset.fingerprint;
  setInterval(async () => {
    try {
      const response = await fetch("/fingerprint", { cache: "no-store" });
      if (response.ok && (await response.text()).trim() !== loaded) { location.reload(); }
    } catch (error) {
      // The preview server is restarting; ask again next second.
    }
  }, 1000);
})();
"""

_SCRIPT_HASH = base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()
# Tip text is escaped already; the policy is a second wall should an escape ever be missed:
# only our own inline script runs, and the page can load nothing from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; connect-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


def render_page(snapshot: Snapshot, filters: Filters) -> str:
    """The whole preview page for one snapshot of the tips, filtered as asked."""
    result = snapshot.result
    tips = result.library.tips
    shown = shown_tips(result.library, filters)
    visible = set(shown.ids)
    cards = [render_card(tip, filters, tip.id in visible) for tip in tips]
    loaded = snapshot.loaded_at.strftime("%Y-%m-%d %H:%M:%S")
    summary = (
        f"{plural(len(tips), 'tip')} from {plural(len(result.files), 'file')} · "
        f'loaded at {loaded} · showing <span id="shown">{len(visible)}</span>'
    )
    empty_text = "No tip matches this search." if tips else "There are no tips to show yet."
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>tipbot preview · {plural(len(tips), "tip")}</title>
<style>{STYLE}</style>
</head>
<body data-fingerprint="{escape(snapshot.fingerprint)}">
<header class="top">
<h1>tipbot preview</h1>
<p>Every tip in <code>{escape(str(snapshot.directory))}</code> as Slack shows it.
This page reloads itself when a tip file changes.</p>
</header>
<main>
{render_errors(result.errors)}
{render_drafts(result.drafts)}
<p class="summary" id="summary">{summary}</p>
{render_filters(filters, shown, result.library.topics())}
<p id="search-note"{"" if shown.note else " hidden"}>{escape(shown.note)}</p>
{render_form_links(filters)}
<section id="tips" aria-label="Tips">
{"".join(cards)}
</section>
<p id="no-match"{"" if not visible else " hidden"}>{empty_text}</p>
</main>
<script>{SCRIPT}</script>
</body>
</html>
"""


def matches_json(snapshot: Snapshot, filters: Filters) -> str:
    """What the page's script asks for as the admin types: the ids to show, and the note."""
    shown = shown_tips(snapshot.result.library, filters)
    return json.dumps({"shown": list(shown.ids), "tag": shown.tag, "note": shown.note})


def render_errors(errors: Sequence[TipError]) -> str:
    """The validation errors as a list of `path:line: message`; nothing when there are none."""
    if not errors:
        return ""
    items = "".join(f"<li><code>{escape(str(error))}</code></li>" for error in errors)
    count = plural(error_count(errors), "problem")
    return f"""<section class="errors" id="errors" role="alert">
<h2>{count} in the tip files</h2>
<p>Tips with a problem are left out below. Fix the file and this page reloads by itself;
<code>tipbot validate</code> lists the same problems.</p>
<ul>{items}</ul>
</section>"""


def render_drafts(drafts: Sequence[str]) -> str:
    """Which files are unreviewed drafts: shown here, but not sent to Slack yet."""
    if not drafts:
        return ""
    items = "".join(f"<li><code>{escape(path)}</code></li>" for path in drafts)
    return f"""<section class="drafts" id="drafts">
<p>Drafts from <code>tipbot import</code> are shown here but not sent to Slack until they are
reviewed: delete their <code># TODO review</code> comments to publish them.</p>
<ul>{items}</ul>
</section>"""


def render_filters(filters: Filters, shown: Shown, topics: Sequence[tuple[Topic, int]]) -> str:
    """The search box and tag menu; a plain GET form, so it works without JavaScript too."""
    options = ['<option value="">All tags</option>']
    for topic, count in topics:
        selected = " selected" if topic.tag == shown.tag else ""
        label = f"{topic.tag} ({count})"
        if topic.description:
            label += f": {topic.description}"
        options.append(f'<option value="{escape(topic.tag)}"{selected}>{escape(label)}</option>')
    if filters.tag and not shown.tag:
        # Kept in the menu, so the page's own script asks for the same (unknown) tag.
        unknown = escape(filters.tag)
        options.append(f'<option value="{unknown}" selected>{unknown} (no such topic)</option>')
    form = ""
    if filters.form != "reply":
        form = f'<input type="hidden" name="form" value="{escape(filters.form)}">'
    return f"""<form class="filters" id="filters" method="get" action="/" role="search">
<input type="search" name="q" value="{escape(filters.query)}" placeholder="Search as /tip does"
 aria-label="Search tips as /tip does" autocomplete="off">
<select name="tag" aria-label="Filter by tag">{"".join(options)}</select>
{form}<button type="submit">Filter</button>
</form>"""


def render_form_links(filters: Filters) -> str:
    """Links that switch between the two messages a tip appears in."""
    links = []
    for form, label in FORM_LABELS.items():
        current = ' aria-current="page"' if form == filters.form else ""
        href = escape(filters.link(form=form))
        links.append(f'<a href="{href}" data-form="{form}"{current}>{escape(label)}</a>')
    return f'<nav class="forms">Show each tip as:{"".join(links)}</nav>'


def render_card(tip: Tip, filters: Filters, visible: bool = True) -> str:
    """One tip as a Slack message card, hidden when the filters leave it out."""
    hidden = "" if visible else " hidden"
    weekly = filters.form == "weekly"
    note = "" if weekly else '<span class="note">Only visible to you</span>'
    try:
        blocks = render_blocks(nugget_message(tip, 0) if weekly else tip_message(tip))
    except SlackObjectFormationError as exc:
        # The loader's limits should prevent this; if they drift, say so rather than crash.
        blocks = f'<p class="refused">Slack would refuse this tip: {escape(str(exc))}</p>'
    return f"""<article class="card" id="tip-{escape(tip.id)}" data-id="{escape(tip.id)}"{hidden}>
<div class="avatar" aria-hidden="true">💡</div>
<div class="message">
<div class="sender"><span class="name">{APP_NAME}</span><span class="badge">APP</span>{note}</div>
{blocks}
{render_meta(tip, filters)}
</div>
</article>
"""


def render_meta(tip: Tip, filters: Filters) -> str:
    """Where the tip lives and what it is tagged with: for the admin, not part of the message."""
    tags = "".join(
        f'<a class="tag" href="{escape(filters.link(tag=tag, q=""))}">{escape(tag)}</a>'
        for tag in tip.tags
    )
    where = escape(f"{tip.path}:{tip.line}")
    return (
        f'<div class="meta"><code>{where}</code> · id <code>{escape(tip.id)}</code> · '
        f"level {escape(tip.level)} · {tags}</div>"
    )


def render_blocks(blocks: Blocks) -> str:
    """Block Kit blocks as HTML: header, section, context, actions and divider."""
    return "\n".join(_render_block(block) for block in blocks)


def _render_block(block: Mapping[str, object]) -> str:
    kind = str(block.get("type", ""))
    if kind == "header":
        return f'<div class="block header">{_text(block.get("text"))}</div>'
    if kind == "section":
        return f'<div class="block section">{_text(block.get("text"))}</div>'
    if kind == "context":
        parts = " ".join(f"<span>{_text(element)}</span>" for element in _elements(block))
        return f'<div class="block context">{parts}</div>'
    if kind == "actions":
        return f'<div class="block actions">{"".join(map(_button, _elements(block)))}</div>'
    if kind == "divider":
        return "<hr>"
    return f'<div class="block">[{escape(kind)} block]</div>'


def _elements(block: Mapping[str, object]) -> list[Mapping[str, object]]:
    elements = block.get("elements")
    if not isinstance(elements, list):
        return []
    return [element for element in elements if isinstance(element, Mapping)]


def _button(element: Mapping[str, object]) -> str:
    """A button drawn as Slack draws it, disabled: the preview cannot act."""
    style = str(element.get("style", ""))
    css = f' class="{escape(style)}"' if style in ("primary", "danger") else ""
    return f'<button type="button" disabled{css}>{_text(element.get("text"))}</button>'


def _text(obj: object) -> str:
    """A text object: mrkdwn rendered, plain_text escaped with its emoji drawn."""
    if isinstance(obj, str):
        return render_plain(obj)
    if not isinstance(obj, Mapping):
        return ""
    text = str(obj.get("text", ""))
    return render_mrkdwn(text) if obj.get("type") == "mrkdwn" else render_plain(text)

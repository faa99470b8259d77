"""Making user text inert before it is echoed back into Slack."""

MAX_ECHO = 100


def escape(text: str) -> str:
    """Escape &, < and > so `<!channel>`, `<@U…>` and `<url|label>` show as plain text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    """A mrkdwn link to `url` showing `label` (already escaped); the url cannot end it early."""
    # The loader refuses these characters in a url; encoding them here is a second wall.
    return f"<{escape(url).replace('|', '%7C')}|{label}>"


def echo(text: str, limit: int = MAX_ECHO) -> str:
    """User text fit to quote back: shortened, escaped, and unable to break out of `code`."""
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return escape(short.replace("`", "'"))

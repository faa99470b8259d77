"""Which source urls a tip may link to: web addresses that cannot break out of a Slack link."""

from urllib.parse import urlsplit

from bot.content.limits import MAX_URL_CHARS

SCHEMES = ("http", "https")
# Slack reads these as the end of a link or as markup of its own: `<url|label>`, `<!channel>`.
PERCENT_ENCODED = {"<": "%3C", ">": "%3E", "|": "%7C"}
EXAMPLE = "https://example.com/article"


def url_problem(url: str) -> str | None:
    """What is wrong with `url` as a source's link, said for the admin; None when it is fine."""
    if len(url) > MAX_URL_CHARS:
        return f"is {len(url)} characters; at most {MAX_URL_CHARS}"
    if any(char.isspace() or not char.isprintable() for char in url):
        return "contains a space or an invisible character; write a space as %20"
    markup = next((char for char in url if char in PERCENT_ENCODED), None)
    if markup is not None:
        return (
            f'contains "{markup}", which Slack reads as markup; '
            f"write it as {PERCENT_ENCODED[markup]}"
        )
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in SCHEMES or not parts.hostname:
        return f"must be a web address starting with https:// or http://, like {EXAMPLE}"
    return None

"""The pages a person sees around an install: the landing page, then success or what failed.

HTML comes from the Jinja2 templates in templates/, which escape every value (a team name
from Slack, an error code in the query string) unless it is Markup already.
"""

from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup
from slack_bolt.oauth.callback_options import FailureArgs, SuccessArgs
from slack_bolt.response import BoltResponse

from bot import metrics

INSTALL_PATH = "/slack/install"
STATE_COOKIE = "slack-app-oauth-state"
STYLE = Markup(  # noqa: S704 - our own file, not anyone's input
    (files("bot.slack") / "templates" / "pages.css").read_text(encoding="utf-8")
)
# The pages run no script and load nothing from anywhere else.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
HTML_HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "Cache-Control": "no-store",
}
# Slack's error codes are short; anything longer in the URL was not written by Slack.
MAX_REASON = 100
# The install's state is spent either way: the browser may forget its cookie.
FORGET_STATE = f"{STATE_COOKIE}=deleted; Secure; HttpOnly; Path=/; Max-Age=0"

_templates = Environment(
    loader=PackageLoader("bot.slack", "templates"),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)

# Why an install failed, in plain words: (headline, explanation), by Bolt's reason.
FAILURES: dict[str, tuple[str, str]] = {
    "access_denied": (
        "tipbot was not installed",
        "You chose Cancel on Slack's page, so Slack did not give tipbot access.",
    ),
    "invalid_state": (
        "This install link has expired or was already used",
        "An install link works once, for 10 minutes. Start the install again.",
    ),
    "invalid_browser": (
        "This install was started in another browser",
        "Finish the install in the browser that started it, with cookies allowed for this "
        "site, or start it again here.",
    ),
    "missing_code": (
        "Slack did not send the install back",
        "The link Slack sent you back with is incomplete. Start the install again.",
    ),
    "invalid_code": (
        "Slack refused to complete the install",
        "Slack did not accept the code it sent back (it may already have been used, or be "
        "too old). Start the install again.",
    ),
    "storage_error": (
        "tipbot could not save the install",
        "Slack agreed, but tipbot could not store the install. Try again in a minute.",
    ),
}


def render(template: str, title: str, **values: object) -> str:
    """One page from templates/, every value escaped."""
    return _templates.get_template(template).render(title=title, style=STYLE, **values)


def landing_page(install_url: str | None) -> str:
    """What tipbot does, and an "Add to Slack" button when it can be installed (OAuth mode)."""
    return render("landing.html", "tipbot: career tips in Slack", install_url=install_url)


def installed(args: SuccessArgs) -> BoltResponse:
    """Bolt's success callback: the install is stored; count it, say so and how to start."""
    installation = args.installation
    metrics.installed(enterprise=bool(installation.is_enterprise_install))
    place = installation.enterprise_name if installation.is_enterprise_install else None
    place = place or installation.team_name
    team = installation.team_id or installation.enterprise_id
    open_url = None
    if installation.app_id and team:
        open_url = f"https://slack.com/app_redirect?app={installation.app_id}&team={team}"
    body = render("installed.html", "tipbot is installed", place=place, open_url=open_url)
    headers = {**HTML_HEADERS, "Set-Cookie": [FORGET_STATE]}
    return BoltResponse(status=200, body=body, headers=headers)


def install_failed(args: FailureArgs) -> BoltResponse:
    """Bolt's failure callback: nothing was stored; say what happened in plain words."""
    headline, explanation = failure_words(args.reason)
    body = render(
        "install_failed.html",
        headline,
        headline=headline,
        explanation=explanation,
        install_url=INSTALL_PATH,
    )
    headers = {**HTML_HEADERS, "Set-Cookie": [FORGET_STATE]}
    return BoltResponse(status=args.suggested_status_code, body=body, headers=headers)


def failure_words(reason: str) -> tuple[str, str]:
    """The headline and explanation for Bolt's failure `reason` (or Slack's error code)."""
    known = FAILURES.get(reason)
    if known is not None:
        return known
    return (
        "Slack stopped the install",
        f"Slack sent tipbot back with the error “{reason[:MAX_REASON]}”. Start the install "
        "again, or ask a workspace admin whether apps may be installed.",
    )

"""What tipbot asks Slack about a person: their timezone, within a time budget.

A modal must be opened within 3 seconds of the click that asked for it, so the lookup
that comes first gets at most `BUDGET_SECONDS` and no retries; without an answer the
modal uses TIPBOT_TIMEZONE and says so.
"""

import logging
import urllib.error

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.nuggets.timezones import resolve_timezone

logger = logging.getLogger(__name__)

BUDGET_SECONDS = 1


def slack_timezone(client: WebClient, user_id: str, budget: int = BUDGET_SECONDS) -> str | None:
    """The IANA timezone Slack has for the person, if tipbot knows it and Slack answers soon."""
    quick = WebClient(
        token=client.token, base_url=client.base_url, timeout=budget, retry_handlers=[]
    )
    try:
        profile = quick.users_info(user=user_id)
    except SlackApiError as exc:
        logger.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
        return None
    except (urllib.error.URLError, OSError) as exc:
        logger.warning("users.info for %s did not answer in time: %s", user_id, exc)
        return None
    zone = str((profile.get("user") or {}).get("tz") or "")
    return resolve_timezone(zone) if zone else None

"""Admin-only answers: `/tip reload` and `/tip stats`."""

from datetime import timedelta

from bot.content.tip_errors import error_count
from bot.services import Services
from bot.slack.admin_notices import error_list
from bot.slack.answers.subscriptions import paused_because
from bot.slack.escaping import escape
from bot.slack.messages import conversation
from bot.wording import plural

TOP_TIPS = 10
MAX_PAUSED = 15
RECENT = timedelta(weeks=4)


def refusal(services: Services, subcommand: str) -> str:
    """The polite no for someone who is not in TIPBOT_ADMINS, saying whom to ask."""
    command = services.settings.command
    admins = ", ".join(f"<@{admin}>" for admin in sorted(services.settings.admins))
    if not admins:
        return (
            f"Sorry, `{command} {subcommand}` is only for tipbot admins, and none are set yet. "
            "Whoever runs tipbot can add Slack user IDs to `TIPBOT_ADMINS`."
        )
    return f"Sorry, only tipbot admins can use `{command} {subcommand}`. Ask one of them: {admins}."


def answer_reload(services: Services) -> str:
    """Reload the tip files now; say what changed, or why the last good tips are still up."""
    if services.reloader is None:
        return "This process doesn't reload tips; restart it to pick up the files."
    outcome = services.reloader.reload()
    if not outcome.applied:
        count = plural(error_count(outcome.errors), "error")
        return (
            f":warning: {count} in the tip files, so I'm still serving the last good tips:\n"
            f"{error_list(outcome.errors)}\n"
            "Fix the file and save it (I reload by myself), or run `tipbot validate` locally."
        )
    total = len(services.library.current)
    return (
        f":white_check_mark: Reloaded {plural(total, 'tip')}: {len(outcome.added)} added, "
        f"{len(outcome.changed)} changed, {len(outcome.removed)} removed."
    )


def answer_stats(services: Services) -> str:
    """Which tips land, how the subscriptions are doing, and four weeks of posts."""
    return "\n\n".join(
        (tip_ranking(services), subscription_health(services), recent_posts(services))
    )


def tip_ranking(services: Services) -> str:
    """Tips ranked by Helpful votes, then shares."""
    votes = services.store.helpful_votes_by_tip()
    shares = services.store.shares_by_tip()
    titles = {tip.id: tip.title for tip in services.library.current.tips}
    ranked = sorted(
        set(votes) | set(shares), key=lambda i: (-votes.get(i, 0), -shares.get(i, 0), i)
    )
    if not ranked:
        return "*Top tips*\nNo Helpful votes or shares yet."
    lines = [
        f"{place}. {escape(titles.get(tip_id, tip_id + ' (removed)'))}: "
        f"{plural(votes.get(tip_id, 0), 'vote')}, {plural(shares.get(tip_id, 0), 'share')}"
        for place, tip_id in enumerate(ranked[:TOP_TIPS], start=1)
    ]
    return "*Top tips* (Helpful votes, shares)\n" + "\n".join(lines)


def subscription_health(services: Services) -> str:
    """How many subscriptions are active, and each paused one with why and since when."""
    subs = services.store.all_subscriptions()
    paused = [sub for sub in subs if sub.status == "paused"]
    lines = [f"*Subscriptions*: {len(subs) - len(paused)} active, {len(paused)} paused"]
    for sub in paused[:MAX_PAUSED]:
        since = f"{sub.paused_at:%Y-%m-%d %H:%M} UTC" if sub.paused_at else "unknown"
        lines.append(f"• {conversation(sub)}: paused since {since}, {paused_because(sub)}")
    if len(paused) > MAX_PAUSED:
        lines.append(f"…and {len(paused) - MAX_PAUSED} more.")
    return "\n".join(lines)


def recent_posts(services: Services) -> str:
    """Weekly posts of the last four weeks by outcome."""
    counts = services.store.delivery_counts(services.clock() - RECENT)
    pending = counts.get("claimed", 0) + counts.get("retry", 0)
    summary = ", ".join(
        f"{counts.get(status, 0)} {status}" for status in ("sent", "missed", "failed")
    )
    extra = f", {pending} in progress" if pending else ""
    return f"*Weekly posts, last 4 weeks*: {summary}{extra}"

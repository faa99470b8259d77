"""Admin-only answers: `/tip reload` and `/tip stats` (aggregates only: no one's words)."""

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
    """The polite no for someone who is not an admin, saying whom to ask."""
    command = services.settings.command
    if services.settings.oauth:
        return (
            f"Sorry, only tipbot admins can use `{command} {subcommand}`: this workspace's "
            "Slack admins and owners, and whoever installed tipbot here."
        )
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
    """Which tips land, how the subscriptions are doing, four weeks of posts, and the
    coaching loop: per tip and as a funnel, counted without names."""
    return "\n\n".join(
        (
            tip_ranking(services),
            subscription_health(services),
            recent_posts(services),
            commitment_outcomes(services),
            coaching_funnel(services),
        )
    )


def percent(rate: float | None) -> str:
    """A completion rate as people read it: "67%", or "-" before any has ended."""
    return "-" if rate is None else f"{rate:.0%}"


def commitment_outcomes(services: Services) -> str:
    """Per tip: commitments made and how they ended; no names, no words of anyone's."""
    outcomes = services.store.commitment_outcomes()
    if not outcomes:
        return "*Commitments by tip*\nNobody has pressed I'll try this yet."
    titles = {tip.id: tip.title for tip in services.library.current.tips}
    lines = [
        f"{place}. {escape(titles.get(o.tip_id, o.title + ' (removed)'))}: {o.made} made, "
        f"{o.done} done, {o.partly} partly, {o.dropped} dropped, {o.lapsed} lapsed, "
        f"{percent(o.completion_rate)} completed"
        for place, o in enumerate(outcomes[:TOP_TIPS], start=1)
    ]
    if len(outcomes) > TOP_TIPS:
        lines.append(f"…and {len(outcomes) - TOP_TIPS} more tips.")
    return "*Commitments by tip* (completed = done of those ended)\n" + "\n".join(lines)


def coaching_funnel(services: Services) -> str:
    """From tips served to Done in the last four weeks."""
    funnel = services.store.coaching_funnel(services.clock() - RECENT)
    return (
        f"*Coaching, last 4 weeks*: {plural(funnel.tips_served, 'tip')} served → "
        f"{plural(funnel.commitments, 'commitment')} → "
        f"{plural(funnel.check_ins_answered, 'check-in')} answered → {funnel.done} done"
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

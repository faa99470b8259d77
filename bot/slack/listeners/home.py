"""App Home: publish the tab when it opens, and handle its menu and buttons.

Every handler acks at once and does its Web API calls (views.publish, users.info) in a lazy
listener, so nothing slow sits in front of the ack.
"""

import logging
from datetime import datetime
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.coaching.models import Profile
from bot.coaching.preferences import clean_focus, parse_track, tip_weight
from bot.content.model import Tip
from bot.content.selection import tip_of_the_week
from bot.nuggets.models import Subscription
from bot.nuggets.schedule import Schedule, UnknownTimezone, resolve_timezone
from bot.services import Services
from bot.slack import home_view, messages
from bot.slack.admins import is_admin
from bot.slack.answers.admin import subscription_health
from bot.slack.answers.coaching import progress_of, weight_for
from bot.slack.answers.subscriptions import next_post, when
from bot.slack.coaching_messages import HOME_FOCUS, HOME_RESUME, HOME_TRACK
from bot.slack.escaping import escape
from bot.slack.listeners.actions import ack_now, post_shared_tip
from bot.slack.workspaces import in_workspace

logger = logging.getLogger(__name__)

ANOTHER_HINT = "Pick a topic for another one."


def register(app: App, services: Services) -> None:
    """Attach the App Home event, its menu and buttons, and the Share modal."""
    home = HomeTab(services)
    app.event("app_home_opened")(ack=ack_now, lazy=[home.on_home_opened])
    app.action(home_view.HOME_TOPIC)(ack=ack_now, lazy=[home.on_topic_chosen])
    app.action(home_view.HOME_SUBSCRIBE)(ack=ack_now, lazy=[home.on_dm_subscribe])
    app.action(home_view.HOME_UNSUBSCRIBE)(ack=ack_now, lazy=[home.on_dm_unsubscribe])
    # Picking a day or a time only changes the view's state, read when "Send me tips" is hit.
    app.action(home_view.HOME_DAY)(ack_now)
    app.action(home_view.HOME_TIME)(ack_now)
    # The buttons under a tip on the tab: Another tip, and Share with its modal.
    app.action(home_view.HOME_ANOTHER)(ack=ack_now, lazy=[home.on_another])
    app.action(home_view.HOME_SHARE)(ack=ack_now, lazy=[home.on_share_clicked])
    # Acking with no body closes the modal; the post and the tab's notice follow.
    app.view(home_view.SHARE_MODAL)(ack=ack_now, lazy=[home.on_share_submitted])
    # My coaching: the track and focus menus, and resuming paused check-ins.
    app.action(HOME_TRACK)(ack=ack_now, lazy=[home.on_track_chosen])
    app.action(HOME_FOCUS)(ack=ack_now, lazy=[home.on_focus_chosen])
    app.action(HOME_RESUME)(ack=ack_now, lazy=[home.on_resume])


class HomeTab:
    """What the tab does, after the ack; Bolt passes the arguments by name, not `self`."""

    def __init__(self, services: Services) -> None:
        self.services = services

    def on_home_opened(
        self, event: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Draw the tab whenever someone opens it (not their Messages tab)."""
        services = in_workspace(self.services, context)
        if event.get("tab") == "home":
            publish_home(client, services, event["user"])

    def on_topic_chosen(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Draw the tab again with a tip on the topic picked from the menu."""
        services = in_workspace(self.services, context)
        topic = body["actions"][0]["selected_option"]["value"]
        publish_home(client, services, body["user"]["id"], topic=topic)

    def on_dm_subscribe(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Subscribe the person to a weekly DM in their Slack timezone, or the default one."""
        services = in_workspace(self.services, context)
        user_id = body["user"]["id"]
        weekday, time = home_view.dm_choice(body.get("view") or {})
        slack_zone = user_timezone(client, user_id)
        timezone = resolve_timezone(slack_zone or "")
        notice = ":white_check_mark: You're subscribed."
        if timezone is None:
            timezone = services.settings.timezone
            notice += " " + home_view.default_zone_notice(slack_zone, timezone)
        schedule = Schedule(weekday, time, timezone)
        services.store.save_subscription(
            Subscription.new(
                services.workspace(), user_id, schedule, user_id, services.clock(), kind="dm"
            )
        )
        publish_home(client, services, user_id, notice=notice)

    def on_dm_unsubscribe(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """End the weekly DM (the tab asked first) and say so on the tab."""
        services = in_workspace(self.services, context)
        user_id = body["user"]["id"]
        services.store.delete_subscription(user_id)
        publish_home(client, services, user_id, notice="Done: no more weekly tips by DM.")

    def on_track_chosen(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Save the track picked from the menu; the tips favour it from now on."""
        services = in_workspace(self.services, context)
        user_id = body["user"]["id"]
        picked = (body["actions"][0].get("selected_option") or {}).get("value", "")
        track = parse_track(str(picked))
        profile = services.store.get_profile(user_id) or Profile(user_id)
        services.store.save_profile(Profile(user_id, track, profile.focus), services.clock())
        notice = f":white_check_mark: Your track is now *{track or 'not set'}*."
        publish_home(client, services, user_id, notice=notice)

    def on_focus_chosen(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Save up to three focus topics picked from the menu."""
        services = in_workspace(self.services, context)
        user_id = body["user"]["id"]
        picked = [str(o.get("value", "")) for o in body["actions"][0].get("selected_options") or []]
        known = [topic.tag for topic, _ in services.library.current.topics()]
        focus = clean_focus(picked, known)
        profile = services.store.get_profile(user_id) or Profile(user_id)
        services.store.save_profile(Profile(user_id, profile.track, focus), services.clock())
        said = ", ".join(f"`{topic}`" for topic in focus) or "none"
        publish_home(client, services, user_id, notice=f":dart: Focus topics: {said}.")

    def on_resume(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Start paused check-ins again; one already due comes at the next minute."""
        services = in_workspace(self.services, context)
        user_id = body["user"]["id"]
        now = services.clock().replace(microsecond=0)
        resumed = services.store.resume_commitments(user_id, now)
        notice = f":arrow_forward: Resumed {resumed} check-in{'' if resumed == 1 else 's'}."
        publish_home(client, services, user_id, notice=notice)

    def on_another(self, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        """Put another tip on the same topic under the menu."""
        services = in_workspace(self.services, context)
        shown, topic = messages.read_button_value(body["actions"][0].get("value", ""))
        user_id = body["user"]["id"]
        library = services.library.current
        tip = services.picker.random_tip(
            library, user_id, topic, on_screen={shown}, weight=weight_for(services, user_id)
        )
        publish_home(client, services, user_id, topic=topic, topic_tip=tip)

    def on_share_clicked(
        self, body: dict[str, Any], client: WebClient, context: BoltContext
    ) -> None:
        """Open the modal that asks where to share the tip."""
        services = in_workspace(self.services, context)
        value = body["actions"][0].get("value", "")
        tip_id, topic, _ = home_view.read_share_value(value)
        tip = services.library.current.by_id.get(tip_id)
        if tip is None:
            notice = f"That tip was removed from the library. {ANOTHER_HINT}"
            publish_home(client, services, body["user"]["id"], topic=topic, notice=notice)
            return
        client.views_open(trigger_id=body["trigger_id"], view=home_view.share_modal(tip, value))

    def on_share_submitted(
        self, body: dict[str, Any], client: WebClient, respond: Respond | None, context: BoltContext
    ) -> None:
        """Post the tip in the channel picked, and say on the tab how it went."""
        services = in_workspace(self.services, context)
        view = body.get("view") or {}
        tip_id, topic, shown = home_view.read_share_value(view.get("private_metadata", ""))
        user_id = body["user"]["id"]
        library = services.library.current
        tip = library.by_id.get(tip_id)
        channel_id = home_view.shared_to(view)
        if tip is None:
            notice = f"That tip was removed from the library. {ANOTHER_HINT}"
        else:
            problem = post_shared_tip(client, respond, tip, channel_id, user_id)
            if problem is None:
                services.store.record_share(tip.id, channel_id, user_id, services.clock())
                notice = f":white_check_mark: Shared “{escape(tip.title)}” in <#{channel_id}>."
            else:
                notice = f":warning: I couldn't share it in <#{channel_id}>. {problem}"
        topic_tip = library.by_id.get(shown) if shown else None
        publish_home(client, services, user_id, topic=topic, notice=notice, topic_tip=topic_tip)


def user_timezone(client: WebClient, user_id: str) -> str | None:
    """The timezone Slack has for the user, as Slack spells it, or None if Slack will not say."""
    try:
        profile = client.users_info(user=user_id)
    except SlackApiError as exc:
        logger.warning("users.info for %s failed: %s", user_id, exc.response.get("error"))
        return None
    return str((profile.get("user") or {}).get("tz") or "") or None


def publish_home(
    client: WebClient,
    services: Services,
    user_id: str,
    *,
    topic: str | None = None,
    notice: str | None = None,
    topic_tip: Tip | None = None,
) -> None:
    """Draw the home tab for one user; under the topic, `topic_tip` or a fresh pick."""
    content = home_content(services, user_id, topic, notice, topic_tip, client=client)
    client.views_publish(user_id=user_id, view=home_view.home_view(content))


def home_content(
    services: Services,
    user_id: str,
    topic: str | None,
    notice: str | None,
    topic_tip: Tip | None,
    *,
    client: WebClient,
) -> home_view.HomeContent:
    """Gather what the home tab shows `user_id` right now (`client`: the request's, for
    the admin check)."""
    library = services.library.current
    now = services.clock()
    sub = services.store.get_subscription(user_id)
    next_dm = upcoming_dm(sub, now)
    profile = services.store.get_profile(user_id)
    if topic and topic_tip is None:
        topic_tip = services.picker.random_tip(library, user_id, topic, weight=tip_weight(profile))
    week_tip, sent = last_dm_tip(services, sub)
    return home_view.HomeContent(
        week_tip=week_tip or tip_of_the_week(library, now),
        week_tip_sent=sent if week_tip else None,
        topics=library.topics(),
        topic=topic,
        topic_tip=topic_tip if topic else None,
        dm_subscription=sub,
        next_dm=next_dm,
        admin_status=admin_status(services) if is_admin(services, client, user_id) else None,
        notice=notice,
        coaching=home_view.CoachingHome(
            progress_of(services, user_id), profile, services.settings.command
        ),
    )


def last_dm_tip(services: Services, sub: Subscription | None) -> tuple[Tip | None, str | None]:
    """The tip this person's weekly DM last brought, and when, if it is still in the library."""
    if sub is None:
        return None, None
    row = services.store.last_sent(sub.channel_id)
    tip = services.library.current.by_id.get(row.tip_id or "") if row else None
    if row is None or tip is None:
        return None, None
    return tip, when(row.slot_at, sub.schedule.timezone)


def upcoming_dm(sub: Subscription | None, now: datetime) -> str | None:
    """When the next DM tip comes, if one is coming."""
    if sub is None or sub.status != "active":
        return None
    try:
        return next_post(sub.schedule, now)
    except UnknownTimezone:
        return None  # stored by an older version; the next tick pauses it and says why


def admin_status(services: Services) -> str:
    """The library's health and the subscriptions' health, for admins."""
    served = services.library
    loaded_at = f"{served.loaded_at:%Y-%m-%d %H:%M} UTC"
    library = home_view.library_status(len(served.current), loaded_at, served.errors)
    return f"{library}\n{subscription_health(services)}"

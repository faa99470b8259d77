"""Topics as Slack shows them: each with its description in `/tip topics` and the Home menu."""

import json
from typing import Any

from bot.content.topics import Topic
from bot.slack.home_view import HomeContent, home_view
from bot.slack.messages import topics_message

TOPICS = [
    (Topic("incidents", "Production problems & who fixes <them>", ("outage",)), 3),
    (Topic("scope"), 1),
]


def test_topics_message_shows_each_description_escaped() -> None:
    """`/tip topics` gives tag, count and description; markup in a description stays text."""
    blocks: Any = topics_message(TOPICS, "/tip")
    (section,) = [block for block in blocks if block["type"] == "section"]
    text = section["text"]["text"]

    assert text.splitlines() == [
        "• `incidents` (3 tips): Production problems &amp; who fixes &lt;them&gt;",
        "• `scope` (1 tip)",
    ]


def test_home_topic_menu_describes_each_option() -> None:
    """The App Home topic menu shows each topic's description under its name."""
    content = HomeContent(
        week_tip=None,
        week_tip_sent=None,
        topics=TOPICS,
        topic=None,
        topic_tip=None,
        dm_subscription=None,
        next_dm=None,
        admin_status=None,
    )
    blocks: Any = home_view(content)["blocks"]
    (menu,) = [block["accessory"] for block in blocks if "accessory" in block]

    options = [(o["value"], o.get("description", {}).get("text")) for o in menu["options"]]
    assert options == [
        ("incidents", "Production problems & who fixes <them>"),
        ("scope", None),
    ]
    assert json.dumps(menu).count('"description"') == 1

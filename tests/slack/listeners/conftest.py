"""Listeners called directly, as Bolt would call them: real services, the Slack stand-in.

The HTTP tests in tests/slack/ walk through what a person does in Slack; these call one
listener with the arguments Bolt would pass, for cases a request cannot easily reach.
"""

import json
import random
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.config import Settings
from bot.content.selection import TipPicker
from bot.runner import load_current_library, open_store
from bot.services import Services
from bot.slack.app import create_client
from bot.slack.responding import OnceRespond
from tests.slack_stand_in import SlackStandIn


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    """The bot's services over the shipped tips and an empty SQLite database."""
    store = open_store(settings)
    yield Services(
        settings=settings,
        library=load_current_library(settings),
        store=store,
        picker=TipPicker(random.Random(7)),
    )
    store.engine.dispose()


@pytest.fixture
def client(settings: Settings) -> WebClient:
    """The bot's Web API client, pointed at the stand-in."""
    return create_client(settings)


@pytest.fixture
def respond(stand_in: SlackStandIn, client: WebClient) -> Respond:
    """The `respond` Bolt would pass; what it sends is recorded as `response:direct`."""
    return OnceRespond(response_url=stand_in.response_url("direct"), client=client)


def acked(ack: Ack) -> dict[str, Any]:
    """What the listener acked with: the JSON body Slack would get, {} for an empty ack."""
    assert ack.response is not None, "the listener did not ack"
    body: dict[str, Any] = json.loads(ack.response.body) if ack.response.body else {}
    return body

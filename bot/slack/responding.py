"""`respond()` through a response URL, never re-sent after Slack may have acted on it.

Bolt's own `respond` posts with slack-sdk's default retry handler, which sends the message
again after a reset or a dropped connection: a tip shared "in_channel" could then appear
twice. Every listener gets this `Respond` instead, installed by a global middleware.
"""

from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import BoltContext, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.models.attachments import Attachment
from slack_sdk.models.blocks import Block
from slack_sdk.webhook import WebhookClient, WebhookResponse

from bot.slack.retrying import response_url_retry_handlers


class OnceRespond(Respond):
    """Bolt's `respond`, with the retry policy of `response_url_retry_handlers`."""

    def __init__(self, *, response_url: str, client: WebClient) -> None:
        super().__init__(response_url=response_url, proxy=client.proxy, ssl=client.ssl)
        # Wait no longer than for a Web API call (slack-sdk's webhook default is 30 s).
        self.timeout = client.timeout

    def __call__(  # noqa: PLR0917 - the signature of the Bolt method it overrides.
        self,
        text: str | dict[str, Any] = "",
        blocks: Sequence[dict[str, Any] | Block] | None = None,
        attachments: Sequence[dict[str, Any] | Attachment] | None = None,
        response_type: str | None = None,
        replace_original: bool | None = None,
        delete_original: bool | None = None,
        unfurl_links: bool | None = None,
        unfurl_media: bool | None = None,
        thread_ts: str | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> WebhookResponse:
        """Post to the response URL once; raise ValueError when the request has none."""
        if self.response_url is None:
            message = "respond is unsupported here as there is no response_url"
            raise ValueError(message)
        client = WebhookClient(
            url=self.response_url,
            proxy=self.proxy,
            ssl=self.ssl,
            timeout=self.timeout,
            retry_handlers=response_url_retry_handlers(),
        )
        if isinstance(text, dict):
            return client.send_dict(text)
        # None values are dropped before sending, as Bolt's respond does.
        return client.send_dict(
            {
                "text": text,
                "blocks": blocks,
                "attachments": attachments,
                "response_type": response_type,
                "replace_original": replace_original,
                "delete_original": delete_original,
                "unfurl_links": unfurl_links,
                "unfurl_media": unfurl_media,
                "thread_ts": thread_ts,
                "metadata": metadata,
            }
        )


def use_response_url_policy(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
    """Global middleware: give this request's listeners (lazy ones too) `OnceRespond`."""
    if context.response_url:
        context["respond"] = OnceRespond(response_url=context.response_url, client=context.client)
    return next()

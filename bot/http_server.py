"""Waitress, shared by the bot and the preview page: create, find the port, stop cleanly.

No Slack imports here, so `tipbot preview` runs without slack_bolt.
"""

import contextlib
from types import FrameType
from typing import TYPE_CHECKING

from waitress.server import MultiSocketServer, create_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


def create_wsgi_server(
    app: "WSGIApplication", host: str, port: int, *, threads: int, ident: str, max_body: int
) -> MultiSocketServer:
    """A waitress server bound to host:port (port 0 picks a free one), not yet running."""
    return create_server(  # type: ignore[return-value]
        app, host=host, port=port, threads=threads, ident=ident, max_request_body_size=max_body
    )


def close_from_another_thread(server: MultiSocketServer) -> None:
    """Stop listening; the close runs on the server's own loop, where it is safe."""
    # OSError: the loop has already shut down and closed its trigger; nothing left to stop.
    with contextlib.suppress(OSError):
        server.trigger.pull_trigger(server.close)  # type: ignore[attr-defined]


def bound_port(server: MultiSocketServer) -> int:
    """The port the server actually listens on."""
    return int(server.effective_port)  # type: ignore[attr-defined]


def stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """Platforms stop a process with SIGTERM; treat it like Ctrl-C so shutdown is clean."""
    raise KeyboardInterrupt

"""Fixtures for the preview: a copy of the shipped tips and the preview served on loopback."""

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from bot.http_server import bound_port, close_from_another_thread
from bot.preview.server import create_preview_server

LOADED_AT = datetime(2024, 5, 6, 9, 30, 0)

# A tip with no `try` line, at line 6 of its file: the loader reports `broken.yaml:6: ...`.
BROKEN_TIP = """\
source:
  title: "A draft article"
  author: someone
  date: 2024-05-06
tips:
  - id: draft-without-try
    title: A draft that forgot its try line
    body: This tip has no try line yet.
    tags: [communication]
    level: both
"""
BROKEN_ERROR = 'broken.yaml:6: tip "draft-without-try": missing field "try"'
FIXED_TIP = BROKEN_TIP.replace("    tags:", "    try: Add the try line.\n    tags:")


@dataclass
class Page:
    """One HTTP answer from the preview."""

    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Preview:
    """The preview server for `tips_dir`, answering at `url`."""

    url: str
    tips_dir: Path

    def get(self, path: str = "/") -> Page:
        """GET `path` and return the answer, error statuses included."""
        try:
            with urllib.request.urlopen(self.url.rstrip("/") + path, timeout=10) as response:
                return Page(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as exc:
            return Page(exc.code, dict(exc.headers), exc.read().decode())


@pytest.fixture
def preview(tips_dir: Path) -> Iterator[Preview]:
    """The preview of `tips_dir`, served by waitress on a free loopback port."""
    server, _ = create_preview_server(tips_dir, "127.0.0.1", 0, clock=lambda: LOADED_AT)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield Preview(f"http://127.0.0.1:{bound_port(server)}/", tips_dir)
    close_from_another_thread(server)
    thread.join(timeout=5)

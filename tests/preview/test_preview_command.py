"""`tipbot preview` as a person runs it: prints the URL, serves, stops cleanly on SIGTERM."""

import re
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path

from tests.conftest import REPO
from tests.processes import run_tipbot


def test_preview_command_serves_until_sigterm(tips_dir: Path):
    """The command prints where to look, answers there, and exits 0 on SIGTERM."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "preview", str(tips_dir), "--port", "0"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert first.startswith("Previewing 21 tips from ")
        assert "(0 problems)" in first
        second = process.stdout.readline()
        match = re.search(r"Open (http://127\.0\.0\.1:\d+/) \(Ctrl-C to stop\)", second)
        assert match, second
        with urllib.request.urlopen(match.group(1), timeout=10) as response:
            assert 'class="card"' in response.read().decode()
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=10)
    assert process.returncode == 0, stderr


def test_busy_port_is_a_clean_error(tips_dir: Path):
    """A port already in use gives a one-line error that says what to do, not a traceback."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_tipbot("preview", str(tips_dir), "--port", str(port), timeout=30)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr

"""`python -m benchmarks.trivial_server PORT`: the fastest server this machine runs, for a ceiling.

Answers every request with a fixed `200 ok` and does nothing else: one process per core, each an
asyncio protocol on uvloop parsing with httptools (both in C), sharing the port through
SO_REUSEPORT so the kernel spreads connections. Measured on the 2-core development machine it
answered wrk as fast as nginx did (about 95,000 requests a second at 50 connections, the two
cores shared between wrk and the server), so the load generator's figure against it is the
most the generator can show here, and not a limit of this server.
"""

import asyncio
import os
import signal
import socket
import sys
from types import FrameType
from typing import cast

import httptools
import uvloop

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"
CLOSE_ANSWER = ANSWER.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1)
BACKLOG = 1024


class FixedAnswer(asyncio.Protocol):
    """One connection: parse requests (bodies included) and answer each with `ANSWER`."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.parser = httptools.HttpRequestParser(self)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        """Keep the transport to answer on."""
        # uvloop's transports implement asyncio.Transport without subclassing it.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        """Feed the parser; a malformed request closes the connection."""
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.close()

    def on_message_complete(self) -> None:
        """httptools' callback at the end of each request."""
        if self.transport is None:
            return
        if self.parser.should_keep_alive():
            self.transport.write(ANSWER)
        else:
            self.transport.write(CLOSE_ANSWER)
            self.close()

    def close(self) -> None:
        """Close the connection once what was written has gone."""
        if self.transport is not None:
            self.transport.close()


def listening_socket(port: int) -> socket.socket:
    """A loopback socket on `port` that other processes may bind as well."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(BACKLOG)
    return sock


def serve_forever(port: int) -> None:
    """Answer on `port` in this process until it is killed."""

    async def serve() -> None:
        server = await asyncio.get_running_loop().create_server(
            FixedAnswer, sock=listening_socket(port)
        )
        await server.serve_forever()

    uvloop.run(serve())


def main(port: int) -> None:
    """Fork one server per core; SIGTERM to this process stops them all."""
    children = []
    for _ in range((os.cpu_count() or 1) - 1):
        pid = os.fork()
        if pid == 0:
            serve_forever(port)
            os._exit(0)
        children.append(pid)

    def stop(signum: int, frame: FrameType | None) -> None:
        for child in children:
            os.kill(child, signal.SIGTERM)
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    serve_forever(port)


if __name__ == "__main__":
    main(int(sys.argv[1]))

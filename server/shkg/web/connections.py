"""Limits on HTTP connections, below the application: what one client can hold or send.

uvicorn's HTTP protocol (over httptools) parses a request head of any size (and its cost
grows with the square of it), waits for ever for a head or a body sent slowly or not at all,
takes any number of connections, and keeps whatever a client does not read in memory.
:class:`GuardedHttpProtocol` is that protocol with limits, each a setting:

- a request head (request line and headers) over ``max_head_bytes`` is answered 431 and the
  connection closed, as soon as the limit is crossed;
- a head not complete ``head_timeout`` seconds after the connection opened (or after the
  previous response) is answered 408 and closed; so is a body not complete
  ``body_timeout`` seconds after its head;
- a response the client has not taken within ``write_timeout`` seconds of the buffer filling
  is dropped with its connection, and large responses go out in pieces (see :class:`Pieces`),
  so a client that does not read holds one piece, not the whole answer;
- a client (an address, IPv6 by its /64) may hold ``max_client_connections`` connections and
  the server ``max_connections`` in all; past either, a connection is answered 503 and closed
  before anything is read from it;
- a client may make ``client_requests_per_second`` requests a second on average (a token
  bucket holding two seconds' worth); past that, a request is answered 429 and its
  connection closed as soon as its head is read, before the application sees it, so a flood
  of requests costs the server little more than reading them.

A proxy named in ``forwarded_allow_ips`` is held to the total only: it brings many clients'
requests, and limits its clients itself (deploy/nginx.conf).

The settings are read once per server process, from the environment ``shkg serve`` sets.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from shkg.run.ratelimit import client_key
from shkg.settings import Settings

# A response body over this is sent in pieces of this size (see Pieces).
PIECE_BYTES = 64 * 1024


def _refusal(status: int, reason: str, message: str) -> bytes:
    body = message.encode("ascii") + b"\n"
    return (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode("ascii") + body


class GuardedHttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with limits on heads, bodies, slowness and connections."""

    settings: Settings | None = None
    # Connections open now, by client key, and in all: one event loop per process, so
    # plain class attributes shared by its connections are enough.
    open_by_client: Counter[str] = Counter()
    open_total = 0
    # Each client's token bucket: (tokens, when last filled).
    buckets: dict[str, tuple[float, float]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if GuardedHttpProtocol.settings is None:
            GuardedHttpProtocol.settings = Settings.from_sources()
        self.limits = GuardedHttpProtocol.settings
        # Bytes received since the current request head began, while it is being read (the
        # parser hands over a header only once it is whole, too late to count it).
        self.head_bytes = 0
        self.reading_head = True
        self.tail = b""  # the last bytes seen, for a head's end split between two pieces
        self.client_key: str | None = None
        self.deadline: asyncio.TimerHandle | None = None
        self.write_deadline: asyncio.TimerHandle | None = None
        self.refused = False

    # --- connections ---------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.client_key = client_key(self.client[0]) if self.client else "unknown"
        # A trusted proxy brings many clients' requests, and caps connections per client
        # itself: it is held to the total only.
        address = self.client[0] if self.client else None
        self.from_proxy = address is not None and address in self.limits.forwarded_allow_ips
        cls = GuardedHttpProtocol
        cls.open_by_client[self.client_key] += 1
        cls.open_total += 1
        if cls.open_total > self.limits.max_connections:
            self.refuse(503, "Service Unavailable", "too many connections; try again later")
        elif (
            cls.open_by_client[self.client_key] > self.limits.max_client_connections
            and not self.from_proxy
        ):
            self.refuse(503, "Service Unavailable", "too many connections from one client")
        elif not self.from_proxy and not self.has_token():
            # A client already over its request rate: dropped unread, the cheapest answer.
            self.refused = True
            transport.abort()
        else:
            self.arm(self.limits.head_timeout, "the request head took too long")

    def connection_lost(self, exc: Exception | None) -> None:
        cls = GuardedHttpProtocol
        if self.client_key is not None:
            cls.open_by_client[self.client_key] -= 1
            if cls.open_by_client[self.client_key] <= 0:
                del cls.open_by_client[self.client_key]
            cls.open_total -= 1
            self.client_key = None
        self.disarm()
        self.disarm_write()
        super().connection_lost(exc)

    def refuse(self, status: int, reason: str, message: str) -> None:
        """Answer at once and close, whatever state the connection is in."""
        self.refused = True
        self.disarm()
        if not self.transport.is_closing():
            self.transport.write(_refusal(status, reason, message))
            self.transport.close()

    def data_received(self, data: bytes) -> None:
        if self.refused:
            return
        if self.reading_head:
            # Only the head's bytes count: a body may come in the same piece.
            seen = self.tail + data
            end = seen.find(b"\r\n\r\n")
            self.head_bytes += len(data) if end < 0 else max(end + 4 - len(self.tail), 0)
            self.tail = seen[-3:]
            if self.head_bytes > self.limits.max_head_bytes:
                self.refuse(
                    431,
                    "Request Header Fields Too Large",
                    f"request head over {self.limits.max_head_bytes} bytes",
                )
                return
        super().data_received(data)

    # --- the request head and body ----------------------------------------------------------

    def on_headers_complete(self) -> None:
        if self.refused:
            return
        if not self.from_proxy and not self.take_token():
            self.refuse(429, "Too Many Requests", "too many requests from this client; slow down")
            return
        self.reading_head = False
        self.arm(self.limits.body_timeout, "the request body took too long")
        super().on_headers_complete()

    def on_body(self, body: bytes) -> None:
        if not self.refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self.refused:
            return
        self.disarm()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self.reading_head = True
        self.head_bytes = 0
        self.tail = b""
        if not self.transport.is_closing():
            # Between requests uvicorn's keep-alive timeout runs; a head that then starts
            # must still be whole within the head timeout.
            self.arm(
                self.limits.head_timeout + self.timeout_keep_alive, "the request head took too long"
            )

    def has_token(self) -> bool:
        """Whether the client's bucket holds a request now (nothing is taken)."""
        return self.tokens() >= 1

    def take_token(self) -> bool:
        """Whether the client may make one more request now (and it is counted)."""
        tokens, key = self.tokens(), self.client_key
        if tokens == float("inf") or key is None:
            return True
        buckets = GuardedHttpProtocol.buckets
        if len(buckets) > 10_000:  # forget clients whose buckets have filled up again
            now = self.loop.time()
            for key in [key for key in buckets if self.tokens(key, now) >= self.capacity]:
                del buckets[key]
        buckets[key] = (tokens - 1 if tokens >= 1 else tokens, self.loop.time())
        return tokens >= 1

    @property
    def capacity(self) -> float:
        """A bucket holds two seconds' worth of requests."""
        return 2 * (self.limits.client_requests_per_second or 0.0)

    def tokens(self, key: str | None = None, now: float | None = None) -> float:
        """The requests a client's bucket holds now (infinite with no limit)."""
        rate = self.limits.client_requests_per_second
        key = key or self.client_key
        if rate is None or key is None:
            return float("inf")
        now = self.loop.time() if now is None else now
        held, filled = GuardedHttpProtocol.buckets.get(key, (self.capacity, now))
        return min(self.capacity, held + (now - filled) * rate)

    def arm(self, seconds: float, message: str) -> None:
        self.disarm()
        self.deadline = self.loop.call_later(seconds, self.too_slow, message)

    def disarm(self) -> None:
        if self.deadline is not None:
            self.deadline.cancel()
            self.deadline = None

    def too_slow(self, message: str) -> None:
        self.deadline = None
        self.refuse(408, "Request Timeout", message)

    # --- responses the client does not take --------------------------------------------------

    def pause_writing(self) -> None:
        super().pause_writing()
        if self.write_deadline is None:
            self.write_deadline = self.loop.call_later(self.limits.write_timeout, self.drop)

    def resume_writing(self) -> None:
        self.disarm_write()
        super().resume_writing()

    def disarm_write(self) -> None:
        if self.write_deadline is not None:
            self.write_deadline.cancel()
            self.write_deadline = None

    def drop(self) -> None:
        """The client took nothing for the write timeout: drop what waits for it, and it."""
        self.write_deadline = None
        self.transport.abort()


class Pieces:
    """ASGI middleware: a response body over :data:`PIECE_BYTES` goes out in pieces, each
    sent when the client has taken the one before (the server waits for the transport to
    drain between pieces), so a slow reader holds a piece in the server, not the body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def in_pieces(message: Message) -> None:
            body = message.get("body", b"")
            if message["type"] != "http.response.body" or len(body) <= PIECE_BYTES:
                await send(message)
                return
            more = message.get("more_body", False)
            view = memoryview(body)
            for start in range(0, len(body), PIECE_BYTES):
                piece = bytes(view[start : start + PIECE_BYTES])
                last = start + PIECE_BYTES >= len(body)
                await send(
                    {"type": "http.response.body", "body": piece, "more_body": more or not last}
                )

        await self.app(scope, receive, in_pieces)

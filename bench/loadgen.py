"""A closed-loop HTTP/1.1 load generator: asyncio over plain sockets, keep-alive, bounded.

Each of ``concurrency`` connections sends one request, reads the whole response, and sends
the next, so that at most ``concurrency`` requests are in flight.  Requests are pre-encoded
bytes and responses are parsed by an asyncio Protocol only as far as HTTP framing needs
(status line, Content-Length or chunked transfer coding; the body is counted, not kept), so
the client spends a few tens of microseconds per request: on
a 2-core machine shared with the server under test, a heavier client (httpx, a thread per
connection) would itself take a large share of the CPU.

Every phase is bounded twice: by a number of requests and by a time, after which no request
is started; requests in flight then get at most ``timeout`` seconds to finish, and are
counted as errors if they do not.
"""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

TAIL = 64  # bytes of each body kept, to see how it ends


@dataclass(frozen=True)
class HttpRequest:
    """One request, encoded once: the bytes sent, a label, and how a complete body may end
    (after trailing white space; empty: anything goes)."""

    data: bytes
    label: str
    ends: tuple[bytes, ...] = ()


def encode(
    method: str, path: str, host: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + body


@dataclass
class PhaseResult:
    """What one phase measured, client side: latencies of the successful requests, in seconds."""

    latencies: list[float] = field(default_factory=list)
    by_label: dict[str, list[float]] = field(default_factory=dict)
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    response_bytes: int = 0
    elapsed: float = 0.0
    client_cpu: float = 0.0  # seconds of this process's CPU during the phase

    @property
    def completed(self) -> int:
        return len(self.latencies)

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] = self.error_kinds.get(kind, 0) + 1

    def merge(self, other: PhaseResult) -> None:
        self.latencies.extend(other.latencies)
        for label, values in other.by_label.items():
            self.by_label.setdefault(label, []).extend(values)
        self.errors += other.errors
        for kind, count in other.error_kinds.items():
            self.error_kinds[kind] = self.error_kinds.get(kind, 0) + count
        self.response_bytes += other.response_bytes
        self.elapsed += other.elapsed
        self.client_cpu += other.client_cpu


class _ResponseReader(asyncio.Protocol):
    """One keep-alive connection: writes a request, parses the response as it arrives.

    Body bytes are counted and dropped, never kept, but for the last few (``tail``); only the
    status line, headers and chunk-size lines are looked at.  The future ``send()`` returns
    resolves to (status, body size, tail, reusable).
    """

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.waiter: asyncio.Future[tuple[int, int, bytes, bool]] | None = None
        self.closed = False
        self._reset()

    def _reset(self) -> None:
        self.state = "head"
        self.status = 0
        self.size = 0
        self.remaining = 0  # body (or chunk + CRLF) bytes still to come
        self.tail = b""
        self.reusable = True

    # --- asyncio.Protocol -------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        try:
            self._parse()
        except (ValueError, IndexError) as error:
            self._fail(ValueError(f"bad response: {error}"))

    def connection_lost(self, error: Exception | None) -> None:
        self.closed = True
        if self.state == "until-close":
            self._finish()
        else:
            self._fail(ConnectionResetError("connection closed before the response ended"))

    # --- requests ---------------------------------------------------------------------------

    def send(self, data: bytes) -> asyncio.Future[tuple[int, int, bytes, bool]]:
        assert self.transport is not None and self.waiter is None
        self.waiter = asyncio.get_running_loop().create_future()
        self.transport.write(data)
        return self.waiter

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()

    # --- parsing ----------------------------------------------------------------------------

    def _parse(self) -> None:
        while self.waiter is not None:
            if self.state == "head":
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = bytes(self.buffer[:end]).decode("latin-1")
                del self.buffer[: end + 4]
                self._head(head)
            elif self.state in ("body", "chunk-data", "until-close"):
                taken = (
                    len(self.buffer)
                    if self.state == "until-close"
                    else min(self.remaining, len(self.buffer))
                )
                if taken:
                    self.tail = (self.tail + bytes(self.buffer[max(0, taken - TAIL) : taken]))[
                        -TAIL:
                    ]
                del self.buffer[:taken]
                self.remaining -= taken
                if self.state == "until-close" or self.remaining > 0:
                    return
                if self.state == "body":
                    self._finish()
                else:
                    self.state = "chunk-size"
            else:  # chunk-size or trailer: one line each
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    return
                line = bytes(self.buffer[:end])
                del self.buffer[: end + 2]
                self._line(line)

    def _head(self, head: str) -> None:
        lines = head.split("\r\n")
        self.status = int(lines[0].split(" ", 2)[1])
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip().lower()
        self.reusable = headers.get("connection") != "close"
        if "content-length" in headers:
            self.remaining = self.size = int(headers["content-length"])
            self.state = "body"
            if self.remaining == 0:
                self._finish()
        elif "chunked" in headers.get("transfer-encoding", ""):
            self.state = "chunk-size"
        elif self.status in (204, 304) or 100 <= self.status < 200:
            self._finish()
        else:  # no framing: the body ends with the connection
            self.state = "until-close"
            self.reusable = False

    def _line(self, line: bytes) -> None:
        if self.state == "trailer":
            if not line:
                self._finish()
            return
        chunk = int(line.split(b";", 1)[0].strip(), 16)
        if chunk == 0:
            self.state = "trailer"
        else:
            self.size += chunk
            self.remaining = chunk + 2
            self.state = "chunk-data"

    def _finish(self) -> None:
        waiter, self.waiter = self.waiter, None
        outcome = (self.status, self.size, self.tail, self.reusable)
        self._reset()
        if waiter is not None and not waiter.done():
            waiter.set_result(outcome)

    def _fail(self, error: Exception) -> None:
        waiter, self.waiter = self.waiter, None
        if waiter is not None and not waiter.done():
            waiter.set_exception(error)
        self.close()


class _Connection:
    """A connection to the server, opened on first use and again after it was closed."""

    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.protocol: _ResponseReader | None = None

    async def exchange(self, data: bytes) -> tuple[int, int, bytes]:
        if self.protocol is None or self.protocol.closed:
            loop = asyncio.get_running_loop()
            _, self.protocol = await loop.create_connection(_ResponseReader, self.host, self.port)
        status, size, tail, reusable = await self.protocol.send(data)
        if not reusable:
            self.close()
        return status, size, tail

    def close(self) -> None:
        if self.protocol is not None:
            self.protocol.close()
        self.protocol = None


def _complete(tail: bytes, ends: tuple[bytes, ...]) -> bool:
    """Whether a body ending in ``tail`` ends as ``ends`` allows (b"" in it: may be empty)."""
    if not ends:
        return True
    stripped = tail.rstrip()
    return any(stripped.endswith(end) if end else not stripped for end in ends)


def _is_success(status: int) -> bool:
    return 200 <= status < 300 or status == 304


async def _worker(
    connection: _Connection,
    take: Callable[[], HttpRequest | None],
    result: PhaseResult,
    timeout: float,
) -> None:
    try:
        while (request := take()) is not None:
            started = time.perf_counter()
            try:
                # asyncio.timeout, not wait_for: wait_for wraps each request in a new task.
                async with asyncio.timeout(timeout):
                    status, size, tail = await connection.exchange(request.data)
            except TimeoutError:
                connection.close()
                result.error("timeout")
                continue
            except (OSError, ValueError):
                connection.close()
                result.error("connection")
                continue
            if not _is_success(status):
                result.error(f"http {status}")
            elif status != 304 and not _complete(tail, request.ends):
                result.error("incomplete body")
            else:
                elapsed = time.perf_counter() - started
                result.latencies.append(elapsed)
                result.by_label.setdefault(request.label, []).append(elapsed)
                result.response_bytes += size
    finally:
        connection.close()


async def _run(
    host: str,
    port: int,
    next_request: Callable[[int], HttpRequest],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    timeout: float,
) -> PhaseResult:
    result = PhaseResult()
    issued = 0
    deadline = time.perf_counter() + max_seconds

    def take() -> HttpRequest | None:
        nonlocal issued
        if issued >= max_requests or time.perf_counter() >= deadline:
            return None
        issued += 1
        return next_request(issued - 1)

    cpu = time.process_time()
    started = time.perf_counter()
    workers = [
        asyncio.create_task(_worker(_Connection(host, port), take, result, timeout))
        for _ in range(concurrency)
    ]
    # Workers stop taking requests at the deadline; the last ones in flight get `timeout`.
    _, pending = await asyncio.wait(workers, timeout=max_seconds + timeout + 1.0)
    for task in pending:
        task.cancel()
        result.error("abandoned")
    await asyncio.gather(*workers, return_exceptions=True)
    result.elapsed = time.perf_counter() - started
    result.client_cpu = time.process_time() - cpu
    return result


def run_phase(
    host: str,
    port: int,
    next_request: Callable[[int], HttpRequest],
    concurrency: int,
    max_requests: int,
    max_seconds: float,
    timeout: float = 10.0,
) -> PhaseResult:
    """Send requests ``next_request(0)``, ``next_request(1)``... over ``concurrency``
    connections until ``max_requests`` were started or ``max_seconds`` passed."""
    return asyncio.run(
        _run(host, port, next_request, concurrency, max_requests, max_seconds, timeout)
    )


def percentile(values: list[float], fraction: float) -> float | None:
    """The nearest-rank percentile (``fraction`` in 0..1) of ``values``; None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(len(ordered), max(1, math.ceil(fraction * len(ordered))))
    return ordered[rank - 1]

"""Per-client limits: queries in flight at once, and query seconds in a sliding minute.

A query's cost is the wall time it ran, known only when it ends, so it is charged then: a
client may start a query while it has any budget left, and the charge may take it past the
budget, which then refuses it until enough of its spending is a minute old.

Clients are keyed by what the app passes (the client's IP address).  The table forgets a client
once it has nothing in flight and nothing charged in the window, and it holds at most
``max_clients`` clients: past that the least recently seen idle client is forgotten, budget and
all, which is the price of bounded memory when many addresses are in use.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from shkg.errors import TooManyRequests
from shkg.settings import Settings

WINDOW_SECONDS = 60.0
# Charges that end within this many seconds of each other share one entry, so a client's
# history is at most about WINDOW_SECONDS / BUCKET_SECONDS entries however often it queries;
# the cost is that a charge may leave the window up to this much early.
BUCKET_SECONDS = 1.0


@dataclass
class _Client:
    in_flight: int = 0
    waiting: int = 0  # requests waiting for one of its queries in flight to end
    last_seen: float = 0.0
    # [time the bucket's first charge ended, seconds charged to it], oldest first.
    charges: deque[list[float]] = field(default_factory=deque)
    spent: float = 0.0

    def expire(self, now: float) -> None:
        while self.charges and self.charges[0][0] + WINDOW_SECONDS <= now:
            self.spent -= self.charges.popleft()[1]
        if not self.charges:
            self.spent = 0.0  # no rounding error left behind

    def charge(self, now: float, seconds: float) -> None:
        if self.charges and now < self.charges[-1][0] + BUCKET_SECONDS:
            self.charges[-1][1] += seconds
        else:
            self.charges.append([now, seconds])
        self.spent += seconds

    def seconds_until_below(self, budget: float, now: float) -> float:
        """How long until the charges still in the window add up to less than ``budget``."""
        remaining = self.spent
        for ended, seconds in self.charges:
            remaining -= seconds
            if remaining < budget:
                return ended + WINDOW_SECONDS - now
        return 0.0


def client_key(host: str) -> str:
    """Who a client is for the limits: its IPv4 address, or the /64 network of its IPv6
    address (one host is given a whole /64, so it could otherwise pose as many clients)."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return (
        str(address.ipv4_mapped or address)
        if isinstance(address, ipaddress.IPv6Address)
        else str(address)
    )


@dataclass
class Charge:
    """What an admitted request is charged at least, in seconds (else its wall time)."""

    at_least: float = 0.0


class RateLimiter:
    """Admits a client's query, or refuses it with TooManyRequests and a Retry-After.

    ``max_concurrent`` caps a client's queries in flight; ``query_seconds_per_minute`` caps the
    wall time its queries took in the last minute.  None turns a limit off; with both off,
    ``admit`` does nothing.  Thread-safe: the app admits from its threadpool.
    """

    def __init__(
        self,
        max_concurrent: int | None,
        query_seconds_per_minute: float | None,
        clock: Callable[[], float] = time.monotonic,
        max_clients: int = 10_000,
        wait_seconds: float = 0.0,
        max_waiting: int = 8,
    ) -> None:
        if max_concurrent is not None and max_concurrent < 1:
            raise ValueError("max_concurrent must be at least 1, or None for no limit")
        if query_seconds_per_minute is not None and not query_seconds_per_minute > 0:
            raise ValueError("query_seconds_per_minute must be positive, or None for no limit")
        if max_clients < 1:
            raise ValueError("max_clients must be at least 1")
        self.max_concurrent = max_concurrent
        self.budget = query_seconds_per_minute
        self.clock = clock
        self.max_clients = max_clients
        # A query over the client's concurrency waits up to this long for one of its queries
        # to end (at most ``max_waiting`` of them at once), before it is refused: clients that
        # send a few queries at once (federation engines do) are served in turn, not refused.
        self.wait_seconds = wait_seconds
        self.max_waiting = max_waiting
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        # Least recently seen first.
        self._clients: OrderedDict[str, _Client] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        return cls(
            settings.rate_concurrent,
            settings.rate_query_seconds,
            wait_seconds=settings.queue_seconds,
            max_waiting=settings.queue_length,
        )

    @property
    def enabled(self) -> bool:
        return self.max_concurrent is not None or self.budget is not None

    def __len__(self) -> int:
        """How many clients the limiter remembers."""
        with self._lock:
            return len(self._clients)

    @contextmanager
    def admit(self, client: str) -> Iterator[Charge]:
        """Run the body as one of ``client``'s queries, charging its wall time on exit, or
        more: the body may raise the :class:`Charge` it is given (for an answer whose cost is
        in sending it, not in making it)."""
        charge = Charge()
        if not self.enabled:
            yield charge
            return
        with self._lock:
            now = self.clock()
            state = self._lookup(client, now)
            if self._full(state) and self.wait_seconds > 0 and state.waiting < self.max_waiting:
                state.waiting += 1
                try:
                    deadline = time.monotonic() + self.wait_seconds
                    while self._full(state) and time.monotonic() < deadline:
                        self._freed.wait(deadline - time.monotonic())
                finally:
                    state.waiting -= 1
                now = self.clock()
            self._refuse_if_over(state, now)
            state.in_flight += 1
        started = self.clock()
        try:
            yield charge
        finally:
            with self._lock:
                ended = self.clock()
                state.in_flight -= 1
                state.last_seen = ended
                if self.budget is not None:
                    state.charge(ended, max(ended - started, charge.at_least, 0.0))
                if self._clients.get(client) is state:
                    self._clients.move_to_end(client)
                    if state.in_flight == 0 and not state.waiting and not state.charges:
                        del self._clients[client]
                self._freed.notify_all()

    def _full(self, state: _Client) -> bool:
        return self.max_concurrent is not None and state.in_flight >= self.max_concurrent

    def _refuse_if_over(self, state: _Client, now: float) -> None:
        if self.max_concurrent is not None and state.in_flight >= self.max_concurrent:
            # When a query in flight will end is not known; a second is a fair first guess.
            raise TooManyRequests(
                f"too many queries at once from this client (at most {self.max_concurrent}); "
                "wait for one to finish",
                retry_after=1,
            )
        if self.budget is not None:
            state.expire(now)
            if state.spent >= self.budget:
                wait = max(1, math.ceil(state.seconds_until_below(self.budget, now)))
                raise TooManyRequests(
                    f"this client's queries took {state.spent:.1f} s in the last minute, over "
                    f"the budget of {self.budget:g} s a minute; retry in {wait} s",
                    retry_after=wait,
                )

    def _lookup(self, client: str, now: float) -> _Client:
        """The client's record, made most recently seen; forgets idle and surplus clients."""
        self._forget_idle(now)
        state = self._clients.get(client)
        if state is None:
            self._make_room()
            state = self._clients[client] = _Client()
        state.last_seen = now
        self._clients.move_to_end(client)
        return state

    def _forget_idle(self, now: float) -> None:
        # Least recently seen first, so the scan stops at the first client still of interest.
        while self._clients:
            oldest = next(iter(self._clients.values()))
            if oldest.in_flight or oldest.waiting or oldest.last_seen + WINDOW_SECONDS > now:
                return
            self._clients.popitem(last=False)

    def _make_room(self) -> None:
        if len(self._clients) < self.max_clients:
            return
        for key, state in self._clients.items():
            if state.in_flight == 0 and state.waiting == 0:
                del self._clients[key]
                return
        # Every remembered client has a query running; the table may outgrow the cap by the
        # number of queries in flight, which the worker pool bounds.

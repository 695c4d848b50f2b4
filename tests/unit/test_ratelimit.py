"""The per-client rate limiter, on a fake clock."""

from __future__ import annotations

import threading
from contextlib import ExitStack

import pytest

from shkg.errors import TooManyRequests
from shkg.run.ratelimit import RateLimiter, client_key


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def run(limiter: RateLimiter, clock: Clock, client: str, seconds: float) -> None:
    """One query by ``client`` that takes ``seconds``."""
    with limiter.admit(client):
        clock.advance(seconds)


def refusal(limiter: RateLimiter, client: str) -> TooManyRequests:
    with pytest.raises(TooManyRequests) as caught, limiter.admit(client):
        pass
    return caught.value


def test_concurrency_cap() -> None:
    clock = Clock()
    limiter = RateLimiter(max_concurrent=2, query_seconds_per_minute=None, clock=clock)
    with ExitStack() as running:
        running.enter_context(limiter.admit("1.2.3.4"))
        running.enter_context(limiter.admit("1.2.3.4"))
        refused = refusal(limiter, "1.2.3.4")
        assert refused.status == 429 and refused.retry_after == 1
        assert "at most 2" in refused.message
        with limiter.admit("5.6.7.8"):  # another client is not affected
            pass
    with limiter.admit("1.2.3.4"):  # a slot is free again
        pass


def test_concurrency_slot_is_freed_when_the_query_fails() -> None:
    limiter = RateLimiter(max_concurrent=1, query_seconds_per_minute=None, clock=Clock())
    with pytest.raises(RuntimeError), limiter.admit("c"):
        raise RuntimeError("query failed")
    with limiter.admit("c"):
        pass


def test_budget_exhaustion_and_retry_after() -> None:
    clock = Clock()
    limiter = RateLimiter(max_concurrent=None, query_seconds_per_minute=10, clock=clock)
    run(limiter, clock, "c", 4)  # ends at t=4 (from the start)
    clock.advance(2)
    run(limiter, clock, "c", 7)  # may start with budget left; ends at t=13, 11 s spent
    refused = refusal(limiter, "c")
    assert "over the budget of 10 s a minute" in refused.message
    # Once the first query's 4 s leave the window (60 s after it ended, at t=64) 7 s remain.
    assert refused.retry_after == 51
    clock.advance(50)
    assert refusal(limiter, "c").retry_after == 1
    clock.advance(1)
    with limiter.admit("c"):
        pass


def test_retry_after_is_whole_seconds_and_at_least_one() -> None:
    clock = Clock()
    limiter = RateLimiter(None, 1.0, clock=clock)
    run(limiter, clock, "c", 1.5)
    clock.advance(59.75)
    refused = refusal(limiter, "c")
    assert refused.retry_after == 1 and isinstance(refused.retry_after, int)
    clock.advance(0.25)
    run(limiter, clock, "c", 0)


def test_failed_queries_are_charged_too() -> None:
    clock = Clock()
    limiter = RateLimiter(None, 5, clock=clock)
    with pytest.raises(TimeoutError), limiter.admit("c"):
        clock.advance(6)
        raise TimeoutError
    refusal(limiter, "c")


def test_window_slides() -> None:
    clock = Clock()
    limiter = RateLimiter(None, 10, clock=clock)
    for _ in range(4):  # 2 s every 15 s, ending at t=2, 17, 32 and 47
        run(limiter, clock, "c", 2)
        clock.advance(13)
    run(limiter, clock, "c", 4)  # t=60 to 64: the first 2 s have left, 10 s are in the window
    refused = refusal(limiter, "c")
    assert refused.retry_after == 13  # at t=77 the charge that ended at t=17 leaves
    clock.advance(12)
    refusal(limiter, "c")
    clock.advance(1)
    run(limiter, clock, "c", 0)


def test_many_short_queries_are_all_charged() -> None:
    clock = Clock()
    limiter = RateLimiter(None, 5, clock=clock)
    admitted = 0
    with pytest.raises(TooManyRequests) as caught:
        while True:
            run(limiter, clock, "c", 1 / 64)
            admitted += 1
    assert admitted == 5 * 64
    # Charges are kept per second: the first second's 64 leave the window at t=60 + 1/64.
    assert caught.value.retry_after == 56


def test_clients_have_separate_budgets() -> None:
    clock = Clock()
    limiter = RateLimiter(None, 1, clock=clock)
    run(limiter, clock, "a", 2)
    refusal(limiter, "a")
    run(limiter, clock, "b", 0.5)


def test_idle_clients_are_forgotten() -> None:
    clock = Clock()
    limiter = RateLimiter(max_concurrent=3, query_seconds_per_minute=10, clock=clock)
    for client in range(100):
        run(limiter, clock, f"10.0.0.{client}", 0.1)
    assert len(limiter) == 100
    clock.advance(61)
    run(limiter, clock, "new", 0.1)
    assert len(limiter) == 1


def test_concurrency_only_remembers_clients_with_queries_in_flight() -> None:
    clock = Clock()
    limiter = RateLimiter(max_concurrent=1, query_seconds_per_minute=None, clock=clock)
    for client in range(50):
        run(limiter, clock, str(client), 1)
    assert len(limiter) == 0
    with limiter.admit("busy"):
        assert len(limiter) == 1


def test_table_is_capped_evicting_the_least_recently_seen() -> None:
    clock = Clock()
    limiter = RateLimiter(None, 10, clock=clock, max_clients=3)
    for client in ("a", "b", "c"):
        run(limiter, clock, client, 10)  # each has spent its budget
        clock.advance(1)
    refusal(limiter, "a")  # "a" is now the most recently seen
    run(limiter, clock, "d", 1)  # evicts "b", the least recently seen
    assert len(limiter) == 3
    run(limiter, clock, "b", 1)  # forgotten, so admitted; evicts "c"
    refusal(limiter, "a")
    run(limiter, clock, "c", 1)  # "c" was evicted in turn


def test_clients_with_queries_in_flight_are_not_evicted() -> None:
    clock = Clock()
    limiter = RateLimiter(
        max_concurrent=1, query_seconds_per_minute=None, clock=clock, max_clients=2
    )
    with limiter.admit("a"), limiter.admit("b"):
        with limiter.admit("c"):  # over the cap while everything is busy
            assert len(limiter) == 3
        refusal(limiter, "a")  # still counted
    assert len(limiter) == 0


def test_limiter_off() -> None:
    clock = Clock()
    limiter = RateLimiter(None, None, clock=clock)
    assert not limiter.enabled
    with ExitStack() as running:
        for _ in range(100):
            running.enter_context(limiter.admit("c"))
        clock.advance(1000)
    assert len(limiter) == 0


def test_one_limit_off() -> None:
    clock = Clock()
    # Only a budget: any number of queries at once is admitted (admit raises when it refuses).
    budget_only = RateLimiter(None, 100, clock=clock)
    with ExitStack() as running:
        for _ in range(50):
            running.enter_context(budget_only.admit("c"))
        assert len(budget_only) == 1  # one client, fifty queries in flight, none refused
    # Only a concurrency cap: however long each query takes, the next one after it is admitted,
    # but a second one at the same time is refused.
    concurrency_only = RateLimiter(1, None, clock=clock)
    run(concurrency_only, clock, "c", 10_000)
    run(concurrency_only, clock, "c", 10_000)
    with concurrency_only.admit("c"):
        assert refusal(concurrency_only, "c").status == 429


@pytest.mark.parametrize(
    ("concurrent", "seconds", "clients"),
    [(0, None, 1), (None, 0.0, 1), (None, -1.0, 1), (1, 1.0, 0)],
)
def test_invalid_settings(concurrent: int | None, seconds: float | None, clients: int) -> None:
    with pytest.raises(ValueError):
        RateLimiter(concurrent, seconds, max_clients=clients)


def test_thread_safety() -> None:
    """Many threads on one client never see more than the cap in flight, and none is lost."""
    limiter = RateLimiter(max_concurrent=3, query_seconds_per_minute=None)
    lock = threading.Lock()
    in_flight = peak = admitted = refused = 0
    start = threading.Barrier(16)

    def worker() -> None:
        nonlocal in_flight, peak, admitted, refused
        start.wait()
        for _ in range(200):
            try:
                with limiter.admit("c"):
                    with lock:
                        in_flight += 1
                        peak = max(peak, in_flight)
                        admitted += 1
                    with lock:
                        in_flight -= 1
            except TooManyRequests:
                with lock:
                    refused += 1

    threads = [threading.Thread(target=worker) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak <= 3
    assert admitted + refused == 16 * 200 and admitted > 0
    assert len(limiter) == 0


@pytest.mark.parametrize(
    ("host", "key"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("2001:db8:1:2:ffff:ffff:ffff:fffe", "2001:db8:1:2::/64"),
        ("2001:db8:1:3::1", "2001:db8:1:3::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("testclient", "testclient"),
    ],
)
def test_clients_are_addresses_and_ipv6_clients_their_64(host: str, key: str) -> None:
    assert client_key(host) == key


def test_a_query_over_the_concurrency_waits_its_turn_then_is_refused() -> None:
    # Federation engines send a few queries at once: they are served in turn.
    limiter = RateLimiter(1, None, wait_seconds=5.0, max_waiting=1)
    order: list[str] = []
    entered = threading.Event()

    def second() -> None:
        with limiter.admit("client"):
            order.append("second")

    with limiter.admit("client"):
        waiter = threading.Thread(target=second)
        waiter.start()
        while limiter._clients["client"].waiting == 0:
            entered.wait(0.01)
        # One waits already: a third is refused at once.
        with pytest.raises(TooManyRequests), limiter.admit("client"):
            pass
        order.append("first")
    waiter.join()
    assert order == ["first", "second"]
    # No wait allowed: refused at once, as before.
    strict = RateLimiter(1, None)
    with strict.admit("c"), pytest.raises(TooManyRequests), strict.admit("c"):
        pass

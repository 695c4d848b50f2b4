"""The query pool: answers from many threads, kills runaway queries, survives killed workers."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from bench.attacks import MEMORY_BOMB  # 1.7 KB: a gigabyte in seconds

from shkg.build.release import Release
from shkg.errors import (
    BadRequest,
    NotAcceptable,
    QueryOutOfMemory,
    ServiceUnavailable,
    UpdateAsQuery,
)
from shkg.query.sparql import Answer, Limits, QueryRequest, answer
from shkg.run import workers
from shkg.run.workers import QueryPool, WorkerFault, _Worker

RUNAWAY = QueryRequest(query="SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
COUNT = QueryRequest(query="SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", format="json")
CLUSTERS = QueryRequest(
    query="SELECT ?c WHERE { ?c a <https://w3id.org/shkg/ontology#IndustrialCluster> } ORDER BY ?c",
    format="csv",
)
REQUESTS = [
    COUNT,
    CLUSTERS,
    QueryRequest(query="ASK { ?s ?p ?o }", accept="application/sparql-results+xml"),
    QueryRequest(
        query="CONSTRUCT WHERE { ?c a <https://w3id.org/shkg/ontology#IndustrialCluster> }",
        accept="application/n-triples",
    ),
    QueryRequest(
        query="SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 500", format="tsv"
    ),
]
# Generous bounds: these only catch a pool that hangs, not a slow machine.
PROMPTLY = 10.0


@pytest.fixture(scope="module")
def store(release: Release) -> pyoxigraph.Store:
    return release.open_store()


@pytest.fixture
def make_pool(release: Release) -> Iterator[Callable[..., QueryPool]]:
    """Pools over the session's release, all closed at the end of the test."""
    pools: list[QueryPool] = []

    def make(
        size: int = 2, timeout: float = 30.0, limits: Limits | None = None, **options: Any
    ) -> QueryPool:
        pools.append(
            QueryPool(
                release.store_path,
                size=size,
                timeout=timeout,
                limits=limits or Limits(),
                **options,
            )
        )
        return pools[-1]

    yield make
    for pool in pools:
        pool.close()


def gone(pid: int) -> bool:
    """Whether a process has exited and been reaped (a zombie still has its /proc entry)."""
    return not Path(f"/proc/{pid}").exists()


def dead(pid: int) -> bool:
    """Whether a process has exited, reaped or not."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def children() -> set[int]:
    """Live child processes of this one, except multiprocessing's resource tracker.

    The spawn method starts that tracker once per process and shares it with every user of
    multiprocessing; it ends with this process, not with a pool.
    """
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes()
        except OSError:
            continue
        if (
            int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid()
            and b"resource_tracker" not in command
        ):
            found.add(int(entry.name))
    return found


def run_in_thread(
    pool: QueryPool, request: QueryRequest, timeout: float
) -> tuple[threading.Thread, list[object]]:
    outcome: list[object] = []

    def target() -> None:
        try:
            outcome.append(pool.run(request, timeout=timeout))
        except Exception as error:  # noqa: BLE001 - the test looks at it
            outcome.append(error)

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def wait_for(condition: Callable[[], bool], seconds: float = PROMPTLY) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.mark.slow
def test_answers_from_eight_threads(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store
) -> None:
    pool = make_pool(size=2)
    expected = {request: answer(store, request) for request in REQUESTS}
    work = REQUESTS * 16
    with ThreadPoolExecutor(max_workers=8) as threads:
        answers = list(threads.map(pool.run, work))
    for request, got in zip(work, answers, strict=True):
        assert got == expected[request]
    assert pool.busy == 0 and pool.timeouts == 0 and pool.respawns == 0


def test_runaway_query_is_killed_and_its_worker_replaced(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store
) -> None:
    pool = make_pool(size=2, timeout=1.0)
    before = set(pool.pids)
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="longer than 1 s and was cancelled") as caught:
        pool.run(RUNAWAY)
    assert time.monotonic() - started < PROMPTLY
    assert caught.value.retry_after is not None
    killed = before - set(pool.pids)
    assert len(killed) == 1 and gone(killed.pop())
    assert len(pool.pids) == 2
    assert pool.timeouts == 1 and pool.respawns == 1 and pool.busy == 0
    for _ in range(4):  # both the survivor and the replacement answer
        assert pool.run(COUNT) == answer(store, COUNT)


@pytest.mark.slow
def test_a_runaway_query_does_not_hold_up_the_others(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store
) -> None:
    pool = make_pool(size=2, timeout=30.0)
    first, first_outcome = run_in_thread(pool, RUNAWAY, timeout=4.0)
    wait_for(lambda: pool.busy == 1)
    started = time.monotonic()
    assert pool.run(CLUSTERS) == answer(store, CLUSTERS)
    assert time.monotonic() - started < PROMPTLY
    # Both workers on long queries, demoted: a spare worker answers the short ones.
    second, second_outcome = run_in_thread(pool, RUNAWAY, timeout=4.0)
    wait_for(lambda: pool.busy == 2 and len(pool.pids) == 3)
    assert pool.run(COUNT) == answer(store, COUNT)
    for thread, outcome in ((first, first_outcome), (second, second_outcome)):
        thread.join()
        assert isinstance(outcome[0], ServiceUnavailable) and "cancelled" in outcome[0].message
    assert pool.timeouts == 2
    assert len(pool.pids) == 2  # no long query left: back to its size, the spare retired
    assert pool.run(COUNT) == answer(store, COUNT)


@pytest.mark.slow
def test_long_queries_are_demoted_and_take_at_most_twice_the_workers(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store
) -> None:
    pool = make_pool(size=1, timeout=30.0)
    first, first_outcome = run_in_thread(pool, RUNAWAY, timeout=3.0)
    wait_for(lambda: len(pool.pids) == 2)  # demoted, so a spare was started
    demoted = [pid for pid in pool.pids if os.getpriority(os.PRIO_PROCESS, pid) == 19]
    assert len(demoted) == 1
    second, second_outcome = run_in_thread(pool, RUNAWAY, timeout=3.0)
    wait_for(lambda: pool.busy == 2)
    time.sleep(0.5)
    assert len(pool.pids) == 2  # at most twice its size
    # Every worker busy: a query that cannot wait long gets 503 at once.
    with pytest.raises(ServiceUnavailable, match="all query workers are busy") as caught:
        pool.run(COUNT, timeout=0.2)
    assert caught.value.retry_after == 1
    for thread, outcome in ((first, first_outcome), (second, second_outcome)):
        thread.join()
        assert isinstance(outcome[0], ServiceUnavailable) and "cancelled" in outcome[0].message
    assert pool.timeouts == 2 and len(pool.pids) == 1
    assert all(os.getpriority(os.PRIO_PROCESS, pid) == 0 for pid in pool.pids)
    assert pool.run(COUNT) == answer(store, COUNT)


def test_worker_killed_while_idle_is_replaced(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store
) -> None:
    pool = make_pool(size=2)
    victim = pool.pids[0]
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: dead(victim))
    for _ in range(4):  # takes both workers at least once: no query sees the dead one
        assert pool.run(COUNT) == answer(store, COUNT)
    assert victim not in pool.pids and gone(victim)
    assert pool.respawns == 1 and pool.timeouts == 0 and len(pool.pids) == 2


def test_a_worker_whose_exit_status_another_thread_took_is_replaced(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store
) -> None:
    # Starting a process polls every child multiprocessing knows of, so a replacement started
    # on one thread can collect the exit status of a worker another thread is reaping; that
    # thread's wait then learns nothing. Found by the crash drill as a 500.
    pool = make_pool(size=2)
    victim = pool.pids[0]
    os.kill(victim, signal.SIGKILL)
    assert os.waitpid(victim, 0)[0] == victim  # collected here, as elsewhere it might be
    for _ in range(4):
        assert pool.run(COUNT) == answer(store, COUNT)
    assert victim not in pool.pids and pool.respawns == 1 and len(pool.pids) == 2


def test_dead_workers_that_still_look_alive_are_replaced(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A killed worker looks alive until its last thread has exited, and its pipe stays open
    # that long: the pool must find it dead on the pipe, then replace it and use another.
    pool = make_pool(size=2)
    victims = pool.pids
    monkeypatch.setattr(_Worker, "alive", lambda worker: True)
    for victim in victims:
        os.kill(victim, signal.SIGKILL)
    wait_for(lambda: all(dead(victim) for victim in victims))
    for _ in range(4):
        assert pool.run(COUNT) == answer(store, COUNT)
    assert not set(victims) & set(pool.pids) and all(gone(victim) for victim in victims)
    assert pool.respawns == 2 and pool.timeouts == 0 and len(pool.pids) == 2


def test_replacement_killed_while_starting_is_replaced(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = make_pool(size=1)
    (victim,) = pool.pids
    started = _Worker.start.__func__  # type: ignore[attr-defined]
    killed: list[int] = []

    def start_and_kill_the_first(cls: type[_Worker], *args: object) -> _Worker:
        worker: _Worker = started(cls, *args)
        if not killed:
            killed.append(worker.pid)
            os.kill(worker.pid, signal.SIGKILL)
        return worker

    # The victim looks alive, so it is found dead on its pipe; its replacement is killed
    # before it greets; the query goes to the replacement's replacement.
    monkeypatch.setattr(_Worker, "alive", lambda worker: True)
    monkeypatch.setattr(_Worker, "start", classmethod(start_and_kill_the_first))
    os.kill(victim, signal.SIGKILL)
    wait_for(lambda: dead(victim))
    assert pool.run(COUNT) == answer(store, COUNT)
    assert len(killed) == 1 and gone(killed[0]) and gone(victim)
    assert pool.respawns == 2 and pool.timeouts == 0 and len(pool.pids) == 1


def test_worker_killed_during_a_query_fails_only_that_query(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store
) -> None:
    pool = make_pool(size=1)
    (victim,) = pool.pids
    thread, outcome = run_in_thread(pool, RUNAWAY, timeout=30.0)
    wait_for(lambda: pool.busy == 1)
    time.sleep(0.1)  # let the worker start on the query
    os.kill(victim, signal.SIGKILL)
    thread.join(PROMPTLY)
    assert not thread.is_alive()
    assert (
        isinstance(outcome[0], ServiceUnavailable) and "stopped unexpectedly" in outcome[0].message
    )
    assert gone(victim) and victim not in pool.pids
    assert pool.respawns == 1 and pool.timeouts == 0
    assert pool.run(COUNT) == answer(store, COUNT)


def test_client_errors_come_through_the_pool(make_pool: Callable[..., QueryPool]) -> None:
    pool = make_pool(size=1)
    with pytest.raises(BadRequest, match="malformed query"):
        pool.run(QueryRequest(query="SELECT * WHERE { ?s ?p }"))
    with pytest.raises(UpdateAsQuery, match="read-only"):
        pool.run(QueryRequest(query="INSERT DATA { <urn:a> <urn:b> <urn:c> }"))
    with pytest.raises(NotAcceptable):
        pool.run(QueryRequest(query="ASK {}", accept="image/png"))
    assert pool.respawns == 0  # the worker stays


def test_limits_apply_in_the_workers(make_pool: Callable[..., QueryPool]) -> None:
    pool = make_pool(size=1, limits=Limits(max_rows=3))
    got = pool.run(CLUSTERS)
    assert isinstance(got, Answer) and got.truncated and got.rows == 3
    assert got.body.count(b"\r\n") == 4


def test_close_leaves_no_child_processes(release: Release) -> None:
    before = children()
    pool = QueryPool(release.store_path, size=2, timeout=30.0, limits=Limits())
    pids = pool.pids
    assert set(pids) <= children()
    pool.run(COUNT)
    thread, outcome = run_in_thread(pool, RUNAWAY, timeout=30.0)
    wait_for(lambda: pool.busy == 1)
    pool.close()
    thread.join(PROMPTLY)
    assert isinstance(outcome[0], ServiceUnavailable) and "shutting down" in outcome[0].message
    assert all(gone(pid) for pid in pids)
    assert children() <= before
    pool.close()  # idempotent
    with pytest.raises(ServiceUnavailable, match="shutting down"):
        pool.run(COUNT)


def test_context_manager_closes(release: Release) -> None:
    with QueryPool(release.store_path, size=1, timeout=30.0, limits=Limits()) as pool:
        pids = pool.pids
        pool.run(COUNT)
    assert all(gone(pid) for pid in pids)


def test_a_store_that_cannot_open_fails_the_start(tmp_path: Path) -> None:
    before = children()
    with pytest.raises(WorkerFault, match="could not start"):
        QueryPool(tmp_path / "no-store", size=2, timeout=30.0, limits=Limits())
    assert children() <= before


def test_in_process_mode(release: Release, store: pyoxigraph.Store) -> None:
    before = children()
    with QueryPool(release.store_path, size=0, timeout=1.0, limits=Limits(max_rows=2)) as pool:
        assert pool.pids == ()
        assert children() == before
        got = pool.run(CLUSTERS)
        assert got == answer(store, CLUSTERS, Limits(max_rows=2)) and got.truncated
        with pytest.raises(BadRequest):
            pool.run(QueryRequest(query="SELEC"))
        assert pool.busy == 0
    with pytest.raises(ServiceUnavailable):
        pool.run(COUNT)


def test_a_demoted_query_that_ends_leaves_its_worker_at_normal_priority(
    make_pool: Callable[..., QueryPool], store: pyoxigraph.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shkg.run.workers.SLOW_SECONDS", 0.0)  # every query counts as long
    pool = make_pool(size=1, timeout=30.0)
    for _ in range(3):
        assert pool.run(CLUSTERS) == answer(store, CLUSTERS)
    # Promoted back (or, where a process may not raise its priority, replaced), and the spare
    # started meanwhile retired: one worker, at normal priority.
    wait_for(lambda: len(pool.pids) == 1)
    assert [os.getpriority(os.PRIO_PROCESS, pid) for pid in pool.pids] == [0]
    assert pool.busy == 0


@pytest.mark.slow
def test_a_query_over_the_memory_limit_is_stopped_and_its_worker_replaced(
    make_pool: Callable[..., QueryPool],
) -> None:
    pool = make_pool(size=1, memory=512 * 2**20)
    before = pool.pids
    with pytest.raises(QueryOutOfMemory, match="more than 512 MB"):
        pool.run(QueryRequest(query=MEMORY_BOMB))
    assert pool.pids != before
    assert pool.run(QueryRequest(query="ASK {}")).body  # the replacement answers


@pytest.mark.slow
def test_waiting_for_a_worker_is_bounded(
    make_pool: Callable[..., QueryPool], monkeypatch: pytest.MonkeyPatch
) -> None:
    # No spare worker for the runaway (demotion would start one): one worker, held.
    monkeypatch.setattr(workers, "SLOW_SECONDS", 60.0)
    pool = make_pool(size=1, queue_seconds=0.5, max_waiting=1)
    outcomes: list[object] = []

    def run(request: QueryRequest) -> None:
        try:
            outcomes.append(pool.run(request, timeout=2.0))
        except Exception as error:  # noqa: BLE001 - what each caller got is the point
            outcomes.append(error)

    holder = threading.Thread(target=run, args=(RUNAWAY,))
    holder.start()
    wait_for(lambda: pool.busy == 1)
    waiter = threading.Thread(target=run, args=(QueryRequest(query="ASK {}"),))
    waiter.start()
    wait_for(lambda: pool._waiting == 1)
    # The queue is full: refused at once, not after the queue time.
    started = time.monotonic()
    with pytest.raises(ServiceUnavailable, match="busy"):
        pool.run(QueryRequest(query="ASK { ?s ?p ?o }"))
    assert time.monotonic() - started < 0.5
    waiter.join()
    holder.join()
    # The waiter gave up after its queue time, long before the runaway's timeout.
    assert any(isinstance(o, ServiceUnavailable) and "busy" in o.message for o in outcomes)

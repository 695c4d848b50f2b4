"""A pool of worker processes that run queries, so a query that runs too long can be killed.

pyoxigraph cannot cancel a query once it runs, and a thread cannot be stopped, so each query
runs in a worker process that the pool kills (SIGKILL) when its time is up, starting a
replacement.  Workers are started with multiprocessing's "spawn" method: a fresh interpreter
that opens the store read-only once, then answers one query at a time.  The server's
process has threads, and forking it without exec could copy a lock some thread holds.

Two things come with "spawn": the child imports the parent's main module again (as
``__mp_main__``), so a script that starts a pool needs the ``if __name__ == "__main__":``
guard; and multiprocessing starts its resource tracker, one helper process per parent
process, shared by every user of multiprocessing, which ends with the parent, not the pool.
Only pipes pass between pool and workers (no locks or queues), so nothing is registered with it.

``size == 0`` runs queries in the calling process instead, with no timeout: for tools and
unit tests that need no isolation.

Long queries must not starve short ones.  A query still running after ``SLOW_SECONDS`` is
*demoted*: its worker's CPU priority drops to the lowest (nice 19), so the kernel gives the
cores to everything else first; and while any query is demoted the pool keeps one spare
worker, up to ``size`` more, so a short query never waits behind long ones for a worker.  A
demoted worker is promoted back when its query ends, or, where the system does not let a
process raise a priority (an unprivileged user), retired and replaced; spares retire once
no query is demoted.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections import deque
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnContext, SpawnProcess
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import pyoxigraph

from shkg.errors import HttpError, QueryOutOfMemory, QueryTimedOut, ServiceUnavailable
from shkg.query.results import Limits
from shkg.query.sparql import Answer, QueryRequest, answer
from shkg.run.inprocess import InProcessQueries

STARTUP_SECONDS = 60.0  # for the first workers to open the store, in __init__
STOP_SECONDS = 2.0  # for workers to exit when asked, in close(), before they are killed
REAP_SETTLE_SECONDS = 1.0  # for an exit status another thread collected (see _Worker.reap)
# Seconds a client is told to wait after its query was cancelled: a replacement worker starts
# in well under a second, but the same query would most likely run out of time again.
RESPAWN_RETRY_AFTER = 2
PARENT_CHECK_SECONDS = 1.0
SLOW_SECONDS = 0.2  # a query running longer is demoted (see the module docstring)
DEMOTED_NICE = 19


class WorkerFault(RuntimeError):
    """A worker could not start, or a query failed in a way that is not the client's."""


class _ExitedStarting(WorkerFault):
    """A worker's pipe ended before it said whether it opened the store."""


class _DiedIdle(Exception):
    """A worker this thread took turned out to be dead before it took the query: it died while
    idle, or was killed while starting.  Its query never ran, so it goes to another worker."""


class _Worker:
    """One worker process and this side of its pipe.

    ``ready`` turns True once the worker said it opened the store.  The lock serialises
    killing and reaping, which the thread running a query and ``close()`` may both do.
    ``exitcode`` is set when the process is reaped (negative: killed by that signal).
    """

    def __init__(self, process: SpawnProcess, conn: Connection) -> None:
        self.process = process
        self.conn = conn
        self.pid: int = process.pid or 0
        self.ready = False
        self.demoted = False
        self.exitcode: int | None = None
        self._lock = threading.Lock()
        self._reaped = False

    @classmethod
    def start(
        cls, context: SpawnContext, store_path: Path, limits: Limits, memory: int | None
    ) -> _Worker:
        ours, theirs = context.Pipe(duplex=True)
        process = context.Process(
            target=serve,
            args=(str(store_path), limits, theirs, os.getpid(), memory),
            name="shkg-query-worker",
            daemon=True,
        )
        try:
            process.start()
        except BaseException:
            ours.close()
            raise
        finally:
            # Only the child may hold its end, so that its death reads as end of file here.
            theirs.close()
        return cls(process, ours)

    def alive(self) -> bool:
        """Whether the process has not been seen to exit.  True may be stale: a killed worker
        whose other threads are still exiting looks alive (its pipe still open) for a while,
        so a dead worker is only certain once its pipe ends: see ``QueryPool._ask``."""
        with self._lock:
            return not self._reaped and self.process.is_alive()

    def kill(self) -> None:
        """SIGKILL, without waiting: from any thread, even while another waits on the pipe."""
        with self._lock:
            if not self._reaped:
                self.process.kill()

    def reap(self, grace: float = 0.0) -> None:
        """Wait up to ``grace`` seconds for the process to exit, kill it if it has not, and
        collect it, so no zombie is left.  Idempotent."""
        with self._lock:
            if self._reaped:
                return
            self.process.join(grace)
            if self.process.exitcode is None:
                self.process.kill()
                self.process.join()
            # Its exit status may have gone to another thread: starting a process polls every
            # child multiprocessing knows of, so a replacement started meanwhile can collect
            # this one first, and our wait then learns nothing. That thread records the status
            # a moment later; if it never shows, the process is gone all the same.
            settled = time.monotonic() + REAP_SETTLE_SECONDS
            while self.process.exitcode is None and time.monotonic() < settled:
                time.sleep(0.005)
            self.exitcode = self.process.exitcode
            with contextlib.suppress(ValueError):  # "still running": its status went elsewhere
                self.process.close()
            self._reaped = True

    def retire(self, grace: float = 0.0) -> None:
        """Reap the process and close the pipe: only by the thread that holds the worker."""
        self.reap(grace)
        self.conn.close()


class QueryPool:
    """Workers that each open the store at ``store_path`` and answer queries within ``limits``.

    ``run`` may be called from many threads at once.  Each call takes an idle worker,
    waiting up to the timeout for one; then waits up to the timeout for its answer, and kills
    and replaces the worker if none came.  A worker that turns out to have died before it
    took the query (killed while idle or while starting) is replaced, and the query goes to
    another worker: only a worker that dies while running the query fails it.  ``timeouts``,
    ``respawns`` and ``busy`` are for metrics.  ``close()`` (or leaving a ``with`` block)
    stops every worker and waits for it.
    """

    def __init__(
        self,
        store_path: Path,
        size: int,
        timeout: float,
        limits: Limits,
        *,
        queue_seconds: float | None = None,
        max_waiting: int | None = None,
        memory: int | None = None,
    ) -> None:
        if size < 0:
            raise ValueError(f"size must not be negative, got {size}")
        if timeout <= 0:
            raise ValueError(f"timeout must be positive, got {timeout}")
        self.store_path = Path(store_path)
        self.size = size
        self.timeout = timeout
        # How long, and how many queries at once, may wait for a free worker (None: up to
        # the timeout, any number); past either, 503 at once rather than a pile of waiters.
        self.queue_seconds = queue_seconds
        self.max_waiting = max_waiting
        self._waiting = 0
        # Bytes of data memory each worker may use (RLIMIT_DATA); None for no limit.
        self.memory = memory
        self.limits = limits
        self._context = multiprocessing.get_context("spawn")
        self._changed = threading.Condition()  # guards everything below; notified on change
        self._idle: deque[_Worker] = deque()
        self._workers: set[_Worker] = set()  # started and not yet retired: idle or in use
        self._busy = 0
        self._demoted = 0  # workers running a query demoted for running long
        self._timeouts = 0
        self._respawns = 0
        self._closed = False
        self._in_process: InProcessQueries | None = None
        if size == 0:
            store = pyoxigraph.Store.read_only(str(self.store_path))
            self._in_process = InProcessQueries(store, limits)
            return
        try:
            with self._changed:
                for _ in range(size):
                    self._spawn_locked()
            deadline = time.monotonic() + STARTUP_SECONDS
            for worker in list(self._idle):
                if not self._greeted(worker, deadline):
                    raise WorkerFault(
                        f"query worker {worker.pid} did not start within {STARTUP_SECONDS:g} s"
                    )
        except BaseException:
            self.close()
            raise

    # --- metrics ---------------------------------------------------------------------------

    @property
    def busy(self) -> int:
        """Workers running a query now (in-process: queries running now)."""
        if self._in_process is not None:
            return self._in_process.busy
        with self._changed:
            return self._busy

    @property
    def timeouts(self) -> int:
        """Queries cancelled at their timeout since the pool started."""
        with self._changed:
            return self._timeouts

    @property
    def respawns(self) -> int:
        """Workers started to replace one that timed out or died."""
        with self._changed:
            return self._respawns

    @property
    def pids(self) -> tuple[int, ...]:
        """Process ids of the current workers."""
        with self._changed:
            return tuple(sorted(worker.pid for worker in self._workers))

    # --- queries ---------------------------------------------------------------------------

    def run(self, request: QueryRequest, timeout: float | None = None) -> Answer:
        """Answer a query in a worker, within ``timeout`` seconds (default: the pool's).

        Raises the query's HttpError, ServiceUnavailable when no worker frees up in time,
        the query runs out of time or its worker dies, and WorkerFault for a server fault.
        """
        limit = self.timeout if timeout is None else timeout
        if limit <= 0:
            raise ValueError(f"timeout must be positive, got {limit}")
        if self._in_process is not None:
            return self._in_process.run(request)
        deadline = time.monotonic() + limit
        wait_until = deadline
        if self.queue_seconds is not None:
            wait_until = min(deadline, time.monotonic() + self.queue_seconds)
        # A worker found dead before it took the query is replaced and the query goes to
        # another.  Every worker, and then its replacement, may be found dead; after more than
        # that, workers die faster than they start, and the query gives up rather than spawn on.
        for _ in range(2 * self.size + 1):
            try:
                worker = self._take(wait_until)
            except _DiedIdle:
                continue
            # From here this thread holds the worker: every way out gives it back or retires it.
            try:
                reply = self._ask(worker, request, limit)
            except _DiedIdle:
                self._discard(worker)
                continue
            except (EOFError, OSError):
                self._discard(worker)
                if self.memory is not None and worker.exitcode == -signal.SIGABRT:
                    # What a worker over its memory limit does: the allocation fails, and the
                    # engine aborts.
                    raise QueryOutOfMemory(
                        f"the query needed more than {self.memory // 2**20} MB of memory "
                        "and was stopped"
                    ) from None
                raise self._lost("the query's worker stopped unexpectedly; try again") from None
            except BaseException:
                self._discard(worker)
                raise
            if reply is None:
                self._discard(worker, timed_out=True)
                raise QueryTimedOut(
                    f"query ran longer than {limit:g} s and was cancelled",
                    retry_after=RESPAWN_RETRY_AFTER,
                )
            self._give_back(worker)
            return _outcome(reply)
        raise self._lost("query workers keep stopping; try again")

    def _ask(self, worker: _Worker, request: QueryRequest, limit: float) -> tuple[Any, ...] | None:
        """Send the query and wait up to ``limit`` seconds for the reply; None if none came.

        The worker says ``("started",)`` when it takes a query.  If its pipe ends before that,
        the query never ran: the worker had died while idle, even if it still looked alive
        (``_DiedIdle``).  If it ends after, the worker died running it (EOFError or OSError).
        """
        ends = time.monotonic() + limit
        try:
            worker.conn.send(request)
            if not worker.conn.poll(limit):
                return None
            started = worker.conn.recv()
        except (EOFError, OSError):
            raise _DiedIdle from None
        if started != ("started",):
            raise WorkerFault(f"query worker {worker.pid} sent {started!r} before taking the query")
        slow = min(SLOW_SECONDS, max(ends - time.monotonic(), 0.0))
        if not worker.conn.poll(slow):
            self._demote(worker)
            if not worker.conn.poll(max(ends - time.monotonic(), 0.0)):
                return None
        reply: tuple[Any, ...] = worker.conn.recv()
        return reply

    def _demote(self, worker: _Worker) -> None:
        """Lowest CPU priority for a worker whose query runs long; a spare if none is idle."""
        try:
            os.setpriority(os.PRIO_PROCESS, worker.pid, DEMOTED_NICE)
        except OSError:
            return  # gone already, or not ours to change: it simply runs on as it was
        with self._changed:
            worker.demoted = True
            self._demoted += 1
            if not self._closed and not self._idle and len(self._workers) < 2 * self.size:
                try:
                    self._spawn_locked()
                except OSError:
                    pass

    def _promote(self, worker: _Worker) -> bool:
        """Normal priority again, after a demoted query; False if the system refuses it."""
        with self._changed:
            worker.demoted = False
            self._demoted -= 1
        try:
            os.setpriority(os.PRIO_PROCESS, worker.pid, 0)
        except OSError:
            return False
        return True

    def _take(self, deadline: float) -> _Worker:
        """An idle worker that is alive and has opened the store, waiting until ``deadline``.

        Raises ``_DiedIdle`` after replacing a worker that was killed while it started."""
        while True:
            with self._changed:
                while True:
                    if self._closed:
                        raise ServiceUnavailable(
                            "the query service is shutting down", retry_after=1
                        )
                    while len(self._workers) < self.size:  # an earlier replacement failed
                        self._spawn_locked()
                    if self._idle:
                        break
                    remaining = deadline - time.monotonic()
                    full = self.max_waiting is not None and self._waiting >= self.max_waiting
                    if remaining <= 0 or full:
                        raise ServiceUnavailable("all query workers are busy", retry_after=1)
                    self._waiting += 1
                    try:
                        self._changed.wait(remaining)
                    finally:
                        self._waiting -= 1
                # Prefer a worker known to be ready; replacements may still be starting.
                worker = next((w for w in self._idle if w.ready), self._idle[0])
                self._idle.remove(worker)
                self._busy += 1
            if not worker.alive():  # died while idle (killed from outside): replace, take another
                self._discard(worker)
                continue
            try:
                ready = self._greeted(worker, deadline)
            except WorkerFault as fault:  # a replacement could not start: a new one is on its way
                if isinstance(fault, _ExitedStarting):  # see why it exited before killing it
                    worker.reap(STOP_SECONDS)
                self._discard(worker)
                if worker.exitcode is not None and worker.exitcode < 0:  # killed while starting
                    raise _DiedIdle from None
                raise self._lost(str(fault)) from None
            except BaseException:
                self._discard(worker)
                raise
            if not ready:
                self._give_back(worker)
                raise ServiceUnavailable("query workers are starting", retry_after=1)
            return worker

    def _greeted(self, worker: _Worker, deadline: float) -> bool:
        """Whether the worker said it opened the store by ``deadline``; WorkerFault if it
        failed to.  Read once: later calls only look at ``ready``."""
        if worker.ready:
            return True
        try:
            if not worker.conn.poll(max(deadline - time.monotonic(), 0.0)):
                return False
            greeting = worker.conn.recv()
        except (EOFError, OSError):
            raise _ExitedStarting(
                f"query worker {worker.pid} could not start: it exited while starting"
            ) from None
        if greeting[0] != "ready":
            raise WorkerFault(f"query worker {worker.pid} could not start: {greeting[1]}")
        worker.ready = True
        return True

    def _lost(self, message: str) -> Exception:
        """The error for a query whose worker was lost: 503, saying so if the pool is closing."""
        with self._changed:
            if self._closed:
                return ServiceUnavailable("the query service is shutting down", retry_after=1)
        return ServiceUnavailable(message, retry_after=1)

    def _spawn_locked(self) -> None:
        worker = _Worker.start(self._context, self.store_path, self.limits, self.memory)
        self._workers.add(worker)
        self._idle.append(worker)
        self._changed.notify()

    def _give_back(self, worker: _Worker) -> None:
        if worker.demoted and not self._promote(worker):
            self._discard(worker)  # cannot run at normal priority again: a fresh one instead
            return
        with self._changed:
            self._busy -= 1
            surplus = len(self._workers) > self.size and self._demoted == 0
            if not self._closed and not surplus:
                self._idle.append(worker)
                self._changed.notify()
                return
            self._workers.discard(worker)
        # Closed meanwhile, or a spare no longer needed; a read-only store loses nothing.
        worker.kill()
        worker.retire()

    def _discard(self, worker: _Worker, timed_out: bool = False) -> None:
        """Kill a worker this thread holds, wait for it, and start its replacement (unless it
        was a spare no longer needed)."""
        worker.kill()
        worker.retire()
        with self._changed:
            self._busy -= 1
            self._workers.discard(worker)
            self._timeouts += timed_out
            if worker.demoted:
                worker.demoted = False
                self._demoted -= 1
            if self._closed or len(self._workers) >= self.size + (1 if self._demoted else 0):
                return
            self._respawns += 1
            try:
                self._spawn_locked()
            except OSError:
                pass  # no process now (fork limit?): the next _take tries again

    # --- shutdown --------------------------------------------------------------------------

    def close(self) -> None:
        """Stop every worker and wait for it; queries still running fail with 503.  Idempotent."""
        if self._in_process is not None:
            self._in_process.close()
        with self._changed:
            if self._closed:
                return
            self._closed = True
            idle = list(self._idle)
            self._idle.clear()
            held = [worker for worker in self._workers if worker not in idle]
            self._workers.difference_update(idle)
            self._changed.notify_all()
        for worker in held:  # their threads see end of file and retire them
            worker.kill()
        for worker in idle:
            try:
                worker.conn.send(None)
            except (OSError, ValueError):
                pass
        deadline = time.monotonic() + STOP_SECONDS
        for worker in idle:
            worker.retire(max(deadline - time.monotonic(), 0.0))
        with self._changed:
            self._changed.wait_for(lambda: self._busy == 0, timeout=STOP_SECONDS)
            stuck = list(self._workers)
        for worker in stuck:  # a thread did not give its worker back: collect the process anyway
            worker.reap()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _outcome(reply: tuple[Any, ...]) -> Answer:
    """The answer a worker sent, or the error it reported, raised again here."""
    if reply[0] == "answer":
        result: Answer = reply[1]
        return result
    if reply[0] == "refused" and isinstance(reply[1], HttpError):
        raise reply[1]
    raise WorkerFault(f"query failed: {reply[1]}")


# --- the worker process ------------------------------------------------------------------


def serve(
    store_path: str, limits: Limits, conn: Connection, parent: int, memory: int | None = None
) -> None:
    """A worker's life: open the store, greet, then answer requests until told to stop.

    It greets with ``("ready", pid)``, or ``("fault", message)`` if it cannot open the store.
    It says ``("started",)`` as soon as it has read a request, so the pool can tell a worker
    that died before taking a query from one that died running it; then replies
    ``("answer", Answer)``, ``("refused", HttpError)`` for an error of the request (the
    error itself, which pickles with its fields), or ``("fault", message)``: a description,
    never a traceback.  It reads nothing but the store at ``store_path``.  With ``memory``,
    its data memory is capped at that many bytes: a query that needs more makes the engine
    abort the worker (which the pool reports as QueryOutOfMemory and replaces).
    """
    if memory is not None:
        resource.setrlimit(resource.RLIMIT_DATA, (memory, memory))
    # An abort prints a one-line reason, never a backtrace, into the server's log.
    os.environ["RUST_BACKTRACE"] = "0"
    # Ctrl-C reaches the whole process group; the pool stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A killed server cannot stop its workers: each one leaves when its parent is gone, even
    # in the middle of a query (the query releases the GIL, so this thread runs meanwhile).
    threading.Thread(target=_leave_with_parent, args=(parent,), daemon=True).start()
    try:
        store = pyoxigraph.Store.read_only(store_path)
    except Exception as error:  # noqa: BLE001 - reported to the pool, which raises it
        conn.send(("fault", f"cannot open the store {store_path}: {error}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        conn.send(("started",))
        reply: tuple[Any, ...]
        try:
            reply = ("answer", answer(store, request, limits))
        except HttpError as error:
            reply = ("refused", error.with_traceback(None))
        except Exception as error:  # noqa: BLE001 - a server fault, described without a traceback
            reply = ("fault", f"{type(error).__name__}: {error}")
        conn.send(reply)


def _leave_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)

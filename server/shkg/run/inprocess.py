"""Queries answered on the calling thread: no worker process, so no timeout.

For tools and tests over a store that needs no isolation (an in-memory store of a few
triples, or ``shkg serve --query-workers 0``): :class:`InProcessQueries` is a
:class:`~shkg.query.stores.QueryRunner` like the pool of worker processes, and answers
exactly as a worker would (:func:`shkg.query.sparql.answer`).
"""

from __future__ import annotations

import threading

from shkg.errors import ServiceUnavailable
from shkg.query.results import Limits
from shkg.query.sparql import Answer, QueryRequest, answer
from shkg.query.stores import ReadableStore


class InProcessQueries:
    def __init__(self, store: ReadableStore, limits: Limits) -> None:
        self.limits = limits
        self._store: ReadableStore | None = store
        self._lock = threading.Lock()
        self._busy = 0

    @property
    def busy(self) -> int:
        """Queries running now."""
        with self._lock:
            return self._busy

    def run(self, request: QueryRequest, timeout: float | None = None) -> Answer:
        """The answer, within the limits; ``timeout`` cannot be kept here and is ignored."""
        with self._lock:
            store = self._store
            if store is None:
                raise ServiceUnavailable("the query service is shutting down", retry_after=1)
            self._busy += 1
        try:
            return answer(store, request, self.limits)
        finally:
            with self._lock:
                self._busy -= 1

    def close(self) -> None:
        """Refuse queries from now on (queries running finish).  Idempotent."""
        with self._lock:
            self._store = None

"""What the server needs of a store and of a query runner, whichever backend provides them.

:class:`pyoxigraph.Store` and :class:`shkg.run.backends.RemoteStore` are each a
:class:`ReadableStore`; :class:`shkg.run.workers.QueryPool` and
:class:`shkg.run.backends.RemoteQueries` are each a :class:`QueryRunner`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Protocol

from pyoxigraph import Quad

if TYPE_CHECKING:
    from shkg.query.sparql import Answer, QueryRequest


class ReadableStore(Protocol):
    """The read operations of :class:`pyoxigraph.Store` the server uses."""

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Any = None,
    ) -> Any: ...

    def quads_for_pattern(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any = None
    ) -> Iterable[Quad]: ...

    def dump(
        self,
        output: Any = None,
        format: Any = None,
        *,
        from_graph: Any = None,
        prefixes: Any = None,
        base_iri: Any = None,
    ) -> bytes | None: ...


class QueryRunner(Protocol):
    """Runs the endpoint's queries within the limits and the timeout it was made with."""

    @property
    def busy(self) -> int: ...

    def run(self, request: QueryRequest, timeout: float | None = None) -> Answer: ...

    def close(self) -> None: ...

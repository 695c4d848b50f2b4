"""What every request handler is given: the release's store, the query runner, the settings,
and the shared machinery (result cache, rate limiter, metrics).

:func:`shkg.web.app.create_app` takes a :class:`Service`, so an app can be made over any
store: a release's on-disk store with its pool of query processes (``shkg serve``), a SPARQL
backend, or a small in-memory store queried in-process (the HTTP tests).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import pyoxigraph
from fastapi import Request

from shkg import __version__
from shkg.graphstore import GRAPH_STORE
from shkg.manifest import GraphFile, Manifest
from shkg.query.results import Limits
from shkg.query.sparql import Answer
from shkg.query.stores import QueryRunner, ReadableStore
from shkg.run.inprocess import InProcessQueries
from shkg.run.ratelimit import RateLimiter
from shkg.search import SEARCH_FILE, SearchIndex, write_index
from shkg.settings import Settings
from shkg.web.caching import Conditional, ResultCache, conditional, etag
from shkg.web.metrics import Metrics


@dataclass
class Service:
    """Everything a request needs, built once per app."""

    settings: Settings
    manifest: Manifest
    store: ReadableStore
    pool: QueryRunner
    cache: ResultCache[Answer]
    limiter: RateLimiter
    metrics: Metrics = field(default_factory=Metrics)
    # The release directory, for the dumps served under /download/; None serves none.
    release_dir: Path | None = None
    # The competency questions (title, query text) the query page opens as tabs.
    queries: tuple[tuple[str, str], ...] = ()
    # The release's search index; None if it has none (a release made without one).
    search: SearchIndex | None = None

    @property
    def build_id(self) -> str:
        return self.manifest.build_id

    @cached_property
    def _graph_files(self) -> dict[tuple[str, str], tuple[Path, GraphFile]]:
        """The release's graph store files that are there, looked for once (a release never
        changes)."""
        if self.release_dir is None:
            return {}
        found = {}
        for entry in self.manifest.graph_store:
            path = self.release_dir / GRAPH_STORE / entry.file
            if path.is_file():
                found[entry.part, entry.media_type] = (path, entry)
        return found

    def graph_file(self, part: str, media: str) -> tuple[Path, GraphFile] | None:
        """The release's file of a graph store answer (:mod:`shkg.graphstore`), if it has
        one: a service over a release has them all, one over an in-memory store none."""
        return self._graph_files.get((part, media))

    @property
    def base_url(self) -> str:
        """This server's root URL, ending in `/`, for every absolute link it writes: the
        configured public URL, else http://HOST:PORT/ (never the request's Host header, which
        a client may set to anything)."""
        url = self.settings.public_url or f"http://{self.settings.host}:{self.settings.port}/"
        return url if url.endswith("/") else url + "/"

    def conditional(
        self, request: Request, *parts: str | list[str] | None, extra: dict[str, str] | None = None
    ) -> Conditional:
        """The validators of a response this release gives to a request made of ``parts``
        (an ETag from the build and the parts, the settings' max-age, ``Vary: Accept``), and
        whether the client's copy is already current."""
        return conditional(
            request.headers.get("if-none-match"),
            etag(self.build_id, *parts),
            f"public, max-age={self.settings.cache_max_age}",
            {"Vary": "Accept", **(extra or {})},
        )


def in_memory(
    settings: Settings,
    store: pyoxigraph.Store,
    build_id: str = "in-memory",
    queries: tuple[tuple[str, str], ...] = (),
) -> Service:
    """A service over ``store`` (an in-memory one, say), its queries answered in-process.

    Its manifest is counted from the store; nothing is downloadable.  For tools and tests:
    an app over a store of twenty triples starts in milliseconds and needs no build.
    """
    graphs: dict[str, int] = {}
    triples = set()
    for quad in store.quads_for_pattern(None, None, None, None):
        triples.add(quad.triple)
        if isinstance(quad.graph_name, pyoxigraph.NamedNode):
            graphs[quad.graph_name.value] = graphs.get(quad.graph_name.value, 0) + 1
    # The search index is a file (SQLite): one in a directory that lives as long as the
    # service, written as the build would.
    scratch = tempfile.TemporaryDirectory(prefix="shkg-search-")
    index_path = Path(scratch.name) / SEARCH_FILE
    figures = write_index(store, index_path)
    manifest = Manifest(
        build_id=build_id,
        input_sha256="",
        created=datetime.now(UTC).isoformat(timespec="seconds"),
        software_version=__version__,
        quads=len(store),
        triples=len(triples),
        graphs=graphs,
        quotes=0,
        seeds={},
        shacl_conforms=False,
        dumps=(),
        graph_store=(),
        search=figures.entry(index_path),
    )
    limits = Limits(max_rows=settings.max_rows, max_bytes=settings.max_result_bytes)
    return Service(
        settings=settings,
        manifest=manifest,
        store=store,
        pool=InProcessQueries(store, limits),
        cache=ResultCache[Answer](settings.cache_bytes),
        limiter=RateLimiter.from_settings(settings),
        queries=queries,
        search=SearchIndex(index_path, keep=scratch),
    )

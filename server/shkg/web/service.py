"""What every request handler is given: the release's store, the query runner, the settings,
and the shared machinery (result cache, rate limiter, metrics).

:func:`shkg.web.app.create_app` takes a :class:`Service`, so an app can be made over any
store: a release's on-disk store with its pool of query processes (``shkg serve``), a SPARQL
backend, or a small in-memory store queried in-process (the HTTP tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request

from shkg.manifest import Manifest
from shkg.query.sparql import Answer
from shkg.query.stores import QueryRunner, ReadableStore
from shkg.run.ratelimit import RateLimiter
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

    @property
    def build_id(self) -> str:
        return self.manifest.build_id

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

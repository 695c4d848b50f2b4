"""The web application: one FastAPI app per server process over one read-only release."""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import json
import logging
import sys
import time
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from shkg import __version__
from shkg.build.release import Release
from shkg.errors import HttpError, MalformedQuery, QueryTimedOut
from shkg.project import Project
from shkg.query.negotiation import parse_accept
from shkg.query.sparql import Answer, Limits
from shkg.query.stores import QueryRunner, ReadableStore
from shkg.run.backends import RemoteQueries, open_remote
from shkg.run.ratelimit import RateLimiter
from shkg.run.workers import QueryPool
from shkg.search import SEARCH_FILE, SearchIndex
from shkg.settings import Settings
from shkg.web import assets, browse, examples, openapi, pages, querypage
from shkg.web import search as finding
from shkg.web.caching import ResultCache
from shkg.web.connections import Pieces
from shkg.web.metrics import Metrics
from shkg.web.protocol import router, sparql_by_get, sparql_by_post
from shkg.web.service import Service
from shkg.web.switching import ReleaseSwitcher


def create_app(service: Service) -> FastAPI:
    """The app over ``service``.  It opens nothing itself: whatever made the service (see
    :func:`open_service`, :func:`shkg.web.service.in_memory`) decides the store and where
    queries run; the app's lifespan (or :func:`close_app`) closes the query runner."""
    pool = service.pool

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> Any:
        try:
            yield
        finally:
            ACCESS_LOG.flush()
            pool.close()

    app = FastAPI(
        title="Shanghai Industry Knowledge Graph",
        version=__version__,
        lifespan=lifespan,
        # /docs is ours (shkg.web.openapi): Swagger UI from npm, not from a CDN.
        docs_url=None,
        redoc_url=None,
        description="Read-only SPARQL 1.1 endpoint over a knowledge graph of Shanghai's "
        "industrial policy, every figure traced to its source sentence.",
    )
    app.state.service = service
    app.include_router(router(service))
    app.include_router(browse.router(service))
    # Before the pages: /id/example/NN is an example's answer, not a resource of the store.
    app.include_router(examples.router(service))
    app.include_router(pages.router(service))
    app.include_router(querypage.router(service))
    app.include_router(assets.router(service))  # after the query page's own /assets/yasgui/
    openapi.install(app, service)
    app.include_router(finding.router(service))
    _add_operational_routes(app, service)
    _add_error_handlers(app, service)
    _add_middleware(app, service)
    return app


def release_app(
    settings: Settings,
    release: Release,
    metrics: Metrics | None = None,
    limiter: RateLimiter | None = None,
    queries: tuple[tuple[str, str], ...] | None = None,
) -> FastAPI:
    """The app serving ``release`` (see :func:`open_service`)."""
    return create_app(open_service(settings, release, metrics, limiter, queries))


def open_service(
    settings: Settings,
    release: Release,
    metrics: Metrics | None = None,
    limiter: RateLimiter | None = None,
    queries: tuple[tuple[str, str], ...] | None = None,
) -> Service:
    """The service of ``release``: its store and query workers, or the backend that holds it.
    ``metrics`` and ``limiter`` may be shared with the apps of other releases, so that a
    switch of release keeps counting."""
    store, pool = open_backend(settings, release)
    return Service(
        settings=settings,
        manifest=release.manifest,
        store=store,
        pool=pool,
        cache=ResultCache[Answer](settings.cache_bytes),
        limiter=limiter or RateLimiter.from_settings(settings),
        metrics=metrics or Metrics(),
        release_dir=release.path,
        queries=querypage.project_queries(settings.root) if queries is None else queries,
        search=SearchIndex(index) if (index := release.path / SEARCH_FILE).is_file() else None,
    )


def open_backend(settings: Settings, release: Release) -> tuple[ReadableStore, QueryRunner]:
    """The store pages read and the runner queries go to: the release's own store and a pool
    of query processes, or, with ``settings.backend``, that endpoint once it proves to hold
    the release."""
    limits = Limits(max_rows=settings.max_rows, max_bytes=settings.max_result_bytes)
    if settings.backend:
        remote = open_remote(settings.backend, settings.query_timeout, release.manifest)
        return remote, RemoteQueries(remote, limits)
    pool = QueryPool(
        release.store_path,
        size=settings.query_workers,
        timeout=settings.query_timeout,
        limits=limits,
        queue_seconds=settings.queue_seconds,
        max_waiting=settings.queue_length,
        memory=settings.query_memory_mb * 2**20 if settings.query_memory_mb else None,
    )
    return release.open_store(), pool


def close_app(app: FastAPI) -> None:
    """Stop what :func:`create_app` started: the query workers (or the backend's client)."""
    app.state.service.pool.close()


def app_from_environment() -> ReleaseSwitcher:
    """The app for uvicorn's ``--factory`` mode, settings from SHKG_* variables: the current
    release, and each release published after it (see :mod:`shkg.switching`)."""
    settings = Settings.from_sources()
    project = Project.locate(settings.root, settings.var)
    metrics = Metrics()
    limiter = RateLimiter.from_settings(settings)
    queries = querypage.project_queries(settings.root)  # read once, at start
    return ReleaseSwitcher(
        project.var,
        lambda release: release_app(settings, release, metrics, limiter, queries),
        close_app,
    )


def _add_operational_routes(app: FastAPI, service: Service) -> None:
    @app.get("/healthz", summary="Liveness, and the build being served")
    async def healthz() -> dict[str, Any]:
        # On the event loop, not in the thread pool: it never waits behind queries.
        return {"ok": True, "build_id": service.build_id, "quads": service.manifest.quads}

    @app.get("/metrics", summary="Prometheus metrics", response_class=PlainTextResponse)
    async def metrics() -> Response:
        service.metrics.busy_workers.set(service.pool.busy)
        return Response(
            service.metrics.exposition(), media_type="text/plain; version=0.0.4; charset=utf-8"
        )


def client_error(service: Service, request: Request, error: HttpError) -> Response:
    """The response to an HttpError, counted by type, wherever it was raised (here, in a query
    worker, by the backend)."""
    if isinstance(error, QueryTimedOut):
        service.metrics.timeouts.inc()
    elif error.rejection is not None:
        service.metrics.rejections.labels(error.rejection).inc()
    headers = {"Retry-After": str(error.retry_after)} if error.retry_after else None
    where = None
    if isinstance(error, MalformedQuery) and error.line is not None:
        where = {"line": error.line, "column": error.column or 1}
    return error_response(request, error.status, error.message, headers, where)


def client_left(request: Request) -> Response:
    """Not a server error: the client left before its request was whole.  Nothing can be sent;
    499 (nginx's "client closed request") is what the access log and metrics say."""
    logging.getLogger("shkg").info("client left during %s %s", request.method, request.url.path)
    return Response(status_code=499)


def server_error(request: Request, error: Exception) -> Response:
    logging.getLogger("shkg").exception("internal error on %s %s", request.method, request.url.path)
    return error_response(request, 500, "internal server error")


def _add_error_handlers(app: FastAPI, service: Service) -> None:
    @app.exception_handler(HttpError)
    def counted(request: Request, error: HttpError) -> Response:
        return client_error(service, request, error)

    @app.exception_handler(ClientDisconnect)
    def client_gone(request: Request, error: ClientDisconnect) -> Response:
        return client_left(request)

    @app.exception_handler(StarletteHTTPException)
    def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return error_response(
            request, error.status_code, str(error.detail), dict(error.headers or {})
        )

    app.add_exception_handler(Exception, server_error)


def _add_middleware(app: FastAPI, service: Service) -> None:
    # Innermost: queries (GET and POST /sparql) go straight to their handlers, past the
    # framework's routing.
    app.add_middleware(QueryFastPath, service=service)
    app.add_middleware(Observe, service=service)
    # Reads are open to any origin; there are no credentials to protect.
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "HEAD"],
        allow_headers=["*"],
        expose_headers=["ETag", "SHKG-Truncated", "Retry-After"],
        allow_credentials=False,
    )
    # Added last, so outermost: every large body leaves in pieces, whatever made it.
    app.add_middleware(Pieces)


class QueryFastPath:
    """Queries to /sparql (GET and POST), the endpoint's most frequent requests, handled at
    once: the same handlers as their routes (:func:`sparql_by_get`, :func:`sparql_by_post`)
    and the same error responses, without the framework's routing, request validation and
    exception middleware, which cost more than a cached answer.  Every other request (HEAD,
    other methods, other paths) goes on to the app."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/sparql":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        response: Response
        try:
            if method == "GET":
                # In a thread, as the route would run it: the query waits there for its worker.
                response = await run_in_threadpool(sparql_by_get, self.service, request)
            else:
                response = await sparql_by_post(self.service, request)
        except HttpError as error:
            response = client_error(self.service, request, error)
        except ClientDisconnect:
            response = client_left(request)
        except Exception as error:  # noqa: BLE001 - the app's handler of every other fault
            response = server_error(request, error)
        await response(scope, receive, send)


class Observe:
    """Metrics and the access log of every request.  Plain ASGI, which costs a fraction of
    Starlette's ``@app.middleware("http")`` (a task and a streamed response per request)."""

    def __init__(self, app: ASGIApp, service: Service) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status, length = 500, None  # what an exception that escapes everything becomes

        async def observed(message: Message) -> None:
            nonlocal status, length
            if message["type"] == "http.response.start":
                status = message["status"]
                length = next(
                    (
                        value.decode("latin-1")
                        for name, value in message.get("headers", ())
                        if name == b"content-length"
                    ),
                    None,
                )
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            self._record(scope, status, length, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, length: str | None, elapsed: float) -> None:
        service = self.service
        path = scope["path"]
        route = path if path in _ROUTES else "other"
        service.metrics.requests.labels(route, str(status)).inc()
        service.metrics.latency.labels(route).observe(elapsed)
        if service.settings.access_log:
            client = scope.get("client")
            ACCESS_LOG.write(
                json.dumps(
                    {
                        "time": round(time.time(), 3),
                        "client": client[0] if client else None,
                        "method": scope["method"],
                        "path": path,
                        "status": status,
                        "ms": round(elapsed * 1000, 2),
                        "bytes": length,
                        "build": service.build_id,
                    }
                )
            )


class AccessLog:
    """The access log: one JSON line per request on standard error, written in batches.

    A write and a flush per request cost as much as a tenth of a cheap query's whole time, so
    lines are kept and written together at most ``FLUSH_SECONDS`` later (sooner when
    ``MAX_LINES`` are waiting), from the event loop, and at exit."""

    FLUSH_SECONDS = 0.25
    MAX_LINES = 512

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._scheduled = False
        atexit.register(self.flush)

    def write(self, line: str) -> None:
        self._lines.append(line)
        if len(self._lines) >= self.MAX_LINES:
            self.flush()
        elif not self._scheduled:
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:  # not on an event loop: nothing to wait for
                self.flush()
                return
            self._scheduled = True
            loop.call_later(self.FLUSH_SECONDS, self.flush)

    def flush(self) -> None:
        self._scheduled = False
        if not self._lines:
            return
        lines, self._lines = self._lines, []
        with contextlib.suppress(OSError, ValueError):  # standard error closed at exit
            sys.stderr.write("\n".join(lines) + "\n")
            sys.stderr.flush()


ACCESS_LOG = AccessLog()


_ROUTES = {
    "/",
    "/sparql",
    "/store",
    "/healthz",
    "/metrics",
    "/query",
    "/.well-known/void",
    "/.well-known/sparql-examples",
}


def error_response(
    request: Request,
    status: int,
    message: str,
    headers: dict[str, str] | None = None,
    where: dict[str, int] | None = None,
) -> Response:
    """The one error body: JSON for clients that take JSON (with ``line`` and ``column`` for
    a malformed query), plain text for the rest."""
    if wants_json(request.headers.get("accept")):
        return JSONResponse(
            {"ok": False, "status": status, "error": message, **(where or {})},
            status_code=status,
            headers=headers,
        )
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def wants_json(accept: str | None) -> bool:
    """Whether a client that sent this Accept header reads JSON (any JSON-based type) best."""
    ranges = parse_accept(accept)
    json_q = max(
        (r.q for r in ranges if r.subtype == "json" or r.subtype.endswith("+json")), default=0.0
    )
    text_q = max((r.q for r in ranges if r.type == "text"), default=0.0)
    return json_q > 0 and json_q >= text_q

"""The SPARQL 1.1 Protocol and the read-only Graph Store Protocol, as FastAPI routes.

The routes only read the request and shape the response; everything else is a plain function
or object of its own: :mod:`shkg.lexer` and :mod:`shkg.federation` vet the query,
:mod:`shkg.caching` answers repeats, :mod:`shkg.ratelimit` admits the client, and a
:class:`~shkg.run.workers.QueryPool` runs the query where it can be killed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from starlette.concurrency import run_in_threadpool

from shkg import graphstore
from shkg import namespaces as ns
from shkg.errors import (
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    UpdateRefused,
)
from shkg.formats import ALIASES, TRIPLE_FORMATS
from shkg.query.negotiation import choose_format
from shkg.query.sparql import GRAPH_FORMATS, RESULTS_FORMATS, Answer, QueryRequest
from shkg.render import html
from shkg.render.description import service_description
from shkg.run.ratelimit import client_key
from shkg.web import languages
from shkg.web.service import Service

# Graph formats for the service description and the example answers.
RDF_FORMATS: dict[str, pyoxigraph.RdfFormat] = dict(TRIPLE_FORMATS)
# What a client's budget of query seconds is charged for a whole graph or dataset from the
# graph store: a second for every 10 MB (30 s a minute: 300 MB), however quickly it was made.
STORE_BYTES_PER_SECOND = 10_000_000


@dataclass(frozen=True)
class Operation:
    """The protocol parameters of one request, whatever way they came."""

    queries: list[str]
    updates: list[str]
    default_graphs: list[str]
    named_graphs: list[str]
    format: str | None


def router(service: Service) -> APIRouter:
    routes = APIRouter()

    @routes.get("/sparql", summary="SPARQL query by GET, or the service description")
    def sparql_get(request: Request) -> Response:
        return sparql_by_get(service, request)

    @routes.post("/sparql", summary="SPARQL query by POST (form or application/sparql-query)")
    async def sparql_post(request: Request) -> Response:
        return await sparql_by_post(service, request)

    @routes.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
    def sparql_other(request: Request) -> Response:
        raise MethodNotAllowed(f"{request.method} is not allowed on /sparql: use GET or POST")

    @routes.get("/store", summary="Graph Store Protocol (read-only)")
    def store_get(request: Request) -> Response:
        params = _decode_form(request.scope.get("query_string", b""), "query string")
        graphs = params.get("graph", [])
        fmt = _format(params)
        if len(graphs) > 1 or (graphs and "default" in params):
            raise BadRequest(
                "give one `graph` parameter, or `default`, or neither (the whole dataset)"
            )
        return _graph_store(
            service, request, graphs[0] if graphs else None, "default" in params, fmt
        )

    @routes.api_route("/store", methods=["PUT", "POST", "DELETE", "PATCH"], include_in_schema=False)
    def store_write(request: Request) -> Response:
        raise Forbidden("the graph store is read-only: writes are refused")

    def graph_iri(request: Request, name: str) -> Response:
        """A named graph's IRI dereferenced: the graph itself in an RDF format, or its page."""
        graph = ns.GRAPH + name
        if graph not in service.manifest.graphs:
            raise NotFound(f"no graph named {graph}")
        offered = {**graphstore.offered(graph), **ALIASES, "text/html": None}
        media = _negotiate(request, request.query_params.get("format"), offered)
        if media != "text/html":
            return _graph_store(service, request, graph, False, media)
        validators = service.conditional(
            request, "graph-page", graph, languages.chosen(request), extra={"Vary": languages.VARY}
        )
        if validators.current():
            return validators.not_modified()
        derived = [
            q.object.value
            for q in service.store.quads_for_pattern(
                pyoxigraph.NamedNode(graph), pyoxigraph.NamedNode(ns.PROV + "wasDerivedFrom"), None
            )
            if isinstance(q.object, pyoxigraph.NamedNode)
        ]
        with languages.rendering(request):
            body = html.graph_page(
                graph,
                service.manifest.graphs[graph],
                sorted(set(derived)),
                list(graphstore.offered(graph)),
            )
        return languages.remember(request, validators.respond(body, "text/html"))

    routes.add_api_route(
        "/graph/{name}", graph_iri, methods=["GET", "HEAD"], include_in_schema=False
    )
    # HEAD answers as GET does, without a body (Starlette drops it); kept out of the OpenAPI
    # document, which would otherwise list each operation twice.
    routes.add_api_route("/sparql", sparql_get, methods=["HEAD"], include_in_schema=False)
    routes.add_api_route("/store", store_get, methods=["HEAD"], include_in_schema=False)
    return routes


def sparql_by_get(service: Service, request: Request) -> Response:
    """GET /sparql: a query's answer, or without one the service description."""
    raw = request.scope.get("query_string", b"")
    if len(raw) > service.settings.max_query_bytes * 3 + 4096:
        raise PayloadTooLarge(f"query string over {service.settings.max_query_bytes} bytes")
    operation = _operation(_decode_form(raw, "query string"))
    if not operation.queries and not operation.updates:
        return _description(service, request, operation.format)
    return _answer(service, request, operation)


async def sparql_by_post(service: Service, request: Request) -> Response:
    """POST /sparql: a query as a form or as application/sparql-query (an update is refused)."""
    body = await _read_body(service, request)
    media, charset = _content_type(request)
    from_url = _decode_form(request.scope.get("query_string", b""), "query string")
    if media == "application/x-www-form-urlencoded":
        operation = _operation({**from_url, **_decode_form(body, "request body")})
    elif media == "application/sparql-query":
        _check_charset(charset)
        operation = _operation({**from_url, "query": [_utf8(body, "query")]})
    elif media == "application/sparql-update":
        raise UpdateRefused()
    else:
        raise UnsupportedMediaType(
            "POST a query as application/x-www-form-urlencoded or application/sparql-query"
        )
    return await run_in_threadpool(_answer, service, request, operation)


def _answer(service: Service, request: Request, operation: Operation) -> Response:
    settings = service.settings
    if operation.updates:
        raise UpdateRefused()
    # Sizes first, before anything reads the texts; the texts themselves are read only in a
    # query worker (sparql.answer), never here.
    for text in operation.queries:
        if len(text.encode("utf-8", "surrogatepass")) > settings.max_query_bytes:
            raise PayloadTooLarge(f"query over {settings.max_query_bytes} bytes")
    if len(operation.queries) != 1:
        raise BadRequest(f"exactly one `query` parameter is required, got {len(operation.queries)}")
    query = operation.queries[0]

    accept = request.headers.get("accept")
    validators = service.conditional(
        request,
        "query",
        query,
        operation.default_graphs,
        operation.named_graphs,
        accept,
        operation.format,
    )
    headers = validators.headers
    tag = headers["ETag"]
    # A cached answer is one this query got after passing the checks below: skip them (they
    # read the whole query text) and answer at once.
    answer = service.cache.get(tag)
    service.metrics.cache.labels("hit" if answer else "miss").inc()
    # Only an answer this server has (so one that passed the checks) is "not modified"; any
    # other is run, and the worker refuses it if it must (RFC 9110 13.2.1: a precondition
    # does not turn what would be an error into a 304).
    if answer is not None and validators.current():
        return validators.not_modified()
    if answer is None:
        client = _client(request)
        with service.limiter.admit(client):
            # The worker refuses updates and SERVICE outside the allowlist before it runs
            # anything (sparql.answer); a cached answer passed those checks.
            answer = service.pool.run(
                QueryRequest(
                    query=query,
                    default_graphs=tuple(operation.default_graphs),
                    named_graphs=tuple(operation.named_graphs),
                    accept=accept,
                    format=operation.format,
                    federation_allowlist=settings.federation_allowlist,
                )
            )
        service.cache.put(tag, answer, len(answer.body))
    if answer.truncated:
        headers["SHKG-Truncated"] = (
            f"max-rows={settings.max_rows}, max-result-bytes={settings.max_result_bytes}"
        )
    return Response(content=answer.body, media_type=answer.media_type, headers=headers)


def _description(service: Service, request: Request, fmt: str | None) -> Response:
    # HTML last: a program asking for anything gets Turtle, a browser the page.
    media = _negotiate(request, fmt, {**RDF_FORMATS, "text/html": None})
    endpoint = service.base_url + "sparql"
    lang = languages.chosen(request) if media == "text/html" else ""
    validators = service.conditional(
        request, "description", endpoint, media, lang, extra={"Vary": languages.VARY}
    )
    if validators.current():
        return validators.not_modified()
    if media == "text/html":
        with languages.rendering(request):
            page = html.service_page(
                endpoint,
                service.manifest,
                service.settings.federation_allowlist,
                list(RESULTS_FORMATS),
                list(GRAPH_FORMATS),
            )
        return languages.remember(request, validators.respond(page, "text/html"))
    described = service_description(
        endpoint, service.manifest, service.settings.federation_allowlist
    )
    # Sorted, so that Turtle groups each subject's statements together.
    triples = sorted(
        described,
        key=lambda t: (
            not isinstance(t.subject, pyoxigraph.NamedNode),
            str(t.subject),
            str(t.predicate),
            str(t.object),
        ),
    )
    body = pyoxigraph.serialize(
        triples, format=RDF_FORMATS[media], prefixes={"sd": ns.SD, "void": ns.VOID, "shkg": ns.SHKG}
    )
    return validators.respond(body, media)


def _graph_store(
    service: Service, request: Request, graph: str | None, default: bool, fmt: str | None
) -> Response:
    if graph is not None:
        try:
            pyoxigraph.NamedNode(graph)
        except ValueError as error:
            raise BadRequest(f"`graph` is not an absolute IRI: {error}") from None
        # The manifest names the release's graphs (a backend is proved to hold the same).
        if graph not in service.manifest.graphs:
            raise NotFound("no graph of that name in this dataset")
    whole = graphstore.DATASET if graph is None and not default else graphstore.DEFAULT
    asked = _negotiate(request, fmt, {**graphstore.offered(graph or whole), **ALIASES})
    media = ALIASES.get(asked, asked)
    part = graphstore.part_of(graph, default, media)
    validators = service.conditional(request, "store", graph, "default" if default else "", asked)
    if validators.current():
        return validators.not_modified()
    # Each answer, whatever it is made from, is one of the client's queries to its limits,
    # charged at least what sending it costs (STORE_BYTES_PER_SECOND).
    with service.limiter.admit(_client(request)) as charge:
        written = service.graph_file(part, media)
        if written is not None:
            # Written by the build: sent from the file, a piece at a time.
            path, entry = written
            charge.at_least = entry.bytes / STORE_BYTES_PER_SECOND
            return FileResponse(path, media_type=asked, headers=validators.headers)
        # No release files (a service over a store of its own): made once, then kept in the
        # result cache when it fits there.
        tag = validators.headers["ETag"]
        kept = service.cache.get(tag)
        if kept is None:
            kept = Answer(body=graphstore.body(service.store, part, media), media_type=media)
            service.cache.put(tag, kept, len(kept.body))
        charge.at_least = len(kept.body) / STORE_BYTES_PER_SECOND
    return validators.respond(kept.body, asked)


def _client(request: Request) -> str:
    """Who the request is from, to the per-client limits."""
    return client_key(request.client.host if request.client else "unknown")


def _negotiate(request: Request, fmt: str | None, offered: dict[str, Any]) -> str:
    media = choose_format(fmt, request.headers.get("accept"), list(offered))
    if media is None:
        raise NotAcceptable(f"available as {', '.join(offered)}")
    return media


def _operation(params: dict[str, list[str]]) -> Operation:
    return Operation(
        queries=params.get("query", []),
        updates=params.get("update", []),
        default_graphs=params.get("default-graph-uri", []),
        named_graphs=params.get("named-graph-uri", []),
        format=_format(params),
    )


def _format(params: dict[str, list[str]]) -> str | None:
    """The format a request names in its URL: `format`, or `output` as Fuseki and sparqler
    call it (SPARQLWrapper sends both)."""
    return _first(params.get("format")) or _first(params.get("output"))


def _first(values: list[str] | None) -> str | None:
    return values[0] if values else None


def _decode_form(raw: bytes, what: str) -> dict[str, list[str]]:
    """Parse URL-encoded parameters strictly as UTF-8 (Starlette would replace bad bytes)."""
    try:
        return parse_qs(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest(f"{what} is not valid UTF-8") from None


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(f"{what} is not valid UTF-8 (byte {error.start})") from None


def _content_type(request: Request) -> tuple[str, str | None]:
    header = request.headers.get("content-type", "")
    media, *parameters = [part.strip() for part in header.split(";")]
    charset = None
    for parameter in parameters:
        name, _, value = parameter.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return media.lower(), charset


def _check_charset(charset: str | None) -> None:
    if charset not in (None, "utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset {charset} is not supported: send UTF-8")


async def _read_body(service: Service, request: Request) -> bytes:
    limit = service.settings.max_body_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"request body over {limit} bytes")
    chunks = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"request body over {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)

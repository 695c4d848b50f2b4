"""Running a SPARQL query on a store and serialising the answer: plain functions, no HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pyoxigraph

from . import namespaces as ns
from .http_errors import BadRequest, Forbidden, NotAcceptable
from .negotiation import choose

# Offered formats, our preferred first (the default for */* or no Accept).
RESULTS_FORMATS: dict[str, pyoxigraph.QueryResultsFormat] = {
    "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
    "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
    "text/csv": pyoxigraph.QueryResultsFormat.CSV,
    "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
    "application/json": pyoxigraph.QueryResultsFormat.JSON,
}
GRAPH_FORMATS: dict[str, pyoxigraph.RdfFormat] = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
# Short names for the `format` parameter, for links typed into a browser.
FORMAT_NAMES = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle",
    "ttl": "text/turtle", "ntriples": "application/n-triples", "nt": "application/n-triples",
    "jsonld": "application/ld+json", "rdfxml": "application/rdf+xml",
}

# Relative IRIs in queries resolve against the dataset's base.
QUERY_BASE = ns.BASE


@dataclass(frozen=True)
class QueryRequest:
    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None


@dataclass(frozen=True)
class Answer:
    body: bytes
    media_type: str


def answer(store: pyoxigraph.Store, request: QueryRequest) -> Answer:
    """Evaluate a read-only query; the default graph is the union of the named graphs.

    ``default_graphs`` / ``named_graphs`` (the protocol's default-graph-uri and
    named-graph-uri) replace the dataset the query would otherwise see.
    """
    accept = FORMAT_NAMES.get(request.format.lower(), request.format) if request.format else request.accept
    options: dict[str, object] = {"base_iri": QUERY_BASE}
    if request.default_graphs:
        options["default_graph"] = [pyoxigraph.NamedNode(iri) for iri in request.default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if request.named_graphs:
        options["named_graphs"] = [pyoxigraph.NamedNode(iri) for iri in request.named_graphs]
    try:
        result = store.query(request.query, **options)  # type: ignore[arg-type]
    except SyntaxError as error:
        message = str(error)
        if _looks_like_update(request.query):
            raise Forbidden("this endpoint is read-only: SPARQL updates are refused") from None
        raise BadRequest(f"malformed query: {message}") from None
    except ValueError as error:
        raise BadRequest(f"bad request: {error}") from None

    # pyoxigraph's results must be dropped on the thread that made them, so no exception may
    # leave this frame while it still holds one (a traceback would carry it to another thread).
    offered: dict[str, Any] = (
        RESULTS_FORMATS if isinstance(result, (pyoxigraph.QuerySolutions, pyoxigraph.QueryBoolean))
        else GRAPH_FORMATS
    )
    media = choose(accept, list(offered))
    if media is None:
        del result
        kind = "query results" if offered is RESULTS_FORMATS else "graph results"
        raise NotAcceptable(f"{kind} can be sent as {', '.join(offered)}")
    try:
        body = result.serialize(format=offered[media])
    finally:
        del result
    assert body is not None
    return Answer(body=body, media_type=media)


def _looks_like_update(query: str) -> bool:
    words = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
    for line in query.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or line.upper().startswith(("PREFIX", "BASE")):
            continue
        return line.split(None, 1)[0].upper() in words
    return False

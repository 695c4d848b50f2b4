"""Running a SPARQL query on a store and serialising the answer: plain functions, no HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, TypeAlias

import pyoxigraph

from shkg import namespaces as ns
from shkg.errors import (
    BadGateway,
    BadRequest,
    HttpError,
    MalformedQuery,
    NotAcceptable,
    UpdateAsQuery,
)
from shkg.formats import QUAD_FORMATS, TRIPLE_FORMATS
from shkg.query.federation import check_federation
from shkg.query.lexer import Lexed, LexError, is_update, service_targets
from shkg.query.negotiation import choose_format
from shkg.query.results import Limits as Limits  # noqa: PLC0414 - re-exported: callers pass limits to answer()
from shkg.query.results import write_solutions, write_triples
from shkg.query.stores import ReadableStore

# Offered formats, our preferred first (the default for */* or no Accept).
RESULTS_FORMATS: dict[str, pyoxigraph.QueryResultsFormat] = {
    "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
    "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
    "text/csv": pyoxigraph.QueryResultsFormat.CSV,
    "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
    "application/json": pyoxigraph.QueryResultsFormat.JSON,
}
# A CONSTRUCT or DESCRIBE result may also be asked for in a quads format; it is then the
# default graph of a dataset.
GRAPH_FORMATS: dict[str, pyoxigraph.RdfFormat] = {**TRIPLE_FORMATS, **QUAD_FORMATS}
# Relative IRIs in queries resolve against the dataset's base.
QUERY_BASE = ns.BASE


@dataclass(frozen=True)
class QueryRequest:
    """One query and how it was asked.  ``federation_allowlist``: the SERVICE endpoints it may
    call (the default, none); None skips the check, for a trusted local user (``shkg query``)."""

    query: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    accept: str | None = None
    format: str | None = None
    federation_allowlist: tuple[str, ...] | None = ()


@dataclass(frozen=True)
class Answer:
    """A serialised result.

    ``truncated`` is True when ``Limits`` cut the result (the app says so in a header; the
    SPARQL JSON body also carries a ``truncated`` member, see :mod:`shkg.results`).  ``rows``
    counts the solutions or triples in the body; None for ASK.
    """

    body: bytes
    media_type: str
    truncated: bool = False
    rows: int | None = None


class QueryFailed(RuntimeError):
    """A query that was accepted failed while it ran or was written: a server fault."""


Result: TypeAlias = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | pyoxigraph.QueryTriples
DEFAULT_LIMITS = Limits()


def answer(store: ReadableStore, request: QueryRequest, limits: Limits = DEFAULT_LIMITS) -> Answer:
    """Evaluate a read-only query; the default graph is the union of the named graphs.

    ``default_graphs`` / ``named_graphs`` (the protocol's default-graph-uri and
    named-graph-uri) replace the dataset the query would otherwise see.  SELECT, CONSTRUCT
    and DESCRIBE results are cut to ``limits`` and then marked ``truncated``.
    """
    # Lexed at most once: every question below (update? which SERVICEs? did one fail?) reads
    # it.  Most queries are never lexed: one that cannot call SERVICE (see may_call_service)
    # needs no federation check, and an update is no query, so pyoxigraph's parser refuses it
    # and the error path below says why.  Lexing costs about as much as running a typical query.
    lexed: Lexed | str = request.query
    if request.federation_allowlist is not None and may_call_service(request.query):
        # Here, not in the server process: the checks read the whole text, and a query
        # worker's cores are better spent on them than the one serving every request.
        lexed = Lexed.of(request.query)
        refuse_update(lexed)
        check_federation(lexed, request.federation_allowlist, base=QUERY_BASE)
    options: dict[str, object] = {"base_iri": QUERY_BASE}
    try:
        if request.default_graphs:
            options["default_graph"] = [pyoxigraph.NamedNode(iri) for iri in request.default_graphs]
        else:
            options["use_default_graph_as_union"] = True
        if request.named_graphs:
            options["named_graphs"] = [pyoxigraph.NamedNode(iri) for iri in request.named_graphs]
    except ValueError as error:
        raise BadRequest(
            f"bad graph IRI in default-graph-uri or named-graph-uri: {error}"
        ) from None
    try:
        result = store.query(request.query, **options)  # type: ignore[arg-type]
    except SyntaxError as error:
        message = str(error)
        refuse_update(lexed)
        raise malformed(message) from None
    except ValueError as error:
        raise BadRequest(f"bad request: {error}") from None
    except (OSError, RuntimeError) as error:
        gateway = _service_failure(lexed, error)
        if gateway is None:
            raise
        raise gateway from None

    # pyoxigraph's results must be dropped on the thread that made them, so no exception may
    # leave this frame while it still holds one (a traceback would carry it to another thread).
    # The writers below hold it in their own frames, so their exceptions are caught here and
    # replaced, outside the handler, by fresh ones with no traceback or context: by then the
    # caught exception and the frames it referenced are gone, and `del result` drops the last.
    offered: dict[str, Any] = (
        RESULTS_FORMATS
        if isinstance(result, (pyoxigraph.QuerySolutions, pyoxigraph.QueryBoolean))
        else GRAPH_FORMATS
    )
    media = choose_format(request.format, request.accept, list(offered))
    if media is None:
        del result
        kind = "query results" if offered is RESULTS_FORMATS else "graph results"
        raise NotAcceptable(f"{kind} can be sent as {', '.join(offered)}")
    failure: Exception
    try:
        return _serialise(result, media, offered[media], limits)
    except HttpError as error:
        failure = type(error)(error.message, error.retry_after)
    except (OSError, RuntimeError) as error:
        failure = _service_failure(lexed, error) or QueryFailed(
            f"query failed while running: {error}"
        )
    except Exception as error:  # noqa: BLE001 - any failure, replaced by one without a traceback
        failure = QueryFailed(f"query failed while running: {error}")
    finally:
        del result
    raise failure


_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.DOTALL)


def malformed(message: str) -> MalformedQuery:
    """The parser's complaint as an error saying where: "malformed query at line 4, column 2:
    expected ...", with the position as fields, when the parser gave one."""
    found = _POSITION.match(message)
    if found is None:
        return MalformedQuery(f"malformed query: {message}")
    line, column, rest = int(found.group(1)), int(found.group(2)), found.group(3)
    return MalformedQuery(
        f"malformed query at line {line}, column {column}: {rest}", line=line, column=column
    )


def may_call_service(text: str) -> bool:
    """Whether pyoxigraph could read a SERVICE in ``text``.  It matches keywords ASCII-case-
    insensitively, so a SERVICE anywhere, even inside another word (see the lexer's
    ``_refuse_misreadable``), has the letters "service" in a row; and only an escape (a
    backslash) could spell them otherwise.  A text with neither calls no other endpoint."""
    return "\\" in text or "service" in text.lower()


def refuse_update(query: str | Lexed) -> None:
    """UpdateAsQuery if the text given as a query is a SPARQL update: the one place this
    endpoint says no to writes in a query text."""
    if is_update(query):
        raise UpdateAsQuery()


def _service_failure(query: str | Lexed, error: Exception) -> BadGateway | None:
    """A 502 naming the SERVICE endpoints, if ``error`` is a SERVICE call failing; else None.

    pyoxigraph carries out SERVICE while it evaluates, and reports a service that cannot be
    reached or answers with an error as an OSError (``ConnectionRefusedError``, "Error 404 Not
    Found returned by <url> ..."), in a query with a SERVICE taken for the service failing; a
    RuntimeError only when its message says HTTP, connection or a SERVICE's IRI.  Connection
    errors do not name the URL, so the query's SERVICE targets (already checked against the
    allowlist) are named instead.
    """
    try:
        targets = [target for target in service_targets(query, QUERY_BASE) if target]
    except LexError:
        return None
    if not targets:
        return None
    if not isinstance(error, OSError):
        text = str(error)
        if not any(mark in text for mark in ("HTTP", "Connection", "connection", *targets)):
            return None
    named = ", ".join(f"<{target}>" for target in dict.fromkeys(targets))
    return BadGateway(f"SERVICE {named} failed: {_summary(error)}")


_OS_ERROR = re.compile(r"[A-Za-z][\w ,'-]{0,80} \(os error \d+\)")
_HTTP_STATUS = re.compile(r"\b(?:Error|HTTP|status)\D{0,8}([1-5]\d\d)\b")


def _summary(error: Exception) -> str:
    """What went wrong with a SERVICE call, in words of our own: an HTTP status, or the
    operating system's reason, never the other endpoint's body (which it chose, and which
    would reach our clients word for word)."""
    text = str(error)
    status = _HTTP_STATUS.search(text)
    if status:
        return f"it answered HTTP {status.group(1)}"
    if _OS_ERROR.fullmatch(text):
        return text
    return "it could not be reached or did not answer in SPARQL"


def _serialise(result: Result, media: str, form: Any, limits: Limits) -> Answer:
    if isinstance(result, pyoxigraph.QueryBoolean):
        body = result.serialize(format=form)
        assert body is not None
        return Answer(body=body, media_type=media)
    if isinstance(result, pyoxigraph.QuerySolutions):
        written = write_solutions(form, [v.value for v in result.variables], result, limits)
    else:
        written = write_triples(form, result, limits)
    return Answer(
        body=written.body, media_type=media, truncated=written.truncated, rows=written.rows
    )

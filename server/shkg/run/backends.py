"""Where the data is read from: the embedded store, or any SPARQL 1.1 Protocol endpoint.

The server reads a release through a handful of store operations: ``query`` (the endpoint,
VoID counts), ``quads_for_pattern`` (descriptions and pages) and ``dump`` (the Graph Store
GETs of a service with no release files).  :class:`pyoxigraph.Store` has them all;
:class:`RemoteStore` has the same ones, carried out by a remote SPARQL endpoint (Oxigraph,
Fuseki, Virtuoso, QLever, Neptune, ...) that holds the release, loaded with ``shkg publish``.
So the pages, the limits, the caching and the protection of this server sit unchanged in
front of a larger engine.

What the remote endpoint must do: answer SPARQL 1.1 queries with SPARQL JSON results (SELECT,
ASK) and N-Triples or Turtle (CONSTRUCT, DESCRIBE), and take the protocol's
``default-graph-uri`` and ``named-graph-uri``.  Every request names the release's graphs as
its dataset (the union of them as the default graph, as this server has it), so other graphs
the engine holds, an older release's or its own, are never read.
:func:`check_holds_release` checks that the engine holds this very release before a server
starts on it.  Whatever goes wrong on the engine's side is a 502 (503 past the timeout), never
a 500; details go to the log, not to the client.

Blank nodes cannot be named in a query sent to another server, so a pattern's answer brings
the statements of the blank nodes it returns with it (to ``BLANK_DEPTH`` levels; the dataset's
blank nodes, text selectors and instants, are one level deep), and later patterns on those
blank nodes are answered from what came.  Each answer's blank nodes are labelled anew from the
pattern and the engine's label, so labels that two answers happen to share never merge two
nodes, and every process writes the same bytes for the same answer (as its ETag promises).
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import httpx
import pyoxigraph
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, Triple

from shkg import namespaces as ns
from shkg.errors import (
    BackendError,
    BadGateway,
    HttpError,
    QueryTimedOut,
    ServiceUnavailable,
)
from shkg.manifest import Manifest
from shkg.query.lexer import (
    Kind,
    Lexed,
    LexError,
    Token,
    has_relative_iri,
    iri_value,
    is_update,
    query_form,
    service_targets,
)
from shkg.query.results import Limits
from shkg.query.sparql import Answer, QueryRequest, answer

Term = NamedNode | BlankNode | Literal | Triple
Subject = NamedNode | BlankNode | Triple
GraphName = NamedNode | BlankNode | DefaultGraph
QueryResult = pyoxigraph.QuerySolutions | pyoxigraph.QueryBoolean | Iterable[Triple]

LOG = logging.getLogger("shkg")
RESULTS_MEDIA = "application/sparql-results+json"
GRAPH_MEDIA = {
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
}
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"
# What each form is asked for in.  Only the form's own formats: an engine asked for SPARQL JSON
# first may send a graph result as rows (Virtuoso does).  A text whose form is not known
# (the engine will reject it) may be answered in any.
ACCEPT_BY_FORM = {
    "SELECT": RESULTS_MEDIA,
    "ASK": RESULTS_MEDIA,
    "CONSTRUCT": GRAPH_ACCEPT,
    "DESCRIBE": GRAPH_ACCEPT,
}
ACCEPT = f"{RESULTS_MEDIA}, application/n-triples;q=0.9, text/turtle;q=0.8"
RETRY_AFTER = 2
# Levels of blank nodes a pattern's answer brings along.  Every level is a nested OPTIONAL,
# which some engines (Oxigraph among them) evaluate on its own before joining: one level costs
# nothing, two cost a scan.  The dataset's blank nodes are one level deep.
BLANK_DEPTH = 1
PATTERN_CACHE_ENTRIES = 20_000
CONNECT_SECONDS = 5.0


class RemoteStore:
    """The read operations of :class:`pyoxigraph.Store`, answered by a SPARQL endpoint that
    holds the release whose named graphs are ``graphs``.

    ``timeout`` bounds each request: connecting, each read, and reading the whole answer.
    Answers to patterns are kept (at most ``PATTERN_CACHE_ENTRIES``): a release never changes.
    Safe to share between threads.
    """

    def __init__(
        self,
        endpoint: str,
        timeout: float,
        graphs: Sequence[str],
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self.graphs = [NamedNode(iri) for iri in graphs]
        try:
            self._client = httpx.Client(
                timeout=httpx.Timeout(timeout, connect=min(CONNECT_SECONDS, timeout)),
                limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
                headers={"User-Agent": "shkg"},
                transport=transport,
            )
            self._url = httpx.URL(endpoint)
        except (httpx.InvalidURL, ValueError, TypeError) as error:
            raise BackendError(f"backend {endpoint!r} is not a usable URL: {error}") from None
        if self._url.scheme not in ("http", "https") or not self._url.host:
            raise BackendError(f"backend {endpoint!r} is not an http(s) URL")
        self._lock = threading.Lock()
        # Each pattern's answer, with the blank nodes it brought (forgotten along with it).
        self._patterns: OrderedDict[tuple[str, ...], tuple[list[Quad], list[BlankNode]]] = (
            OrderedDict()
        )
        self._blanks: dict[BlankNode, list[Quad]] = {}

    def close(self) -> None:
        self._client.close()

    # --- queries ---------------------------------------------------------------------------

    def query(
        self,
        query: str,
        *,
        base_iri: str | None = None,
        use_default_graph_as_union: bool = False,
        default_graph: Any = None,
        named_graphs: Any = None,
    ) -> QueryResult:
        """The query's result, read as the endpoint streams it, over the release's graphs.

        The dataset is the release's: the union of its graphs as the default graph, and its
        graphs as the named ones, unless ``default_graph`` / ``named_graphs`` say otherwise
        (as pyoxigraph's ``Store.query`` reads them).  Raises SyntaxError for a query the
        endpoint rejects (400), ServiceUnavailable past the timeout, BadGateway for any other
        failure of the endpoint.
        """
        lexed = _standard(query)
        defaults = _graphs(default_graph) if default_graph is not None else self.graphs
        named = _graphs(named_graphs) if named_graphs is not None else self.graphs
        fields = {
            "query": [_with_base(lexed, base_iri)],
            "default-graph-uri": [g.value for g in defaults],
            "named-graph-uri": [g.value for g in named],
        }
        form = query_form(lexed)
        deadline = time.monotonic() + self.timeout
        try:
            response = self._client.send(
                self._client.build_request(
                    "POST",
                    self._url,
                    data=fields,
                    headers={"Accept": ACCEPT_BY_FORM.get(form or "", ACCEPT)},
                ),
                stream=True,
            )
        except httpx.TimeoutException:
            raise self._timed_out() from None
        except httpx.HTTPError as error:
            raise self._failed(f"cannot reach it: {error}") from None
        if response.status_code != 200:
            text = _read_capped(response, deadline, 4096).decode("utf-8", "replace").strip()
            response.close()
            if response.status_code == 400:
                raise SyntaxError(_engine_message(text, base_iri, query))
            if response.status_code == 503:
                LOG.warning("backend %s answered 503: %s", self.endpoint, text[:500])
                raise ServiceUnavailable(
                    "the data backend is busy; try again", retry_after=RETRY_AFTER
                )
            raise self._failed(
                f"it answered {response.status_code}: {text[:500]}",
                f"answered HTTP {response.status_code}",
            )
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = io.BufferedReader(
            _Body(response, deadline, self, rewrite=media == RESULTS_MEDIA), buffer_size=65536
        )
        try:
            if media == RESULTS_MEDIA and form not in ("CONSTRUCT", "DESCRIBE"):
                results = pyoxigraph.parse_query_results(
                    body, format=pyoxigraph.QueryResultsFormat.JSON
                )
                if form == "ASK" and isinstance(results, pyoxigraph.QuerySolutions):
                    # Read here, on this thread; the rows are dropped before any error leaves.
                    truth = _ask_truth(results)
                    del results
                    body.close()
                    if isinstance(truth, HttpError):
                        raise truth
                    if truth is None:
                        raise self._failed(
                            "its answer to an ASK does not parse",
                            "sent an answer that does not parse",
                        )
                    return _boolean(truth)
                return results
            if media in GRAPH_MEDIA and form not in ("SELECT", "ASK"):
                return (quad.triple for quad in pyoxigraph.parse(body, format=GRAPH_MEDIA[media]))
        except HttpError:
            body.close()
            raise
        except (SyntaxError, ValueError, OSError) as error:
            body.close()
            raise self._failed(
                f"its answer does not parse: {error}", "sent an answer that does not parse"
            ) from None
        body.close()
        raise self._failed(
            f"it answered in {media or 'no media type'}", "answered in a format not asked for"
        )

    def _timed_out(self) -> QueryTimedOut:
        return QueryTimedOut(
            f"query ran longer than {self.timeout:g} s and was cancelled", retry_after=RETRY_AFTER
        )

    def _failed(self, detail: str, public: str = "could not be reached") -> BadGateway:
        """A 502 for the client; what happened, with the engine's address, for the log only."""
        LOG.warning("backend %s failed: %s", self.endpoint, detail)
        return BadGateway(f"the data backend {public}")

    # --- patterns --------------------------------------------------------------------------

    def quads_for_pattern(
        self,
        subject: Subject | None,
        predicate: NamedNode | None,
        object: Term | None,
        graph_name: GraphName | None = None,
    ) -> list[Quad]:
        if isinstance(subject, BlankNode):
            with self._lock:
                known = self._blanks.get(subject, [])
            return [q for q in known if _matches(q, predicate, object, graph_name)]
        if (
            isinstance(object, BlankNode | Triple)
            or isinstance(subject, Triple)
            or isinstance(graph_name, BlankNode | DefaultGraph)
        ):
            # A blank node of ours means nothing to the endpoint; the release has no quoted
            # triples, and every statement is in a named graph.
            return []
        if (
            subject is not None
            and object is None
            and (predicate is not None or graph_name is not None)
        ):
            # A subject's statements are few and asked for again and again (labels, pages):
            # fetch them all once and pick.
            return [
                q
                for q in self.quads_for_pattern(subject, None, None)
                if _matches(q, predicate, None, graph_name)
            ]
        key = tuple(str(term) for term in (subject, predicate, object, graph_name))
        with self._lock:
            cached = self._patterns.get(key)
            if cached is not None:
                self._patterns.move_to_end(key)
                return cached[0]
        found, blanks = self._fetch(subject, predicate, object, graph_name)
        with self._lock:
            self._blanks.update(blanks)
            self._patterns[key] = (found, list(blanks))
            while len(self._patterns) > PATTERN_CACHE_ENTRIES:
                _, (_, forgotten) = self._patterns.popitem(last=False)
                for node in forgotten:
                    self._blanks.pop(node, None)
        return found

    def dump(
        self,
        output: Any = None,
        format: pyoxigraph.RdfFormat | None = None,
        *,
        from_graph: NamedNode | None = None,
        prefixes: Any = None,
        base_iri: Any = None,
    ) -> bytes:
        """The dataset (or one named graph) in ``format``; the default graph is the union."""
        quads = self.quads_for_pattern(None, None, None, from_graph)
        rdf_format = format or pyoxigraph.RdfFormat.N_QUADS
        if from_graph is not None or not rdf_format.supports_datasets:
            body = pyoxigraph.serialize([q.triple for q in quads], format=rdf_format)
        else:
            body = pyoxigraph.serialize(quads, format=rdf_format)
        assert body is not None
        return body

    def _fetch(
        self,
        subject: Subject | None,
        predicate: NamedNode | None,
        obj: Term | None,
        graph: GraphName | None,
    ) -> tuple[list[Quad], dict[BlankNode, list[Quad]]]:
        """The matching quads, and the statements of each blank node among them."""
        slots = {"s": subject, "p": predicate, "o": obj, "g": graph}
        text = pattern_query({k: v for k, v in slots.items() if v is not None}, BLANK_DEPTH)
        solutions = self.query(text)
        if not isinstance(solutions, pyoxigraph.QuerySolutions):
            raise self._failed(
                "it answered a SELECT with something else", "sent an answer that does not parse"
            )
        # pyoxigraph's results must be dropped on the thread that made them: the error is
        # raised only once they are gone, without the traceback that holds them (the app may
        # handle it on another thread).
        failure: HttpError
        try:
            return self._collect(solutions, slots, obj is None, text)
        except (SyntaxError, ValueError) as error:
            failure = self._failed(
                f"its answer does not parse: {error}", "sent an answer that does not parse"
            )
        finally:
            del solutions
        raise failure

    def _collect(
        self, solutions: pyoxigraph.QuerySolutions, slots: dict[str, Any], chain: bool, text: str
    ) -> tuple[list[Quad], dict[BlankNode, list[Quad]]]:
        renamed: dict[str, BlankNode] = {}

        def value(row: pyoxigraph.QuerySolution, name: str) -> Any:
            found = slots.get(name) or row[name]
            if isinstance(found, BlankNode):  # see the module docstring
                found = renamed.get(found.value) or renamed.setdefault(
                    found.value,
                    BlankNode(hashlib.sha256(f"{text}\0{found.value}".encode()).hexdigest()[:32]),
                )
            return found

        quads: dict[Quad, None] = {}
        blanks: dict[BlankNode, dict[Quad, None]] = {}
        for row in solutions:
            graph_name = value(row, "g")
            quad = Quad(value(row, "s"), value(row, "p"), value(row, "o"), graph_name)
            quads[quad] = None
            if isinstance(quad.subject, BlankNode):
                blanks.setdefault(quad.subject, {})[quad] = None
            node = quad.object
            for level in range(1, BLANK_DEPTH + 1 if chain else 1):
                if not isinstance(node, BlankNode) or row[f"p{level}"] is None:
                    break
                inner = Quad(node, value(row, f"p{level}"), value(row, f"o{level}"), graph_name)
                blanks.setdefault(node, {})[inner] = None
                node = inner.object
        return list(quads), {node: list(statements) for node, statements in blanks.items()}


def pattern_query(fixed: Mapping[str, Any], depth: int) -> str:
    """A SELECT for the quads matching ``fixed`` (terms for s, p, o, g; the rest variables),
    with the statements of blank-node objects to ``depth`` levels as ?p1 ?o1, ?p2 ?o2, ...

    Only named graphs are read (``GRAPH ?g``): the release keeps every statement in one.
    """

    def slot(name: str) -> str:
        return str(fixed[name]) if name in fixed else f"?{name}"

    graph = slot("g")
    nested = ""
    for level in range(depth, 0, -1):
        above = "?o" if level == 1 else f"?o{level - 1}"
        nested = (
            f" OPTIONAL {{ FILTER(isBlank({above})) GRAPH {graph} "
            f"{{ {above} ?p{level} ?o{level} }}{nested} }}"
        )
    if "o" in fixed:  # an object given as a term cannot head the blank-node chain
        nested = ""
    variables = " ".join(f"?{n}" for n in ("s", "p", "o", "g") if n not in fixed)
    extra = " ".join(f"?p{level} ?o{level}" for level in range(1, depth + 1)) if nested else ""
    projection = (variables + " " + extra).strip() or "*"
    if projection == "*":  # every slot fixed: ask whether the quad is there
        return (
            f"SELECT (1 AS ?found) WHERE {{ GRAPH {graph} "
            f"{{ {slot('s')} {slot('p')} {slot('o')} }} }}"
        )
    return (
        f"SELECT {projection} WHERE {{ GRAPH {graph} {{ {slot('s')} {slot('p')} "
        f"{slot('o')} }}{nested} }}"
    )


class RemoteQueries:
    """Runs the endpoint's queries on a :class:`RemoteStore`, as :class:`QueryPool` does on
    the embedded store: same answers, limits and errors.  The timeout is the store's, the HTTP
    request's (the connection is dropped at the deadline; the backend should have its own
    timeout too)."""

    def __init__(self, store: RemoteStore, limits: Limits) -> None:
        self.store = store
        self.limits = limits
        self._lock = threading.Lock()
        self._busy = 0
        self._timeouts = 0

    @property
    def busy(self) -> int:
        with self._lock:
            return self._busy

    @property
    def timeouts(self) -> int:
        with self._lock:
            return self._timeouts

    def run(self, request: QueryRequest, timeout: float | None = None) -> Answer:
        with self._lock:
            self._busy += 1
        try:
            return answer(self.store, request, self.limits)
        except QueryTimedOut:
            with self._lock:
                self._timeouts += 1
            raise
        except (OSError, RuntimeError) as error:  # failed while its answer was read
            LOG.warning("backend %s failed: %s", self.store.endpoint, error)
            raise BadGateway("the data backend failed while answering") from None
        finally:
            with self._lock:
                self._busy -= 1

    def close(self) -> None:
        self.store.close()


def open_remote(endpoint: str, timeout: float, manifest: Manifest) -> RemoteStore:
    """A RemoteStore on ``endpoint`` once it proves to hold the release of ``manifest``."""
    remote = RemoteStore(endpoint, timeout=timeout, graphs=list(manifest.graphs))
    try:
        check_holds_release(remote, manifest)
    except BaseException:
        remote.close()
        raise
    return remote


def check_holds_release(store: RemoteStore, manifest: Manifest) -> None:
    """Fail with a BackendError unless the backend holds this very release: the release graph
    naming its build id, and every graph of it with the size the manifest gives."""
    graphs = " ".join(f"<{iri}>" for iri in sorted(manifest.graphs))
    version = f'<{ns.DATASET}> <{ns.DCAT}version> "{manifest.build_id}"'
    try:
        counts = store.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { VALUES ?g { " + graphs + " } "
            "GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
        assert isinstance(counts, pyoxigraph.QuerySolutions)
        held = {row["g"].value: int(row["n"].value) for row in counts if row["g"] is not None}
        this_release = bool(store.query(f"ASK {{ GRAPH <{ns.RELEASE_GRAPH}> {{ {version} }} }}"))
    except (HttpError, SyntaxError) as error:
        message = error.message if isinstance(error, HttpError) else str(error)
        raise BackendError(f"backend {store.endpoint}: {message} (see the log above)") from None
    wrong = [
        f"<{iri}> has {held.get(iri, 0)} triples, the release {n}"
        for iri, n in sorted(manifest.graphs.items())
        if held.get(iri, 0) != n
    ]
    if not this_release:
        wrong.insert(
            0,
            f"its graph <{ns.RELEASE_GRAPH}> does not name this release "
            "(another release, or a publish that did not finish)",
        )
    if wrong:
        raise BackendError(
            f"backend {store.endpoint} does not hold release {manifest.build_id}: "
            + "; ".join(wrong)
            + ". Load it with `shkg publish --to GRAPH-STORE-URL`."
        )


# --- helpers -------------------------------------------------------------------------------


class _Body(io.RawIOBase):
    """A streamed response body as a file that pyoxigraph's parsers read, which fails with a
    503 past the deadline (a 502 if the answer breaks off) and closes the response once it is
    dropped.  With ``rewrite``, what Virtuoso writes in SPARQL JSON results that parsers do
    not take is rewritten (see ``_VIRTUOSO_JSON``)."""

    def __init__(
        self, response: httpx.Response, deadline: float, store: RemoteStore, rewrite: bool = False
    ) -> None:
        self._response = response
        self._chunks: Iterator[bytes] = response.iter_bytes()
        self._pending = b""
        self._deadline = deadline
        self._store = store
        # Bytes held back, unrewritten, until the next chunk: a label may straddle two.
        self._held: bytes | None = b"" if rewrite else None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            if time.monotonic() > self._deadline:
                raise self._store._timed_out()
            try:
                chunk = next(self._chunks)
            except StopIteration:
                if not self._held:
                    return 0
                self._pending, self._held = _rewritten(self._held), b""
                continue
            except httpx.TimeoutException:
                raise self._store._timed_out() from None
            except httpx.HTTPError as error:
                raise self._store._failed(
                    f"its answer broke off: {error}", "broke off its answer"
                ) from None
            if self._held is None:
                self._pending = chunk
            else:
                self._pending, self._held = _rewrite_some(self._held + chunk)
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size

    def close(self) -> None:
        if not self.closed:
            self._response.close()
        super().close()


# What Virtuoso 7 writes in SPARQL JSON results that parsers do not take, or take otherwise,
# rewritten as the answer streams in (patterns that cannot match inside a JSON string, whose
# quotes are escaped):
# - a blank node is {"type": "bnode", "value": "nodeID://b10006"}, a label no parser need
#   take (pyoxigraph does not); without its "nodeID://" it is one;
# - it keeps no booleans, and writes "true"^^xsd:boolean as "1" (in N-Triples it writes
#   "true"): the same value, written as the data has it.
_VIRTUOSO_JSON = re.compile(
    rb'(?P<blank>"type"\s{0,16}:\s{0,16}"bnode"\s{0,16},\s{0,16}"value"\s{0,16}:\s{0,16}")'
    rb"nodeID://"
    rb'|(?P<boolean>"datatype"\s{0,16}:\s{0,16}"http://www\.w3\.org/2001/XMLSchema#boolean"'
    rb'\s{0,16},\s{0,16}"value"\s{0,16}:\s{0,16}")(?P<digit>[01])"'
)
_LONGEST_MATCH = 200  # bytes: longer than any match of the pattern


def _replace(match: re.Match[bytes]) -> bytes:
    if match.group("blank"):
        return match.group("blank")
    return match.group("boolean") + (b'true"' if match.group("digit") == b"1" else b'false"')


def _rewritten(data: bytes) -> bytes:
    return _VIRTUOSO_JSON.sub(_replace, data)


def _rewrite_some(data: bytes) -> tuple[bytes, bytes]:
    """``data`` rewritten up to a point no match can straddle, and the rest, held back."""
    cut = len(data) - _LONGEST_MATCH
    if cut <= 0:
        return b"", data
    for match in _VIRTUOSO_JSON.finditer(data, max(cut - _LONGEST_MATCH, 0)):
        if match.start() < cut < match.end():
            cut = match.start()
            break
    return _rewritten(data[:cut]), data[cut:]


def _ask_truth(rows: pyoxigraph.QuerySolutions) -> bool | HttpError | None:
    """What an ASK answered as rows stands for, as Virtuoso 7 answers one (one row, one
    variable, 1 or 0); None if the rows do not parse, or the error reading them raised (a
    fresh one, whose traceback holds no rows)."""
    try:
        return any(
            isinstance(term, Literal) and term.value in ("1", "true")
            for row in rows
            for term in row
            if term is not None
        )
    except HttpError as error:
        return type(error)(error.message, error.retry_after)
    except (SyntaxError, ValueError, OSError):
        return None


def _boolean(truth: bool) -> pyoxigraph.QueryBoolean:
    text = b'{"head": {}, "boolean": true}' if truth else b'{"head": {}, "boolean": false}'
    answer = pyoxigraph.parse_query_results(text, format=pyoxigraph.QueryResultsFormat.JSON)
    assert isinstance(answer, pyoxigraph.QueryBoolean)
    return answer


def _read_capped(response: httpx.Response, deadline: float, cap: int) -> bytes:
    data = b""
    try:
        for chunk in response.iter_bytes():
            data += chunk
            if len(data) >= cap or time.monotonic() > deadline:
                break
    except httpx.HTTPError:
        pass
    return data[:cap]


def _engine_message(text: str, base_iri: str | None, query: str) -> str:
    """The engine's message for a query it rejected, as this server words its own (lower case
    first), with a column on the first line moved back over the BASE put before the query.
    Only its first paragraph: Virtuoso follows it with the query as it rewrote it."""
    message = text.strip()[:4000].split("\n\n")[0].strip() or "the data backend rejected the query"
    message = message[0].lower() + message[1:]
    shift = len(_with_base(query, base_iri)) - len(query)
    return (
        re.sub(r"\b1:(\d+)\b", lambda m: f"1:{max(int(m.group(1)) - shift, 1)}", message, count=1)
        if shift
        else message
    )


def _with_base(query: str | Lexed, base_iri: str | None) -> str:
    """The query resolving relative IRIs against ``base_iri`` (a BASE of its own still wins),
    when it has any.  On the same line, so the endpoint's line numbers stay the query's."""
    text = query.text if isinstance(query, Lexed) else query
    return f"BASE <{base_iri}> {text}" if base_iri and has_relative_iri(query) else text


# IRI schemes Virtuoso reads as calls of its own built-in and SQL functions, and the
# qualifiers it takes before a function's name (`<LONG::bif:x>`).
_ENGINE_FUNCTIONS = ("bif:", "sql:")
_FUNCTION_QUALIFIER = re.compile(r"^[A-Za-z_]+::")
_BARE_CARRIAGE_RETURN = re.compile(r"\r(?!\n)")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# What Virtuoso reads as an IRI (its lexer's IRIREF).
_VIRTUOSO_IRI = re.compile(r"<[^<>'{}|^`\x00-\x20]*>")


def _standard(query: str) -> Lexed:
    """The query, lexed, if it is a query in standard SPARQL 1.1 that every engine reads as
    this server does; else SyntaxError, saying where, as a parser would.

    Engines take more than the standard, and some of it must never reach them from the web: an
    update sent as a query (Virtuoso runs one given as ``query``, for a user allowed to write),
    Virtuoso's DEFINE pragmas (which can make it fetch any URL), its OPTION clauses, and its
    built-in and SQL functions (predeclared prefixes bif: and sql:, or IRIs in them).  So a
    query sent to a backend has only the grammar's keywords, declares every prefix it uses, and
    names no function of the engine.

    Those checks read the text as this server's lexer does; an engine that splits the text
    otherwise could find in it what they did not see.  So text the lexers of engines are known
    to split otherwise is refused too: a carriage return not followed by a line feed (Virtuoso
    ends a comment at a line feed only), an IRI with a ``'`` in it (Virtuoso starts a string
    there), and a ``<`` or ``<=`` comparison that Virtuoso would read as the start of an IRI
    (``?a<3&&?b>`` is one there: its IRIs may hold ``"`` and ``&``).
    """
    lexed = Lexed.of(query)
    if is_update(lexed):
        raise SyntaxError("error at 1:1: an update is not a query")
    try:
        bare = _BARE_CARRIAGE_RETURN.search(query)
        if bare:
            line = len(_LINE_BREAK.findall(query, 0, bare.start())) + 1
            raise LexError(
                "a carriage return not followed by a line feed; end lines with a line feed",
                line,
                1,
                bare.start(),
            )
        service_targets(lexed)  # refuses words that are not keywords and undeclared prefixes
        for token in lexed.found:
            _refuse_engine_reading(token, query)
    except LexError as error:
        raise SyntaxError(f"error at {error.line}:{error.column}: {error.message}") from None
    return lexed


def _refuse_engine_reading(token: Token, text: str) -> None:
    def refuse(message: str) -> LexError:
        return LexError(message, token.line, token.column, token.offset)

    if token.kind is Kind.IRIREF:
        value = iri_value(token)
        if _FUNCTION_QUALIFIER.sub("", value).lower().startswith(_ENGINE_FUNCTIONS):
            raise refuse(f"`{token.text}` names a function of an engine, not of SPARQL")
        if "'" in token.text:
            raise refuse(f"`{token.text}` has a ' in it, which some engines read as a string")
    elif token.is_punct("<", "<=") and _VIRTUOSO_IRI.match(text, token.offset):
        raise refuse(
            f"`{token.text}` as a comparison is read as the start of an IRI by some engines: "
            "put a space after it"
        )


def _graphs(value: Any) -> list[NamedNode]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [item for item in items if isinstance(item, NamedNode)]


def _matches(
    quad: Quad, predicate: NamedNode | None, obj: Term | None, graph: GraphName | None
) -> bool:
    return (
        (predicate is None or quad.predicate == predicate)
        and (obj is None or quad.object == obj)
        and (graph is None or quad.graph_name == graph)
    )

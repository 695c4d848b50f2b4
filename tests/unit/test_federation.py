"""The federation allowlist: which SERVICE calls a query may make, checked before pyoxigraph
runs it."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pyoxigraph
import pytest

from shkg.errors import BadRequest, Forbidden, MalformedQuery, ServiceRefused, UpdateAsQuery
from shkg.query.federation import check_federation, normalise
from shkg.query.sparql import QueryRequest, answer, may_call_service

ALLOWED = ("http://a.example/sparql", "https://query.wikidata.org/sparql")


def select(service: str, prologue: str = "") -> str:
    return f"{prologue} SELECT * WHERE {{ SERVICE {service} {{ ?s ?p ?o }} }}"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o }",
        select("<http://a.example/sparql>"),
        select("SILENT <https://query.wikidata.org/sparql>"),
        "select * where { service <http://a.example/sparql> { } }",
        select("<sparql>", "BASE <http://a.example/>"),
        select("<../sparql>", "BASE <http://a.example/x/>"),
        select("wd:sparql", "PREFIX wd: <https://query.wikidata.org/>"),
        select("wd:sparql", "BASE <https://query.wikidata.org/> PREFIX wd: <>"),
        select(r"<http://a.example/sp\u0061rql>"),
        # Scheme and host are compared without case.
        select("<HTTP://A.Example/sparql>"),
        select("<https://QUERY.wikidata.ORG/sparql>"),
        # SERVICE where it is not one.
        "SELECT * WHERE { ?s ?p 'SERVICE <http://evil.example/> {}' }",
        "SELECT * WHERE { ?s ?p ?o } # SERVICE <http://evil.example/> {}",
        "SELECT * WHERE { ?s a <http://www.w3.org/ns/sparql-service-description#Service> }",
    ],
)
def test_allowed(query: str) -> None:
    check_federation(query, ALLOWED)


@pytest.mark.parametrize(
    ("query", "named"),
    [
        (select("<http://evil.example/sparql>"), "http://evil.example/sparql"),
        (select("SILENT <http://127.0.0.1:8080/>"), "http://127.0.0.1:8080/"),
        # Relative IRIs resolve against the dataset's base, or the query's BASE.
        (select("<sparql>"), "https://w3id.org/shkg/sparql"),
        (
            select("<//evil.example/sparql>", "BASE <http://a.example/>"),
            "http://evil.example/sparql",
        ),
        (select("<sparql>", "BASE <http://a.example/sparql/>"), "http://a.example/sparql/sparql"),
        # Prefixed names expand with the query's own PREFIX, the last declaration winning.
        (
            select("a:sparql", "PREFIX a: <http://a.example/> PREFIX a: <http://evil.example/>"),
            "http://evil.example/sparql",
        ),
        # Exact matches only: no prefix matching, no dot segments, no query string, no fragment.
        (select("<http://a.example/sparql/../admin>"), "http://a.example/sparql/../admin"),
        (select("<http://a.example/sparql/>"), "http://a.example/sparql/"),
        (select("<http://a.example/sparql?x>"), "http://a.example/sparql?x"),
        (select("<http://a.example/sparql?>"), "http://a.example/sparql?"),
        (select("<http://a.example/sparql#x>"), "http://a.example/sparql#x"),
        (select("<http://a.example/Sparql>"), "http://a.example/Sparql"),
        (select("<http://a.example:80/sparql>"), "http://a.example:80/sparql"),
        (select("<http://a.example.evil.example/sparql>"), "http://a.example.evil.example/sparql"),
        (select("<http://a.example@evil.example/sparql>"), "http://a.example@evil.example/sparql"),
        (select("<http://a.example%2fsparql>"), "http://a.example%2fsparql"),
        (select("<https://a.example/sparql>"), "https://a.example/sparql"),
        # One allowed SERVICE does not let another through.
        (
            "SELECT * WHERE { SERVICE <http://a.example/sparql> { } "
            "SERVICE <http://b.example/> { } }",
            "http://b.example/",
        ),
    ],
)
def test_refused(query: str, named: str) -> None:
    with pytest.raises(Forbidden) as caught:
        check_federation(query, ALLOWED)
    assert caught.value.message.startswith(
        f"SERVICE <{named}> is not in this endpoint's federation allowlist"
    )
    assert (
        "(allowed: <http://a.example/sparql>, <https://query.wikidata.org/sparql>)"
        in caught.value.message
    )
    assert caught.value.status == 403


@pytest.mark.parametrize("service", ["?endpoint", "SILENT ?endpoint", "$e"])
def test_variable_endpoint_refused(service: str) -> None:
    query = (
        "SELECT * WHERE { BIND(<http://a.example/sparql> AS ?endpoint) SERVICE "
        + service
        + " { } }"
    )
    with pytest.raises(Forbidden, match="variable.*allowlist"):
        check_federation(query, ALLOWED)


def test_empty_allowlist_refuses_every_service() -> None:
    check_federation("SELECT * WHERE { ?s ?p ?o }", ())
    with pytest.raises(Forbidden, match=r"\(allowed: none\)"):
        check_federation(select("<http://a.example/sparql>"), ())


@pytest.mark.parametrize(
    ("query", "position"),
    [
        ("SELECT * WHERE {\n  ?s ?p 'unterminated\n}", "2:9"),
        ("SELECT * WHERE { SERVICE undeclared:x { } }", "1:26"),
        ("PREFIX ex: <http://a.example/> SELECT * WHERE { SERVICEex:sparql { } }", "1:49"),
        ("SELECT * WHERE { ?s ?p trueSERVICE <http://evil.example/> { } }", "1:24"),
        ("SELECT * WHERE { FILTER(1<2) GRAPH <g> (?x <a'b>) }", "1:44"),
    ],
)
def test_unlexable_query_is_a_bad_request(query: str, position: str) -> None:
    with pytest.raises(BadRequest) as caught:
        check_federation(query, ALLOWED)
    assert caught.value.status == 400
    line, column = position.split(":")
    assert f"at line {line}, column {column}:" in caught.value.message
    assert isinstance(caught.value, MalformedQuery)
    assert (caught.value.line, caught.value.column) == (int(line), int(column))


def test_base_and_prefixes_the_query_runs_with() -> None:
    check_federation(select("<sparql>"), ALLOWED, base="http://a.example/")
    check_federation(select("a:sparql"), ALLOWED, prefixes={"a": "http://a.example/"})


@pytest.mark.parametrize(
    ("iri", "normal"),
    [
        ("HTTP://A.Example/Path?Q#F", "http://a.example/Path?Q#F"),
        ("http://User:Pw@A.EXAMPLE:8080/x", "http://User:Pw@a.example:8080/x"),
        ("URN:ISBN:X", "urn:ISBN:X"),
        ("not an iri", "not an iri"),
    ],
)
def test_normalise(iri: str, normal: str) -> None:
    assert normalise(iri) == normal


# ------------------------------------------------------------------ against pyoxigraph itself


class Listener:
    """An HTTP server on 127.0.0.1 that answers any SERVICE call with one empty solution."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        paths = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length") or 0))
                paths.append(self.path)
                body = json.dumps({"head": {"vars": []}, "results": {"bindings": [{}]}}).encode()
                self.send_response(200)
                self.send_header("content-type", "application/sparql-results+json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


# Spellings with which pyoxigraph 0.5.13 calls the endpoint; {u} is the listener.
CALLED = [
    "SELECT * WHERE {{ SERVICE <{u}/plain> {{ }} }}",
    "select * where {{ service <{u}/lower> {{ }} }}",
    "BASE <{u}/> SELECT * WHERE {{ SERVICE <relative> {{ }} }}",
    "PREFIX ex: <{u}/> SELECT * WHERE {{ SERVICE ex:prefixed {{ }} }}",
    r"SELECT * WHERE {{ SERVICE <{u}/\u0065scaped> {{ }} }}",
    "SELECT * WHERE {{ # comment\rSERVICE <{u}/after-cr> {{ }} }}",
    "PREFIX ex: <{u}/> SELECT * WHERE {{ SERVICEex:glued {{ }} }}",
    "SELECT * WHERE {{ ?s ?p trueSERVICE <{u}/after-true> {{ }} }}",
    "SELECT * WHERE {{ ?s ?p falseSERVICE<{u}/after-false>{{ }} }}",
    (
        "PREFIX silent: <http://127.0.0.1:9/> PREFIX : <{u}/> "
        "SELECT * WHERE {{ SERVICE silent:x {{ }} }}"
    ),
    "PREFIX : <{u}/> SELECT * WHERE {{ FILTER(1<2)SERVICE:lt#>\n{{ }} }}",
    "PREFIX : <{u}/> SELECT * WHERE {{ truea (<x> <y#z>) SERVICE :after-truea {{ }} }}",
    "PREFIX : <{u}/> SELECT * WHERE {{ FILTER(1<'a>') SERVICE :string {{ }} # '\n}}",
    "SELECT * WHERE {{ {{ SELECT * WHERE {{ SERVICE <{u}/subquery> {{ }} }} }} }}",
    "ASK {{ FILTER EXISTS {{ SERVICE <{u}/exists> {{ }} }} }}",
]


@pytest.mark.parametrize("template", CALLED)
def test_every_spelling_pyoxigraph_calls_is_refused(listener: Listener, template: str) -> None:
    query = template.format(u=listener.url)
    with pytest.raises((Forbidden, BadRequest)):
        check_federation(query, ())
    # And pyoxigraph does call it: the check above is what stands in the way.
    calls = len(listener.paths)
    result = pyoxigraph.Store().query(query, base_iri="https://w3id.org/shkg/")
    if isinstance(result, pyoxigraph.QuerySolutions):
        list(result)
    del result
    assert len(listener.paths) == calls + 1


def test_an_allowed_service_is_called(listener: Listener) -> None:
    query = select(f"<{listener.url}/allowed>")
    check_federation(query, (f"{listener.url}/allowed",))
    calls = len(listener.paths)
    result = pyoxigraph.Store().query(query)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    assert len(list(result)) == 1  # the listener's one empty solution
    del result
    assert listener.paths[calls:] == ["/allowed"]


@pytest.mark.parametrize(
    ("text", "may"),
    [
        ("SELECT * WHERE { ?s ?p ?o }", False),
        ("SELECT * WHERE { SERVICE <http://a.example/> { ?s ?p ?o } }", True),
        ("SELECT * WHERE { sErViCe <http://a.example/> { } }", True),
        ("SELECT * WHERE { ?s ?p trueSERVICE <http://evil.example/> { } }", True),
        ('SELECT * WHERE { ?s ?p "\\u0053ERVICE" }', True),  # any escape: lexed in full
        ("SELECT * WHERE { ?s ?p 'services' }", True),  # a false alarm only costs time
    ],
)
def test_a_text_without_the_letters_of_service_is_not_lexed(text: str, may: bool) -> None:
    assert may_call_service(text) is may


def test_unlexed_queries_are_still_refused_as_updates_and_services() -> None:
    store = pyoxigraph.Store()
    with pytest.raises(UpdateAsQuery):
        answer(store, QueryRequest("INSERT DATA { <http://a.example/s> <http://a.example/p> 1 }"))
    with pytest.raises(ServiceRefused):
        answer(store, QueryRequest("SELECT * WHERE { SERVICE <http://evil.example/> { } }"))
    assert answer(store, QueryRequest("ASK { }")).body

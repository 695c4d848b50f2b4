"""How :class:`RemoteStore` reads what an engine answers, whatever the answer's chunking: the
Accept it sends for each query form, Virtuoso 7's ways of writing SPARQL JSON (blank node
labels, booleans, ASK as a row) read as the standard has them, and the queries it never
sends.  The engine here is an httpx transport answering recorded Virtuoso bodies, cut into
chunks of every size up to one longer than the longest rewrite."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import httpx
import pyoxigraph
import pytest

from shkg.build.publish import Credentials, PublishError
from shkg.run.backends import RemoteStore

XSD = "http://www.w3.org/2001/XMLSchema#"
# Bytes as Virtuoso 7.2 writes them (tabs and spacing included).
VIRTUOSO_SELECT = (
    b'\n{ "head": { "link": [], "vars": ["s", "o", "flag"] },\n'
    b'  "results": { "distinct": false, "ordered": true, "bindings": [\n'
    b'    { "s": { "type": "bnode", "value": "nodeID://b10000" }\t, "o": { "type": "literal", '
    b'"value": "say \\"type\\": \\"bnode\\", \\"value\\": \\"nodeID://x\\"" }\t, "flag": { "type":'
    b' "typed-literal", "datatype": "http://www.w3.org/2001/XMLSchema#boolean", "value": "1" }},\n'
    b'    { "s": { "type": "uri", "value": "nodeID://not-a-blank-node" }\t, "o": { "type": "bnode",'
    b' "value": "nodeID://b10001" }\t, "flag": { "type": "typed-literal", "datatype": '
    b'"http://www.w3.org/2001/XMLSchema#boolean", "value": "0" }} ] } }'
)
VIRTUOSO_ASK = (
    b'\n{ "head": { "link": [], "vars": ["__ASK_RETVAL"] },\n  "results": { "distinct": false, '
    b'"ordered": true, "bindings": [\n    { "__ASK_RETVAL": { "type": "typed-literal", '
    b'"datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "%s" }} ] } }'
)
VIRTUOSO_ASK_FALSE = (
    b'\n{ "head": { "link": [], "vars": ["__ASK_RETVAL"] },\n  "results": { "distinct": false, '
    b'"ordered": true, "bindings": [ ] } }'
)


class Chunks(httpx.SyncByteStream):
    def __init__(self, body: bytes, size: int) -> None:
        self.body, self.size = body, size

    def __iter__(self) -> Iterator[bytes]:
        for start in range(0, len(self.body), self.size):
            yield self.body[start : start + self.size]


def engine(
    body: bytes, media: str, size: int, seen: list[httpx.Request] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        if seen is not None:
            seen.append(request)
        return httpx.Response(200, headers={"Content-Type": media}, stream=Chunks(body, size))

    return answer


def store(handler: Callable[[httpx.Request], httpx.Response]) -> RemoteStore:
    return RemoteStore(
        "http://engine.test/sparql",
        timeout=10,
        graphs=["https://w3id.org/shkg/graph/entities"],
        transport=httpx.MockTransport(handler),
    )


@pytest.mark.parametrize("size", [*range(1, 40), 199, 200, 201, 4096])
def test_virtuoso_blank_nodes_and_booleans_read_as_the_standard_has_them(size: int) -> None:
    remote = store(engine(VIRTUOSO_SELECT, "application/sparql-results+json", size))
    rows = remote.query("SELECT ?s ?o ?flag WHERE { ?s ?p ?o }")
    assert isinstance(rows, pyoxigraph.QuerySolutions)
    first, second = list(rows)
    assert first["s"] == pyoxigraph.BlankNode("b10000")
    # Inside a string the same words are text, and stay as they are.
    assert first["o"] == pyoxigraph.Literal('say "type": "bnode", "value": "nodeID://x"')
    assert first["flag"] == pyoxigraph.Literal(
        "true", datatype=pyoxigraph.NamedNode(XSD + "boolean")
    )
    assert second["s"] == pyoxigraph.NamedNode("nodeID://not-a-blank-node")  # an IRI is one
    assert second["o"] == pyoxigraph.BlankNode("b10001")
    assert second["flag"] == pyoxigraph.Literal(
        "false", datatype=pyoxigraph.NamedNode(XSD + "boolean")
    )
    remote.close()


@pytest.mark.parametrize(
    "body, truth",
    [(VIRTUOSO_ASK % b"1", True), (VIRTUOSO_ASK % b"0", False), (VIRTUOSO_ASK_FALSE, False)],
)
def test_an_ask_answered_as_a_row_is_a_boolean(body: bytes, truth: bool) -> None:
    for size in (1, 7, 4096):
        remote = store(engine(body, "application/sparql-results+json", size))
        answer = remote.query("PREFIX x: <urn:x:> ASK { ?s ?p ?o }")
        assert isinstance(answer, pyoxigraph.QueryBoolean)
        assert bool(answer) is truth
        remote.close()


@pytest.mark.parametrize(
    "query, accept",
    [
        ("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),
        ("# a comment\nPREFIX x: <urn:x:> ASK { ?s ?p ?o }", "application/sparql-results+json"),
        ("BASE <urn:b> CONSTRUCT WHERE { ?s ?p ?o }", "application/n-triples, text/turtle;q=0.9"),
        ("describe <urn:a>", "application/n-triples, text/turtle;q=0.9"),
    ],
)
def test_each_form_asks_for_its_own_formats_only(query: str, accept: str) -> None:
    seen: list[httpx.Request] = []
    graph = b"<urn:a> <urn:b> <urn:c> .\n"
    results = json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()
    is_graph = "n-triples" in accept
    remote = store(
        engine(
            graph if is_graph else results,
            "application/n-triples" if is_graph else "application/sparql-results+json",
            4096,
            seen,
        )
    )
    answer = remote.query(query)
    if is_graph:
        assert list(answer) == [  # type: ignore[arg-type]
            pyoxigraph.Triple(*(pyoxigraph.NamedNode(f"urn:{x}") for x in "abc"))
        ]
    del answer
    assert seen[0].headers["accept"] == accept
    remote.close()


def test_a_graph_query_answered_as_rows_is_502() -> None:
    # Asked for a graph, Virtuoso may still send rows; they are not taken for the graph.
    remote = store(engine(VIRTUOSO_SELECT, "application/sparql-results+json", 4096))
    with pytest.raises(Exception, match="the data backend answered in a format not asked for"):
        remote.query("CONSTRUCT WHERE { ?s ?p ?o }")
    remote.close()


@pytest.mark.parametrize(
    "query, message",
    [
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "error at 1:1: an update is not a query"),
        ('DEFINE get:soft "replace" SELECT * WHERE { ?s ?p ?o }', "`DEFINE` is not a SPARQL"),
        ('SELECT * WHERE { ?s bif:contains "x" }', "undeclared prefix `bif:`"),
        ("SELECT * WHERE { ?s ?p ?o FILTER(<sql:f>(?o)) }", "names a function of an engine"),
        ("SELECT * WHERE { ?s ?p ?o } OPTION (QUIETCAST)", "`OPTION` is not a SPARQL keyword"),
        ('SELECT * WHERE { ?s ?p ?o FILTER(<LONG::bif:sys_stat>("x")) }', "a function of an"),
        # Text that Virtuoso's lexer splits otherwise than the standard's, so that it would
        # find code where this server's checks saw a comment, a string or an IRI:
        # a comment ends at a line feed only there,
        ('#\r"""\nDEFINE get:soft "replace" SELECT * WHERE { ?s ?p ?o }\n#"""\n', "carriage"),
        # a ' starts a string there, inside what the standard reads as an IRI,
        ("SELECT * WHERE { ?s ?p <a'b> . ?s ?p \"x' bif:f() '\" }", "has a ' in it"),
        # and its IRIs may hold " and &&, so that a comparison starts one.
        ("SELECT * WHERE { ?s ?p ?o FILTER(?o<3&&?o>1) }", "put a space after it"),
    ],
)
def test_what_is_not_standard_sparql_is_never_sent(query: str, message: str) -> None:
    seen: list[httpx.Request] = []
    remote = store(engine(VIRTUOSO_SELECT, "application/sparql-results+json", 4096, seen))
    with pytest.raises(SyntaxError, match=message):
        remote.query(query)
    assert seen == []
    remote.close()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p ?o FILTER(?o<3) }",
        "SELECT * WHERE { ?s ?p ?o FILTER(?o < 3 && ?o <= 2 && ?o > 1) }",
        "SELECT * WHERE {\r\n ?s ?p <http://example.org/#a> }",
        "PREFIX bi: <https://example.org/bif:> SELECT * WHERE { ?s bi:x ?o }",
    ],
)
def test_standard_queries_that_look_close_are_sent(query: str) -> None:
    seen: list[httpx.Request] = []
    results = json.dumps({"head": {"vars": []}, "results": {"bindings": []}}).encode()
    remote = store(engine(results, "application/sparql-results+json", 4096, seen))
    answer = remote.query(query)
    del answer
    assert len(seen) == 1
    remote.close()


def target(challenge: str, seen: list[str | None]) -> Callable[[httpx.Request], httpx.Response]:
    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        if request.headers.get("authorization"):
            return httpx.Response(204)
        return httpx.Response(401, headers={"WWW-Authenticate": challenge})

    return answer


@pytest.mark.parametrize(
    "url, challenge, scheme",
    [
        ("http://127.0.0.1/store", 'Digest realm="v", nonce="n1", qop="auth"', "Digest"),
        ("https://store.example/g", 'Digest realm="v", nonce="n1", qop="auth"', "Digest"),
        ("http://127.0.0.1/store", 'Basic realm="v"', "Basic"),
        ("https://store.example/g", 'Negotiate, Basic realm="v"', "Basic"),
    ],
)
def test_publish_answers_the_challenge_it_is_given(url: str, challenge: str, scheme: str) -> None:
    seen: list[str | None] = []
    with httpx.Client(
        transport=httpx.MockTransport(target(challenge, seen)), auth=Credentials("u", "p")
    ) as client:
        assert client.put(url, content=b"graph one").status_code == 204
        assert client.put(url, content=b"graph two").status_code == 204
    # The first request is answered once challenged; the next carries the answer at once.
    assert seen[0] is None
    assert [s.split()[0] for s in seen[1:] if s] == [scheme, scheme]
    assert len(seen) == 3


def test_publish_never_sends_a_password_in_clear_to_another_machine() -> None:
    seen: list[str | None] = []
    with (
        httpx.Client(
            transport=httpx.MockTransport(target('Basic realm="v"', seen)),
            auth=Credentials("u", "p"),
        ) as client,
        pytest.raises(PublishError, match="over plain http: publish over https"),
    ):
        client.put("http://store.example/g", content=b"graph")
    assert seen == [None]


def test_no_challenge_no_password() -> None:
    seen: list[str | None] = []

    def open_target(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return httpx.Response(201)

    with httpx.Client(
        transport=httpx.MockTransport(open_target), auth=Credentials("u", "p")
    ) as client:
        assert client.put("http://store.example/g", content=b"graph").status_code == 201
    assert seen == [None]

"""Real SPARQL clients against a real server process: SPARQLWrapper, rdflib's SPARQLStore, httpx."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator

import httpx
import pyoxigraph
import pytest
import rdflib
from pyld import jsonld
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    XML,
    SPARQLWrapper,
)

from shkg.build.release import Release
from tests.support import ROOT, ServerProcess

LINGANG = """PREFIX shkg: <https://w3id.org/shkg/ontology#>
SELECT ?cluster WHERE { ?cluster shkg:corePlace <https://w3id.org/shkg/id/place/lingang> }"""
LARGE_AIRCRAFT = "https://w3id.org/shkg/id/cluster/large-aircraft"
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.mark.parametrize("method", [GET, POST])
def test_sparqlwrapper_select(server: ServerProcess, method: str) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setMethod(method)
    client.setQuery(LINGANG)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    assert [b["cluster"]["value"] for b in result["results"]["bindings"]] == [LARGE_AIRCRAFT]


def test_sparqlwrapper_construct(server: ServerProcess) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(f"CONSTRUCT WHERE {{ <{LARGE_AIRCRAFT}> ?p ?o }}")
    client.setReturnFormat(TURTLE)
    data = client.queryAndConvert()
    graph = rdflib.Graph().parse(data=data, format="turtle")  # type: ignore[arg-type]
    assert (rdflib.URIRef(LARGE_AIRCRAFT), None, None) in graph


ASK_LINGANG = f"ASK {{ <{LARGE_AIRCRAFT}> ?p ?o }}"
CONSTRUCT = f"CONSTRUCT WHERE {{ <{LARGE_AIRCRAFT}> ?p ?o }}"
DESCRIBE = f"DESCRIBE <{LARGE_AIRCRAFT}>"


@pytest.mark.parametrize("fmt", [JSON, XML, CSV, TSV])
@pytest.mark.parametrize("query", [LINGANG, ASK_LINGANG])
def test_sparqlwrapper_select_and_ask_in_every_format(
    server: ServerProcess, query: str, fmt: str
) -> None:
    """SPARQLWrapper puts format=, output= and results= in the URL as well as an Accept
    header; every results format it offers is answered, and its converter reads it."""
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    result = client.query()
    converted = result.convert()
    text = converted if isinstance(converted, (str, bytes)) else None
    if fmt == JSON:
        assert isinstance(converted, dict)
        assert converted.get("boolean") is True or converted["results"]["bindings"]
    elif fmt == XML:
        assert "sparql-results+xml" in result.info()["content-type"]
    else:
        assert text is not None
        assert LARGE_AIRCRAFT in str(text) or "true" in str(text).lower()


@pytest.mark.parametrize("fmt", [XML, RDFXML, RDF, TURTLE, N3, JSONLD])
@pytest.mark.parametrize("query", [CONSTRUCT, DESCRIBE])
def test_sparqlwrapper_construct_and_describe_in_every_format(
    server: ServerProcess, query: str, fmt: str
) -> None:
    client = SPARQLWrapper(server.url + "/sparql")
    client.setQuery(query)
    client.setReturnFormat(fmt)
    with warnings.catch_warnings():
        # For `rdf` SPARQLWrapper sends Accept: */* and warns; the format= it adds decides.
        # Its RDF/XML converter makes an rdflib ConjunctiveGraph, which rdflib deprecates.
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        converted = client.queryAndConvert()
    if isinstance(converted, rdflib.Graph):
        graph = converted
    else:
        assert isinstance(converted, bytes)
        graph = rdflib.Graph().parse(data=converted, format="turtle")
    assert (rdflib.URIRef(LARGE_AIRCRAFT), None, None) in graph


@pytest.mark.parametrize("fmt", ["xml", "n3", "turtle", "nt", "json-ld", None])
@pytest.mark.parametrize(
    "path", ["/id/cluster/large-aircraft", "/store?graph=https://w3id.org/shkg/graph/links"]
)
def test_rdflib_parses_resources_and_graphs_in_each_format(
    server: ServerProcess, path: str, fmt: str | None
) -> None:
    """rdflib's own Accept header for each format it names (text/plain for N-Triples) gets
    that format, not the HTML page."""
    with warnings.catch_warnings():
        # rdflib's N3 and JSON-LD parsers use parts of rdflib that rdflib deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.Graph().parse(server.url + path, format=fmt)
    assert len(graph) > 0


def test_rdflib_sparqlstore(server: ServerProcess) -> None:
    graph = rdflib.Graph(SPARQLStore(server.url + "/sparql", returnFormat="json"))
    rows = list(graph.query(LINGANG))
    assert [str(row[0]) for row in rows] == [LARGE_AIRCRAFT]  # type: ignore[index]
    assert bool(graph.query(f"ASK {{ <{LARGE_AIRCRAFT}> ?p ?o }}").askAnswer)


def test_httpx_conditional_get(server: ServerProcess) -> None:
    first = httpx.get(server.url + "/sparql", params={"query": LINGANG})
    again = httpx.get(
        server.url + "/sparql",
        params={"query": LINGANG},
        headers={"if-none-match": first.headers["etag"]},
    )
    assert first.status_code == 200 and again.status_code == 304


@pytest.fixture(scope="module")
def guarded_server(release: Release) -> Iterator[ServerProcess]:
    process = ServerProcess(
        ROOT, release.path.parents[1], "--query-timeout", "1", "--query-workers", "3"
    )
    try:
        yield process
    finally:
        process.stop()


def test_runaway_query_is_cancelled_and_others_keep_answering(
    guarded_server: ServerProcess,
) -> None:
    results: list[httpx.Response] = []

    def runaway() -> None:
        results.append(
            httpx.get(guarded_server.url + "/sparql", params={"query": CROSS_PRODUCT}, timeout=30)
        )

    thread = threading.Thread(target=runaway)
    started = time.monotonic()
    thread.start()
    simple = [
        httpx.get(guarded_server.url + "/sparql", params={"query": LINGANG + f" # {n}"}, timeout=30)
        for n in range(5)
    ]
    thread.join()
    elapsed = time.monotonic() - started
    assert all(r.status_code == 200 for r in simple)
    assert results[0].status_code == 503 and "cancelled" in results[0].text
    assert elapsed < 15
    metrics = httpx.get(guarded_server.url + "/metrics").text
    assert "shkg_query_timeouts_total 1.0" in metrics
    # The pool replaced the killed worker: the next query still answers.
    assert (
        httpx.get(
            guarded_server.url + "/sparql", params={"query": LINGANG + " # after"}
        ).status_code
        == 200
    )


@pytest.mark.slow
def test_two_server_processes_share_one_store(release: Release) -> None:
    process = ServerProcess(ROOT, release.path.parents[1], "--workers", "2", "--query-workers", "1")
    try:
        with httpx.Client() as client:
            answers = {
                client.get(process.url + "/sparql", params={"query": LINGANG + f" # {n}"}).json()[
                    "results"
                ]["bindings"][0]["cluster"]["value"]
                for n in range(20)
            }
        assert answers == {LARGE_AIRCRAFT}
    finally:
        process.stop()


def _named_triples(nquads: bytes | str) -> set[str]:
    """The triples of an N-Triples or N-Quads text that have no blank node, as text."""
    data = nquads.encode() if isinstance(nquads, str) else nquads
    return {
        str(quad.triple)
        for quad in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_QUADS)
        if not any(isinstance(t, pyoxigraph.BlankNode) for t in (quad.subject, quad.object))
    }


def test_pyld_expands_compacts_and_reads_a_resource(server: ServerProcess) -> None:
    """pyld, on its default document loader (requests), fetches the resource and its remote
    context from the server; its RDF is the server's own N-Triples."""
    url = server.url + "/id/place/lingang"
    expanded = jsonld.expand(url)
    assert any(node.get("@id") == "https://w3id.org/shkg/id/place/lingang" for node in expanded)
    context = server.url + "/context.jsonld"
    compacted = jsonld.compact(expanded, context)
    assert compacted["@context"] == context
    again = jsonld.expand(compacted)
    assert _named_triples(jsonld.to_rdf(again, {"format": "application/n-quads"})) == (
        _named_triples(jsonld.to_rdf(expanded, {"format": "application/n-quads"}))
    )
    served = httpx.get(url + ".nt", timeout=30).content
    assert _named_triples(jsonld.to_rdf(expanded, {"format": "application/n-quads"})) == (
        _named_triples(served)
    )


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/id/place/lingang", "text/html"),
        ("/.well-known/void", "text/turtle"),
        ("/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", "application/sparql-results+json"),
        ("/sparql", "text/turtle"),
        ("/store?graph=https%3A%2F%2Fw3id.org%2Fshkg%2Fgraph%2Flinks", "text/turtle"),
        ("/graph/links", "text/turtle"),
        ("/id/target/", "text/html"),
        ("/.well-known/sparql-examples", "text/turtle"),
    ],
)
def test_curl_with_no_accept_header_gets_an_answer(
    server: ServerProcess, path: str, media: str
) -> None:
    """curl as people type it: no -H, so `Accept: */*`; each path answers in its default."""
    if shutil.which("curl") is None:
        pytest.skip("curl is not installed")
    done = subprocess.run(
        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{content_type}", server.url + path],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    status, content_type = done.stdout.split(" ", 1)
    assert status == "200", done.stdout
    assert content_type.split(";")[0] == media

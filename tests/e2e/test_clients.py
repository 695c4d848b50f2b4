"""Real SPARQL clients against a real server process: SPARQLWrapper, rdflib's SPARQLStore, httpx."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import GET, JSON, POST, TURTLE, SPARQLWrapper

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

"""The SPARQL 1.1 Protocol and the Graph Store Protocol, in process (a TestClient per app).

Named after the checklist of Oxigraph's own server tests: each rule of the issue has a test
that fails when the rule is broken.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace

import httpx2
import pyoxigraph
import pytest
import rdflib
from fastapi.testclient import TestClient

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.settings import Settings
from shkg.web.app import release_app
from tests.support import Listener

CLUSTERS = "SELECT ?c WHERE { ?c a <https://w3id.org/shkg/ontology#IndustrialCluster> }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
JSON = "application/sparql-results+json"
IN_PROCESS = Settings(query_workers=0, access_log=False, public_url="http://testserver/")


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(release_app(IN_PROCESS, release)) as test_client:
        yield test_client


def app_client(release: Release, **changes: object) -> TestClient:
    return TestClient(release_app(replace(IN_PROCESS, **changes), release))  # type: ignore[arg-type]


def bindings(response: httpx2.Response) -> list[dict[str, dict[str, str]]]:
    rows: list[dict[str, dict[str, str]]] = response.json()["results"]["bindings"]
    return rows


def count(client: TestClient) -> int:
    return int(bindings(client.get("/sparql", params={"query": COUNT}))[0]["n"]["value"])


# ------------------------------------------------------------------ query forms


def test_get_query(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(JSON)
    assert len(bindings(response)) == 10


def test_post_query(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": CLUSTERS})
    assert response.status_code == 200 and len(bindings(response)) == 10


def test_post_query_direct(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=CLUSTERS.encode(),
        headers={"content-type": "application/sparql-query; charset=utf-8"},
    )
    assert response.status_code == 200 and len(bindings(response)) == 10


def test_post_direct_with_other_charset_is_415(client: TestClient) -> None:
    response = client.post(
        "/sparql",
        content=CLUSTERS.encode(),
        headers={"content-type": "application/sparql-query; charset=latin-1"},
    )
    assert response.status_code == 415


def test_post_sparql_wrong_form(client: TestClient) -> None:
    response = client.post("/sparql", content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 415


def test_wrong_method(client: TestClient) -> None:
    assert client.put("/sparql", content=b"x").status_code == 405
    assert client.delete("/sparql").status_code == 405


def test_exactly_one_query(client: TestClient) -> None:
    assert (
        client.get("/sparql", params=[("query", CLUSTERS), ("query", CLUSTERS)]).status_code == 400
    )


def test_utf8_throughout(client: TestClient) -> None:
    query = (
        "SELECT ?l WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l "
        'FILTER(?l = "上海市"@zh) }'
    )
    for response in (
        client.get("/sparql", params={"query": query}),
        client.post("/sparql", data={"query": query}),
        client.post(
            "/sparql", content=query.encode(), headers={"content-type": "application/sparql-query"}
        ),
    ):
        assert [r["l"]["value"] for r in bindings(response)] == ["上海市"]


def test_invalid_utf8_is_400(client: TestClient) -> None:
    assert client.get("/sparql?query=SELECT%20%FF%FE").status_code == 400
    response = client.post(
        "/sparql", content=b"SELECT \xff", headers={"content-type": "application/sparql-query"}
    )
    assert response.status_code == 400 and "UTF-8" in response.text


def test_relative_iris_resolve_against_the_dataset_base(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": "SELECT ?c WHERE { ?c <ontology#corePlace> <id/place/lingang> }"},
    )
    assert [r["c"]["value"] for r in bindings(response)] == [ns.ID + "cluster/large-aircraft"]


# ------------------------------------------------------------------ datasets


def test_get_query_union_graph(client: TestClient, release: Release) -> None:
    assert count(client) == release.manifest.quads


def test_get_query_explicit_default_graph(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": CLUSTERS, "default-graph-uri": ns.CATALOGUE_GRAPH}
    )
    assert response.status_code == 200 and bindings(response) == []


def test_get_query_explicit_default_graphs_and_named_graphs(client: TestClient) -> None:
    query = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
    response = client.get(
        "/sparql",
        params=[
            ("query", query),
            ("named-graph-uri", ns.LINKS_GRAPH),
            ("default-graph-uri", ns.LINKS_GRAPH),
        ],
    )
    assert [r["g"]["value"] for r in bindings(response)] == [ns.LINKS_GRAPH]


def test_protocol_dataset_overrides_from(client: TestClient) -> None:
    query = f"SELECT (COUNT(*) AS ?n) FROM <{ns.ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
    response = client.get("/sparql", params={"query": query, "default-graph-uri": ns.LINKS_GRAPH})
    links = client.get("/sparql", params={"query": COUNT, "default-graph-uri": ns.LINKS_GRAPH})
    assert bindings(response) == bindings(links)


# ------------------------------------------------------------------ negotiation


def test_get_query_accept_star(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS}, headers={"accept": "*/*"})
    assert response.headers["content-type"].startswith(JSON)


def test_get_query_accept_substar(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS}, headers={"accept": "text/*"})
    assert response.headers["content-type"].startswith("text/csv")


def test_get_query_accept_explicit_priority(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": CLUSTERS},
        headers={"accept": "text/csv;q=0.5, application/sparql-results+xml;q=0.9"},
    )
    assert response.headers["content-type"].startswith("application/sparql-results+xml")


def test_get_query_accept_implicit_priority(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": CLUSTERS},
        headers={"accept": "text/tab-separated-values, */*;q=0.1"},
    )
    assert response.headers["content-type"].startswith("text/tab-separated-values")


@pytest.mark.parametrize(
    "media",
    [
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/rdf+xml",
        "application/n-quads",
        "application/trig",
    ],
)
def test_construct_formats(client: TestClient, media: str) -> None:
    query = "CONSTRUCT WHERE { ?c a <https://w3id.org/shkg/ontology#IndustrialCluster> }"
    response = client.get("/sparql", params={"query": query}, headers={"accept": media})
    assert response.headers["content-type"].startswith(media)
    triples = pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.from_media_type(media))
    assert len(list(triples)) == 10


def test_results_formats_parse_back(client: TestClient) -> None:
    for name, rdf_format in (
        ("json", pyoxigraph.QueryResultsFormat.JSON),
        ("xml", pyoxigraph.QueryResultsFormat.XML),
        ("tsv", pyoxigraph.QueryResultsFormat.TSV),
    ):
        response = client.get("/sparql", params={"query": CLUSTERS, "format": name})
        solutions = pyoxigraph.parse_query_results(response.content, format=rdf_format)
        assert isinstance(solutions, pyoxigraph.QuerySolutions)
        assert len(list(solutions)) == 10
    rows = list(
        csv.reader(
            io.StringIO(client.get("/sparql", params={"query": CLUSTERS, "format": "csv"}).text)
        )
    )
    assert rows[0] == ["c"] and len(rows) == 11


def test_not_acceptable(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS}, headers={"accept": "image/png"})
    assert response.status_code == 406


# ------------------------------------------------------------------ errors and refusals


def test_bad_query_is_400_with_position(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}, headers={"accept": JSON}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and body["status"] == 400
    assert body["error"].startswith(f"malformed query at line 1, column {body['column']}: ")
    assert body["line"] == 1 and body["column"] == 25  # where the parser stopped: after "}"


def test_errors_are_plain_text_for_other_clients(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELEC"}, headers={"accept": "text/html"})
    assert response.status_code == 400 and response.headers["content-type"].startswith("text/plain")


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <a> <b> <c> }",
        "PREFIX ex: <http://example.org/> DELETE WHERE { ?s ?p ?o }",
        "LOAD <http://example.org/data.ttl>",
        "CLEAR ALL",
    ],
)
def test_post_update_read_only(client: TestClient, release: Release, update: str) -> None:
    for response in (
        client.post("/sparql", data={"update": update}),
        client.post(
            "/sparql",
            content=update.encode(),
            headers={"content-type": "application/sparql-update"},
        ),
        client.get("/sparql", params={"update": update}),
    ):
        assert response.status_code == 403, response.text
    # An update sent as a query is not a legal query: 400, as the SPARQL 1.1 Protocol asks,
    # saying that it is refused in any case.
    for response in (
        client.post("/sparql", data={"query": update}),
        client.get("/sparql", params={"query": update}),
        # A precondition does not turn a refusal into 304 (RFC 9110, 13.2.1).
        client.get("/sparql", params={"query": update}, headers={"If-None-Match": "*"}),
    ):
        assert response.status_code == 400, response.text
        assert "read-only" in response.text
    assert count(client) == release.manifest.quads


def test_graph_store_writes_are_refused(client: TestClient, release: Release) -> None:
    for method in ("PUT", "POST", "DELETE", "PATCH"):
        response = client.request(
            method,
            "/store",
            params={"graph": ns.LINKS_GRAPH},
            content=b"<a> <b> <c> .",
            headers={"content-type": "text/turtle"},
        )
        assert response.status_code == 403
    assert count(client) == release.manifest.quads


def test_oversized_body_and_query_are_413(release: Release) -> None:
    with app_client(release, max_body_bytes=1000, max_query_bytes=200) as small:
        assert small.post("/sparql", data={"query": "#" * 2000}).status_code == 413
        long_query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 300
        assert small.get("/sparql", params={"query": long_query}).status_code == 413
        assert small.get("/sparql", params={"query": CLUSTERS}).status_code == 200


def test_truncated_results_say_so(release: Release) -> None:
    with app_client(release, max_rows=3) as small:
        response = small.get("/sparql", params={"query": CLUSTERS})
        assert response.status_code == 200
        assert "max-rows=3" in response.headers["shkg-truncated"]
        body = response.json()
        assert len(body["results"]["bindings"]) == 3 and body["truncated"] == {"max_rows": 3}
        full = small.get("/sparql", params={"query": "SELECT * WHERE { } LIMIT 1"})
        assert "shkg-truncated" not in full.headers


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "SELECT * WHERE {{ SERVICE SILENT <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}",
        "PREFIX x: <http://127.0.0.1:{port}/> SELECT * WHERE {{ SERVICE x:sparql {{ ?s ?p ?o }} }}",
        (
            "SELECT * WHERE {{ BIND(<http://127.0.0.1:{port}/sparql> AS ?e) "
            "SERVICE ?e {{ ?s ?p ?o }} }}"
        ),
    ],
)
def test_service_outside_the_allowlist_never_leaves(release: Release, template: str) -> None:
    listener = Listener()
    try:
        with app_client(release, federation_allowlist=("http://127.0.0.1:9/allowed",)) as guarded:
            response = guarded.get("/sparql", params={"query": template.format(port=listener.port)})
            assert response.status_code == 403
            assert "allowlist" in response.text
    finally:
        listener.close()
    assert listener.connections == 0


def test_rate_limit_answers_429_with_retry_after(release: Release) -> None:
    with app_client(release, rate_query_seconds=0.000001) as limited:
        first = limited.get("/sparql", params={"query": CLUSTERS})
        second = limited.get("/sparql", params={"query": CLUSTERS + " LIMIT 2"})
        assert first.status_code == 200
        assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1


def test_cors_for_reads(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": CLUSTERS}, headers={"origin": "https://example.org"}
    )
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    preflight = client.options(
        "/sparql",
        headers={"origin": "https://example.org", "access-control-request-method": "POST"},
    )
    assert preflight.status_code == 200


# -------------------------------------------------------- service description, graph store


def test_get_query_description(client: TestClient, release: Release) -> None:
    response = client.get("/sparql")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/turtle"
    )
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    sd = rdflib.Namespace(ns.SD)
    endpoint = rdflib.URIRef("http://testserver/sparql")
    assert (endpoint, rdflib.RDF.type, sd.Service) in graph
    assert (endpoint, sd.feature, sd.UnionDefaultGraph) in graph
    assert (endpoint, sd.supportedLanguage, sd.SPARQL11Query) in graph
    names = {str(o) for o in graph.objects(None, sd.name)}
    assert ns.article_graph("18db54f95c37712d") in names and ns.LINKS_GRAPH in names
    triples = {int(str(o)) for o in graph.objects(None, rdflib.URIRef(ns.VOID + "triples"))}
    assert release.manifest.triples in triples


def test_description_lists_the_allowlist(release: Release) -> None:
    allowlist = ("http://127.0.0.1:9/sparql", "http://127.0.0.1:9/sparql")  # named twice
    with app_client(release, federation_allowlist=allowlist) as allowing:
        text = allowing.get("/sparql", headers={"accept": "application/n-triples"}).text
        graph = rdflib.Graph().parse(data=text, format="nt")
    assert text.count(f"<{ns.SHKG}federationAllowed>") == 1  # once, as a graph has it
    assert (
        None,
        rdflib.URIRef(ns.SHKG + "federationAllowed"),
        rdflib.URIRef("http://127.0.0.1:9/sparql"),
    ) in graph
    sd = rdflib.Namespace(ns.SD)
    assert (None, sd.feature, sd.BasicFederatedQuery) in graph


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


def test_a_browser_gets_the_description_as_a_page(client: TestClient, release: Release) -> None:
    page = client.get("/sparql", headers={"accept": BROWSER})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>SPARQL endpoint</h1>" in page.text and 'href="/query"' in page.text
    assert f"<code>{ns.LINKS_GRAPH}</code>" in page.text
    assert (
        "application/sparql-results+json" in page.text and "SERVICE</code> is refused" in page.text
    )
    # A program asking for anything still gets Turtle.
    assert (
        client.get("/sparql", headers={"accept": "*/*"})
        .headers["content-type"]
        .startswith("text/turtle")
    )


def test_federation_is_not_advertised_when_nothing_is_allowed(client: TestClient) -> None:
    graph = rdflib.Graph().parse(
        data=client.get("/sparql", headers={"accept": "application/n-triples"}).text, format="nt"
    )
    sd = rdflib.Namespace(ns.SD)
    assert (None, sd.feature, sd.UnionDefaultGraph) in graph
    assert (None, sd.feature, sd.BasicFederatedQuery) not in graph


def test_graph_store_get_named_graph(client: TestClient, release: Release) -> None:
    response = client.get("/store", params={"graph": ns.LINKS_GRAPH})
    assert response.headers["content-type"].startswith("text/turtle")
    assert (
        len(rdflib.Graph().parse(data=response.text, format="turtle"))
        == release.manifest.graphs[ns.LINKS_GRAPH]
    )


def test_graph_store_default_is_the_union(client: TestClient, release: Release) -> None:
    response = client.get(
        "/store", params={"default": ""}, headers={"accept": "application/n-triples"}
    )
    assert len(rdflib.Graph().parse(data=response.text, format="nt")) == release.manifest.triples


def test_graph_store_whole_dataset_as_quads(client: TestClient, release: Release) -> None:
    response = client.get("/store", headers={"accept": "application/n-quads"})
    assert (
        len(list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_QUADS)))
        == release.manifest.quads
    )


@pytest.mark.parametrize(
    ("params", "media", "part"),
    [
        ({"graph": ns.LINKS_GRAPH}, "application/ld+json", ns.LINKS_GRAPH),
        ({"default": ""}, "text/turtle", "default"),
        ({}, "application/rdf+xml", "default"),
        ({}, "application/trig", "dataset"),
    ],
)
def test_graph_store_answers_are_the_files_the_build_wrote(
    client: TestClient, release: Release, params: dict[str, str], media: str, part: str
) -> None:
    entry = next(e for e in release.manifest.graph_store if (e.part, e.media_type) == (part, media))
    response = client.get("/store", params=params, headers={"accept": media})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert response.content == (release.graph_store / entry.file).read_bytes()
    assert response.headers["content-length"] == str(entry.bytes)
    assert response.headers["cache-control"].startswith("public")
    head = client.head("/store", params=params, headers={"accept": media})
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == response.headers["etag"]
    again = client.get(
        "/store",
        params=params,
        headers={"accept": media, "if-none-match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_graph_store_unknown_graph_is_404(client: TestClient) -> None:
    assert client.get("/store", params={"graph": "https://example.org/none"}).status_code == 404


# ------------------------------------------------------------------ caching and operations


def test_etag_and_304(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": CLUSTERS})
    tag = first.headers["etag"]
    assert "max-age=" in first.headers["cache-control"]
    again = client.get("/sparql", params={"query": CLUSTERS}, headers={"if-none-match": tag})
    assert again.status_code == 304 and again.content == b""
    other = client.get("/sparql", params={"query": CLUSTERS, "format": "csv"})
    assert other.headers["etag"] != tag


def test_result_cache_answers_repeats(release: Release) -> None:
    with app_client(release) as fresh:
        for _ in range(3):
            fresh.get("/sparql", params={"query": CLUSTERS})
        metrics = fresh.get("/metrics").text
    assert 'shkg_result_cache_total{outcome="hit"} 2.0' in metrics


def test_healthz_and_metrics(client: TestClient, release: Release) -> None:
    assert client.get("/healthz").json() == {
        "ok": True,
        "build_id": release.build_id,
        "quads": release.manifest.quads,
    }
    client.get("/sparql", params={"query": "SELEC"})
    metrics = client.get("/metrics").text
    assert 'shkg_requests_total{route="/sparql",status="400"}' in metrics
    assert "shkg_request_seconds_bucket" in metrics


def test_openapi_documents_the_endpoint(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/sparql" in spec["paths"] and "/store" in spec["paths"]


def test_access_log_is_one_json_line_per_request(
    release: Release, capfd: pytest.CaptureFixture[str]
) -> None:
    with app_client(release, access_log=True) as logged:
        logged.get("/healthz")
    lines = [line for line in capfd.readouterr().err.splitlines() if line.startswith("{")]
    entry = json.loads(lines[-1])
    assert (
        entry["path"] == "/healthz"
        and entry["status"] == 200
        and entry["build"] == release.build_id
    )

"""The first endpoint, in process: the protocol's GET and POST forms, errors and formats."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shkg.app import Served, create_app
from shkg.release import Release

CLUSTERS = "SELECT ?c WHERE { ?c a <https://w3id.org/shkg/ontology#IndustrialCluster> }"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    served = Served(store=release.open_store(), manifest=release.manifest)
    with TestClient(create_app(served)) as test_client:
        yield test_client


def bindings(response: object) -> list[dict[str, dict[str, str]]]:
    body = json.loads(response.content)  # type: ignore[attr-defined]
    rows: list[dict[str, dict[str, str]]] = body["results"]["bindings"]
    return rows


def test_get_query(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert len(bindings(response)) >= 5


def test_post_form_query(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": CLUSTERS})
    assert response.status_code == 200
    assert len(bindings(response)) >= 5


def test_post_direct_query(client: TestClient) -> None:
    response = client.post("/sparql", content=CLUSTERS.encode(),
                           headers={"content-type": "application/sparql-query"})
    assert response.status_code == 200
    assert len(bindings(response)) >= 5


def test_default_graph_is_the_union(client: TestClient, release: Release) -> None:
    response = client.get("/sparql", params={"query": COUNT})
    assert int(bindings(response)[0]["n"]["value"]) == release.manifest["quads"]


def test_default_graph_uri_restricts_the_dataset(client: TestClient) -> None:
    response = client.get("/sparql", params={
        "query": CLUSTERS, "default-graph-uri": "https://w3id.org/shkg/graph/catalogue"})
    assert response.status_code == 200
    assert bindings(response) == []


def test_bad_query_is_400_with_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"},
                          headers={"accept": "application/sparql-results+json"})
    assert response.status_code == 400
    error = response.json()
    assert error["ok"] is False and error["status"] == 400
    assert "1:" in error["error"]


def test_bad_query_plain_text_for_other_clients(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELEC"}, headers={"accept": "text/html"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert "malformed query" in response.text


def test_two_queries_are_400(client: TestClient) -> None:
    response = client.get("/sparql", params=[("query", CLUSTERS), ("query", CLUSTERS)])
    assert response.status_code == 400


@pytest.mark.parametrize("update", [
    "INSERT DATA { <a> <b> <c> }",
    "PREFIX ex: <http://example.org/>\nDELETE WHERE { ?s ?p ?o }",
    "LOAD <http://example.org/data.ttl>",
])
def test_updates_are_refused_and_store_unchanged(client: TestClient, release: Release, update: str) -> None:
    for response in (
        client.post("/sparql", data={"update": update}),
        client.post("/sparql", content=update.encode(), headers={"content-type": "application/sparql-update"}),
        client.post("/sparql", data={"query": update}),
        client.get("/sparql", params={"query": update}),
    ):
        assert response.status_code == 403, response.text
    after = client.get("/sparql", params={"query": COUNT})
    assert int(bindings(after)[0]["n"]["value"]) == release.manifest["quads"]


def test_wrong_content_type_is_415(client: TestClient) -> None:
    response = client.post("/sparql", content=b"{}", headers={"content-type": "application/json"})
    assert response.status_code == 415


def test_wrong_method_is_405(client: TestClient) -> None:
    assert client.put("/sparql", content=b"x").status_code == 405


def test_results_formats(client: TestClient) -> None:
    csv = client.get("/sparql", params={"query": CLUSTERS}, headers={"accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.text.startswith("c\r\n")
    xml = client.get("/sparql", params={"query": CLUSTERS, "format": "xml"})
    assert xml.headers["content-type"].startswith("application/sparql-results+xml")


def test_construct_is_turtle_by_default(client: TestClient) -> None:
    import rdflib

    response = client.get("/sparql", params={
        "query": "CONSTRUCT WHERE { ?c a <https://w3id.org/shkg/ontology#IndustrialCluster> }"})
    assert response.headers["content-type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    assert len(graph) >= 5


def test_unacceptable_format_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": CLUSTERS}, headers={"accept": "image/png"})
    assert response.status_code == 406


def test_healthz(client: TestClient, release: Release) -> None:
    body = client.get("/healthz").json()
    assert body == {"ok": True, "build_id": release.build_id, "quads": release.manifest["quads"]}

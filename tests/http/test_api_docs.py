"""The API described (OpenAPI, Swagger UI from npm) and every IRI of the service for browsers:
graph IRIs, the example list, the service description (in process, over the seed release)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.settings import Settings
from shkg.web.app import release_app

IN_PROCESS = Settings(query_workers=0, access_log=False, public_url="http://testserver/")
CDN = re.compile(r"cdn\.|unpkg|jsdelivr|cdnjs|googleapis", re.IGNORECASE)


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(release_app(IN_PROCESS, release)) as test_client:
        yield test_client


def _path_template(path: str) -> str:
    return re.sub(r"\{(\w+)(:path)?\}", r"{\1}", path)


def test_the_openapi_document_describes_every_public_route(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    described = set(document["paths"])
    public = {
        _path_template(route.path)
        for route in client.app.routes  # type: ignore[attr-defined]
        if isinstance(route, APIRoute)
        and "GET" in (route.methods or set())
        and not route.path.startswith(("/assets/", "/docs"))
        and route.path not in ("/openapi.json", "/id/dataset{suffix}", "/ontology{suffix}")
    }
    assert public - described == set()
    sparql = document["paths"]["/sparql"]
    names = {p["name"] for p in sparql["get"]["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format"} <= names
    assert "application/sparql-query" in sparql["post"]["requestBody"]["content"]
    assert "text/csv" in document["paths"]["/id/{kind}/"]["get"]["responses"]["200"]["content"]


def test_docs_is_swagger_ui_from_this_server_not_a_cdn(client: TestClient) -> None:
    page = client.get("/docs").text
    assert '<script src="/assets/swagger-ui/swagger-ui-bundle.js" defer></script>' in page
    assert '<link rel="stylesheet" href="/assets/swagger-ui/swagger-ui.css">' in page
    assert not CDN.search(page)
    for asset in ("/assets/swagger-ui/swagger-ui-bundle.js", "/assets/site/docs.js"):
        assert client.get(asset).status_code == 200
    assert client.get("/redoc").status_code == 404


def test_a_graph_iri_dereferences_to_the_graph_or_its_page(client: TestClient) -> None:
    name = "6e137014eb55f111"
    page = client.get(f"/graph/{name}", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "/id/article/6e137014eb55f111" in page.text
    turtle = client.get(f"/graph/{name}", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200 and turtle.headers["content-type"].startswith("text/turtle")
    store = client.get("/store", params={"graph": ns.GRAPH + name, "format": "turtle"})
    assert turtle.content == store.content
    assert client.get("/graph/no-such-graph").status_code == 404


def test_the_example_list_has_a_page_for_browsers(client: TestClient) -> None:
    page = client.get("/.well-known/sparql-examples", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    turtle = client.get("/.well-known/sparql-examples")  # a program asking for anything
    assert turtle.headers["content-type"].startswith("text/turtle")
    assert "SPARQLExecutable" in turtle.text
    assert 'href="/id/example/01"' in page.text

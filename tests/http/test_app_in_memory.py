"""The HTTP layer over a store of a few triples in memory: no build, no process, milliseconds.

The protocol's policy (negotiation, the read-only refusals, conditional requests, the one
error body, metrics by error type) tested on its own; the cases Oxigraph's server tests and
ours lacked are here.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import pyoxigraph
import pytest
from starlette.testclient import TestClient

from shkg.settings import Settings
from shkg.web.app import create_app
from shkg.web.service import in_memory

EX = "http://example.org/"
G1, G2 = EX + "g1", EX + "g2"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def _store() -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    for graph, subject, value in ((G1, "a", 1), (G2, "b", 2), (G2, "c", 3)):
        store.add(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode(EX + subject),
                pyoxigraph.NamedNode(EX + "p"),
                pyoxigraph.Literal(
                    str(value),
                    datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer"),
                ),
                pyoxigraph.NamedNode(graph),
            )
        )
    return store


@pytest.fixture
def client() -> Iterator[TestClient]:
    service = in_memory(Settings(query_workers=0, access_log=False), _store())
    with TestClient(create_app(service)) as test_client:
        yield test_client


def count(client: TestClient, **params: str) -> int:
    response = client.get(
        "/sparql", params={"query": COUNT, **params}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 200, response.text
    return int(response.text.splitlines()[1])


def test_the_default_graph_is_the_union_of_the_named_graphs(client: TestClient) -> None:
    assert count(client) == 3
    assert count(client, **{"default-graph-uri": G1}) == 1
    assert count(client, **{"default-graph-uri": G2}) == 2
    graphs = client.get(
        "/sparql",
        params={"query": "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"},
        headers={"Accept": "text/csv"},
    )
    assert graphs.text.split() == ["g", G1, G2]
    union = client.get(
        "/store", params={"default": ""}, headers={"Accept": "application/n-triples"}
    )
    assert len(union.text.strip().splitlines()) == 3
    one = client.get("/store", params={"graph": G1}, headers={"Accept": "application/n-triples"})
    assert one.text.strip() == f'<{EX}a> <{EX}p> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        # A type refused by name is not sent, though */* would take it.
        ("application/sparql-results+json;q=0, */*", "application/sparql-results+xml"),
        # The most specific range decides: text/* refuses, text/csv by name accepts.
        ("text/*;q=0, text/csv", "text/csv"),
        # Parameters other than q do not stop a range from matching.
        ("application/sparql-results+json;charset=utf-8", "application/sparql-results+json"),
        (
            "text/tab-separated-values; charset=utf-8; q=0.9, text/csv; q=0.5",
            "text/tab-separated-values",
        ),
    ],
)
def test_negotiation(client: TestClient, accept: str, media: str) -> None:
    response = client.get("/sparql", params={"query": COUNT}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media


def test_nothing_acceptable_is_406_in_the_one_error_body(client: TestClient) -> None:
    response = client.get(
        "/sparql",
        params={"query": COUNT},
        headers={"Accept": "image/png, application/ld+json;q=0.1"},
    )
    assert response.status_code == 406
    body = response.json()
    assert body["ok"] is False and body["status"] == 406 and "can be sent as" in body["error"]


@pytest.mark.parametrize(
    ("content_type", "status"),
    [
        ("application/sparql-query; charset=iso-8859-1", 415),
        ("text/plain", 415),
        ("application/octet-stream", 415),
        ("application/sparql-query; charset=UTF-8", 200),
    ],
)
def test_post_types_and_charsets(client: TestClient, content_type: str, status: int) -> None:
    response = client.post("/sparql", content=COUNT, headers={"Content-Type": content_type})
    assert response.status_code == status, response.text


def _rejections(client: TestClient, reason: str) -> float:
    text = client.get("/metrics").text
    found = re.search(rf'^shkg_rejections_total{{reason="{reason}"}} (\S+)$', text, re.M)
    return float(found.group(1)) if found else 0.0


@pytest.mark.parametrize(
    "request_kwargs",
    [
        {"data": {"update": "INSERT DATA { <x:a> <x:b> <x:c> }"}},
        {
            "content": "DELETE WHERE { ?s ?p ?o }",
            "headers": {"Content-Type": "application/sparql-update"},
        },
        {"content": "CLEAR ALL", "headers": {"Content-Type": "application/sparql-query"}},
    ],
    ids=["update-parameter", "update-media-type", "update-as-query"],
)
def test_updates_are_refused_and_counted_by_type(
    client: TestClient, request_kwargs: dict[str, object]
) -> None:
    before = _rejections(client, "update")
    response = client.post("/sparql", **request_kwargs)  # type: ignore[arg-type]
    # An update sent as a query is a bad query (400); sent as an update, a forbidden one.
    assert response.status_code == (400 if "query" in str(request_kwargs) else 403)
    assert "read-only" in response.text
    assert _rejections(client, "update") == before + 1
    assert count(client) == 3


def test_a_service_outside_the_allowlist_is_counted_as_federation(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://elsewhere.example/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 403 and "allowlist" in response.text
    assert _rejections(client, "federation") == 1
    assert _rejections(client, "update") == 0


def test_a_repeated_query_is_not_modified(client: TestClient) -> None:
    first = client.get("/sparql", params={"query": COUNT})
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    assert "Accept" in first.headers["Vary"]
    again = client.get("/sparql", params={"query": COUNT}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == tag
    other = client.get(
        "/sparql", params={"query": COUNT}, headers={"If-None-Match": tag, "Accept": "text/csv"}
    )
    assert other.status_code == 200 and other.headers["ETag"] != tag


def test_healthz_names_the_build(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"ok": True, "build_id": "in-memory", "quads": 3}


# --- what an attacker sends (tests/e2e/test_attacks.py runs the same against a server) ----------


def test_several_queries_are_refused_unread_and_sizes_come_first(client: TestClient) -> None:
    # Not lexed at all (the texts are read only in a query worker): 400 whatever they hold.
    pathological = "a" + ".a" * 3000
    response = client.post("/sparql", data={"query": [pathological, pathological]})
    assert response.status_code == 400 and "exactly one" in response.text
    big = "#" * 200_000
    response = client.post("/sparql", data={"query": [COUNT, big]})
    assert response.status_code == 413


@pytest.mark.parametrize("graph", ["x", "a b", "", "http://exa mple.org/"])
def test_a_graph_name_that_is_no_iri_is_400(client: TestClient, graph: str) -> None:
    response = client.get("/store", params={"graph": graph}, headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json()["error"].startswith("`graph` is not an absolute IRI")


def test_if_none_match_star_never_makes_a_missing_thing_304(client: TestClient) -> None:
    star = {"If-None-Match": "*"}
    assert client.get("/id/place/does-not-exist", headers=star).status_code == 404
    assert client.get("/store", params={"graph": EX + "nope"}, headers=star).status_code == 404
    # What exists is current for `*`.
    assert client.get("/store", params={"graph": G1}, headers=star).status_code == 304


def test_a_turtle_404_echoes_nothing_of_the_request(client: TestClient) -> None:
    injected = "/id/place/x%0a%3Curn:evil%3E%20%3Curn:p%3E%20%22injected%22%20.%0a%23"
    response = client.get(injected, headers={"Accept": "text/turtle"})
    assert response.status_code == 404
    assert "evil" not in response.text and "injected" not in response.text
    parsed = pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE)
    assert list(parsed) == []


def test_a_client_that_leaves_mid_body_is_no_server_error(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = create_app(in_memory(Settings(query_workers=0, access_log=False), _store()))
    sent: list[dict[str, object]] = []
    chunks = [
        {"type": "http.request", "body": b"query=SELECT", "more_body": True},
        {"type": "http.disconnect"},
    ]

    async def receive() -> dict[str, object]:
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}  # type: ignore[return-value]

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/sparql",
        "raw_path": b"/sparql",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/x-www-form-urlencoded"),
            (b"content-length", b"100"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8000),
    }
    asyncio.run(app(scope, receive, send))  # type: ignore[arg-type]
    starts = [m for m in sent if m["type"] == "http.response.start"]
    assert [m["status"] for m in starts] == [499]
    assert not [r for r in caplog.records if r.levelname in ("ERROR", "CRITICAL")]


def test_the_host_header_is_never_reflected_nor_splits_the_cache(client: TestClient) -> None:
    pages = [
        client.get(path, headers={"Host": host, "Accept": "text/turtle"})
        for host in ("evil.example", "other.example")
        for path in ("/.well-known/void", "/sparql")
    ]
    for page in pages:
        assert page.status_code == 200
        assert "evil.example" not in page.text and "other.example" not in page.text
        assert "http://127.0.0.1:8000/sparql" in page.text  # the configured default
    assert pages[0].headers["ETag"] == pages[2].headers["ETag"]


def test_whole_graphs_are_made_once_and_under_the_client_limits() -> None:
    unlimited = Settings(
        query_workers=0, access_log=False, rate_concurrent=None, rate_query_seconds=None
    )
    service = in_memory(unlimited, _store())
    turtle = {"Accept": "text/turtle"}
    with TestClient(create_app(service)) as client:
        first = client.get("/store", params={"default": ""}, headers=turtle)
        hits = service.cache.hits
        again = client.get("/store", params={"default": ""}, headers=turtle)
        # Made once: the same again comes from the cache.
        assert again.content == first.content and service.cache.hits == hits + 1
    limited = Settings(query_workers=0, access_log=False, rate_query_seconds=1e-9)
    with TestClient(create_app(in_memory(limited, _store()))) as client:
        assert client.get("/store", params={"default": ""}, headers=turtle).status_code == 200
        # Every answer, made or kept, is one of the client's queries: the budget is spent.
        again = client.get("/store", params={"default": ""}, headers=turtle)
        assert again.status_code == 429 and "Retry-After" in again.headers

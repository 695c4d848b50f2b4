"""Property-based fuzzing of the endpoint: whatever a client sends, no 5xx and a well-formed
answer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shkg.build.release import Release
from shkg.settings import Settings
from shkg.web.app import release_app

FRAGMENTS = [
    "SELECT",
    "ASK",
    "CONSTRUCT",
    "DESCRIBE",
    "WHERE",
    "{",
    "}",
    "?s",
    "?p",
    "?o",
    "<a>",
    "<",
    ">",
    '"',
    "'",
    "#",
    "\n",
    "PREFIX",
    "x:",
    "BASE",
    "SERVICE",
    "FILTER(",
    ")",
    ".",
    ";",
    "*",
    "INSERT",
    "DELETE",
    "LOAD",
    "GRAPH",
    "LIMIT",
    "1",
    "-",
    "\\",
    "\x00",
    "上海",
    "\ud800",
]
MEDIA = [
    "application/sparql-results+json",
    "text/csv",
    "text/turtle",
    "*/*",
    "text/*",
    "image/png",
    "application/json",
    "text/html",
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
    ";q=",
    "q=abc",
    ",",
    "/",
    "",
]

queries = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(FRAGMENTS), max_size=30).map(" ".join),
)
headers = st.lists(st.sampled_from(MEDIA), max_size=4).map(lambda parts: ", ".join(parts))
bodies = st.one_of(
    st.binary(max_size=300), queries.map(lambda q: q.encode("utf-8", "surrogatepass"))
)


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    app = release_app(
        Settings(query_workers=0, access_log=False, public_url="http://testserver/", max_rows=50),
        release,
    )
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def well_formed(response: object) -> None:
    status = response.status_code  # type: ignore[attr-defined]
    assert status < 500, response.text  # type: ignore[attr-defined]
    content_type = response.headers.get("content-type", "")  # type: ignore[attr-defined]
    if status >= 400 and content_type.startswith("application/json"):
        body = json.loads(response.content)  # type: ignore[attr-defined]
        assert body["ok"] is False and body["status"] == status and body["error"]


FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@FUZZ
@given(query=queries, accept=headers)
def test_get_never_fails_on_the_server(client: TestClient, query: str, accept: str) -> None:
    well_formed(
        client.get(
            "/sparql",
            params={"query": query.encode("utf-8", "surrogatepass").decode("utf-8", "replace")},
            headers={"accept": accept},
        )
    )


@FUZZ
@given(body=bodies, content_type=headers, accept=headers)
def test_post_never_fails_on_the_server(
    client: TestClient, body: bytes, content_type: str, accept: str
) -> None:
    well_formed(
        client.post(
            "/sparql", content=body, headers={"content-type": content_type, "accept": accept}
        )
    )


@FUZZ
@given(
    raw=st.binary(max_size=200),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]),
    path=st.sampled_from(["/sparql", "/store", "/", "/healthz", "/nowhere", "/sparql/"]),
)
def test_raw_query_strings_and_methods(
    client: TestClient, raw: bytes, method: str, path: str
) -> None:
    from urllib.parse import quote_from_bytes

    well_formed(client.request(method, f"{path}?{quote_from_bytes(raw, safe='=&')}"))

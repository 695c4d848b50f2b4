"""Search by name over the release's index, through the app (in process)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.search import SEARCH_FILE
from shkg.settings import Settings
from shkg.web.app import release_app

IN_PROCESS = Settings(query_workers=0, access_log=False, public_url="http://testserver/")


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(release_app(IN_PROCESS, release)) as test_client:
        yield test_client


def _json(client: TestClient, q: str, **params: str) -> list[dict[str, str]]:
    response = client.get(
        "/search", params={"q": q, **params}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    found: list[dict[str, str]] = response.json()["results"]
    return found


def test_the_index_is_in_the_manifest_with_its_figures(release: Release) -> None:
    entry = release.manifest.search
    data = (release.path / SEARCH_FILE).read_bytes()
    assert entry.file == SEARCH_FILE and entry.bytes == len(data)
    assert entry.sha256 == hashlib.sha256(data).hexdigest()
    assert entry.resources > 400 and entry.names >= entry.resources and entry.seconds > 0


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Lingang", "place/lingang"),
        ("lingang", "place/lingang"),
        ("新能源", "industry/new-energy-vehicles"),
        ("Zhangjiang", "place/zhangjiang"),
        ("张江", "place/zhangjiang"),
        ("integrated circuits", "industry/integrated-circuits"),
    ],
)
def test_names_find_their_resources_first(client: TestClient, query: str, first: str) -> None:
    found = _json(client, query)
    assert found[0]["iri"] == ns.ID + first, [f["iri"] for f in found[:5]]
    assert found[0]["page"] == "/id/" + first
    assert found[0]["kind"] and found[0]["match"] in ("exact", "prefix")


def test_every_result_names_its_kind_and_page(client: TestClient) -> None:
    found = _json(client, "new energy", limit="50")
    assert 3 <= len(found) <= 50
    for hit in found:
        assert hit["iri"].startswith(ns.BASE) and hit["page"].startswith("/")
        assert client.get(hit["page"], headers={"Accept": "text/html"}).status_code == 200


def test_the_html_page_lists_links_and_keeps_the_query(client: TestClient) -> None:
    response = client.get("/search", params={"q": "Lingang"}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    text = response.text
    assert '<a href="/id/place/lingang">Lingang</a>' in text
    assert 'name="q" value="Lingang"' in text
    nothing = client.get("/search", params={"q": "zzqqxx"}).text
    assert "Nothing has that name" in nothing
    assert "type a name" in client.get("/search").text


def test_the_search_box_is_on_every_page(client: TestClient) -> None:
    for path in ("/", "/id/place/lingang", "/ontology", "/download/", "/search?q=x"):
        text = client.get(path, headers={"Accept": "text/html"}).text
        assert '<form class="search" role="search" action="/search"' in text, path
    script = client.get("/assets/site/search.js")
    assert script.status_code == 200 and "text/javascript" in script.headers["content-type"]
    assert client.get("/assets/site/other.js").status_code == 404


def test_markup_in_a_query_is_shown_as_text(client: TestClient) -> None:
    text = client.get("/search", params={"q": '<script>"x"</script>'}).text
    assert '<script>"x"' not in text and "&lt;script&gt;" in text


@pytest.mark.parametrize(
    "params", [{"q": "x" * 201}, {"q": "a", "limit": "0"}, {"q": "a", "limit": "101"}]
)
def test_bad_parameters_are_400(client: TestClient, params: dict[str, str]) -> None:
    response = client.get("/search", params=params)
    assert response.status_code == 400


def test_answers_are_cached_by_etag(client: TestClient) -> None:
    first = client.get("/search", params={"q": "Lingang", "format": "json"})
    assert first.headers["content-type"] == "application/json"
    again = client.get(
        "/search",
        params={"q": "Lingang", "format": "json"},
        headers={"If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304

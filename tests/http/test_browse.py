"""Browsing without SPARQL: /id/ and /id/{kind}/ tables with facets, the example questions'
answer pages, and the interface in English and Chinese (in process, over the seed release)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.settings import Settings
from shkg.web.app import release_app

IN_PROCESS = Settings(query_workers=0, access_log=False, public_url="http://testserver/")
TARGETS_2025 = f"""
SELECT ?target WHERE {{ ?target a <{ns.SHKG}Target> ;
  <{ns.SHKG}year> "2025"^^<http://www.w3.org/2001/XMLSchema#gYear> }}
"""


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(release_app(IN_PROCESS, release)) as test_client:
        yield test_client


def _sparql_column(client: TestClient, query: str, variable: str) -> set[str]:
    response = client.get(
        "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return {row[variable]["value"] for row in response.json()["results"]["bindings"]}


def _csv(client: TestClient, url: str, **headers: str) -> list[dict[str, str]]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.text)))


def test_targets_for_2025_as_csv_are_the_sparql_answer(client: TestClient) -> None:
    rows = _csv(client, "/id/target/?year=2025&format=csv")
    expected = _sparql_column(client, TARGETS_2025, "target")
    assert len(expected) > 10
    assert {row["iri"] for row in rows} == expected
    assert all(row["year"] == "2025" for row in rows)
    # The same rows by content negotiation, without the format parameter.
    negotiated = _csv(client, "/id/target/?year=2025", Accept="text/csv")
    assert negotiated == rows


def test_a_target_row_carries_value_unit_comparator_plan_and_source(client: TestClient) -> None:
    rows = {row["iri"]: row for row in _csv(client, "/id/target/?format=csv")}
    nev = rows[ns.ID + "target/002-nev-production-2025"]
    assert nev["value"] == "1200000"
    assert nev["value_label"] == "more than 1.2 million"
    assert nev["unit"] == "http://qudt.org/vocab/unit/NUM"
    assert nev["comparator"] == ns.ID + "comparator/more-than"
    assert nev["subject"] == ns.ID + "industry/new-energy-vehicles"
    assert nev["plan"].startswith(ns.ID + "plan/")
    assert nev["source"] == ns.ID + "article/6e137014eb55f111"


def test_facets_count_the_matching_rows_and_filters_combine(client: TestClient) -> None:
    whole = client.get("/id/target/?format=json").json()
    years = {f["value"]: f["count"] for f in whole["facets"]["year"]}
    assert years["2025"] == len(_csv(client, "/id/target/?year=2025&format=csv"))
    # Every row is counted once under its year (a retired IRI, which has none, under none).
    yearless = sum(1 for row in whole["rows"] if not row["year"])
    assert sum(years.values()) + yearless == whole["total"]
    # Two values of one facet: either; two facets: both.
    either = client.get("/id/target/?year=2025&year=2030&format=json").json()
    assert either["total"] == years["2025"] + years.get("2030", 0)
    plan = next(iter(whole["facets"]["plan"]))["value"]
    both = client.get("/id/target/", params={"year": "2025", "plan": plan, "format": "json"})
    assert 0 < both.json()["total"] <= years["2025"]
    assert all(any(v["value"] == plan for v in row["plan"]) for row in both.json()["rows"])


def test_the_html_table_sorts_pages_and_links_its_rows(client: TestClient) -> None:
    page = client.get("/id/target/?sort=-value&size=5")
    assert page.status_code == 200
    text = page.text
    assert 'aria-sort="descending"' in text
    assert 'rel="next"' in text and "page=2" in text
    body = text.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    assert body.count("<tr>") == 5
    # Descending by value: the first row of the page is the target with the largest value.
    rows = client.get("/id/target/?format=json").json()["rows"]
    largest = max(
        (row for row in rows if row["value"] and row["value"][0]["value"]),
        key=lambda row: float(row["value"][0]["value"]),
    )
    first = body.split("</tr>", 1)[0]
    assert f'<a href="{largest["iri"].removeprefix("https://w3id.org/shkg")}"' in first
    # Past the last page: 404, not an empty page.
    assert client.get("/id/target/?size=5&page=999").status_code == 404


def test_a_facet_counts_what_choosing_another_of_its_values_would_add(
    client: TestClient,
) -> None:
    chosen = client.get("/id/target/?year=2025&format=json").json()
    years = {f["value"]: f["count"] for f in chosen["facets"]["year"]}
    assert "2030" in years  # still offered while 2025 is chosen
    whole = client.get("/id/target/?format=json").json()
    assert years == {f["value"]: f["count"] for f in whole["facets"]["year"]}
    # Other facets count within the chosen year.
    assert sum(f["count"] for f in chosen["facets"]["source"]) >= chosen["total"]


def test_the_language_switch_keeps_the_filters(client: TestClient) -> None:
    page = client.get("/id/target/?year=2025&sort=value").text
    assert 'href="?year=2025&amp;sort=value&amp;lang=zh"' in page
    search = client.get("/search?q=Lingang").text
    assert 'href="?q=Lingang&amp;lang=zh"' in search
    # (By Accept-Language: ?lang= would leave its cookie in this module's client.)
    assert "搜索" in client.get("/search?q=Lingang", headers={"Accept-Language": "zh"}).text


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/id/target/?nonsense=1", 400),
        ("/id/target/?sort=nonsense", 400),
        ("/id/target/?page=0", 400),
        ("/id/target/?size=abc", 400),
        ("/id/unknown-kind/", 404),
        ('/id/a"b/', 404),
        ("/id/target/?q=" + "x" * 600, 400),
        ("/id/example/%C2%B2", 404),
        ("/id/example/" + "9" * 5000, 404),
    ],
)
def test_bad_parameters_get_a_clear_client_error(client: TestClient, url: str, status: int) -> None:
    response = client.get(url, headers={"Accept": "application/json"})
    assert response.status_code == status
    assert response.json()["error"]


def test_every_kind_is_listed_and_browsable(client: TestClient) -> None:
    index = client.get("/id/")
    assert index.status_code == 200
    for kind in ("target", "figure", "cluster", "industry", "place", "plan", "article", "quote"):
        assert f'href="/id/{kind}/"' in index.text
        listing = client.get(f"/id/{kind}/?format=json")
        assert listing.status_code == 200 and listing.json()["total"] > 0, kind


def test_quotes_are_listed_by_their_sentence_not_their_identifier(client: TestClient) -> None:
    rows = client.get("/id/quote/?format=json").json()["rows"]
    names = [row["name"][0]["label"] for row in rows]
    assert all(not name.startswith(("18db", "6e13", "705510", "5e0a", "8b8e")) for name in names)
    assert any("Lingang" in name for name in names)


def test_the_home_page_links_classes_kinds_and_example_answers(client: TestClient) -> None:
    home = client.get("/").text
    assert 'href="/id/target/?year=2025"' in home
    assert 'href="/id/cluster/"' in home
    assert 'href="/id/example/01"' in home


def test_an_example_answer_page_shows_its_table_query_and_editor_link(client: TestClient) -> None:
    page = client.get("/id/example/01")
    assert page.status_code == 200
    text = page.text
    assert '<table class="answer">' in text
    assert "/id/cluster/" in text  # resources link to their pages
    assert "Which clusters include Lingang?" in text
    assert 'href="/query#query=' in text
    assert "SELECT" in text
    assert client.get("/id/example/99").status_code == 404
    described = client.get("/id/example/01", headers={"Accept": "text/turtle"})
    assert described.status_code == 200
    assert "SPARQLExecutable" in described.text


def test_the_interface_follows_accept_language_and_the_switch(
    client: TestClient, release: Release
) -> None:
    english = client.get("/id/target/?year=2025")
    chinese = client.get("/id/target/?year=2025", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert "<h1>Targets</h1>" in english.text
    assert "<h1>目标</h1>" in chinese.text
    assert "超过120万" in chinese.text  # more than 1.2 million, in Chinese units
    assert english.headers["etag"] != chinese.headers["etag"]
    assert "Accept-Language" in chinese.headers["vary"]
    # The switch: ?lang= wins over the header and is remembered in a cookie.
    with TestClient(release_app(IN_PROCESS, release)) as browser:  # its own cookie jar
        switched = browser.get("/?lang=zh", headers={"Accept-Language": "en"})
        assert "上海产业知识图谱" in switched.text
        assert switched.cookies.get("shkg-lang") == "zh"
        assert "上海产业知识图谱" in browser.get("/", headers={"Accept-Language": "en"}).text


def test_an_article_page_shows_its_full_text_with_every_quote_marked(client: TestClient) -> None:
    article = ns.ID + "article/6e137014eb55f111"
    quotes = _sparql_column(client, f"SELECT ?q WHERE {{ ?q <{ns.OA}hasSource> <{article}> }}", "q")
    page = client.get("/id/article/6e137014eb55f111").text
    text = page.split('<div class="article-text" lang="en">', 1)[1].split("</div>", 1)[0]
    marked = set(re.findall(r'<mark><a href="(/id/quote/[^"]+)">', text))
    assert marked == {q.removeprefix("https://w3id.org/shkg") for q in quotes}
    assert "850 billion yuan" in text  # the text itself, not only the quotes
    assert "Published by" in page and "China Daily" in page


def test_plan_and_place_pages_list_the_figures_they_set_or_host(client: TestClient) -> None:
    plan = client.get("/id/plan/shanghai-14th-fyp-high-end-manufacturing").text
    assert "set by this plan" in plan and "more than 1.2 million" in plan
    place = client.get("/id/place/shanghai").text
    assert "in this place" in place and "/id/target/002-nev-production-2025" in place


def test_a_quote_page_is_titled_by_its_sentence(client: TestClient) -> None:
    quote = _sparql_column(
        client,
        f"SELECT ?q WHERE {{ <{ns.ID}target/002-nev-production-2025> "
        f"<{ns.PROV}wasDerivedFrom> ?q }}",
        "q",
    ).pop()
    page = client.get(quote.removeprefix("https://w3id.org/shkg")).text
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert "new energy vehicles" in title.lower() or "NEV" in title
    assert not re.search(r"[0-9a-f]{16}-\d+-\d+", title)

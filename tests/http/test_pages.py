"""Linked data for people and machines: dereferencing, negotiation, HTML pages (in process)."""

from __future__ import annotations

import html as stdlib_html
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Triple

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.render import html
from shkg.render.describe import describe
from shkg.settings import Settings
from shkg.web.app import release_app
from tests.support import ROOT

IN_PROCESS = Settings(query_workers=0, access_log=False, public_url="http://testserver/")
FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
SUFFIXES = {
    ".html": "text/html",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
}
LINGANG = NamedNode(ns.ID + "place/lingang")
FIGURE = NamedNode(ns.ID + "figure/000-ic-scale-2024")
ARTICLE = NamedNode(ns.ID + "article/18db54f95c37712d")


@pytest.fixture(scope="module")
def store(release: Release) -> Store:
    return release.open_store()


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(release_app(IN_PROCESS, release)) as test_client:
        yield test_client


SEARCH_SCRIPT = '<script src="/assets/site/search.js" defer></script>'


def only_our_script(page: str) -> bool:
    """The page runs no code but this server's files (the search box's suggestions first);
    a resource page's embedded JSON-LD is data, which no browser runs."""
    tags = re.findall(r"<script[^>]*>", page)
    code = [t for t in tags if 'type="application/ld+json"' not in t]
    return SEARCH_SCRIPT in page and all(
        re.fullmatch(r'<script src="/assets/[^"]+" defer>', t) for t in code
    )


def embedded_jsonld(page: str) -> str | None:
    found = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    return found.group(1) if found else None


def own_triples(store: Store, subject: NamedNode) -> set[Triple]:
    return {q.triple for q in store.quads_for_pattern(subject, None, None, None)}


def parse(body: bytes, media: str) -> set[Triple]:
    return {quad.triple for quad in pyoxigraph.parse(body, format=FORMATS[media])}


def ground(found: set[Triple]) -> set[Triple]:
    """The triples without blank nodes, which compare across documents as they are."""
    return {
        t
        for t in found
        if not isinstance(t.subject, BlankNode) and not isinstance(t.object, BlankNode)
    }


def subjects_under_id(store: Store) -> list[NamedNode]:
    result = store.query(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ns.ID}")) }}',
        use_default_graph_as_union=True,
    )
    assert isinstance(result, pyoxigraph.QuerySolutions)
    return sorted((row["s"] for row in result if isinstance(row["s"], NamedNode)), key=str)


def path_of(iri: NamedNode) -> str:
    return iri.value.removeprefix("https://w3id.org/shkg")


# ------------------------------------------------------------------ dereferencing


@pytest.mark.slow
def test_every_subject_dereferences_in_html_and_turtle(client: TestClient, store: Store) -> None:
    subjects = subjects_under_id(store)
    assert len(subjects) > 100
    for iri in subjects:
        page = client.get(path_of(iri), headers={"Accept": "text/html"})
        assert page.status_code == 200, iri
        assert page.headers["content-type"].startswith("text/html")
        turtle = client.get(path_of(iri), headers={"Accept": "text/turtle"})
        assert turtle.status_code == 200, iri
        found = parse(turtle.content, "text/turtle")
        own = own_triples(store, iri)
        assert ground(own) <= found, iri
        # Blank nodes (selectors) get fresh labels: compare how many each property has.  The
        # dataset's page is its VoID description, which adds partitions and checksums.
        blank = Counter(t.predicate for t in own if isinstance(t.object, BlankNode))
        assert iri.value == ns.DATASET or blank == Counter(
            t.predicate for t in found if t.subject == iri and isinstance(t.object, BlankNode)
        ), iri
        for suffix in (".jsonld", ".nt", ".rdf"):
            assert client.get(path_of(iri) + suffix).status_code == 200, (iri, suffix)


def test_description_adds_labels_incoming_links_and_provenance(
    client: TestClient, store: Store
) -> None:
    found = parse(client.get(path_of(FIGURE) + ".ttl").content, "text/turtle")
    subject = next(
        t.object for t in own_triples(store, FIGURE) if t.predicate.value == ns.SHKG + "subject"
    )
    labels = {t.object for t in found if t.subject == subject}
    assert Literal("integrated circuits", language="en") in labels
    quote = next(
        t.object
        for t in own_triples(store, FIGURE)
        if t.predicate.value == ns.PROV + "wasDerivedFrom"
    )
    assert isinstance(quote, NamedNode)
    exact = {t.object for t in found if t.predicate.value == ns.OA + "exact"}
    assert exact and exact == {
        q.object
        for q in store.quads_for_pattern(None, NamedNode(ns.OA + "exact"), None, None)
        if any(s.object == q.subject for s in store.quads_for_pattern(quote, None, None, None))
    }
    assert any(t.subject == quote and t.predicate.value == ns.OA + "hasSource" for t in found)
    titles = {
        t.object
        for t in found
        if t.subject == ARTICLE and t.predicate.value == ns.DCTERMS + "title"
    }
    assert titles == {
        t.object for t in own_triples(store, ARTICLE) if t.predicate.value == ns.DCTERMS + "title"
    }
    # Incoming links: what points at Lingang is part of Lingang's description (the rdf:Statements
    # of triples about others, blank nodes, are part of those others' descriptions).
    incoming = {
        q.triple
        for q in store.quads_for_pattern(None, None, LINGANG, None)
        if not isinstance(q.subject, BlankNode)
    }
    lingang = parse(client.get("/id/place/lingang.ttl").content, "text/turtle")
    assert incoming and incoming <= lingang
    # And the sentence stating each of a resource's own triples: its rdf:Statements with their
    # quotes.
    cluster = NamedNode(ns.ID + "cluster/new-energy-vehicles")
    described = parse(client.get("/id/cluster/new-energy-vehicles.ttl").content, "text/turtle")
    stated = [
        t.subject
        for t in described
        if t.predicate.value == ns.RDF + "subject" and t.object == cluster
    ]
    assert len(stated) >= 4
    for node in stated:
        quotes = [
            t.object
            for t in described
            if t.subject == node and t.predicate.value == ns.PROV + "wasDerivedFrom"
        ]
        assert quotes and all(
            any(t.subject == q and t.predicate.value == ns.OA + "hasSelector" for t in described)
            for q in quotes
        )


def test_describe_of_unknown_is_empty(store: Store) -> None:
    assert describe(store, NamedNode(ns.ID + "place/atlantis")) == []


@pytest.mark.parametrize(
    "accept, media",
    [
        ("text/html", "text/html"),
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/turtle;q=0.5, application/rdf+xml", "application/rdf+xml"),
        ("text/html;q=0.1, */*;q=0.5", "text/turtle"),
        ("*/*", "text/html"),
        (None, "text/html"),
    ],
)
def test_negotiation(client: TestClient, accept: str | None, media: str) -> None:
    response = client.get("/id/place/lingang", headers={"Accept": accept} if accept else {})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media
    suffix = {v: k for k, v in SUFFIXES.items()}[media]
    assert response.headers["content-location"] == "/id/place/lingang" + suffix
    assert "Accept" in [v.strip() for v in response.headers["vary"].split(",")]


@pytest.mark.parametrize("suffix", list(SUFFIXES))
def test_suffixes_override_accept(client: TestClient, suffix: str) -> None:
    response = client.get("/id/place/lingang" + suffix, headers={"Accept": "image/png"})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == SUFFIXES[suffix]


def test_every_rdf_format_carries_the_same_triples(client: TestClient) -> None:
    turtle = parse(client.get("/id/place/lingang.ttl").content, "text/turtle")
    for suffix, media in ((".nt", "application/n-triples"), (".rdf", "application/rdf+xml")):
        assert ground(parse(client.get("/id/place/lingang" + suffix).content, media)) == ground(
            turtle
        )


def test_jsonld_uses_the_published_context(client: TestClient) -> None:
    document = client.get("/id/place/lingang.jsonld").json()
    assert document["@context"] == "http://testserver/context.jsonld"
    context = client.get("/context.jsonld").json()["@context"]
    assert context["skos"] == ns.SKOS
    assert any(key.startswith("skos:") for node in document["@graph"] for key in node)
    inline = json.dumps({**document, "@context": context}).encode()
    found = {quad.triple for quad in pyoxigraph.parse(inline, format=pyoxigraph.RdfFormat.JSON_LD)}
    turtle = parse(client.get("/id/place/lingang.ttl").content, "text/turtle")
    assert ground(found) == ground(turtle)


def test_link_headers(client: TestClient) -> None:
    """One alternate per response (JSON-LD processors follow it; several break pyld): the
    JSON-LD, or from the JSON-LD the Turtle; and the licence."""
    for accept, suffix, media in (
        ("text/html", ".jsonld", "application/ld+json"),
        ("text/turtle", ".jsonld", "application/ld+json"),
        ("application/ld+json", ".ttl", "text/turtle"),
    ):
        link = client.get("/id/place/lingang", headers={"Accept": accept}).headers["link"]
        assert link.count('rel="alternate"') == 1
        assert f'</id/place/lingang{suffix}>; rel="alternate"; type="{media}"' in link
        assert '<https://creativecommons.org/licenses/by/4.0/>; rel="license"' in link


def test_etag_and_not_modified(client: TestClient) -> None:
    first = client.get("/id/place/lingang.ttl")
    again = client.get("/id/place/lingang.ttl", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert client.head("/id/place/lingang.ttl").status_code == 200


def test_another_pages_etag_cannot_empty_a_page(client: TestClient) -> None:
    # /id/dataset as HTML is the home page's content under its own ETag: a client sending the
    # home page's ETag must not get (or leave in the cache) an empty page.
    home = client.get("/", headers={"Accept": "text/html"})
    tricked = client.get(
        "/id/dataset", headers={"Accept": "text/html", "If-None-Match": home.headers["etag"]}
    )
    assert tricked.status_code == 200 and tricked.content == home.content
    later = client.get("/id/dataset", headers={"Accept": "text/html"})
    assert later.status_code == 200 and later.content == home.content


@pytest.mark.parametrize(
    "path",
    [
        "/id/place/atlantis",
        "/id/nonsense/lingang",
        "/id/place/%3Cscript%3E",
        "/id/place/lingang.exe",
        "/ontologyX",
        "/id/place/a%20b",
        "/id/place/%00",
    ],
)
def test_unknown_iri_is_a_helpful_404(client: TestClient, path: str) -> None:
    page = client.get(path, headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert '<a href="/">' in page.text and "<script>" not in page.text
    plain = client.get(path, headers={"Accept": "text/turtle"})
    assert plain.status_code == 404
    # A Turtle comment that names no IRI: echoing the path would let it inject triples.
    assert plain.text.startswith("# This IRI is not described in this dataset.")
    assert path not in plain.text


def test_a_suffix_alone_is_not_a_resource(client: TestClient) -> None:
    response = client.get("/id/place/.ttl")
    assert response.status_code == 404 and response.text.startswith("# ")


def test_unacceptable_type_is_406(client: TestClient) -> None:
    assert client.get("/id/place/lingang", headers={"Accept": "image/png"}).status_code == 406


# ------------------------------------------------------------------ HTML


def test_html_page_shows_labels_types_statements_and_sources(
    client: TestClient, store: Store
) -> None:
    page = client.get("/id/industry/integrated-circuits").text
    assert "<h1>integrated circuits</h1>" in page
    assert '<p lang="zh">集成电路</p>' in page
    assert '<a href="/ontology#Industry">Industry</a>' in page
    assert '<th scope="row">' in page and '<main id="content">' in page
    assert only_our_script(page)
    # The figure's source sentence, with its article linked.
    assert "exceeding 390 billion yuan" in page
    assert '<cite><a href="/id/article/18db54f95c37712d">' in page
    note = next(
        t.object
        for t in own_triples(store, FIGURE)
        if t.predicate.value == ns.SKOS + "editorialNote"
    )
    assert isinstance(note, Literal) and stdlib_html.escape(note.value) in page


def test_chart_only_for_comparable_values(client: TestClient) -> None:
    page = client.get("/id/group/three-pioneering-industries").text
    # The data as JSON for Chart.js and as a table for readers without JavaScript.
    assert page.count("data-chart=") == 1 and "<figcaption>" in page
    assert '<td class="number">33.4%</td>' in page
    assert '<script src="/assets/chartjs/chart.umd.min.js" defer></script>' in page
    lingang = client.get("/id/place/lingang").text
    assert "data-chart=" not in lingang and "chartjs" not in lingang


def test_the_chart_libraries_are_served_from_npm_not_a_cdn(client: TestClient) -> None:
    for path in ("/assets/chartjs/chart.umd.min.js", "/assets/site/charts.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/javascript")
    assert client.get("/assets/chartjs/chart.js").status_code == 404  # only the files named


def label_store(tmp_path: Path, text: str) -> tuple[Store, NamedNode]:
    store = Store(str(tmp_path / "store"))
    thing = NamedNode(ns.ID + "place/evil")
    graph = NamedNode(ns.ENTITIES_GRAPH)
    store.add(Quad(thing, NamedNode(ns.SKOS + "prefLabel"), Literal(text, language="en"), graph))
    store.add(Quad(thing, NamedNode(ns.RDF + "type"), NamedNode(ns.SHKG + "Place"), graph))
    store.add(Quad(thing, NamedNode(ns.SKOS + "definition"), Literal(text), graph))
    return store, thing


def test_script_in_a_label_renders_as_text(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script>'
    store, thing = label_store(tmp_path, evil)
    page = html.resource_page(store, thing)
    assert only_our_script(page)
    assert "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</h1>" in page


def test_article_page_shows_metadata_and_highlighted_quotes(
    client: TestClient, store: Store
) -> None:
    page = client.get(path_of(ARTICLE)).text
    own = own_triples(store, ARTICLE)
    for predicate in (
        ns.SHKG + "sha256",
        ns.SCHEMA + "datePublished",
        ns.SHKG + "dateNote",
        ns.DCTERMS + "language",
    ):
        value = next(t.object for t in own if t.predicate.value == predicate)
        assert isinstance(value, Literal) and stdlib_html.escape(value.value) in page
    quotes = {
        q.subject
        for q in store.quads_for_pattern(None, NamedNode(ns.OA + "hasSource"), ARTICLE, None)
    }
    assert quotes
    for quote in quotes:
        assert isinstance(quote, NamedNode)
        selectors = [
            q.object
            for q in store.quads_for_pattern(quote, NamedNode(ns.OA + "hasSelector"), None, None)
        ]
        exact = [
            q.object
            for s in selectors
            if isinstance(s, BlankNode)
            for q in store.quads_for_pattern(s, NamedNode(ns.OA + "exact"), None, None)
        ]
        assert len(exact) == 1 and isinstance(exact[0], Literal)
        assert f"<mark>{stdlib_html.escape(exact[0].value)}</mark>" in page
    assert '<a href="/id/figure/000-ic-scale-2024">' in page
    assert isinstance(quote, NamedNode) and isinstance(exact[0], Literal)
    quote_page = client.get(path_of(quote)).text
    assert f"<mark>{stdlib_html.escape(exact[0].value)}</mark>" in quote_page


def test_ontology_page_and_rdf(client: TestClient, release: Release) -> None:
    page = client.get("/ontology", headers={"Accept": "text/html"}).text
    assert (
        'id="IndustrialCluster"' in page and "Examples:" in page and '<a href="/id/cluster/' in page
    )
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"})
    assert turtle.headers["content-location"] == "/ontology.ttl"
    assert len(parse(turtle.content, "text/turtle")) == release.manifest.graphs[ns.ONTOLOGY_GRAPH]
    assert client.get("/ontology.nt").headers["content-type"].startswith("application/n-triples")


def test_home_page(client: TestClient, release: Release) -> None:
    page = client.get("/").text
    assert f"{release.manifest.triples:,} triples" in page
    for target in ("/sparql", "/query", "/download/", "/.well-known/void", html.LICENSE):
        assert f'href="{target}"' in page
    # A class count links to the list of its instances where there is one, else to the
    # class's entry in the ontology.
    assert '<a href="/id/cluster/">Industrial cluster</a>' in page
    assert '<a href="/ontology#QuantitativeStatement">' in page


def test_home_lists_competency_questions_when_the_root_is_known(release: Release) -> None:
    root = str(ROOT)
    with TestClient(
        release_app(
            Settings(query_workers=0, access_log=False, public_url="http://testserver/", root=root),
            release,
        )
    ) as client:
        assert "Which clusters include Lingang?" in client.get("/").text


def test_a_browser_asking_for_void_gets_the_dataset_page(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    page = client.get("/.well-known/void", headers={"accept": browser})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Shanghai Industry Knowledge Graph</h1>" in page.text
    turtle = client.get("/.well-known/void", headers={"accept": "*/*"})
    assert turtle.headers["content-type"].startswith("text/turtle")


def test_a_resource_page_embeds_its_json_ld_and_links_its_documents(client: TestClient) -> None:
    page = client.get("/id/place/lingang", headers={"Accept": "text/html"}).text
    for suffix, media in ((".ttl", "text/turtle"), (".jsonld", "application/ld+json")):
        assert f'<link rel="alternate" type="{media}" href="/id/place/lingang{suffix}">' in page
        assert f'<a href="/id/place/lingang{suffix}" type="{media}">' in page
    embedded = embedded_jsonld(page)
    assert embedded is not None and "</" not in embedded.replace("<\\/", "")
    document = client.get("/id/place/lingang.jsonld").text
    assert json.loads(embedded) == json.loads(document)

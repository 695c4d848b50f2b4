"""The VoID/DCAT description and the downloads of the release (in process)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

import pyoxigraph
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import Literal, NamedNode, Store, Triple

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.settings import Settings
from shkg.web.app import release_app

VOID = ns.VOID
DCAT = ns.DCAT
SPDX = "http://spdx.org/rdf/terms#"
DATASET = NamedNode(ns.DATASET)


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(
        release_app(
            Settings(query_workers=0, access_log=False, public_url="http://testserver/"), release
        )
    ) as test_client:
        yield test_client


@pytest.fixture(scope="module")
def void(client: TestClient) -> list[Triple]:
    response = client.get("/.well-known/void")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/turtle")
    return [
        quad.triple
        for quad in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE)
    ]


def objects(graph: list[Triple], subject: object, predicate: str) -> list[object]:
    return [t.object for t in graph if t.subject == subject and t.predicate.value == predicate]


def one_int(graph: list[Triple], subject: object, predicate: str) -> int:
    (value,) = objects(graph, subject, predicate)
    assert isinstance(value, Literal)
    return int(value.value)


def rows(store: Store, query: str) -> dict[str, int]:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    return {row["k"].value: int(row["n"].value) for row in result}


def test_void_counts_match_the_store(void: list[Triple], release: Release) -> None:
    store = release.open_store()
    assert one_int(void, DATASET, VOID + "triples") == release.manifest.triples
    entities = rows(
        store,
        f'SELECT ("all" AS ?k) (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o '
        f'FILTER(STRSTARTS(STR(?s), "{ns.ID}")) }}',
    )["all"]
    assert one_int(void, DATASET, VOID + "entities") == entities
    classes = rows(
        store,
        "SELECT (?c AS ?k) (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } "
        "GROUP BY ?c",
    )
    stated = {}
    for partition in objects(void, DATASET, VOID + "classPartition"):
        (cls,) = objects(void, partition, VOID + "class")
        assert isinstance(cls, NamedNode)
        stated[cls.value] = one_int(void, partition, VOID + "entities")
    assert stated == classes
    properties = rows(
        store,
        "SELECT (?p AS ?k) (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } } "
        "GROUP BY ?p",
    )
    stated = {}
    for partition in objects(void, DATASET, VOID + "propertyPartition"):
        (prop,) = objects(void, partition, VOID + "property")
        assert isinstance(prop, NamedNode)
        stated[prop.value] = one_int(void, partition, VOID + "triples")
    assert stated == properties
    assert sum(properties.values()) == release.manifest.triples


def test_void_metadata(void: list[Triple], release: Release) -> None:
    manifest = release.manifest
    assert objects(void, DATASET, ns.DCTERMS + "license") == [
        NamedNode("https://creativecommons.org/licenses/by/4.0/")
    ]
    assert objects(void, DATASET, DCAT + "version") == [Literal(manifest.build_id)]
    (created,) = objects(void, DATASET, ns.DCTERMS + "created")
    assert isinstance(created, Literal) and created.value == manifest.created
    assert objects(void, DATASET, VOID + "sparqlEndpoint") == [
        NamedNode("http://testserver/sparql")
    ]
    assert objects(void, DATASET, VOID + "uriSpace") == [Literal(ns.ID)]
    examples = objects(void, DATASET, VOID + "exampleResource")
    assert examples and all(
        isinstance(e, NamedNode) and e.value.startswith(ns.ID) for e in examples
    )
    (report,) = objects(void, DATASET, ns.SHKG + "validation")
    conforms = objects(void, report, "http://www.w3.org/ns/shacl#conforms")
    assert conforms == [Literal("true", datatype=NamedNode(ns.XSD + "boolean"))]


def test_void_distributions_match_the_manifest(void: list[Triple], release: Release) -> None:
    by_url = {d: d for d in objects(void, DATASET, DCAT + "distribution")}
    assert len(by_url) == len(release.manifest.dumps)
    for entry in release.manifest.dumps:
        distribution = NamedNode(f"http://testserver/download/{entry.file}")
        assert distribution in by_url
        assert objects(void, distribution, DCAT + "downloadURL") == [distribution]
        whole = not entry.file.startswith("graphs/")
        assert (distribution in objects(void, DATASET, VOID + "dataDump")) == whole
        assert one_int(void, distribution, DCAT + "byteSize") == entry.bytes
        assert objects(void, distribution, DCAT + "mediaType") == [
            NamedNode(f"https://www.iana.org/assignments/media-types/{entry.media_type}")
        ]
        (checksum,) = objects(void, distribution, SPDX + "checksum")
        value = objects(void, checksum, SPDX + "checksumValue")
        assert [v.value for v in value if isinstance(v, Literal)] == [entry.sha256]


def test_dataset_iri_serves_the_same_description(client: TestClient, void: list[Triple]) -> None:
    response = client.get("/id/dataset", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    found = [
        quad.triple
        for quad in pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.N_TRIPLES)
    ]
    assert len(found) == len(void)
    assert client.get("/id/dataset.html").headers["content-type"].startswith("text/html")


def test_void_is_negotiated(client: TestClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "application/rdf+xml"})
    assert response.headers["content-type"].startswith("application/rdf+xml")
    assert client.get("/.well-known/void", headers={"Accept": "image/png"}).status_code == 406


# ------------------------------------------------------------------ downloads


def test_download_index_lists_every_dump(client: TestClient, release: Release) -> None:
    page = client.get("/download/").text
    for entry in release.manifest.dumps:
        assert f'href="/download/{entry.file}"' in page and entry.sha256 in page
    assert 'href="/download/SHA256SUMS"' in page


def test_downloads_match_their_checksums(client: TestClient, release: Release) -> None:
    sums = client.get("/download/SHA256SUMS")
    assert sums.status_code == 200 and sums.headers["content-type"].startswith("text/plain")
    listed = {
        name: digest for digest, name in (line.split("  ", 1) for line in sums.text.splitlines())
    }
    for entry in release.manifest.dumps:
        response = client.get(f"/download/{entry.file}")
        assert response.status_code == 200
        digest = hashlib.sha256(response.content).hexdigest()
        assert digest == entry.sha256 == listed[entry.file]
        assert response.headers["etag"] == f'"{digest}"'
        assert "immutable" in response.headers["cache-control"]
        expected = "application/gzip" if entry.file.endswith(".gz") else entry.media_type
        assert response.headers["content-type"].split(";")[0] == expected
        again = client.get(f"/download/{entry.file}", headers={"If-None-Match": f'"{digest}"'})
        assert again.status_code == 304


@pytest.mark.parametrize(
    "path",
    [
        "/download/..%2Fmanifest.json",
        "/download/%2e%2e/manifest.json",
        "/download/graphs/..%2F..%2Fmanifest.json",
        "/download/%2Fetc%2Fpasswd",
        "/download/graphs",
        "/download/nothing.ttl",
    ],
)
def test_path_traversal_is_refused(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert b"build_id" not in response.content and b"root:" not in response.content


def test_the_links_to_wikidata_are_described_as_linksets(
    void: list[Triple], release: Release
) -> None:
    counts = rows(
        release.open_store(),
        f"SELECT ?k (COUNT(*) AS ?n) WHERE {{ GRAPH <{ns.LINKS_GRAPH}> {{ ?s ?p ?o "
        f"FILTER(?p IN (<{ns.OWL}sameAs>, <{ns.SKOS}exactMatch>)) }} BIND(STR(?p) AS ?k) }} "
        "GROUP BY ?k",
    )
    assert set(counts) == {ns.OWL + "sameAs", ns.SKOS + "exactMatch"}
    dataset = NamedNode(ns.DATASET)
    linksets = objects(void, dataset, ns.VOID + "subset")
    found = {}
    for linkset in linksets:
        assert NamedNode(ns.VOID + "Linkset") in objects(void, linkset, ns.RDF + "type")
        (predicate,) = objects(void, linkset, ns.VOID + "linkPredicate")
        assert objects(void, linkset, ns.VOID + "subjectsTarget") == [dataset]
        assert objects(void, linkset, ns.VOID + "objectsTarget") == [
            NamedNode(ns.DATASET + "#wikidata")
        ]
        found[predicate.value] = one_int(void, linkset, ns.VOID + "triples")  # type: ignore[attr-defined]
    assert found == counts

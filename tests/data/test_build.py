"""`shkg build`: what a release holds, and that a failed build changes nothing."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from shkg import graphstore
from shkg import namespaces as ns
from shkg.build.pipeline import build
from shkg.build.release import Release, build_lock, current_release
from shkg.errors import BuildLocked, InputError, QuoteMismatch, ValidationFailed
from shkg.formats import QUAD_FORMATS, TRIPLE_FORMATS
from shkg.project import Project
from tests.support import ServerProcess, quiet

# Each test builds a project of its own (about 20 s a build).
pytestmark = pytest.mark.slow

ARTICLE_KEYS = [
    "18db54f95c37712d",
    "705510ce96c515c9",
    "6e137014eb55f111",
    "5e0aa57edfc75f35",
    "8b8eb0ebdb946325",
]


def test_release_has_one_named_graph_per_article(release: Release) -> None:
    store = release.open_store()
    graphs = {g.value for g in store.named_graphs()}
    for key in ARTICLE_KEYS:
        assert ns.article_graph(key) in graphs
    for graph in (
        ns.ONTOLOGY_GRAPH,
        ns.CATALOGUE_GRAPH,
        ns.ENTITIES_GRAPH,
        ns.LINKS_GRAPH,
        ns.INFERRED_GRAPH,
    ):
        assert graph in graphs
    assert len(store) == release.manifest.quads


def test_article_graphs_are_derived_from_their_articles(release: Release) -> None:
    store = release.open_store()
    solutions = store.query(
        "SELECT ?g ?a WHERE { ?g <http://www.w3.org/ns/prov#wasDerivedFrom> ?a . "
        "?a a <https://w3id.org/shkg/ontology#SourceDocument> }",
        use_default_graph_as_union=True,
    )
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    rows = {(r["g"].value, r["a"].value) for r in solutions}
    assert rows == {(ns.article_graph(k), ns.article_iri(k)) for k in ARTICLE_KEYS}


def test_dumps_match_their_checksums_and_the_store(release: Release) -> None:
    sums = {
        name: digest
        for digest, name in (
            line.split("  ") for line in (release.dumps / "SHA256SUMS").read_text().splitlines()
        )
    }
    assert {"shkg.trig.gz", "shkg.nq.gz"} <= set(sums)
    for name, digest in sums.items():
        assert hashlib.sha256((release.dumps / name).read_bytes()).hexdigest() == digest
    quads = list(
        pyoxigraph.parse(
            gzip.decompress((release.dumps / "shkg.nq.gz").read_bytes()),
            format=pyoxigraph.RdfFormat.N_QUADS,
        )
    )
    assert len(quads) == release.manifest.quads
    listed = {entry.file: entry for entry in release.manifest.dumps}
    assert listed["shkg.trig.gz"].sha256 == sums["shkg.trig.gz"]


def test_the_graph_store_files_are_every_graph_in_every_format(release: Release) -> None:
    """Each whole graph (named, the default union, the dataset) in each format it is offered
    in, as the store itself makes it, with its size and checksum in the manifest."""
    entries = {(e.part, e.media_type): e for e in release.manifest.graph_store}
    # The dataset in a triples format is its default graph: one file for both.
    wanted = {(graphstore.DATASET, media) for media in QUAD_FORMATS} | {
        (part, media)
        for part in [graphstore.DEFAULT, *release.manifest.graphs]
        for media in TRIPLE_FORMATS
    }
    assert set(entries) == wanted
    store = release.open_store()
    for (part, media), entry in entries.items():
        data = (release.graph_store / entry.file).read_bytes()
        assert len(data) == entry.bytes and hashlib.sha256(data).hexdigest() == entry.sha256
        assert data == graphstore.body(store, part, media), (part, media)
    union = release.graph_store / entries[graphstore.DEFAULT, "application/n-triples"].file
    assert len(list(pyoxigraph.parse(path=union, format=pyoxigraph.RdfFormat.N_TRIPLES))) == (
        release.manifest.triples
    )


def test_inferred_graph_holds_entailments_only(release: Release) -> None:
    store = release.open_store()
    # A cluster is an org:OrganizationalCollaboration only by entailment.
    ask = store.query(
        "ASK { GRAPH <https://w3id.org/shkg/graph/inferred> { "
        "<https://w3id.org/shkg/id/cluster/large-aircraft> "
        "a <http://www.w3.org/ns/org#OrganizationalCollaboration> } }"
    )
    assert bool(ask)
    overlap = store.query(
        "ASK { GRAPH <https://w3id.org/shkg/graph/inferred> { ?s ?p ?o } "
        "GRAPH ?g { ?s ?p ?o } FILTER(?g != <https://w3id.org/shkg/graph/inferred>) }"
    )
    assert not bool(overlap)


def first_build(project: Project) -> Release:
    release = build(project, quiet)
    assert current_release(project.var).path == release.path
    return release


def assert_unchanged(project: Project, before: Release) -> None:
    assert current_release(project.var).path == before.path
    assert len(before.open_store()) == before.manifest.quads
    assert not list((project.var / "releases").glob(".building-*"))


def edit(path: Path, old: str, new: str) -> int:
    """Replace the first occurrence of old in path; return the 1-based line it was on."""
    text = path.read_text(encoding="utf-8")
    index = text.index(old)
    path.write_text(text[:index] + new + text[index + len(old) :], encoding="utf-8")
    return text.count("\n", 0, index) + 1


def test_broken_turtle_line_names_file_and_line_and_servers_keep_serving(project: Project) -> None:
    before = first_build(project)
    server = ServerProcess(project.root, project.var)
    try:
        path = project.root / "graph" / "articles" / f"{ARTICLE_KEYS[0]}.trig"
        line = edit(path, " a shkg:Observation ;", " a shkg:Observation ;;; <<")
        with pytest.raises(InputError) as error:
            build(project, quiet)
        assert re.search(
            rf"graph/articles/{ARTICLE_KEYS[0]}\.trig:{line}:\d+: TriG syntax error",
            str(error.value),
        )
        assert_unchanged(project, before)
        response = httpx.get(server.url + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert response.status_code == 200 and response.json()["boolean"] is True
        assert httpx.get(server.url + "/healthz").json()["build_id"] == before.build_id
    finally:
        server.stop()


def test_shacl_violation_names_focus_node_and_shape(project: Project) -> None:
    before = first_build(project)
    path = project.root / "graph" / "articles" / f"{ARTICLE_KEYS[2]}.trig"
    text = path.read_text(encoding="utf-8")
    figure = re.search(r"^\s*(figure:\S+) a shkg:Observation", text, re.MULTILINE)
    assert figure
    focus = figure.group(1).replace("figure:", "https://w3id.org/shkg/id/figure/")
    year = re.compile(r'shkg:year "\d{4}"').search(text, figure.end())
    assert year
    path.write_text(
        text[: year.start()] + 'shkg:year "1850"' + text[year.end() :], encoding="utf-8"
    )
    with pytest.raises(ValidationFailed) as error:
        build(project, quiet)
    message = str(error.value)
    assert focus in message and "Shape" in message
    assert f"graph/articles/{ARTICLE_KEYS[2]}.trig" in message
    assert_unchanged(project, before)


def test_altered_quote_names_the_quote_and_the_text(project: Project) -> None:
    before = first_build(project)
    path = project.root / "graph" / "articles" / f"{ARTICLE_KEYS[1]}.trig"
    text = path.read_text(encoding="utf-8")
    match = re.search(r'oa:exact "([^"\\]*?)(\d)', text)
    assert match, "no quote with a digit"
    altered = str((int(match.group(2)) + 1) % 10)
    path.write_text(text[: match.start(2)] + altered + text[match.end(2) :], encoding="utf-8")
    with pytest.raises(QuoteMismatch) as error:
        build(project, quiet)
    message = str(error.value)
    assert "https://w3id.org/shkg/id/quote/" in message and "not the quoted" in message
    assert_unchanged(project, before)


def test_changed_seed_fails_on_its_hash(project: Project) -> None:
    before = first_build(project)
    seed = project.root / "seeds" / "003_5e0aa57edfc75f35.txt"
    seed.write_bytes(seed.read_bytes() + b" ")
    with pytest.raises(InputError, match="003_5e0aa57edfc75f35.txt: SHA-256 is"):
        build(project, quiet)
    assert_unchanged(project, before)


def test_leftovers_of_a_killed_build_are_cleared(project: Project) -> None:
    first_build(project)
    stale = project.var / "releases" / ".building-killed"
    (stale / "store").mkdir(parents=True)
    after = build(project, quiet)
    assert not stale.exists()
    assert current_release(project.var).path == after.path


def test_a_second_concurrent_build_is_refused(project: Project) -> None:
    with build_lock(project.var), pytest.raises(BuildLocked):
        build(project, quiet)


def test_only_the_newest_releases_are_kept(project: Project) -> None:
    releases = [build(project, quiet) for _ in range(4)]
    kept = sorted(
        p.name for p in (project.var / "releases").iterdir() if not p.name.startswith(".")
    )
    assert kept == sorted(r.path.name for r in releases[-3:])

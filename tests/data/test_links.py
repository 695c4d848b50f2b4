"""Wikidata links and Chinese labels come from graph/links/wikidata.tsv and nowhere else."""

from __future__ import annotations

import pyoxigraph

from shkg import namespaces as ns
from shkg.build.release import Release
from tests.support import ROOT

WIKIDATA = "http://www.wikidata.org/entity/"


def table() -> list[dict[str, str]]:
    lines = [
        line
        for line in (ROOT / "graph" / "links" / "wikidata.tsv")
        .read_text(encoding="utf-8")
        .splitlines()
        if line and not line.startswith("#")
    ]
    header = lines[0].split("\t")
    return [dict(zip(header, line.split("\t") + [""] * 3, strict=False)) for line in lines[1:]]


def mapping_rows() -> list[list[str]]:
    lines = [
        line
        for line in (ROOT / "graph" / "links" / "entities.tsv")
        .read_text(encoding="utf-8")
        .splitlines()
        if line and not line.startswith("#")
    ]
    return [line.split("\t") for line in lines[1:]]


def mapping() -> dict[str, str]:
    return {cells[0]: cells[1] for cells in mapping_rows()}


def select(store: pyoxigraph.Store, query: str) -> pyoxigraph.QuerySolutions:
    solutions = store.query(query)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return solutions


def test_links_and_chinese_labels_are_exactly_those_of_the_table(release: Release) -> None:
    store = release.open_store()
    links = {
        (s["s"].value, s["q"].value.removeprefix(WIKIDATA))
        for s in select(
            store,
            "SELECT ?s ?q WHERE { GRAPH ?g { ?s ?p ?q } "
            f'FILTER(STRSTARTS(STR(?q), "{WIKIDATA}")) }}',
        )
    }
    labels = {
        (s["s"].value, s["l"].value)
        for s in select(
            store, 'SELECT ?s ?l WHERE { GRAPH ?g { ?s ?p ?l } FILTER(LANG(?l) = "zh") }'
        )
    }
    names = mapping()
    expected_links = {
        (names[r["entity"]], r["qid"]) for r in table() if names[r["entity"]] and r["qid"]
    }
    expected_labels = {
        (names[r["entity"]], r["zh"]) for r in table() if names[r["entity"]] and r["zh"]
    }
    assert links == expected_links
    assert labels == expected_labels
    assert len(expected_links) >= 20


def test_links_live_in_the_links_graph_and_name_their_source(release: Release) -> None:
    store = release.open_store()
    graphs = {
        s["g"].value
        for s in select(
            store,
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?q } "
            f'FILTER(STRSTARTS(STR(?q), "{WIKIDATA}")) }}',
        )
    }
    assert graphs == {ns.LINKS_GRAPH}
    source = store.query(
        f"ASK {{ GRAPH ?g {{ <{ns.LINKS_GRAPH}> <http://www.w3.org/ns/prov#wasDerivedFrom> ?file . "
        '?file <http://purl.org/dc/terms/source> "graph/links/wikidata.tsv" } }'
    )
    assert bool(source)


def test_every_row_is_mapped_or_explained() -> None:
    names = mapping()
    assert set(names) == {r["entity"] for r in table()}
    reasons = {cells[0]: cells[2] for cells in mapping_rows()}
    for entity, iri in names.items():
        assert iri or reasons[entity].strip(), entity


def test_individuals_use_same_as_and_industries_exact_match(release: Release) -> None:
    store = release.open_store()
    rows = {
        (s["s"].value, s["p"].value)
        for s in select(
            store,
            f"SELECT ?s ?p WHERE {{ GRAPH <{ns.LINKS_GRAPH}> {{ ?s ?p ?q }} "
            f'FILTER(STRSTARTS(STR(?q), "{WIKIDATA}")) }}',
        )
    }
    assert (ns.ID + "place/shanghai", "http://www.w3.org/2002/07/owl#sameAs") in rows
    assert (
        ns.ID + "industry/artificial-intelligence",
        "http://www.w3.org/2004/02/skos/core#exactMatch",
    ) in rows
    # One rule by class: kinds of things (industries, products, ...) are exactMatch, single
    # things sameAs; "aircraft carriers" is a kind of ship, not one ship.
    assert (ns.ID + "product/aircraft-carriers", ns.SKOS + "exactMatch") in rows
    kinds = ("industry/", "group/", "product/", "metric/")
    for subject, predicate in rows:
        local = subject.removeprefix(ns.ID)
        expected = ns.SKOS + "exactMatch" if local.startswith(kinds) else ns.OWL + "sameAs"
        assert predicate == expected, subject

"""The search index on its own: built from a few triples, asked as a reader would."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest

from shkg import namespaces as ns
from shkg.search import EXACT, INSIDE, NEAR, PREFIX, WORD, SearchIndex, fold, write_index

SKOS_LABEL = pyoxigraph.NamedNode(ns.SKOS + "prefLabel")
ALT = pyoxigraph.NamedNode(ns.SKOS + "altLabel")
RDFS_LABEL = pyoxigraph.NamedNode(ns.RDFS + "label")
TYPE = pyoxigraph.NamedNode(ns.RDF + "type")
G = pyoxigraph.NamedNode(ns.GRAPH + "entities")
Object = pyoxigraph.NamedNode | pyoxigraph.Literal


def _iri(path: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(ns.ID + path)


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    store = pyoxigraph.Store()
    zone = pyoxigraph.NamedNode(ns.SHKG + "Zone")
    place = pyoxigraph.NamedNode(ns.SHKG + "Place")
    facts: list[tuple[pyoxigraph.NamedNode, pyoxigraph.NamedNode, Object]] = [
        (_iri("place/lingang"), SKOS_LABEL, pyoxigraph.Literal("Lingang", language="en")),
        (_iri("place/lingang"), ALT, pyoxigraph.Literal("Lingang Special Area", language="en")),
        (_iri("place/lingang"), TYPE, zone),
        (zone, pyoxigraph.NamedNode(ns.RDFS + "subClassOf"), place),
        (zone, RDFS_LABEL, pyoxigraph.Literal("zone", language="en")),
        (place, RDFS_LABEL, pyoxigraph.Literal("place", language="en")),
        (_iri("figure/x"), SKOS_LABEL, pyoxigraph.Literal("Lingang's investment, 2015")),
        (_iri("industry/nev"), SKOS_LABEL, pyoxigraph.Literal("new energy vehicles")),
        (_iri("industry/nev"), RDFS_LABEL, pyoxigraph.Literal("新能源汽车", language="zh")),
        (_iri("place/changning"), SKOS_LABEL, pyoxigraph.Literal("Changning")),
        (_iri("place/e"), SKOS_LABEL, pyoxigraph.Literal("Ｆｕｌｌ-width Ｅａｓｔ")),
        # Not ours: never indexed.
        (pyoxigraph.NamedNode("http://example.org/x"), SKOS_LABEL, pyoxigraph.Literal("Lingang")),
    ]
    for s, p, o in facts:
        store.add(pyoxigraph.Quad(s, p, o, G))
    path: Path = tmp_path_factory.mktemp("search") / "search.sqlite"
    figures = write_index(store, path)
    # Two ontology classes are resources with names too.
    assert figures.resources == 7 and figures.names == 9
    return SearchIndex(path)


def _found(index: SearchIndex, query: str) -> list[tuple[str, int]]:
    return [(hit.iri.removeprefix(ns.ID), hit.rank) for hit in index.search(query)]


def test_ranks_the_whole_name_then_a_prefix_then_a_word_then_inside(index: SearchIndex) -> None:
    assert _found(index, "Lingang") == [("place/lingang", EXACT), ("figure/x", PREFIX)]
    assert _found(index, "lin")[:2] == [("place/lingang", PREFIX), ("figure/x", PREFIX)]
    assert ("place/lingang", WORD) in _found(index, "special area")
    assert _found(index, "gang") == [("place/lingang", INSIDE), ("figure/x", INSIDE)]
    assert _found(index, "energy") == [("industry/nev", WORD)]


def test_chinese_names_match_inside_at_any_length(index: SearchIndex) -> None:
    assert _found(index, "新能源汽车") == [("industry/nev", EXACT)]
    assert _found(index, "新能源") == [("industry/nev", PREFIX)]
    assert _found(index, "汽车") == [("industry/nev", INSIDE)]
    assert _found(index, "车") == [("industry/nev", INSIDE)]
    hit = index.search("汽车")[0]
    assert (hit.label, hit.label_zh, hit.matched) == (
        "new energy vehicles",
        "新能源汽车",
        "新能源汽车",
    )


def test_a_misspelt_name_finds_the_nearest(index: SearchIndex) -> None:
    assert _found(index, "Lingnag")[0] == ("place/lingang", NEAR)


def test_case_accents_and_full_width_forms_are_folded(index: SearchIndex) -> None:
    assert fold("  ＬＩＮＧＡＮＧ  Area ") == "lingang area"
    assert _found(index, "LINGANG")[0] == ("place/lingang", EXACT)
    assert _found(index, "full-width east") == [("place/e", EXACT)]


def test_the_kind_is_the_most_specific_class(index: SearchIndex) -> None:
    assert index.search("Lingang")[0].kind == "zone"
    assert index.search("zone")[0].kind == ""  # a class with no type of its own here


@pytest.mark.parametrize(
    "query", ['"', "*", "AND", "OR (", "NEAR(a b)", 'a"b*', "-", "^", "   ", "", "x" * 200]
)
def test_queries_fts5_would_read_as_syntax_are_names(index: SearchIndex, query: str) -> None:
    # Read as FTS5 syntax, these would raise or match everything; as names, nothing has them.
    assert index.search(query) == []


def test_the_limit_caps_the_results(index: SearchIndex) -> None:
    assert len(index.search("lingang")) == 2
    assert [hit.iri for hit in index.search("lingang", limit=1)] == [ns.ID + "place/lingang"]

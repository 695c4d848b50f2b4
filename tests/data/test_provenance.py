"""Every relation traceable to its sentence: each triple an article graph states has an
rdf:Statement derived from the quote of a sentence that states it, and the build refuses
article files that would break the pattern."""

from __future__ import annotations

import pyoxigraph
import pytest

from shkg import namespaces as ns
from shkg.build.pipeline import read_project
from shkg.build.release import Release
from shkg.errors import InputError
from shkg.project import Project
from tests.support import ROOT

PREFIXES = "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in ns.PREFIXES.items())

# Every triple of an article graph that is not a name, a type, a note, a provenance link, a
# quote or a blank node (selectors and the statements themselves), without a statement.
UNSOURCED = (
    PREFIXES
    + """
SELECT ?g ?s ?p ?o WHERE {
  ?g prov:wasDerivedFrom ?article .
  ?article a shkg:SourceDocument .
  GRAPH ?g {
    ?s ?p ?o .
    FILTER (?p NOT IN (rdf:type, rdfs:label, skos:prefLabel, skos:altLabel, skos:editorialNote,
                       prov:wasDerivedFrom))
    FILTER (!isBlank(?s))
    FILTER NOT EXISTS { ?s a shkg:Quote }
  }
  FILTER NOT EXISTS {
    ?statement rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; prov:wasDerivedFrom ?quote .
    ?quote a shkg:Quote ; oa:hasSource ?article .
  }
}
"""
)


def select(release: Release, query: str) -> list[pyoxigraph.QuerySolution]:
    result = release.open_store().query(query, use_default_graph_as_union=True)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    return list(result)


def test_every_article_triple_has_a_sentence(release: Release) -> None:
    rows = select(release, UNSOURCED)
    assert rows == [], "\n".join(f"{r['g']}: {r['s']} {r['p']} {r['o']}" for r in rows[:20])
    stated = select(release, PREFIXES + "SELECT (COUNT(*) AS ?n) WHERE { ?st a rdf:Statement }")
    assert int(stated[0]["n"].value) > 1000


def test_blank_nodes_of_article_graphs_are_only_selectors_and_statements(release: Release) -> None:
    rows = select(
        release,
        PREFIXES
        + """
        SELECT DISTINCT ?b WHERE {
          ?g prov:wasDerivedFrom ?article . ?article a shkg:SourceDocument .
          GRAPH ?g { ?b ?p ?o FILTER(isBlank(?b)) }
          FILTER NOT EXISTS { ?b a rdf:Statement }
          FILTER NOT EXISTS { ?b a oa:TextQuoteSelector }
          FILTER NOT EXISTS { ?b a oa:TextPositionSelector }
        }""",
    )
    assert rows == []


def test_the_any_relation_query_finds_the_sentence_of_a_plain_relation(release: Release) -> None:
    rows = select(
        release, (ROOT / "queries" / "13-sentence-of-any-relation.rq").read_text(encoding="utf-8")
    )
    assert len(rows) == 1
    assert (
        "the new energy vehicle cluster, with Jiading District as its core"
        in rows[0]["sentence"].value
    )
    assert rows[0]["document"].value == ns.article_iri("18db54f95c37712d")


def test_node_provenance_and_mentions_are_derived_from_the_sentence_graphs(
    release: Release,
) -> None:
    # A figure is derived from the sentence whose graph holds it, and the article mentions the
    # entities its sentences state something about, each mention with its sentence.
    rows = select(
        release,
        PREFIXES
        + """
        SELECT ?sentence WHERE {
          figure:000-ic-scale-2024 prov:wasDerivedFrom ?quote .
          ?quote oa:hasSelector [ oa:exact ?sentence ] .
        }""",
    )
    assert [r["sentence"].value[:32] for r in rows] == ["Last year, Shanghai's cumulative"]
    rows = select(
        release,
        PREFIXES
        + """
        SELECT DISTINCT ?sentence WHERE {
          ?st rdf:subject article:18db54f95c37712d ; rdf:predicate schema:mentions ;
              rdf:object place:jiading ; prov:wasDerivedFrom ?quote .
          ?quote oa:hasSelector [ oa:exact ?sentence ] .
        }""",
    )
    assert rows and all("Jiading" in r["sentence"].value for r in rows)


def article_file(project: Project, key: str = "5e0aa57edfc75f35") -> str:
    return str(project.root / "graph" / "articles" / f"{key}.trig")


@pytest.mark.parametrize(
    "addition, message",
    [
        (
            "industry:semiconductors shkg:industry industry:manufacturing .",
            "is outside any sentence's graph",
        ),
        (
            (
                "<https://w3id.org/shkg/id/quote/5e0aa57edfc75f35-1-2> { "
                "industry:semiconductors shkg:industry industry:manufacturing . }"
            ),
            "is not named by a quote of this file",
        ),
        (
            (
                "quote:5e0aa57edfc75f35-0-76 { target:003-chip-process-node prov:wasDerivedFrom "
                "quote:5e0aa57edfc75f35-0-76 . }"
            ),
            "the build derives it",
        ),
        (
            (
                "quote:5e0aa57edfc75f35-0-76 { "
                "article:5e0aa57edfc75f35 schema:mentions place:china . }"
            ),
            "the build derives it",
        ),
    ],
)
def test_article_files_that_break_the_pattern_are_refused(
    project: Project, addition: str, message: str
) -> None:
    path = article_file(project)
    with open(path, "a", encoding="utf-8") as file:
        file.write("\n" + addition + "\n")
    with pytest.raises(InputError, match=message) as error:
        read_project(project)
    assert "graph/articles/5e0aa57edfc75f35.trig" in str(error.value)

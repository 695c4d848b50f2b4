"""The ontology: versioned, and every class and property labelled and defined."""

from __future__ import annotations

import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from shkg import namespaces as ns
from shkg.build.articles import parse_trig
from shkg.project import Project
from tests.support import ROOT


def ontology() -> rdflib.Graph:
    graph = rdflib.Graph()
    for path in sorted((ROOT / "ontology").glob("*.ttl")):
        graph.parse(path)
    return graph


def test_ontology_is_versioned() -> None:
    graph = ontology()
    iri = rdflib.URIRef(ns.ONTOLOGY)
    assert (iri, RDF.type, OWL.Ontology) in graph
    assert graph.value(iri, OWL.versionIRI) is not None
    assert graph.value(iri, OWL.versionInfo) is not None
    assert graph.value(iri, rdflib.URIRef(ns.DCTERMS + "license")) is not None


def test_every_term_has_a_label_and_a_definition() -> None:
    graph = ontology()
    terms = [
        t
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for t in graph.subjects(RDF.type, kind)
    ]
    assert len(terms) > 40
    for term in terms:
        assert str(term).startswith(ns.SHKG), term
        assert graph.value(term, RDFS.label) is not None, f"{term} has no rdfs:label"
        assert graph.value(term, SKOS.definition) is not None, f"{term} has no skos:definition"


def test_every_shkg_term_the_data_uses_is_declared() -> None:
    graph = ontology()
    declared = set(graph.subjects(RDF.type, None))
    data = rdflib.Graph()
    for path in sorted((ROOT / "graph").rglob("*.ttl")):
        data.parse(path)
    for path in sorted((ROOT / "graph").rglob("*.trig")):
        for graph in parse_trig(path, Project.locate(ROOT)).values():
            data += graph
    data.parse(ROOT / "seeds" / "catalogue.ttl")
    used = {
        term
        for triple in data
        for term in (triple[1], triple[2])
        if isinstance(term, rdflib.URIRef) and str(term).startswith(ns.SHKG)
    }
    assert used - declared == set()

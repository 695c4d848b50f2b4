"""The SPARQL Service Description a bare GET on the endpoint returns (W3C SPARQL 1.1 SD)."""

from __future__ import annotations

from collections.abc import Sequence

import rdflib
from rdflib.namespace import DCTERMS, RDF, XSD

from shkg import namespaces as ns
from shkg.manifest import Manifest

SD = rdflib.Namespace(ns.SD)
VOID = rdflib.Namespace(ns.VOID)
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
ENTAILMENT = rdflib.Namespace("http://www.w3.org/ns/entailment/")
SHKG = rdflib.Namespace(ns.SHKG)

RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
    "TriG",
    "N-Quads",
)


def service_description(
    endpoint: str, manifest: Manifest, allowlist: Sequence[str]
) -> rdflib.Graph:
    """Describe the endpoint at ``endpoint``: languages, formats, dataset, federation allowlist.

    The default graph is the union of the named graphs (sd:UnionDefaultGraph), and its size is
    given with VoID; each named graph is listed with its own size.
    """
    graph = rdflib.Graph()
    graph.bind("sd", SD)
    graph.bind("void", VOID)
    graph.bind("shkg", SHKG)
    service = rdflib.URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    # SERVICE is refused unless its endpoint is allowed: only then is it a feature.
    if allowlist:
        graph.add((service, SD.feature, SD.BasicFederatedQuery))
    graph.add((service, SD.defaultEntailmentRegime, ENTAILMENT.Simple))
    for name in RESULT_FORMATS:
        graph.add((service, SD.resultFormat, FORMATS[name]))
    graph.add(
        (service, DCTERMS.license, rdflib.URIRef("https://creativecommons.org/licenses/by/4.0/"))
    )
    graph.add(
        (
            service,
            DCTERMS.description,
            rdflib.Literal(
                "Read-only SPARQL 1.1 endpoint of the Shanghai Industry Knowledge Graph. The "
                "default graph "
                "is the union of the named graphs; OWL RL entailments are in their own named "
                "graph, "
                f"{ns.INFERRED_GRAPH}, so queries need no entailment regime. SERVICE may call "
                "only the endpoints listed with shkg:federationAllowed"
                + ("." if allowlist else "; none are, so SERVICE is refused."),
                lang="en",
            ),
        )
    )
    for allowed in allowlist:
        graph.add((service, SHKG.federationAllowed, rdflib.URIRef(allowed)))

    dataset = rdflib.BNode("dataset")
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, DCTERMS.identifier, rdflib.Literal(manifest.build_id)))
    graph.add((dataset, rdflib.RDFS.seeAlso, rdflib.URIRef(ns.DATASET)))
    default = rdflib.BNode("default")
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, rdflib.Literal(manifest.triples, datatype=XSD.integer)))
    # Blank nodes labelled by position, so that every process writes the same bytes.
    for number, (iri, triples) in enumerate(sorted(manifest.graphs.items())):
        named = rdflib.BNode(f"named{number}")
        described = rdflib.BNode(f"graph{number}")
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, rdflib.URIRef(iri)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, rdflib.Literal(int(triples), datatype=XSD.integer)))
    return graph

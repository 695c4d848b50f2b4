"""The SPARQL Service Description a bare GET on the endpoint returns (W3C SPARQL 1.1 SD)."""

from __future__ import annotations

from collections.abc import Sequence

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from shkg import namespaces as ns
from shkg.manifest import Manifest

FORMATS = "http://www.w3.org/ns/formats/"
ENTAILMENT = "http://www.w3.org/ns/entailment/"
DCTERMS = "http://purl.org/dc/terms/"
INTEGER = NamedNode("http://www.w3.org/2001/XMLSchema#integer")

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
) -> list[Triple]:
    """Describe the endpoint at ``endpoint``: languages, formats, dataset, federation allowlist.

    The default graph is the union of the named graphs (sd:UnionDefaultGraph), and its size is
    given with VoID; each named graph is listed with its own size.
    """
    triples: list[Triple] = []

    def add(
        subject: NamedNode | BlankNode, predicate: str, value: NamedNode | BlankNode | Literal | str
    ) -> None:
        """A statement; a string value is an IRI."""
        term = NamedNode(value) if isinstance(value, str) else value
        triples.append(Triple(subject, NamedNode(predicate), term))

    a = ns.RDF + "type"
    service = NamedNode(endpoint)
    add(service, a, ns.SD + "Service")
    add(service, ns.SD + "endpoint", service)
    add(service, ns.SD + "supportedLanguage", ns.SD + "SPARQL11Query")
    add(service, ns.SD + "feature", ns.SD + "UnionDefaultGraph")
    # SERVICE is refused unless its endpoint is allowed: only then is it a feature.
    if allowlist:
        add(service, ns.SD + "feature", ns.SD + "BasicFederatedQuery")
    add(service, ns.SD + "defaultEntailmentRegime", ENTAILMENT + "Simple")
    for name in RESULT_FORMATS:
        add(service, ns.SD + "resultFormat", FORMATS + name)
    add(service, DCTERMS + "license", "https://creativecommons.org/licenses/by/4.0/")
    add(
        service,
        DCTERMS + "description",
        Literal(
            "Read-only SPARQL 1.1 endpoint of the Shanghai Industry Knowledge Graph. The "
            "default graph "
            "is the union of the named graphs; OWL RL entailments are in their own named "
            "graph, "
            f"{ns.INFERRED_GRAPH}, so queries need no entailment regime. SERVICE may call "
            "only the endpoints listed with shkg:federationAllowed"
            + ("." if allowlist else "; none are, so SERVICE is refused."),
            language="en",
        ),
    )
    for allowed in dict.fromkeys(allowlist):  # each once, as a graph has it
        add(service, ns.SHKG + "federationAllowed", allowed)

    dataset = BlankNode("dataset")
    add(service, ns.SD + "defaultDataset", dataset)
    add(dataset, a, ns.SD + "Dataset")
    add(dataset, a, ns.VOID + "Dataset")
    add(dataset, DCTERMS + "identifier", Literal(manifest.build_id))
    add(dataset, ns.RDFS + "seeAlso", ns.DATASET)
    default = BlankNode("default")
    add(dataset, ns.SD + "defaultGraph", default)
    add(default, a, ns.SD + "Graph")
    add(default, ns.VOID + "triples", Literal(str(manifest.triples), datatype=INTEGER))
    # Blank nodes labelled by position, so that every process writes the same bytes.
    for number, (iri, size) in enumerate(sorted(manifest.graphs.items())):
        named = BlankNode(f"named{number}")
        described = BlankNode(f"graph{number}")
        add(dataset, ns.SD + "namedGraph", named)
        add(named, a, ns.SD + "NamedGraph")
        add(named, ns.SD + "name", iri)
        add(named, ns.SD + "graph", described)
        add(described, a, ns.SD + "Graph")
        add(described, ns.VOID + "triples", Literal(str(int(size)), datatype=INTEGER))
    return triples

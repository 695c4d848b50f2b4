"""The VoID and DCAT description of the dataset: what it is, how big, where to get it.

The counts come from queries on the release's store (a release never changes, so the caller
computes them once per build); everything else from the manifest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from shkg import namespaces as ns
from shkg.manifest import Manifest
from shkg.query.stores import ReadableStore
from shkg.render.describe import select
from shkg.render.html import LICENSE, media_of

XSD_INTEGER = NamedNode(ns.XSD + "integer")
SPDX = "http://spdx.org/rdf/terms#"
FOAF_PAGE = NamedNode(ns.FOAF + "page")
WIKIDATA_DATASET = ns.DATASET + "#wikidata"
# The one rule for links to Wikidata (applied by shkg.build.sources.read_links).
LINK_RULES = {
    ns.OWL + "sameAs": "A single real thing of this dataset (a place, an organisation, an "
    "enterprise, a person, a cluster, a plan) and the Wikidata item for that same thing.",
    ns.SKOS + "exactMatch": "A kind of thing of this dataset (an industry, an industry group, "
    "a product or product line, a metric) and the Wikidata item for that kind or field, "
    "which is a class or a concept there, not an individual: close enough to join on, not "
    "the same resource.",
}


@dataclass(frozen=True)
class Statistics:
    """The counts of a store that VoID reports."""

    triples: int
    entities: int
    classes: list[tuple[str, int]]  # class IRI, distinct instances
    properties: list[tuple[str, int]]  # property IRI, triples
    examples: list[str]
    # Links to Wikidata (graph/links), by predicate: owl:sameAs, skos:exactMatch.
    linksets: list[tuple[str, int]] = field(default_factory=list)


def _rows(store: ReadableStore, query: str) -> list[Any]:
    return select(store, query)


def statistics(store: ReadableStore) -> Statistics:
    """Counts over the union of the named graphs (the endpoint's default graph)."""
    # DISTINCT: a triple stated in two named graphs is one triple of the union.
    triples = int(
        _rows(
            store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
        )[0]["n"].value
    )
    entities = int(
        _rows(
            store,
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ ?s ?p ?o "
            f'FILTER(STRSTARTS(STR(?s), "{ns.ID}")) }}',
        )[0]["n"].value
    )
    classes = [
        (row["c"].value, int(row["n"].value))
        for row in _rows(
            store,
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c "
            "ORDER BY ?c",
        )
    ]
    properties = [
        (row["p"].value, int(row["n"].value))
        for row in _rows(
            store,
            "SELECT ?p (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } "
            "GROUP BY ?p ORDER BY ?p",
        )
    ]
    examples = [
        row["s"].value
        for row in _rows(
            store,
            (
                f"SELECT ?s WHERE {{ VALUES ?c {{ <{ns.SHKG}IndustrialCluster> <{ns.SHKG}Industry> "
                f"<{ns.SHKG}Observation> <{ns.SHKG}Target> }} ?s a ?c "
                f'FILTER(STRSTARTS(STR(?s), "{ns.ID}")) }} ORDER BY ?c ?s'
            ),
        )
    ]
    # One example of each of those classes, in a stable order.
    picked = list(dict.fromkeys(examples))
    seen_kinds: dict[str, str] = {}
    for iri in picked:
        seen_kinds.setdefault(iri[len(ns.ID) :].split("/", 1)[0], iri)
    linksets = [
        (row["p"].value, int(row["n"].value))
        for row in _rows(
            store,
            f"SELECT ?p (COUNT(*) AS ?n) WHERE {{ GRAPH <{ns.LINKS_GRAPH}> {{ ?s ?p ?o "
            f"FILTER(?p IN (<{ns.OWL}sameAs>, <{ns.SKOS}exactMatch>)) }} }} "
            "GROUP BY ?p ORDER BY ?p",
        )
    ]
    return Statistics(triples, entities, classes, properties, sorted(seen_kinds.values()), linksets)


def void_triples(manifest: Manifest, stats: Statistics, base_url: str) -> list[Triple]:
    """The description of :data:`shkg.namespaces.DATASET`; ``base_url`` is this server's root."""
    dataset = NamedNode(ns.DATASET)
    out: list[Triple] = []

    def add(s: NamedNode | BlankNode, p: str, o: NamedNode | BlankNode | Literal) -> None:
        out.append(Triple(s, NamedNode(p), o))

    def number(value: int) -> Literal:
        return Literal(str(value), datatype=XSD_INTEGER)

    add(dataset, ns.RDF + "type", NamedNode(ns.VOID + "Dataset"))
    add(dataset, ns.RDF + "type", NamedNode(ns.DCAT + "Dataset"))
    add(dataset, ns.DCTERMS + "title", Literal("Shanghai Industry Knowledge Graph", language="en"))
    add(
        dataset,
        ns.DCTERMS + "description",
        Literal(
            "A linked-data knowledge graph of Shanghai's industrial policy, read by hand from "
            "English news "
            "articles; every figure, target and designation is traced to its source sentence.",
            language="en",
        ),
    )
    add(dataset, ns.DCTERMS + "license", NamedNode(LICENSE))
    add(
        dataset,
        ns.DCTERMS + "publisher",
        Literal("The Shanghai Industry Knowledge Graph contributors"),
    )
    add(
        dataset,
        ns.DCTERMS + "created",
        Literal(manifest.created, datatype=NamedNode(ns.XSD + "dateTime")),
    )
    add(dataset, ns.OWL + "versionInfo", Literal(manifest.build_id))
    add(dataset, ns.DCAT + "version", Literal(manifest.build_id))
    add(dataset, ns.VOID + "triples", number(stats.triples))
    add(dataset, ns.VOID + "entities", number(stats.entities))
    add(dataset, ns.VOID + "classes", number(len(stats.classes)))
    add(dataset, ns.VOID + "properties", number(len(stats.properties)))
    add(dataset, ns.VOID + "uriSpace", Literal(ns.ID))
    add(dataset, ns.VOID + "sparqlEndpoint", NamedNode(base_url + "sparql"))
    add(dataset, ns.VOID + "vocabulary", NamedNode(ns.ONTOLOGY))
    add(dataset, ns.VOID + "rootResource", NamedNode(ns.ONTOLOGY))
    add(dataset, FOAF_PAGE.value, NamedNode(base_url))
    for example in stats.examples:
        add(dataset, ns.VOID + "exampleResource", NamedNode(example))
    # Blank nodes labelled by position, not at random: the same release gives the same bytes,
    # in every process, as its ETag promises.
    for index, (iri, count) in enumerate(stats.classes):
        partition = BlankNode(f"class{index}")
        add(dataset, ns.VOID + "classPartition", partition)
        add(partition, ns.VOID + "class", NamedNode(iri))
        add(partition, ns.VOID + "entities", number(count))
    for index, (iri, count) in enumerate(stats.properties):
        partition = BlankNode(f"property{index}")
        add(dataset, ns.VOID + "propertyPartition", partition)
        add(partition, ns.VOID + "property", NamedNode(iri))
        add(partition, ns.VOID + "triples", number(count))
    # The links to Wikidata, one void:Linkset per predicate: which predicate, how many, from
    # which table (see graph/README.md: owl:sameAs for single things, skos:exactMatch for
    # kinds of things).
    if stats.linksets:
        wikidata = NamedNode(WIKIDATA_DATASET)
        add(wikidata, ns.RDF + "type", NamedNode(ns.VOID + "Dataset"))
        add(wikidata, ns.DCTERMS + "title", Literal("Wikidata", language="en"))
        add(wikidata, ns.FOAF + "homepage", NamedNode("https://www.wikidata.org/"))
        add(wikidata, ns.VOID + "uriSpace", Literal("http://www.wikidata.org/entity/"))
        add(wikidata, ns.VOID + "sparqlEndpoint", NamedNode("https://query.wikidata.org/sparql"))
    for predicate, count in stats.linksets:
        linkset = NamedNode(f"{ns.DATASET}#wikidata-{predicate.rsplit('#', 1)[-1].lower()}")
        add(dataset, ns.VOID + "subset", linkset)
        add(linkset, ns.RDF + "type", NamedNode(ns.VOID + "Linkset"))
        add(linkset, ns.VOID + "linkPredicate", NamedNode(predicate))
        add(linkset, ns.VOID + "subjectsTarget", dataset)
        add(linkset, ns.VOID + "objectsTarget", NamedNode(WIKIDATA_DATASET))
        add(linkset, ns.VOID + "triples", number(count))
        add(linkset, ns.DCTERMS + "source", NamedNode(ns.ID + "source/wikidata-links"))
        add(linkset, ns.DCTERMS + "description", Literal(LINK_RULES[predicate], language="en"))
    conforms = BlankNode("validation")
    add(dataset, ns.SHKG + "validation", conforms)
    add(conforms, ns.RDF + "type", NamedNode("http://www.w3.org/ns/shacl#ValidationReport"))
    add(
        conforms,
        "http://www.w3.org/ns/shacl#conforms",
        Literal(
            "true" if manifest.shacl_conforms else "false",
            datatype=NamedNode(ns.XSD + "boolean"),
        ),
    )
    for index, entry in enumerate(manifest.dumps):
        distribution = NamedNode(f"{base_url}download/{entry.file}")
        served, gzipped = media_of(entry)
        add(dataset, ns.DCAT + "distribution", distribution)
        if not entry.file.startswith("graphs/"):  # a dump of the whole dataset
            add(dataset, ns.VOID + "dataDump", distribution)
        add(distribution, ns.RDF + "type", NamedNode(ns.DCAT + "Distribution"))
        add(distribution, ns.DCAT + "downloadURL", distribution)
        add(
            distribution,
            ns.DCAT + "mediaType",
            NamedNode(f"https://www.iana.org/assignments/media-types/{entry.media_type}"),
        )
        if gzipped:
            add(
                distribution,
                ns.DCAT + "compressFormat",
                NamedNode(f"https://www.iana.org/assignments/media-types/{served}"),
            )
        add(distribution, ns.DCAT + "byteSize", number(int(entry.bytes)))
        add(distribution, ns.DCTERMS + "license", NamedNode(LICENSE))
        checksum = BlankNode(f"checksum{index}")
        add(distribution, SPDX + "checksum", checksum)
        add(checksum, ns.RDF + "type", NamedNode(SPDX + "Checksum"))
        add(checksum, SPDX + "algorithm", NamedNode(SPDX + "checksumAlgorithm_sha256"))
        add(
            checksum,
            SPDX + "checksumValue",
            Literal(entry.sha256, datatype=NamedNode(ns.XSD + "hexBinary")),
        )
    return out

"""The dataset's IRIs, kept in one place.

Every IRI the code mints starts with :data:`BASE`; the data files spell the same IRIs out with
prefixes, and the build checks nothing else is used for instances.
"""

from __future__ import annotations

BASE = "https://w3id.org/shkg/"
ONTOLOGY = BASE + "ontology"
SHKG = ONTOLOGY + "#"
ID = BASE + "id/"
GRAPH = BASE + "graph/"
DATASET = ID + "dataset"

# Named graphs that are not an article's.
ONTOLOGY_GRAPH = GRAPH + "ontology"
CATALOGUE_GRAPH = GRAPH + "catalogue"
ENTITIES_GRAPH = GRAPH + "entities"
LINKS_GRAPH = GRAPH + "links"
INFERRED_GRAPH = GRAPH + "inferred"
# Editorial readings: relations the sources suggest by context but do not state
# (graph/readings.ttl).
READINGS_GRAPH = GRAPH + "readings"
# The release's own version (dcat:version of DATASET): one triple, written last by `shkg publish`.
RELEASE_GRAPH = GRAPH + "release"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA = "https://schema.org/"
ORG = "http://www.w3.org/ns/org#"
FOAF = "http://xmlns.com/foaf/0.1/"
TIME = "http://www.w3.org/2006/time#"
UNIT = "http://qudt.org/vocab/unit/"
SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"

ID_KINDS = (
    "article",
    "place",
    "industry",
    "group",
    "cluster",
    "enterprise",
    "organization",
    "person",
    "post",
    "role",
    "product",
    "programme",
    "plan",
    "period",
    "figure",
    "target",
    "designation",
    "membership",
    "quote",
    "metric",
    "comparator",
    "scheme",
    "status",
    "status-report",
    "quotation",
    "waiver-reason",
)

# Prefixes offered to queries (the query page and `shkg query` use them too).
PREFIXES: dict[str, str] = {
    "shkg": SHKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "oa": OA,
    "schema": SCHEMA,
    "org": ORG,
    "foaf": FOAF,
    "time": TIME,
    "unit": UNIT,
    # Units QUDT lacks (the percentage point), under the dataset's own IRIs.
    "shkgunit": ID + "unit/",
    **{kind: f"{ID}{kind}/" for kind in ID_KINDS},
}


def article_graph(key: str) -> str:
    """The named graph holding what the article with this seed key states."""
    return GRAPH + key


def article_iri(key: str) -> str:
    return f"{ID}article/{key}"

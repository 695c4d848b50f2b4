"""What the benchmark asks: the competency queries, a Zipf-like mix, and all-unique queries.

A workload is a sequence of *items*, each a SPARQL query or a resource page, and each
server turns an item into its own HTTP request (:class:`System`): queries go to its SPARQL
endpoint as ``application/sparql-query`` POSTs; a resource page is ``GET /id/...`` (Turtle)
on our server, and on the others the CONSTRUCT query that gathers the same description
(:func:`describe_query`), since they have no pages.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import accumulate
from pathlib import Path

import pyoxigraph

from .loadgen import HttpRequest, encode
from .servers import Endpoint

BASE = "https://w3id.org/shkg/"
PREFIXES = """\
PREFIX shkg: <https://w3id.org/shkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX unit: <http://qudt.org/vocab/unit/>
"""
JSON_RESULTS = "application/sparql-results+json"
TURTLE = "text/turtle"
# How a complete body ends, once trailing white space is stripped.  A server that streams
# its answer (oxigraph) has sent 200 before it knows whether the query finishes; when its
# timeout cancels the query it appends a message instead, which this tells apart.
JSON_END = (b"}",)
TURTLE_END = (b".", b"")
PAGE_IRI = re.compile(r"^https://w3id\.org/shkg/id/[^/?#]+/[^/?#.]+$")


@dataclass(frozen=True)
class Query:
    text: str
    label: str
    graph: bool = False  # CONSTRUCT: asked for as Turtle


@dataclass(frozen=True)
class Page:
    iri: str
    label: str


Item = Query | Page


@dataclass(frozen=True)
class System:
    """How one server is asked: ``pages`` says whether it serves /id/ pages itself."""

    name: str
    endpoint: Endpoint
    pages: bool

    def parts(self, item: Item) -> tuple[str, str, dict[str, str], bytes, tuple[bytes, ...]]:
        """Method, path, headers, body and the endings a complete body may have."""
        if isinstance(item, Page):
            if self.pages:
                return "GET", "/" + item.iri.removeprefix(BASE), {"Accept": TURTLE}, b"", TURTLE_END
            item = Query(describe_query(item.iri), item.label, graph=True)
        accept = TURTLE if item.graph else JSON_RESULTS
        headers = {"Content-Type": "application/sparql-query", "Accept": accept}
        return (
            "POST",
            self.endpoint.sparql_path,
            headers,
            item.text.encode("utf-8"),
            TURTLE_END if item.graph else JSON_END,
        )

    def request(self, item: Item) -> HttpRequest:
        method, path, headers, body, ends = self.parts(item)
        return HttpRequest(
            encode(method, path, self.endpoint.authority, headers, body), item.label, ends
        )


def competency_queries(root: Path) -> list[Query]:
    """The competency questions, queries/01-*.rq to 12-*.rq, labelled by their number ("01" ...).
    The example queries numbered after them are not part of the benchmark, so its figures stay
    comparable from release to release."""
    return [
        Query(path.read_text(encoding="utf-8"), path.name[:2])
        for path in sorted((root / "queries").glob("*.rq"))
        if path.name[:2] <= "12"
    ]


def describe_query(iri: str) -> str:
    """The description our server gives a resource (shkg.describe), as one CONSTRUCT: its
    statements and their blank nodes, the statements pointing to it, the labels of its
    neighbours, and its quotes with their selectors and their source's title and date."""
    x = f"<{iri}>"
    # FILTER ... IN rather than VALUES for the label and source properties: with VALUES,
    # oxigraph 0.5 joins every label of the dataset first (hundreds of ms at 100k triples).
    return (
        PREFIXES
        + f"""CONSTRUCT {{
  {x} ?p ?o . ?o ?bp ?bo . ?s ?ip {x} . ?n ?lp ?label .
  ?q ?qp ?qo . ?sel ?sp ?so . ?src ?srcp ?srco .
}} WHERE {{
  {{ {x} ?p ?o }}
  UNION {{ {x} ?p0 ?o . FILTER(isBlank(?o)) ?o ?bp ?bo }}
  UNION {{ ?s ?ip {x} }}
  UNION {{ {{ {x} ?p1 ?n }} UNION {{ ?n ?p2 {x} }}
          ?n ?lp ?label .
          FILTER(isIRI(?n) && ?n != {x} && ?lp IN (skos:prefLabel, rdfs:label, dcterms:title)) }}
  UNION {{ {x} prov:wasDerivedFrom ?q . ?q ?qp ?qo }}
  UNION {{ {x} prov:wasDerivedFrom ?q . ?q oa:hasSelector ?sel . FILTER(isBlank(?sel)) \
?sel ?sp ?so }}
  UNION {{ {x} prov:wasDerivedFrom ?q . ?q oa:hasSource ?src . ?src ?srcp ?srco .
          FILTER(?srcp IN (dcterms:title, schema:datePublished, skos:prefLabel, rdfs:label)) }}
}}
"""
    )


# --- constants drawn from the data -------------------------------------------------------

CONSTANT_QUERIES = {
    "place": "SELECT DISTINCT ?x WHERE { ?x a shkg:Place }",
    "cluster": "SELECT DISTINCT ?x WHERE { ?x a shkg:IndustrialCluster }",
    "cluster_industry": "SELECT DISTINCT ?x WHERE { ?c shkg:clusterIndustry ?x }",
    "fact": "SELECT DISTINCT ?x WHERE { ?x a shkg:QuantitativeStatement ; prov:wasDerivedFrom ?q }",
    "plan": "SELECT DISTINCT ?x WHERE { ?x a shkg:Plan }",
    "document": "SELECT DISTINCT ?x WHERE { ?x a shkg:SourceDocument }",
    "role": "SELECT DISTINCT ?x WHERE { ?d shkg:role ?x }",
    "page": f'SELECT DISTINCT ?x WHERE {{ ?x a ?c FILTER(STRSTARTS(STR(?x), "{BASE}id/")) }}',
}


def read_constants(store_path: Path) -> dict[str, list[str]]:
    """IRIs of each kind in the store, sorted (so every run draws the same ones)."""
    store = pyoxigraph.Store.read_only(str(store_path))
    constants: dict[str, list[str]] = {}
    for kind, query in CONSTANT_QUERIES.items():
        result = store.query(PREFIXES + query, use_default_graph_as_union=True)
        assert isinstance(result, pyoxigraph.QuerySolutions)
        constants[kind] = sorted(
            row["x"].value for row in result if isinstance(row["x"], pyoxigraph.NamedNode)
        )
    constants["page"] = [iri for iri in constants["page"] if PAGE_IRI.match(iri)]
    del store
    return constants


# --- (b) a realistic mix with repeats ----------------------------------------------------


def mix_items(queries: list[Query], pages: list[str], page_count: int, seed: int) -> list[Item]:
    """The competency queries and ``page_count`` resource pages, in a seeded random order of
    popularity (the first is the most asked for)."""
    rng = random.Random(seed)
    chosen = rng.sample(pages, min(page_count, len(pages)))
    items: list[Item] = [*queries, *(Page(iri, "page") for iri in chosen)]
    rng.shuffle(items)
    return items


def zipf_sequence(count: int, length: int, seed: int, exponent: float = 1.0) -> list[int]:
    """``length`` indices into ``count`` items, item k drawn with weight 1 / (k+1)^exponent."""
    weights = list(accumulate(1.0 / (rank + 1) ** exponent for rank in range(count)))
    return random.Random(seed).choices(range(count), cum_weights=weights, k=length)


# --- (c) all-unique queries ---------------------------------------------------------------


@dataclass(frozen=True)
class Template:
    """A competency query's shape with one constant drawn from the data (``pool``)."""

    name: str
    pool: str
    text: str  # with {x} for the constant, {n} for a number varying with the sequence


TEMPLATES = (
    Template(
        "clusters-including-place",
        "place",
        """\
SELECT ?cluster ?label WHERE {
  ?cluster a shkg:IndustrialCluster ; shkg:corePlace|shkg:coversPlace <{x}> ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
} ORDER BY ?label""",
    ),
    Template(
        "cluster-enterprises-of-industry",
        "cluster_industry",
        """\
SELECT ?cluster ?enterprise ?enterpriseLabel ?district ?districtLabel WHERE {
  ?cluster shkg:clusterIndustry <{x}> ; shkg:leadingEnterprise ?enterprise ; \
shkg:corePlace ?district .
  ?district a shkg:District ; rdfs:label ?districtLabel .
  ?enterprise rdfs:label ?enterpriseLabel .
  FILTER(LANG(?districtLabel) = "en" && LANG(?enterpriseLabel) = "en")
} ORDER BY ?enterpriseLabel""",
    ),
    Template(
        "yuan-figures-of-cluster",
        "cluster",
        """\
SELECT ?figure ?metric ?value ?comparator ?asWritten ?year WHERE {
  { ?figure shkg:subject <{x}> } UNION { <{x}> shkg:clusterIndustry ?industry . \
?figure shkg:subject ?industry }
  ?figure a shkg:Observation ; shkg:unit unit:CCY_CNY ; shkg:metric ?metric ; shkg:value ?value ;
          shkg:comparator ?comparator ; shkg:valueAsWritten ?asWritten .
  OPTIONAL { ?figure shkg:year ?year }
  FILTER(?value >= 1{n6}0000000)
} ORDER BY DESC(?value)""",
    ),
    Template(
        "source-of-fact",
        "fact",
        """\
SELECT ?fact ?sentence ?start ?end ?document ?title ?published WHERE {
  VALUES ?fact { <{x}> }
  ?fact prov:wasDerivedFrom ?quote .
  ?quote oa:hasSource ?document ; oa:hasSelector ?textSelector , ?positionSelector .
  ?textSelector a oa:TextQuoteSelector ; oa:exact ?sentence .
  ?positionSelector a oa:TextPositionSelector ; oa:start ?start ; oa:end ?end .
  ?document dcterms:title ?title ; schema:datePublished ?published .
} ORDER BY ?start""",
    ),
    Template(
        "targets-of-plan-for-year",
        "plan",
        """\
SELECT ?target ?subject ?metric ?value ?unit ?comparator ?asWritten ?plan WHERE {
  ?target a shkg:Target ; shkg:plan ?plan ; shkg:year "20{n15}"^^xsd:gYear ; shkg:subject ?subject ;
          shkg:metric ?metric ; shkg:value ?value ; shkg:unit ?unit ; shkg:comparator ?comparator ;
          shkg:valueAsWritten ?asWritten .
  ?plan shkg:partOfPlan* <{x}> .
} ORDER BY ?target""",
    ),
    Template(
        "places-within",
        "place",
        """\
SELECT ?place ?label ?kind ?parent WHERE {
  ?place schema:containedInPlace+ <{x}> ; schema:containedInPlace ?parent ; \
rdfs:label ?label ; a ?kind .
  ?kind rdfs:subClassOf shkg:Place .
  FILTER(LANG(?label) = "en" && ?kind != shkg:Place)
} ORDER BY ?kind ?label""",
    ),
    Template(
        "industries-of-document",
        "document",
        """\
SELECT ?industry ?label (COUNT(DISTINCT ?document) AS ?documents) WHERE {
  <{x}> schema:mentions ?industry .
  ?document a shkg:SourceDocument ; schema:mentions ?industry .
  ?industry a shkg:Industry ; rdfs:label ?label .
  FILTER(LANG(?label) = "en")
} GROUP BY ?industry ?label ORDER BY DESC(?documents) ?label""",
    ),
    Template(
        "designations-with-role",
        "role",
        """\
SELECT ?designation ?designee ?label ?batch ?year WHERE {
  ?designation a shkg:Designation ; shkg:role <{x}> ; shkg:designee ?designee .
  ?designee rdfs:label ?label .
  FILTER(LANG(?label) = "en")
  OPTIONAL { ?designation shkg:batch ?batch }
  OPTIONAL { ?designation shkg:year ?year }
} ORDER BY ?year ?label""",
    ),
)

# As many cheap shapes as competency shapes: the lookups a linked-data client makes most
# (a label, the types, a resource's statements, what points to it), ASK and DESCRIBE.  Their
# cost is mostly the server's own, not the engine's.  Asked as Turtle when ``graph``.
LOOKUPS = (
    Template("label-of", "page", "SELECT ?label WHERE { <{x}> rdfs:label ?label }"),
    Template("types-of", "page", "SELECT ?type WHERE { <{x}> a ?type }"),
    Template("statements-of", "page", "SELECT ?p ?o WHERE { <{x}> ?p ?o }"),
    Template("pointing-to", "page", "SELECT ?s ?p WHERE { ?s ?p <{x}> }"),
    Template("ask-exists", "page", "ASK { <{x}> ?p ?o }"),
    Template("ask-target", "fact", "ASK { <{x}> a shkg:Target }"),
    Template("describe-page", "page", "DESCRIBE <{x}>"),
    Template("describe-fact", "fact", "DESCRIBE <{x}>"),
)
SHAPES = TEMPLATES + LOOKUPS

# Spreads consecutive sequence numbers over a pool (Knuth's multiplicative hash).
_SPREAD = 2654435761


def unique_query(index: int, constants: dict[str, list[str]]) -> Query:
    """The ``index``-th unique query: a template, a constant from its pool and numbers that
    vary with ``index``; a LIMIT above any answer's size carries ``index`` itself, so no two
    texts are the same and no cache, ours or another's, can answer one from another."""
    template = SHAPES[index % len(SHAPES)]
    pool = constants[template.pool]
    constant = pool[(index * _SPREAD >> 7) % len(pool)]
    body = (
        template.text.replace("{x}", constant)
        .replace("{n6}", "0" * (index % 6))
        .replace("{n15}", f"{16 + index % 15:02d}")
    )
    if template.text.startswith("ASK"):  # ASK takes no LIMIT: a comment makes it unique
        return Query(PREFIXES + body + f"\n# {index}\n", template.name)
    graph = template.text.startswith("DESCRIBE")
    return Query(PREFIXES + body + f"\nLIMIT {1_000_000 + index}\n", template.name, graph)


def unique_requests(
    system: System, constants: dict[str, list[str]], first: int
) -> Callable[[int], HttpRequest]:
    """Request i of a phase is unique query ``first + i``, encoded for ``system``."""
    return lambda i: system.request(unique_query(first + i, constants))


def sequence_requests(
    system: System, items: Sequence[Item], order: Sequence[int], first: int
) -> Callable[[int], HttpRequest]:
    """Request i of a phase is ``items[order[first + i]]``, each item encoded once."""
    encoded = [system.request(item) for item in items]
    return lambda i: encoded[order[(first + i) % len(order)]]

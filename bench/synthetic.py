"""Synthetic data shaped like the graph, for the benchmark at scale: deterministic N-Quads.

``write_dataset`` copies the release's own N-Quads and adds synthetic quads until the file
holds exactly ``total`` quads.  The synthetic part uses the ontology's classes and
properties the way graph/ does: source documents that mention what they state; industrial
clusters with their industry, core district, covered city and leading enterprises; figures
(shkg:Observation) and targets (shkg:Target) with metric, value, unit, comparator, year and
plan; designations with a role; and for every fact a shkg:Quote with its
oa:TextQuoteSelector and oa:TextPositionSelector (blank nodes, as in the graph).  The OWL RL
types the build would entail (shkg:QuantitativeStatement, shkg:Place, ...) are added in a
graph of their own, as the build does.

Every new IRI is under ``https://w3id.org/shkg/id/synthetic/`` (``synthetic/{kind}-{n}``, so
that it dereferences as ``/id/synthetic/{kind}-{n}`` on our server), every new named graph
under ``https://w3id.org/shkg/graph/synthetic-``, and every label says "Synthetic": nothing
here is a fact about Shanghai.  Synthetic things link to each other and to the shared
vocabulary (metrics, units, comparators), never to the real graph's places, roles, plans or
clusters, so the competency questions that name one of those give the same answer at any
scale, over a larger store; the questions that range over everything (05, 10, 12) grow.

The output depends only on ``seed`` and ``total``: ``random.Random(seed)`` drives every choice.

    python -m bench.synthetic --real var/current/dumps/shkg.nq.gz --total 1000000 --out big.nq
"""

from __future__ import annotations

import argparse
import gzip
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

SHKG = "https://w3id.org/shkg/ontology#"
ID = "https://w3id.org/shkg/id/"
SYN = ID + "synthetic/"
GRAPH = "https://w3id.org/shkg/graph/synthetic-"
ENTITIES_GRAPH = GRAPH + "entities"
INFERRED_GRAPH = GRAPH + "inferred"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
XSD = "http://www.w3.org/2001/XMLSchema#"
UNIT = "http://qudt.org/vocab/unit/"

# The shared vocabulary the graph's facts use (concept schemes of the ontology graph).
METRICS = [
    "industry-scale",
    "industrial-output",
    "sales-revenue",
    "investment",
    "output-growth",
    "number-of-enterprises",
    "share-of-gdp",
    "production-capacity",
    "annual-turnover",
]
COMPARATORS = ["about", "at-least", "exactly", "more-than", "nearly", "order-of", "at-most"]
UNITS = ["CCY_CNY", "CCY_CNY", "CCY_CNY", "PERCENT", "NUM"]  # yuan most often, as in the graph
WORDS = [
    "industrial",
    "cluster",
    "output",
    "growth",
    "plan",
    "investment",
    "enterprises",
    "district",
    "measures",
    "manufacturing",
    "innovation",
    "chain",
    "scale",
    "capacity",
    "policy",
    "target",
    "development",
    "support",
    "projects",
    "platform",
    "technology",
    "services",
]

# Inferred types, as the build's OWL RL step adds them for each kind of thing.
INFERRED = {
    "IndustrialCluster": ["http://www.w3.org/ns/org#OrganizationalCollaboration"],
    "District": [SHKG + "Place", SCHEMA + "Place", "http://www.opengis.net/ont/geosparql#Feature"],
    "City": [SHKG + "Place", SCHEMA + "Place", "http://www.opengis.net/ont/geosparql#Feature"],
    "Province": [SHKG + "Place", SCHEMA + "Place", "http://www.opengis.net/ont/geosparql#Feature"],
    "Enterprise": ["http://www.w3.org/ns/org#FormalOrganization", SCHEMA + "Organization"],
    "Industry": [SKOS + "Concept"],
    "Plan": [PROV + "Plan", SCHEMA + "CreativeWork"],
    "Observation": [
        SHKG + "QuantitativeStatement",
        PROV + "Entity",
        "http://purl.org/linked-data/cube#Observation",
    ],
    "Target": [SHKG + "QuantitativeStatement", PROV + "Entity"],
    "Designation": [PROV + "Entity"],
    "Quote": [OA + "SpecificResource"],
    "SourceDocument": [SCHEMA + "NewsArticle"],
}

POOL_INDUSTRIES = 2000
POOL_PROVINCES = 10
POOL_CITIES = 100
POOL_ROLES = 12
POOL_FIVE_YEAR_PLANS = 5


class Full(Exception):
    """The file holds the quads asked for."""


@dataclass
class Summary:
    quads: int
    real_quads: int
    articles: int
    facts: int
    seconds: float


def iri(value: str) -> str:
    return f"<{value}>"


def literal(text: str, lang: str | None = None, datatype: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    if lang:
        return f'"{escaped}"@{lang}'
    if datatype:
        return f'"{escaped}"^^<{datatype}>'
    return f'"{escaped}"'


class Writer:
    """Writes quads as N-Quads lines until ``limit``, then raises Full."""

    def __init__(self, out: TextIO, limit: int) -> None:
        self.out = out
        self.limit = limit
        self.count = 0

    def quad(self, subject: str, predicate: str, obj: str, graph: str) -> None:
        if self.count >= self.limit:
            raise Full
        self.out.write(f"{subject} <{predicate}> {obj} <{graph}> .\n")
        self.count += 1

    def thing(self, subject: str, kind: str, graph: str, label: str) -> None:
        """A typed, labelled thing, with its inferred types in the inferred graph."""
        self.quad(subject, RDF_TYPE, iri(SHKG + kind), graph)
        self.quad(subject, RDFS + "label", literal(label, "en"), graph)
        for inferred in INFERRED.get(kind, []):
            self.quad(subject, RDF_TYPE, iri(inferred), INFERRED_GRAPH)


class Generator:
    """The synthetic world: shared pools first, then articles until the writer is full."""

    def __init__(self, writer: Writer, seed: int) -> None:
        self.w = writer
        self.rng = random.Random(seed)
        self.articles = 0
        self.facts = 0
        self.blank = 0

    def run(self) -> None:
        try:
            self.pools()
            while True:
                self.article(self.articles)
                self.articles += 1
        except Full:
            return

    # --- shared pools ----------------------------------------------------------------------

    def pools(self) -> None:
        g = ENTITIES_GRAPH
        self.w.thing(iri(SYN + "region-0"), "Region", g, "Synthetic region")
        for p in range(POOL_PROVINCES):
            province = iri(SYN + f"province-{p}")
            self.w.thing(province, "Province", g, f"Synthetic province {p}")
            self.w.quad(province, SCHEMA + "containedInPlace", iri(SYN + "region-0"), g)
        for c in range(POOL_CITIES):
            city = iri(SYN + f"city-{c}")
            self.w.thing(city, "City", g, f"Synthetic city {c}")
            self.w.quad(city, SKOS + "prefLabel", literal(f"Synthetic city {c}", "en"), g)
            self.w.quad(
                city, SCHEMA + "containedInPlace", iri(SYN + f"province-{c % POOL_PROVINCES}"), g
            )
        for r in range(POOL_ROLES):
            role = iri(SYN + f"role-{r}")
            self.w.quad(role, RDF_TYPE, iri(SHKG + "DesignationRole"), g)
            self.w.quad(
                role, SKOS + "prefLabel", literal(f"Synthetic designation role {r}", "en"), g
            )
        for f in range(POOL_FIVE_YEAR_PLANS):
            plan = iri(SYN + f"five-year-plan-{f}")
            self.w.thing(plan, "FiveYearPlan", g, f"Synthetic five-year plan {f}")
        for i in range(POOL_INDUSTRIES):
            self.industry(i)

    def industry(self, i: int) -> None:
        g, node = ENTITIES_GRAPH, iri(SYN + f"industry-{i}")
        name = f"Synthetic industry {i}"
        self.w.thing(node, "Industry", g, name)
        self.w.quad(node, SKOS + "prefLabel", literal(name, "en"), g)
        self.w.quad(node, SKOS + "altLabel", literal(f"industry {i} sector", "en"), g)
        self.w.quad(node, RDFS + "label", literal(f"合成产业 {i}", "zh"), g)
        self.w.quad(node, SKOS + "definition", literal(f"{name}, {self.words(8)}.", "en"), g)
        self.w.quad(node, SKOS + "inScheme", iri(ID + "scheme/industries"), g)
        if i >= 20:  # a shallow hierarchy, as skos:broader gives the graph's industries
            self.w.quad(node, SKOS + "broader", iri(SYN + f"industry-{i // 20}"), g)

    # --- one article -----------------------------------------------------------------------

    def article(self, k: int) -> None:
        g = f"{GRAPH}{k:05d}"
        doc = iri(SYN + f"article-{k}")
        year = 2016 + k % 10
        mentions: list[str] = []
        clusters = [self.cluster(k, j, g, mentions) for j in range(2)]
        plan = self.plan(k, g, year, mentions)
        subjects = clusters + [
            iri(SYN + f"industry-{self.rng.randrange(POOL_INDUSTRIES)}") for _ in range(3)
        ]
        mentions += subjects[2:]
        for n in range(6):
            self.fact(k, n, "Observation", g, doc, self.rng.choice(subjects), year, None)
        for n in range(6, 11):
            self.fact(k, n, "Target", g, doc, self.rng.choice(subjects), year + 5, plan)
        for n in range(11, 15):
            self.designation(k, n, g, doc, self.rng.choice(subjects), plan, year)
        self.document(k, doc, g, year, mentions)

    def cluster(self, k: int, j: int, g: str, mentions: list[str]) -> str:
        node = iri(SYN + f"cluster-{k}-{j}")
        industry = iri(SYN + f"industry-{self.rng.randrange(POOL_INDUSTRIES)}")
        district = iri(SYN + f"district-{k}-{j}")
        city = iri(SYN + f"city-{self.rng.randrange(POOL_CITIES)}")
        name = f"Synthetic cluster {k}-{j}"
        self.w.thing(node, "IndustrialCluster", g, name)
        self.w.quad(node, SKOS + "prefLabel", literal(name, "en"), g)
        self.w.quad(node, SKOS + "definition", literal(f"{name}: {self.words(10)}.", "en"), g)
        self.w.quad(node, SHKG + "clusterIndustry", industry, g)
        self.w.quad(node, SHKG + "corePlace", district, g)
        self.w.quad(node, SHKG + "coversPlace", city, g)
        self.w.thing(district, "District", g, f"Synthetic district {k}-{j}")
        self.w.quad(district, SCHEMA + "containedInPlace", city, g)
        mentions += [node, industry, district, city]
        for e in range(2):
            enterprise = iri(SYN + f"enterprise-{k}-{j}-{e}")
            self.w.thing(enterprise, "Enterprise", g, f"Synthetic enterprise {k}-{j}-{e}")
            self.w.quad(
                enterprise,
                SKOS + "prefLabel",
                literal(f"Synthetic enterprise {k}-{j}-{e}", "en"),
                g,
            )
            self.w.quad(node, SHKG + "leadingEnterprise", enterprise, g)
            mentions.append(enterprise)
        return node

    def plan(self, k: int, g: str, year: int, mentions: list[str]) -> str:
        node = iri(SYN + f"plan-{k}")
        self.w.thing(node, "Plan", g, f"Synthetic plan {k}")
        self.w.quad(
            node,
            DCT + "issued",
            literal(f"{year}-{1 + k % 12:02d}", datatype=XSD + "gYearMonth"),
            g,
        )
        self.w.quad(
            node, SHKG + "partOfPlan", iri(SYN + f"five-year-plan-{k % POOL_FIVE_YEAR_PLANS}"), g
        )
        mentions.append(node)
        return node

    def fact(
        self, k: int, n: int, kind: str, g: str, doc: str, subject: str, year: int, plan: str | None
    ) -> None:
        node = iri(SYN + f"{kind.lower()}-{k}-{n}")
        unit = self.rng.choice(UNITS)
        value = self.value(unit)
        self.w.thing(node, kind, g, f"Synthetic {kind.lower()} {k}-{n}")
        self.w.quad(
            node,
            DCT + "description",
            literal(f"Synthetic {kind.lower()}: {self.words(9)}.", "en"),
            g,
        )
        self.w.quad(node, SHKG + "subject", subject, g)
        self.w.quad(node, SHKG + "metric", iri(ID + "metric/" + self.rng.choice(METRICS)), g)
        self.w.quad(node, SHKG + "value", literal(repr(value), datatype=XSD + "double"), g)
        self.w.quad(node, SHKG + "unit", iri(UNIT + unit), g)
        self.w.quad(node, SHKG + "valueAsWritten", literal(f"{value:g} {unit.lower()}"), g)
        self.w.quad(
            node, SHKG + "comparator", iri(ID + "comparator/" + self.rng.choice(COMPARATORS)), g
        )
        if self.rng.random() < 0.85:  # some figures in the graph carry no year
            self.w.quad(node, SHKG + "year", literal(str(year), datatype=XSD + "gYear"), g)
        if plan:
            self.w.quad(node, SHKG + "plan", plan, g)
        self.w.quad(node, PROV + "wasDerivedFrom", self.quote(k, n, g, doc), g)
        self.facts += 1

    def designation(
        self, k: int, n: int, g: str, doc: str, designee: str, plan: str, year: int
    ) -> None:
        node = iri(SYN + f"designation-{k}-{n}")
        self.w.thing(node, "Designation", g, f"Synthetic designation {k}-{n}")
        self.w.quad(node, SHKG + "designee", designee, g)
        self.w.quad(node, SHKG + "role", iri(SYN + f"role-{self.rng.randrange(POOL_ROLES)}"), g)
        self.w.quad(node, SHKG + "designatedBy", plan, g)
        self.w.quad(node, SHKG + "year", literal(str(year), datatype=XSD + "gYear"), g)
        self.w.quad(node, PROV + "wasDerivedFrom", self.quote(k, n, g, doc), g)

    def quote(self, k: int, n: int, g: str, doc: str) -> str:
        start = n * 300
        sentence = f"Synthetic sentence {k}-{n}: {self.words(30)}."
        node = iri(SYN + f"quote-{k}-{start}-{start + len(sentence)}")
        text, position = self.bnode(), self.bnode()
        self.w.thing(node, "Quote", g, f"Synthetic quote {k}-{n}")
        self.w.quad(node, OA + "hasSource", doc, g)
        self.w.quad(node, OA + "hasSelector", text, g)
        self.w.quad(node, OA + "hasSelector", position, g)
        self.w.quad(text, RDF_TYPE, iri(OA + "TextQuoteSelector"), g)
        self.w.quad(text, OA + "exact", literal(sentence), g)
        self.w.quad(position, RDF_TYPE, iri(OA + "TextPositionSelector"), g)
        self.w.quad(position, OA + "start", literal(str(start), datatype=XSD + "integer"), g)
        self.w.quad(
            position, OA + "end", literal(str(start + len(sentence)), datatype=XSD + "integer"), g
        )
        return node

    def document(self, k: int, doc: str, g: str, year: int, mentions: list[str]) -> None:
        self.w.thing(doc, "SourceDocument", g, f"Synthetic article {k}")
        self.w.quad(doc, DCT + "title", literal(f"Synthetic article {k}: {self.words(6)}", "en"), g)
        self.w.quad(
            doc,
            SCHEMA + "datePublished",
            literal(f"{year}-{1 + k % 12:02d}-{1 + k % 28:02d}", datatype=XSD + "date"),
            g,
        )
        self.w.quad(doc, DCT + "language", literal("en"), g)
        self.w.quad(iri(g), PROV + "wasDerivedFrom", doc, g)
        for mentioned in dict.fromkeys(mentions):
            self.w.quad(doc, SCHEMA + "mentions", mentioned, g)

    # --- values ----------------------------------------------------------------------------

    def value(self, unit: str) -> float:
        if unit == "CCY_CNY":  # 10 million to 5 trillion yuan; a few reach a trillion
            return float(round(10 ** self.rng.uniform(7, 12.7), -6))
        if unit == "PERCENT":
            return round(self.rng.uniform(0.5, 40), 1)
        return float(self.rng.randrange(1, 500))

    def words(self, count: int) -> str:
        return " ".join(self.rng.choice(WORDS) for _ in range(count))

    def bnode(self) -> str:
        self.blank += 1
        return f"_:syn{self.blank}"


def real_lines(path: Path) -> Iterator[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield line if line.endswith("\n") else line + "\n"


def write_dataset(real: Path, out: Path, total: int, seed: int = 2026) -> Summary:
    """The real N-Quads, then synthetic quads up to exactly ``total``, into ``out``."""
    started = time.perf_counter()
    with open(out, "w", encoding="utf-8") as handle:
        real_count = 0
        for line in real_lines(real):
            handle.write(line)
            real_count += 1
        generator = Generator(Writer(handle, max(total - real_count, 0)), seed)
        generator.run()
    return Summary(
        quads=real_count + generator.w.count,
        real_quads=real_count,
        articles=generator.articles,
        facts=generator.facts,
        seconds=time.perf_counter() - started,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the real graph plus synthetic quads.")
    parser.add_argument("--real", type=Path, required=True, help="the release's shkg.nq.gz")
    parser.add_argument("--out", type=Path, required=True, help="N-Quads file to write")
    parser.add_argument("--total", type=int, default=1_000_000, help="quads in all")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    summary = write_dataset(args.real, args.out, args.total, args.seed)
    print(
        f"{summary.quads} quads ({summary.real_quads} real, {summary.articles} synthetic "
        f"articles, {summary.facts} facts) in {summary.seconds:.1f} s"
    )


if __name__ == "__main__":
    main()

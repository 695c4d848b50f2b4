"""Reading the project's inputs: Turtle files, the seed catalogue, the Wikidata links table.

Each Turtle file is parsed first by Oxigraph, whose errors give line and column, and then by
rdflib, which SHACL validation and OWL RL inference work on.  The result is a list of named
graphs; nothing is loaded into a store here.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from shkg import namespaces as ns
from shkg.errors import InputError
from shkg.project import Project

SHKG = rdflib.Namespace(ns.SHKG)
WIKIDATA = rdflib.Namespace("http://www.wikidata.org/entity/")
LINKS_SOURCE = rdflib.URIRef(ns.ID + "source/wikidata-links")


@dataclass
class NamedGraph:
    """One named graph of the release and the files it was read from."""

    iri: str
    graph: rdflib.Graph
    files: list[Path] = field(default_factory=list)


@dataclass(frozen=True)
class Seed:
    key: str
    article: str
    path: Path
    text: str


def parse_turtle(path: Path, project: Project, into: rdflib.Graph | None = None) -> rdflib.Graph:
    """Parse one Turtle file, raising InputError with file, line and column on bad syntax."""
    where = project.relative(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{where}: cannot read: {error.strerror}") from None
    try:
        for _ in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TURTLE, base_iri=ns.BASE):
            pass
    except SyntaxError as error:
        line, column = error.lineno, error.offset
        message = error.msg.split(": ", 1)[-1] if error.msg else str(error)
        raise InputError(f"{where}:{line}:{column}: Turtle syntax error: {message}") from None
    graph = into if into is not None else rdflib.Graph()
    try:
        graph.parse(data=data, format="turtle", publicID=ns.BASE)
    except Exception as error:  # noqa: BLE001 -- rdflib raises several unrelated types for bad input
        raise InputError(f"{where}: Turtle error: {error}") from None
    return graph


def read_seeds(project: Project, catalogue: rdflib.Graph) -> list[Seed]:
    """The seed documents named in the catalogue, each checked against its recorded SHA-256."""
    where = project.relative(project.catalogue)
    seeds: list[Seed] = []
    listed: set[str] = set()
    for article in sorted(catalogue.subjects(RDF.type, SHKG.SourceDocument), key=str):
        file_name = catalogue.value(article, SHKG.seedFile)
        recorded = catalogue.value(article, SHKG.sha256)
        if file_name is None or recorded is None:
            raise InputError(f"{where}: <{article}> needs shkg:seedFile and shkg:sha256")
        path = project.seeds / str(file_name)
        listed.add(path.name)
        try:
            data = path.read_bytes()
        except OSError:
            raise InputError(
                f"{where}: <{article}> names {project.relative(path)}, which is missing"
            ) from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != str(recorded):
            raise InputError(
                f"{project.relative(path)}: SHA-256 is {actual}, but {where} records {recorded}: "
                "the seed has changed since it was catalogued"
            )
        key = str(article).rsplit("/", 1)[-1]
        seeds.append(Seed(key=key, article=str(article), path=path, text=data.decode("utf-8")))
    for path in sorted(project.seeds.glob("*.txt")):
        if path.name not in listed:
            raise InputError(f"{project.relative(path)}: seed not described in {where}")
    return seeds


def read_links(project: Project, known: set[str], concepts: set[str]) -> rdflib.Graph:
    """Links to Wikidata and Chinese labels, from the links table only.

    One rule decides the predicate.  A single real thing (a place, an organisation, an
    enterprise, a person, a cluster, a plan) is linked with owl:sameAs: it and the Wikidata item
    are the same thing, and whatever is said of one is true of the other.  A kind of thing (an
    industry, an industry group, a product or product line such as "aircraft carriers", a
    metric: ``concepts``) is linked with skos:exactMatch: its Wikidata item is a class or a
    field there, close enough to join on but not the same resource, and owl:sameAs would make
    our resource a class.

    graph/links/entities.tsv maps each row of wikidata.tsv (by its ``entity`` text) to the IRI
    of the graph's entity, or to nothing with a reason.  Every row must be mapped one way or
    the other, so a row can never be silently dropped.
    """
    table = _read_tsv(project.links_table, project)
    mapping = {row["entity"]: row for _, row in _read_tsv(project.links_map, project)}
    graph = rdflib.Graph()
    graph.add((LINKS_SOURCE, RDF.type, rdflib.URIRef(ns.PROV + "Entity")))
    graph.add(
        (
            LINKS_SOURCE,
            RDFS.label,
            rdflib.Literal("Wikidata links and Chinese names table", lang="en"),
        )
    )
    graph.add(
        (
            LINKS_SOURCE,
            rdflib.URIRef(ns.DCTERMS + "source"),
            rdflib.Literal(project.relative(project.links_table)),
        )
    )
    graph.add(
        (
            LINKS_SOURCE,
            SHKG.sha256,
            rdflib.Literal(hashlib.sha256(project.links_table.read_bytes()).hexdigest()),
        )
    )
    graph.add(
        (rdflib.URIRef(ns.LINKS_GRAPH), rdflib.URIRef(ns.PROV + "wasDerivedFrom"), LINKS_SOURCE)
    )
    map_where = project.relative(project.links_map)
    for line, row in table:
        entry = mapping.pop(row["entity"], None)
        if entry is None:
            raise InputError(
                f"{map_where}: no row for {row['entity']!r} "
                f"({project.relative(project.links_table)} line {line})"
            )
        iri = entry["iri"].strip()
        if not iri:
            if not entry.get("reason", "").strip():
                raise InputError(
                    f"{map_where}: {row['entity']!r} is left unlinked without a reason"
                )
            continue
        if iri not in known:
            raise InputError(
                f"{map_where}: {row['entity']!r} maps to <{iri}>, which the graph does not define"
            )
        subject = rdflib.URIRef(iri)
        if row["qid"].strip():
            link = SKOS.exactMatch if iri in concepts else OWL.sameAs
            graph.add((subject, link, WIKIDATA[row["qid"].strip()]))
        if row["zh"].strip():
            graph.add((subject, RDFS.label, rdflib.Literal(row["zh"].strip(), lang="zh")))
    if mapping:
        raise InputError(
            f"{map_where}: rows for entities not in the links table: {sorted(mapping)}"
        )
    return graph


def _read_tsv(path: Path, project: Project) -> list[tuple[int, dict[str, str]]]:
    """Rows of a tab-separated table with a header line, as (line number, row); # lines are
    comments."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        raise InputError(f"{project.relative(path)}: missing") from None
    numbered = [
        (n, line)
        for n, line in enumerate(text.splitlines(), start=1)
        if line and not line.startswith("#")
    ]
    if not numbered:
        raise InputError(f"{project.relative(path)}: empty")
    header = numbered[0][1].split("\t")
    rows = []
    for n, line in numbered[1:]:
        cells = line.split("\t")
        if len(cells) > len(header):
            raise InputError(
                f"{project.relative(path)}:{n}: {len(cells)} cells, header has {len(header)}"
            )
        rows.append((n, dict(zip(header, cells + [""] * (len(header) - len(cells)), strict=True))))
    return rows

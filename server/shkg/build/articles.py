"""Reading one article's TriG file: its sentences and what each one states.

An article file (``graph/articles/{key}.trig``) holds, in its default graph, the sentences of
the seed that the graph quotes (``shkg:Quote`` resources with their selectors), and for each
such sentence a graph named by the quote's IRI holding the triples that sentence states.  A
triple stated by two sentences stands in both graphs.

From that the build makes the article's one named graph of the release
(``https://w3id.org/shkg/graph/{key}``), adding what follows from the grouping:

- ``rdf:Statement`` nodes, one per stated triple, ``prov:wasDerivedFrom`` each quote whose graph
  holds it: "which sentence says this?" is one query for any triple (see :data:`UNSOURCED`);
- ``prov:wasDerivedFrom`` from each node the article mints (a figure, target, designation, ...:
  any IRI that no entity, ontology or catalogue file describes) to each sentence stating it;
- ``schema:mentions`` from the article to each entity its sentences state something about.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.namespace import RDF, RDFS, SKOS

from shkg import namespaces as ns
from shkg.errors import InputError
from shkg.project import Project

OA = rdflib.Namespace(ns.OA)
PROV = rdflib.Namespace(ns.PROV)
SHKG = rdflib.Namespace(ns.SHKG)
MENTIONS = rdflib.URIRef(ns.SCHEMA + "mentions")

# Predicates whose triples get no rdf:Statement: names and types, which a sentence's wording
# does not state as a claim, and the editors' own notes.  Provenance links are their own source.
UNSOURCED = frozenset(
    {RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.editorialNote, PROV.wasDerivedFrom}
)


@dataclass
class ArticleGraphs:
    """What one article file yields: the article's graph and the statements sourcing it."""

    graph: rdflib.Graph
    sentences: dict[rdflib.URIRef, rdflib.Graph]
    statements: rdflib.Graph = field(default_factory=rdflib.Graph)


def parse_trig(path: Path, project: Project) -> dict[rdflib.URIRef | None, rdflib.Graph]:
    """Parse one TriG file into its graphs (``None`` is the default graph), raising InputError
    with file, line and column on bad syntax.  Oxigraph parses (rdflib's TriG parser warns of its
    own deprecated API); the terms are carried over to rdflib, which the checks work on."""
    where = project.relative(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InputError(f"{where}: cannot read: {error.strerror}") from None
    graphs: dict[rdflib.URIRef | None, rdflib.Graph] = {None: rdflib.Graph()}
    blanks: dict[str, rdflib.BNode] = {}

    def term(node: object) -> rdflib.term.Node:
        if isinstance(node, pyoxigraph.NamedNode):
            return rdflib.URIRef(node.value)
        if isinstance(node, pyoxigraph.BlankNode):
            return blanks.setdefault(node.value, rdflib.BNode())
        assert isinstance(node, pyoxigraph.Literal)
        if node.language:
            return rdflib.Literal(node.value, lang=node.language)
        return rdflib.Literal(node.value, datatype=rdflib.URIRef(node.datatype.value))

    try:
        for quad in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.TRIG, base_iri=ns.BASE):
            name = (
                None
                if isinstance(quad.graph_name, pyoxigraph.DefaultGraph)
                else term(quad.graph_name)
            )
            if name is not None and not isinstance(name, rdflib.URIRef):
                raise InputError(
                    f"{where}: a graph named by a blank node: name each graph by its quote"
                )
            graphs.setdefault(name, rdflib.Graph()).add(
                (term(quad.subject), term(quad.predicate), term(quad.object))
            )
    except SyntaxError as error:
        message = error.msg.split(": ", 1)[-1] if error.msg else str(error)
        raise InputError(
            f"{where}:{error.lineno}:{error.offset}: TriG syntax error: {message}"
        ) from None
    return graphs


def read_article(
    path: Path,
    project: Project,
    article: str,
    described: set[rdflib.term.Node],
    entities: set[rdflib.term.Node],
) -> ArticleGraphs:
    """Read an article file; ``described`` are the IRIs other files describe (not minted here),
    ``entities`` those of the entities graph (what an article can mention)."""
    where = project.relative(path)
    parsed = parse_trig(path, project)
    default = parsed.pop(None)
    quotes = {q for q in default.subjects(RDF.type, SHKG.Quote) if isinstance(q, rdflib.URIRef)}
    for quote in sorted(quotes):
        source = default.value(quote, OA.hasSource)
        if str(source) != article:
            raise InputError(
                f"{where}: <{quote}> has oa:hasSource <{source}>, not this file's "
                f"article <{article}>"
            )
    quote_parts = _closure(default, quotes)
    for triple in default:
        if triple not in quote_parts:
            raise InputError(
                f"{where}: <{triple[0]}> <{triple[1]}> is outside any sentence's graph: "
                "state it inside the graph named by the quote of the sentence that says it"
            )
    graph = rdflib.Graph()
    for triple in default:
        graph.add(triple)
    sentences: dict[rdflib.URIRef, rdflib.Graph] = {}
    for name, named in parsed.items():
        assert name is not None
        if name not in quotes:
            raise InputError(
                f"{where}: the graph <{name}> is not named by a quote of this file "
                "(each graph holds what one quoted sentence states)"
            )
        for derived in (PROV.wasDerivedFrom, MENTIONS):
            written = next(iter(named.triples((None, derived, None))), None)
            if written is not None:
                raise InputError(
                    f"{where}: graph <{name}> writes <{written[0]}> <{derived}>: the build "
                    "derives it from the graph a triple stands in; leave it out"
                )
        sentences[name] = named
    article_node = rdflib.URIRef(article)
    sourced: dict[
        tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node], set[rdflib.URIRef]
    ] = {}
    for quote, stated in sorted(sentences.items()):
        for triple in stated:
            graph.add(triple)
            if triple[1] not in UNSOURCED:
                sourced.setdefault(triple, set()).add(quote)
        for node in _nodes(stated):
            if node in entities and not str(node).startswith((ns.ID + "period/", ns.ID + "role/")):
                mention = (article_node, MENTIONS, node)
                graph.add(mention)
                sourced.setdefault(mention, set()).add(quote)
        for subject in set(stated.subjects()):
            if isinstance(subject, rdflib.URIRef) and subject not in described:
                graph.add((subject, PROV.wasDerivedFrom, quote))
    return ArticleGraphs(graph=graph, sentences=sentences, statements=_statements(sourced))


def _statements(
    sourced: dict[tuple[rdflib.term.Node, rdflib.term.Node, rdflib.term.Node], set[rdflib.URIRef]],
) -> rdflib.Graph:
    """One rdf:Statement per sourced triple, derived from each quote that states it."""
    statements = rdflib.Graph()
    for (subject, predicate, obj), quotes in sorted(sourced.items()):
        node = rdflib.BNode()
        statements.add((node, RDF.type, RDF.Statement))
        statements.add((node, RDF.subject, subject))
        statements.add((node, RDF.predicate, predicate))
        statements.add((node, RDF.object, obj))
        for quote in sorted(quotes):
            statements.add((node, PROV.wasDerivedFrom, quote))
    return statements


def _closure(graph: rdflib.Graph, roots: set[rdflib.URIRef]) -> set[tuple[rdflib.term.Node, ...]]:
    """The triples of these nodes and of the blank nodes they reach (a quote's selectors)."""
    found: set[tuple[rdflib.term.Node, ...]] = set()
    todo: list[rdflib.term.Node] = list(roots)
    seen: set[rdflib.term.Node] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in graph.triples((node, None, None)):
            found.add(triple)
            if isinstance(triple[2], rdflib.BNode):
                todo.append(triple[2])
    return found


def _nodes(graph: rdflib.Graph) -> set[rdflib.term.Node]:
    return {term for s, _, o in graph for term in (s, o) if isinstance(term, rdflib.URIRef)}


def read_readings(path: Path, project: Project) -> rdflib.Graph:
    """The graph of editorial readings: each ``shkg:EditorialReading`` (a reified triple with
    ``shkg:readFrom`` the quotes whose context suggests it and a ``skos:editorialNote`` saying
    why) and the triple itself, asserted here and nowhere else, so a user can leave it out."""
    where = project.relative(path)
    graph = parse_trig(path, project)
    default = graph.pop(None)
    if graph:
        raise InputError(f"{where}: readings are Turtle, one graph; found named graphs")
    readings = rdflib.Graph()
    for triple in default:
        readings.add(triple)
    for node in sorted(default.subjects(RDF.type, SHKG.EditorialReading), key=str):
        parts = [default.value(node, term) for term in (RDF.subject, RDF.predicate, RDF.object)]
        if any(part is None for part in parts) or len(set(default.objects(node, RDF.object))) > 1:
            raise InputError(
                f"{where}: a reading needs one rdf:subject, rdf:predicate and rdf:object"
            )
        if (
            default.value(node, SHKG.readFrom) is None
            or default.value(node, SKOS.editorialNote) is None
        ):
            raise InputError(
                f"{where}: the reading of <{parts[0]}> <{parts[1]}> needs shkg:readFrom "
                "(the sentences it is read from) and a skos:editorialNote (why)"
            )
        readings.add((parts[0], parts[1], parts[2]))  # type: ignore[arg-type]
    return readings

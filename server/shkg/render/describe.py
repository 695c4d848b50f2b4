"""The RDF description of one resource, read from the store (the union of its named graphs).

A description is what a client dereferencing the resource's IRI needs without a second
request: the resource's own statements, the labels of what it points to and of what points
to it, the statements pointing to it, and the provenance of its facts: the ``rdf:Statement``
of each of its triples with the quotes stating it, the quote nodes with their selectors, and
the title and date of the article each quote comes from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

import pyoxigraph
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from shkg import namespaces as ns
from shkg.errors import BadGateway
from shkg.query.stores import ReadableStore

# Triple: an RDF-star quoted triple, which pyoxigraph may return as an object.
Term = NamedNode | BlankNode | Literal | Triple

RDF_TYPE = NamedNode(ns.RDF + "type")
LABEL_PROPERTIES = (
    NamedNode(ns.SKOS + "prefLabel"),
    NamedNode(ns.RDFS + "label"),
    NamedNode(ns.DCTERMS + "title"),
)
DERIVED_FROM = NamedNode(ns.PROV + "wasDerivedFrom")
STATEMENT_SUBJECT = NamedNode(ns.RDF + "subject")
HAS_SOURCE = NamedNode(ns.OA + "hasSource")
HAS_SELECTOR = NamedNode(ns.OA + "hasSelector")
SOURCE_FACTS = (NamedNode(ns.DCTERMS + "title"), NamedNode(ns.SCHEMA + "datePublished"))

# Media types a description is offered in, our preference first (HTML is the pages' own).
RDF_MEDIA: dict[str, pyoxigraph.RdfFormat] = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}


def select(store: ReadableStore, query: str) -> list[dict[str, Term | None]]:
    """The solutions of a SELECT over the union of the named graphs, read whole here, each a
    dict of its variables (None where unbound).

    Read here, not where they are used: a remote store's answer may fail to parse part way,
    and pyoxigraph's results must be dropped on the thread that made them, so the error
    (BadGateway) is raised only once they are gone, without the traceback that held them.
    """
    result = store.query(query, use_default_graph_as_union=True)
    failure: Exception | None = None
    rows: list[dict[str, Term | None]] = []
    try:
        if not isinstance(result, pyoxigraph.QuerySolutions):
            failure = BadGateway("the data backend answered a SELECT with something else")
        else:
            names = [variable.value for variable in result.variables]
            rows = [{name: row[name] for name in names} for row in result]
    except (SyntaxError, ValueError, OSError):
        failure = BadGateway("the data backend sent an answer that does not parse")
    finally:
        del result
    if failure is not None:
        raise failure
    return rows


def triples(
    store: ReadableStore,
    subject: NamedNode | BlankNode | None = None,
    predicate: NamedNode | None = None,
    obj: Term | None = None,
) -> list[Triple]:
    """The matching triples of the union of the named graphs, each once, in a stable order."""
    found = {quad.triple for quad in store.quads_for_pattern(subject, predicate, obj, None)}
    return sorted(found, key=str)


def exists(store: ReadableStore, iri: NamedNode) -> bool:
    """Whether the dataset says anything about this IRI (as a subject)."""
    return next(iter(store.quads_for_pattern(iri, None, None, None)), None) is not None


def describe(store: ReadableStore, iri: NamedNode) -> list[Triple]:
    """The description of ``iri`` (see the module docstring); empty when the store lacks it."""
    own = triples(store, iri)
    if not own:
        return []
    found: set[Triple] = set(own)
    found.update(_closure(store, [t.object for t in own if isinstance(t.object, BlankNode)]))
    # The rdf:Statement of each of its triples, with the sentences stating it; statements in
    # which it is the object are left to their subjects' descriptions.
    statements = statement_triples(store, iri)
    found.update(statements)
    incoming = [t for t in triples(store, obj=iri) if not isinstance(t.subject, BlankNode)]
    found.update(incoming)
    neighbours = {t.object for t in own if isinstance(t.object, NamedNode)}
    neighbours.update(t.subject for t in incoming if isinstance(t.subject, NamedNode))
    for node in neighbours - {iri}:
        found.update(_labels(store, node))
    quotes = {t.object for t in own if t.predicate == DERIVED_FROM}
    quotes.update(t.object for t in statements if t.predicate == DERIVED_FROM)
    for quote in sorted(quotes, key=str):
        found.update(provenance(store, quote))
    return sorted(found, key=str)


def stated_by(store: ReadableStore, subject: NamedNode) -> dict[tuple[Term, Term], list[NamedNode]]:
    """For each (predicate, object) of the subject's triples that an article states, the quotes
    of the sentences stating it, read from the triples' rdf:Statements.

    A query, not a walk over blank nodes: the statements are blank nodes, which a remote store
    cannot be asked about by label.
    """
    result = select(
        store,
        f"SELECT ?p ?o ?quote WHERE {{ ?statement <{ns.RDF}subject> {subject} ; "
        f"<{ns.RDF}predicate> ?p ; "
        f"<{ns.RDF}object> ?o ; <{ns.PROV}wasDerivedFrom> ?quote }}",
    )
    found: dict[tuple[Term, Term], list[NamedNode]] = {}
    for row in result:
        predicate, obj, quote = row["p"], row["o"], row["quote"]
        if isinstance(quote, NamedNode) and predicate is not None and obj is not None:
            found.setdefault((predicate, obj), []).append(quote)
    return found


def statement_triples(store: ReadableStore, subject: NamedNode) -> list[Triple]:
    """The rdf:Statements of the subject's triples, each a blank node labelled by its triple, so
    that every store and process describes it in the same bytes."""
    found = []
    for (predicate, obj), quotes in sorted(stated_by(store, subject).items(), key=str):
        node = BlankNode(
            "s" + hashlib.sha256(f"{subject}\0{predicate}\0{obj}".encode()).hexdigest()[:24]
        )
        found += [
            Triple(node, RDF_TYPE, NamedNode(ns.RDF + "Statement")),
            Triple(node, STATEMENT_SUBJECT, subject),
            Triple(node, NamedNode(ns.RDF + "predicate"), predicate),
            Triple(node, NamedNode(ns.RDF + "object"), obj),
        ]
        found += [Triple(node, DERIVED_FROM, quote) for quote in sorted(set(quotes), key=str)]
    return found


def provenance(store: ReadableStore, quote: Term) -> list[Triple]:
    """A quote node's statements, its selectors, and its source article's title and date."""
    if not isinstance(quote, NamedNode):
        return []
    own = triples(store, quote)
    found = set(own) | set(
        _closure(store, [t.object for t in own if isinstance(t.object, BlankNode)])
    )
    for source in [t.object for t in own if t.predicate == HAS_SOURCE]:
        if isinstance(source, NamedNode):
            for predicate in (*SOURCE_FACTS, *LABEL_PROPERTIES):
                found.update(triples(store, source, predicate))
    return sorted(found, key=str)


def serialize(description: Iterable[Triple], media_type: str) -> bytes:
    """Turtle, N-Triples or RDF/XML of a description, with the dataset's prefixes."""
    body = pyoxigraph.serialize(
        list(description), format=RDF_MEDIA[media_type], prefixes=ns.PREFIXES
    )
    assert body is not None
    return body


def _labels(store: ReadableStore, node: NamedNode) -> list[Triple]:
    return [t for predicate in LABEL_PROPERTIES for t in triples(store, node, predicate)]


def _closure(store: ReadableStore, nodes: list[Term]) -> list[Triple]:
    """The statements of blank nodes reachable from these (selectors), which have no IRI to
    follow."""
    found: list[Triple] = []
    seen: set[Term] = set()
    while nodes:
        node = nodes.pop()
        if node in seen or not isinstance(node, BlankNode):
            continue
        seen.add(node)
        for triple in triples(store, node):
            found.append(triple)
            nodes.append(triple.object)
    return found


def context_document() -> dict[str, object]:
    """The JSON-LD ``@context`` of the dataset: its prefixes, so property names read as CURIEs."""
    return {"@context": dict(sorted(ns.PREFIXES.items()))}


def jsonld(description: Iterable[Triple], context_url: str) -> bytes:
    """Compact JSON-LD of a description, using the published ``@context`` at ``context_url``.

    pyoxigraph writes expanded JSON-LD only; compacting property names to the context's CURIEs
    is a pure key rewrite (values stay expanded objects, which compact JSON-LD allows), so no
    JSON-LD processor, nor a fetch of the context, is needed here.
    """
    expanded = json.loads(
        pyoxigraph.serialize(list(description), format=pyoxigraph.RdfFormat.JSON_LD) or b"[]"
    )
    nodes = [{compact_iri(key): value for key, value in node.items()} for node in expanded]
    return json.dumps(
        {"@context": context_url, "@graph": nodes}, ensure_ascii=False, indent=1
    ).encode("utf-8")


def compact_iri(iri: str) -> str:
    """``prefix:local`` for an IRI under one of the dataset's prefixes (the longest), else
    itself."""
    if iri.startswith("@"):
        return iri
    best = max(
        ((p, n) for p, n in ns.PREFIXES.items() if iri.startswith(n) and len(iri) > len(n)),
        key=lambda item: len(item[1]),
        default=None,
    )
    return f"{best[0]}:{iri[len(best[1]) :]}" if best else iri


def class_examples(store: ReadableStore, per_class: int = 3) -> dict[str, list[NamedNode]]:
    """A few instances under /id/ of each class, by IRI order, for the ontology page."""
    result = select(
        store,
        "SELECT DISTINCT ?c ?s WHERE { ?s a ?c "
        f'FILTER(isIRI(?c) && STRSTARTS(STR(?s), "{ns.ID}")) }} '
        "ORDER BY ?c ?s",
    )
    examples: dict[str, list[NamedNode]] = {}
    for row in result:
        cls, instance = row["c"], row["s"]
        if isinstance(cls, NamedNode) and isinstance(instance, NamedNode):
            found = examples.setdefault(cls.value, [])
            if len(found) < per_class:
                found.append(instance)
    return examples

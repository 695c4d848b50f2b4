"""SHACL validation of the Shanghai Industry Knowledge Graph.

Runs pyshacl over a data graph with the shapes of ``shapes/shkg-shapes.ttl`` and turns the
validation report into plain, sorted Python values.

Inference: **none**.  The ontology, when given, is copied into the graph validated (as
pyshacl's ``ont_graph`` would do), so its ``rdfs:subClassOf`` axioms are there, and SHACL's
``sh:targetClass`` and ``sh:class`` follow ``rdfs:subClassOf`` by definition, so a
``shkg:District`` is checked as a ``shkg:Place`` and accepted where a place is required.  RDFS
inference would go further and type every node from ``rdfs:domain``/``rdfs:range`` (anything
used as ``shkg:metric`` would become a ``shkg:Metric``), which would make the shapes' range
checks (``sh:class``) pass vacuously and hide exactly the errors they exist to catch.

Advanced mode (SHACL-AF) is on; the cross-node rules of the shapes are SHACL-SPARQL
constraints (``sh:sparql``).

The shapes' SPARQL constraints are run once per focus node with the same text; rdflib would
parse that text again each time (three quarters of the time of a build went on it), so the graph
validated prepares each text once (`_PreparingGraph`).

A dataset (named graphs) is validated as the union of its graphs, as the endpoint serves it:
pyshacl would otherwise validate each named graph on its own and miss the links between an
article's graph and the entities graph.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import rdflib
from pyshacl import validate as pyshacl_validate
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import Result
from rdflib.term import BNode, Literal, Node, URIRef

__all__ = ["ValidationResult", "Violation", "load_shapes", "validate"]

_VALUE_WIDTH = 100

_PATH_MODIFIERS: tuple[tuple[URIRef, str], ...] = (
    (SH.zeroOrMorePath, "*"),
    (SH.oneOrMorePath, "+"),
    (SH.zeroOrOnePath, "?"),
)


@dataclass(frozen=True)
class Violation:
    """One result of a validation report.

    ``focus_node``, ``shape`` and ``path`` are IRIs (a blank node is written ``_:id``, or, for a
    focus node, as ``[<subject> <predicate>]`` after the triple that links to it); ``shape`` is
    the named shape that the result's ``sh:sourceShape`` belongs to (a property shape or a
    nested shape is mapped to the nearest enclosing shape with an IRI); ``value`` is the
    offending value in N-Triples syntax; ``severity`` is the local name of the severity
    (``Violation``, ``Warning`` or ``Info``); ``component`` is the local name of the constraint
    component that reported it (``MinCountConstraintComponent``, ``SPARQLConstraintComponent``).
    """

    focus_node: str
    shape: str
    path: str | None
    value: str | None
    message: str
    severity: str
    component: str = ""

    def format(self) -> str:
        """One human-readable line."""
        where = f" path <{self.path}>" if self.path is not None else ""
        shown = self.value
        if shown is not None and len(shown) > _VALUE_WIDTH:
            shown = shown[: _VALUE_WIDTH - 3] + "..."
        value = f" (value {shown})" if shown is not None and self.value != self.focus_node else ""
        focus = _bracket(self.focus_node)
        return f"focus {focus}: shape <{self.shape}>{where}: {self.message}{value}"


@dataclass(frozen=True)
class ValidationResult:
    """Whether the data conforms, and every result of the report, sorted."""

    conforms: bool
    violations: tuple[Violation, ...]

    @property
    def shapes(self) -> frozenset[str]:
        """The named shapes that reported at least one result."""
        return frozenset(v.shape for v in self.violations)

    def format(self) -> str:
        """One line per result; an empty string when there is none."""
        return "\n".join(v.format() for v in self.violations)


def load_shapes(path: Path | str) -> rdflib.Graph:
    """Parse a Turtle shapes file."""
    graph = rdflib.Graph()
    graph.parse(Path(path), format="turtle")
    return graph


def validate(
    data: rdflib.Graph,
    shapes: rdflib.Graph,
    ontology: rdflib.Graph | None = None,
) -> ValidationResult:
    """Validate ``data`` against ``shapes``; ``ontology`` supplies the class hierarchy.

    The input graphs are not modified.
    """
    data_graph = _PreparingGraph()
    for prefix, namespace in data.namespaces():
        data_graph.bind(prefix, namespace)
    for graph in (data, ontology):
        if graph is not None:
            for s, p, o, *_g in (
                graph.quads((None, None, None, None))
                if isinstance(graph, rdflib.Dataset | rdflib.ConjunctiveGraph)
                else graph
            ):
                data_graph.add((s, p, o))
    # The copy is ours, so pyshacl may work on it in place rather than copy it again.
    conforms, report, _text = pyshacl_validate(
        data_graph,
        shacl_graph=shapes,
        inplace=True,
        inference="none",
        advanced=True,
        abort_on_first=False,
        allow_infos=False,
        allow_warnings=False,
    )
    if not isinstance(report, rdflib.Graph):
        raise TypeError(f"pyshacl returned a report of type {type(report).__name__}")
    violations = tuple(sorted(_violations(report, shapes, data_graph), key=_sort_key))
    return ValidationResult(conforms=bool(conforms), violations=violations)


def _sort_key(v: Violation) -> tuple[str, str, str, str, str, str, str]:
    return (v.focus_node, v.shape, v.path or "", v.value or "", v.message, v.severity, v.component)


class _PreparingGraph(rdflib.Graph):
    """A graph that parses each SPARQL text asked of it once and reuses the prepared query."""

    def __init__(self) -> None:
        super().__init__()
        self._prepared: dict[str, Query] = {}

    def query(
        self,
        query_object: str | Query,
        *args: Any,
        initNs: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> Result:
        if isinstance(query_object, str):
            text = query_object
            if text not in self._prepared:
                self._prepared[text] = prepareQuery(
                    text, initNs=dict(initNs) if initNs else dict(self.namespaces())
                )
            query_object = self._prepared[text]
        return super().query(query_object, *args, **kwargs)


def _violations(
    report: rdflib.Graph, shapes: rdflib.Graph, data: rdflib.Graph
) -> Iterator[Violation]:
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        source_shape = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        value = report.value(result, SH.value)
        severity = report.value(result, SH.resultSeverity)
        component = report.value(result, SH.sourceConstraintComponent)
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        component_name = _local_name(component) if component is not None else "unknown"
        yield Violation(
            focus_node=_focus_str(focus, data),
            shape=_named_shape(source_shape, shapes),
            path=_path_str(path, report) if path is not None else None,
            value=_term_str(value) if value is not None else None,
            message="; ".join(messages) if messages else component_name,
            severity=_local_name(severity) if severity is not None else "Violation",
            component=component_name,
        )


def _named_shape(shape: Node | None, shapes: rdflib.Graph) -> str:
    """The nearest shape with an IRI that contains ``shape`` (itself, if it has one)."""
    if shape is None:
        return "unknown"
    seen: set[Node] = set()
    frontier: list[Node] = [shape]
    while frontier:
        candidates: list[Node] = []
        for node in frontier:
            if isinstance(node, URIRef):
                return str(node)
            if node in seen:
                continue
            seen.add(node)
            candidates.extend(_parents(node, shapes))
        named = sorted(str(c) for c in candidates if isinstance(c, URIRef))
        if named:
            return named[0]
        frontier = candidates
    return _term_str(shape)


def _parents(node: Node, shapes: rdflib.Graph) -> list[Node]:
    """The subjects that refer to ``node``, looking through RDF lists to the list's owner."""
    parents: list[Node] = []
    for subject, predicate in shapes.subject_predicates(node):
        if predicate == RDF.first:
            head = subject
            while True:
                previous = shapes.value(predicate=RDF.rest, object=head)
                if previous is None:
                    break
                head = previous
            parents.extend(shapes.subjects(None, head))
        else:
            parents.append(subject)
    return parents


def _path_str(path: Node, graph: rdflib.Graph) -> str:
    """A SHACL property path in SPARQL property-path syntax."""
    if isinstance(path, URIRef):
        return str(path)
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path_str(step, graph) for step in Collection(graph, path))
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_str(inverse, graph)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        steps = Collection(graph, alternatives)
        return "(" + "|".join(_path_str(step, graph) for step in steps) + ")"
    for predicate, modifier in _PATH_MODIFIERS:
        inner = graph.value(path, predicate)
        if inner is not None:
            return "(" + _path_str(inner, graph) + ")" + modifier
    return _term_str(path)


def _focus_str(node: Node | None, data: rdflib.Graph) -> str:
    """A focus node; a blank node is named by the (sorted) first triple that points to it."""
    if node is None:
        return "unknown"
    if isinstance(node, BNode):
        links = sorted(
            (str(s), str(p)) for s, p in data.subject_predicates(node) if isinstance(s, URIRef)
        )
        if links:
            subject, predicate = links[0]
            return f"[<{subject}> <{predicate}>]"
    return _term_str(node)


def _term_str(node: Node) -> str:
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return node.n3()
    return str(node)


def _local_name(node: Node) -> str:
    text = str(node)
    for separator in ("#", "/"):
        if separator in text:
            text = text.rsplit(separator, 1)[1]
    return text


def _bracket(term: str) -> str:
    """Angle brackets around an IRI, not around a blank-node description."""
    if term.startswith(("[", "_:", '"')) or term == "unknown":
        return term
    return f"<{term}>"

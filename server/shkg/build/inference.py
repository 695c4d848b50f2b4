"""Entailments the ontology licenses, kept apart from the asserted data.

OWL 2 RL closure (owlrl) over the ontology and the data; only new triples about the dataset's
own resources are kept: owlrl also derives a great deal that is true of every graph
(reflexive owl:sameAs and sub-class links, axioms about rdf:, xsd: and owl: terms) and would
only bury the useful entailments (an industrial cluster is an
org:OrganizationalCollaboration; a district is a schema:Place) under noise.
"""

from __future__ import annotations

import owlrl  # type: ignore[import-untyped]
import rdflib
from rdflib.namespace import OWL, RDF, RDFS

from shkg import namespaces as ns


def entailments(asserted: rdflib.Graph) -> rdflib.Graph:
    """Triples entailed under OWL 2 RL and not asserted, whose subject is one of our IRIs."""
    closure = rdflib.Graph()
    for triple in asserted:
        closure.add(triple)
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    inferred = rdflib.Graph()
    for subject, predicate, obj in closure:
        if (subject, predicate, obj) in asserted:
            continue
        if not isinstance(subject, rdflib.URIRef) or not str(subject).startswith(ns.BASE):
            continue
        if subject == obj or (predicate == RDF.type and obj in _TRIVIAL_TYPES):
            continue
        if isinstance(obj, rdflib.Literal) and predicate not in _LITERAL_PREDICATES_KEPT:
            continue
        if isinstance(obj, rdflib.BNode):
            continue
        inferred.add((subject, predicate, obj))
    return inferred


# Literal-valued entailments worth keeping: labels inherited through sub-properties.
_LITERAL_PREDICATES_KEPT = {RDFS.label}
# Types every resource has under OWL RL; stating them says nothing.
_TRIVIAL_TYPES = {OWL.Thing, RDFS.Resource}

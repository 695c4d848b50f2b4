"""Checks SHACL cannot express: quotes against the seed texts, and references to undefined
things."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import rdflib
from rdflib.namespace import RDF

from shkg import namespaces as ns
from shkg.build.sources import Seed

OA = rdflib.Namespace(ns.OA)
PROV = rdflib.Namespace(ns.PROV)
SHKG = rdflib.Namespace(ns.SHKG)


@dataclass(frozen=True)
class Problem:
    """One failed check: where it is (file or node) and what is wrong."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


@dataclass(frozen=True)
class Quote:
    iri: str
    article: str
    exact: str
    start: int
    end: int
    prefix: str | None = None
    suffix: str | None = None


def quotes_in(graph: rdflib.Graph) -> list[Quote]:
    """Every shkg:Quote with one exact text and one position, as plain values."""
    found = []
    for quote in graph.subjects(RDF.type, SHKG.Quote):
        source = graph.value(quote, OA.hasSource)
        exact = start = end = prefix = suffix = None
        for selector in graph.objects(quote, OA.hasSelector):
            if (selector, RDF.type, OA.TextQuoteSelector) in graph:
                exact = graph.value(selector, OA.exact)
                prefix, suffix = graph.value(selector, OA.prefix), graph.value(selector, OA.suffix)
            if (selector, RDF.type, OA.TextPositionSelector) in graph:
                start, end = graph.value(selector, OA.start), graph.value(selector, OA.end)
        if source is None or exact is None or start is None or end is None:
            continue  # the SHACL shapes report incomplete quotes
        found.append(
            Quote(
                str(quote),
                str(source),
                str(exact),
                int(str(start)),
                int(str(end)),
                None if prefix is None else str(prefix),
                None if suffix is None else str(suffix),
            )
        )
    return sorted(found, key=lambda q: (q.article, q.start, q.iri))


def check_quotes(graph: rdflib.Graph, seeds: Iterable[Seed]) -> list[Problem]:
    """Each quote's exact text must stand in its seed at exactly its recorded position."""
    texts = {seed.article: seed for seed in seeds}
    problems = []
    for quote in quotes_in(graph):
        citing = sorted(
            str(fact) for fact in graph.subjects(PROV.wasDerivedFrom, rdflib.URIRef(quote.iri))
        )
        facts = ", ".join(f"<{fact}>" for fact in citing) or "no fact"
        seed = texts.get(quote.article)
        if seed is None:
            problems.append(
                Problem(f"<{quote.iri}>", f"source <{quote.article}> is not a catalogued seed")
            )
            continue
        found = seed.text[quote.start : quote.end]
        if found == quote.exact:
            before = seed.text[: quote.start]
            after = seed.text[quote.end :]
            if quote.prefix is not None and not before.endswith(quote.prefix):
                problems.append(
                    Problem(
                        f"<{quote.iri}>",
                        f"oa:prefix {quote.prefix!r} does not stand "
                        f"just before the quote in {seed.path.name}",
                    )
                )
            if quote.suffix is not None and not after.startswith(quote.suffix):
                problems.append(
                    Problem(
                        f"<{quote.iri}>",
                        f"oa:suffix {quote.suffix!r} does not stand "
                        f"just after the quote in {seed.path.name}",
                    )
                )
            continue
        elsewhere = seed.text.find(quote.exact)
        hint = (
            f"the text stands at {elsewhere}-{elsewhere + len(quote.exact)}"
            if elsewhere >= 0
            else "the text is nowhere in the seed"
        )
        problems.append(
            Problem(
                f"<{quote.iri}> (cited by {facts})",
                f"{seed.path.name}[{quote.start}:{quote.end}] is {found!r}, "
                f"not the quoted {quote.exact!r}; {hint}",
            )
        )
    return problems


def check_references(graph: rdflib.Graph) -> list[Problem]:
    """Every instance IRI the data uses must be described somewhere (at least a type)."""
    typed = set(graph.subjects(RDF.type, None))
    problems = []
    used: dict[rdflib.URIRef, rdflib.term.Node] = {}
    for subject, _, obj in graph:
        if isinstance(obj, rdflib.URIRef) and str(obj).startswith(ns.ID):
            used.setdefault(obj, subject)
    for iri, subject in sorted(used.items()):
        if iri not in typed:
            problems.append(
                Problem(f"<{subject}>", f"refers to <{iri}>, which has no rdf:type anywhere")
            )
    return problems

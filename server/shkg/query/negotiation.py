"""Content negotiation: parse an Accept header and choose among the media types we can produce."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    order: int

    def matches(self, media_type: str) -> int:
        """How specifically this range matches a media type: 0 none, 1 */*, 2 type/*, 3 exact."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*" and self.subtype == "*":
            return 1
        if self.type == kind and self.subtype == "*":
            return 2
        if self.type == kind and self.subtype == sub:
            return 3
        return 0


def parse_accept(header: str | None) -> list[MediaRange]:
    """The ranges of an Accept header; an absent or empty header accepts anything."""
    if not header or not header.strip():
        return [MediaRange("*", "*", 1.0, 0)]
    ranges = []
    for order, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        kind, _, sub = fields[0].lower().partition("/")
        if not kind or not sub:
            continue
        q = 1.0
        for parameter in fields[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        ranges.append(MediaRange(kind, sub, q, order))
    return ranges


def choose(header: str | None, offered: list[str]) -> str | None:
    """The offered media type the client prefers, or None if it accepts none of them.

    Each offered type takes the q of the most specific range that matches it; ties go to the
    order of ``offered`` (our preference), so ``*/*`` gets our default.
    """
    ranges = parse_accept(header)
    best: tuple[float, int, str] | None = None
    for preference, media_type in enumerate(offered):
        matching = [(r.matches(media_type), r.q) for r in ranges if r.matches(media_type)]
        if not matching:
            continue
        q = max(matching)[1]
        if q <= 0:
            continue
        candidate = (q, -preference, media_type)
        if best is None or candidate > best:
            best = candidate
    return best[2] if best else None


# What a `format` parameter may name, and the media types each name stands for, in our
# order: short names for links typed into a browser, and the names common clients put in the
# URL whatever their Accept header says (SPARQLWrapper sends format, output and results,
# `xml` meaning SPARQL XML for a SELECT and RDF/XML for a CONSTRUCT; Virtuoso's and Fuseki's
# forms and YASGUI use the same words). A media type names itself.
FORMAT_NAMES: dict[str, tuple[str, ...]] = {
    "json": ("application/sparql-results+json", "application/ld+json", "application/json"),
    "srj": ("application/sparql-results+json",),
    "xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "srx": ("application/sparql-results+xml",),
    "csv": ("text/csv",),
    "tsv": ("text/tab-separated-values",),
    "turtle": ("text/turtle",),
    "ttl": ("text/turtle",),
    # Every Turtle document is Notation3, so Turtle answers a client asking for N3.
    "n3": ("text/turtle",),
    "text/n3": ("text/turtle",),
    "text/rdf+n3": ("text/turtle",),
    "ntriples": ("application/n-triples",),
    "n-triples": ("application/n-triples",),
    "nt": ("application/n-triples",),
    "jsonld": ("application/ld+json",),
    "json-ld": ("application/ld+json",),
    "rdf": ("application/rdf+xml",),
    "rdfxml": ("application/rdf+xml",),
    "rdf+xml": ("application/rdf+xml",),
    "rdf/xml": ("application/rdf+xml",),
    "nquads": ("application/n-quads",),
    "n-quads": ("application/n-quads",),
    "nq": ("application/n-quads",),
    "trig": ("application/trig",),
}


def choose_format(format: str | None, accept: str | None, offered: list[str]) -> str | None:
    """The offered media type for a request with a ``format`` parameter and an Accept header:
    the one ``format`` names if we offer it, else the Accept header's choice. A name we do not
    know, or one this answer is not offered in, leaves the choice to the Accept header."""
    if format and format.strip():
        name = format.strip().lower()
        named = choose(", ".join(FORMAT_NAMES.get(name, (name,))), offered)
        if named is not None:
            return named
    return choose(accept, offered)

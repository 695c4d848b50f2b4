"""The RDF formats the server writes: media type, pyoxigraph format and file extension."""

from __future__ import annotations

import pyoxigraph

# Formats of a graph (triples), our preferred first.
TRIPLE_FORMATS: dict[str, pyoxigraph.RdfFormat] = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
# Formats of a dataset (quads: named graphs as well).
QUAD_FORMATS: dict[str, pyoxigraph.RdfFormat] = {
    "application/n-quads": pyoxigraph.RdfFormat.N_QUADS,
    "application/trig": pyoxigraph.RdfFormat.TRIG,
}
# The usual file extension of each.
EXTENSIONS: dict[str, str] = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "rdf",
    "application/n-quads": "nq",
    "application/trig": "trig",
}
# Older or broader names some clients ask for a graph by: N-Triples was text/plain (rdflib
# still asks for it so), JSON-LD is JSON, and every Turtle document is Notation3. Answered in
# the format named here, under the name asked for; offered after the others, so never chosen
# for */*.
ALIASES: dict[str, str] = {
    "text/plain": "application/n-triples",
    "application/json": "application/ld+json",
    "text/n3": "text/turtle",
    "application/x-turtle": "text/turtle",
}

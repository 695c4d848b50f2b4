"""The example queries as SHACL SPARQL executables at /.well-known/sparql-examples.

The same convention UniProt and other SIB endpoints use: each example is an
``sh:SPARQLExecutable`` with its label, comment, query text and the endpoint it targets, so
clients and query editors can list them.
"""

from __future__ import annotations

import re

import pyoxigraph
from fastapi import APIRouter, Request
from fastapi.responses import Response

from shkg import namespaces as ns
from shkg.errors import NotAcceptable
from shkg.query.negotiation import choose_format
from shkg.web.protocol import RDF_FORMATS
from shkg.web.service import Service

SH = "http://www.w3.org/ns/shacl#"
_COMMENT = re.compile(r"^# comment: (.+)$", re.MULTILINE)
_FORMS = (
    ("CONSTRUCT", "SPARQLConstructExecutable"),
    ("ASK", "SPARQLAskExecutable"),
    ("DESCRIBE", "SPARQLDescribeExecutable"),
    ("SELECT", "SPARQLSelectExecutable"),
)


def example_triples(queries: tuple[tuple[str, str], ...], endpoint: str) -> list[pyoxigraph.Triple]:
    """One executable per query, numbered in the order given (the files' order)."""
    triples: list[pyoxigraph.Triple] = []
    rdf_type = pyoxigraph.NamedNode(ns.RDF + "type")
    for number, (title, text) in enumerate(queries, start=1):
        example = pyoxigraph.NamedNode(f"{ns.ID}example/{number:02d}")
        kind = _executable_kind(text)
        add = triples.append
        add(pyoxigraph.Triple(example, rdf_type, pyoxigraph.NamedNode(SH + "SPARQLExecutable")))
        add(pyoxigraph.Triple(example, rdf_type, pyoxigraph.NamedNode(SH + kind)))
        add(
            pyoxigraph.Triple(
                example,
                pyoxigraph.NamedNode(ns.RDFS + "label"),
                pyoxigraph.Literal(title, language="en"),
            )
        )
        comment = _COMMENT.search(text)
        if comment:
            add(
                pyoxigraph.Triple(
                    example,
                    pyoxigraph.NamedNode(ns.RDFS + "comment"),
                    pyoxigraph.Literal(comment.group(1), language="en"),
                )
            )
        predicate = {
            "SPARQLSelectExecutable": "select",
            "SPARQLAskExecutable": "ask",
            "SPARQLConstructExecutable": "construct",
            "SPARQLDescribeExecutable": "describe",
        }[kind]
        add(
            pyoxigraph.Triple(
                example, pyoxigraph.NamedNode(SH + predicate), pyoxigraph.Literal(text)
            )
        )
        add(
            pyoxigraph.Triple(
                example, pyoxigraph.NamedNode(ns.SCHEMA + "target"), pyoxigraph.NamedNode(endpoint)
            )
        )
    return triples


def _executable_kind(text: str) -> str:
    body = "\n".join(
        line for line in text.splitlines() if not line.lstrip().startswith("#")
    ).upper()
    positions = [(body.find(word), kind) for word, kind in _FORMS if word in body]
    return min(positions)[1] if positions else "SPARQLSelectExecutable"


def router(service: Service) -> APIRouter:
    routes = APIRouter()

    @routes.get(
        "/.well-known/sparql-examples", summary="The example queries (SHACL SPARQL executables)"
    )
    def sparql_examples(request: Request) -> Response:
        media = choose_format(
            request.query_params.get("format"), request.headers.get("accept"), list(RDF_FORMATS)
        )
        if media is None:
            raise NotAcceptable(f"available as {', '.join(RDF_FORMATS)}")
        endpoint = service.base_url + "sparql"
        validators = service.conditional(request, "examples", endpoint, media)
        if validators.current():
            return validators.not_modified()
        body = pyoxigraph.serialize(
            example_triples(service.queries, endpoint),
            format=RDF_FORMATS[media],
            prefixes={
                "sh": SH,
                "rdfs": ns.RDFS,
                "schema": ns.SCHEMA,
                "example": ns.ID + "example/",
            },
        )
        return validators.respond(body, media)

    return routes

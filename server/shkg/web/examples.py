"""The example queries as SHACL SPARQL executables at /.well-known/sparql-examples.

The same convention UniProt and other SIB endpoints use: each example is an
``sh:SPARQLExecutable`` with its label, comment, query text and the endpoint it targets, so
clients and query editors can list them.
"""

from __future__ import annotations

import json
import re

import pyoxigraph
from fastapi import APIRouter, Request
from fastapi.responses import Response

from shkg import namespaces as ns
from shkg.errors import NotAcceptable, NotFound
from shkg.query.negotiation import choose_format
from shkg.query.sparql import Answer, QueryRequest
from shkg.render import browsing
from shkg.web import languages
from shkg.web.protocol import RDF_FORMATS, _client
from shkg.web.service import Service

SELECT_JSON = "application/sparql-results+json"

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


def example_comment(text: str) -> str:
    found = _COMMENT.search(text)
    return found.group(1) if found else ""


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
        # HTML last: a program asking for anything gets Turtle, a browser the list.
        media = choose_format(
            request.query_params.get("format"),
            request.headers.get("accept"),
            [*RDF_FORMATS, "text/html"],
        )
        if media is None:
            raise NotAcceptable(f"available as {', '.join(RDF_FORMATS)}, text/html")
        endpoint = service.base_url + "sparql"
        lang = languages.chosen(request)
        validators = service.conditional(
            request, "examples", endpoint, media, lang, extra={"Vary": languages.VARY}
        )
        if validators.current():
            return validators.not_modified()
        if media == "text/html":
            questions = [
                (number, title, example_comment(text))
                for number, (title, text) in enumerate(service.queries, start=1)
            ]
            with languages.rendering(request):
                listing = browsing.examples_page(questions)
            return languages.remember(request, validators.respond(listing, "text/html"))
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

    def example(request: Request, number: str) -> Response:
        """An example question's page: its answer as a table, the query, a link to the editor.
        Other media types get the example's own description (its SHACL executable)."""
        found = _numbered(service, number)
        if found is None:
            raise NotFound(f"there is no example {number!r}")
        index, (title, text) = found
        media = choose_format(
            request.query_params.get("format"),
            request.headers.get("accept"),
            ["text/html", *RDF_FORMATS],
        )
        if media is None:
            raise NotAcceptable(f"available as text/html, {', '.join(RDF_FORMATS)}")
        endpoint = service.base_url + "sparql"
        lang = languages.chosen(request)
        validators = service.conditional(
            request,
            "example",
            str(index),
            media,
            lang if media == "text/html" else "",
            extra={"Vary": languages.VARY},
        )
        if validators.current():
            return validators.not_modified()
        if media != "text/html":
            iri = pyoxigraph.NamedNode(f"{ns.ID}example/{index:02d}")
            triples = [t for t in example_triples(service.queries, endpoint) if t.subject == iri]
            body = pyoxigraph.serialize(triples, format=RDF_FORMATS[media])
            return validators.respond(body, media)
        results = _results(service, request, text)
        with languages.rendering(request):
            page = browsing.example_page(
                service.store, index, title, example_comment(text), text, results
            )
        return languages.remember(request, validators.respond(page, "text/html"))

    routes.add_api_route(
        "/id/example/{number}", example, methods=["GET", "HEAD"], include_in_schema=False
    )
    return routes


def _numbered(service: Service, number: str) -> tuple[int, tuple[str, str]] | None:
    """The example a path segment names (``03``, ``3``, ``03.html``), 1-based."""
    stem = number.removesuffix(".html")
    if not (stem.isascii() and stem.isdigit() and len(stem) < 4):
        return None
    if not 1 <= int(stem) <= len(service.queries):
        return None
    index = int(stem)
    return index, service.queries[index - 1]


def _results(service: Service, request: Request, text: str) -> dict[str, object]:
    """The example's answer as SPARQL JSON, run once per release and kept in the result
    cache; charged to the client like any query when it runs."""
    tag = f"example-answer:{service.build_id}:{text}"
    answer = service.cache.get(tag)
    if answer is None:
        with service.limiter.admit(_client(request)):
            answer = service.pool.run(
                QueryRequest(
                    query=text,
                    accept=f"{SELECT_JSON}, application/n-triples;q=0.9",
                    federation_allowlist=service.settings.federation_allowlist,
                )
            )
        service.cache.put(tag, answer, len(answer.body))
    return _parsed(answer)


def _parsed(answer: Answer) -> dict[str, object]:
    if answer.media_type.startswith(SELECT_JSON):
        document: dict[str, object] = json.loads(answer.body)
        return document
    triples = pyoxigraph.parse(answer.body, format=pyoxigraph.RdfFormat.N_TRIPLES)
    # A graph answer shown as a table of its triples.
    rows = [
        {
            name: _binding(term)
            for name, term in zip(("subject", "predicate", "object"), t, strict=True)
        }
        for t in triples
    ]
    return {"head": {"vars": ["subject", "predicate", "object"]}, "results": {"bindings": rows}}


def _binding(term: object) -> dict[str, str]:
    if isinstance(term, pyoxigraph.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, pyoxigraph.Literal):
        found = {"type": "literal", "value": term.value, "datatype": term.datatype.value}
        if term.language:
            found["xml:lang"] = term.language
        return found
    return {"type": "bnode", "value": str(term)}

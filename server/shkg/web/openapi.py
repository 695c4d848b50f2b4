"""The API's OpenAPI document (``/openapi.json``) and its reader, Swagger UI (``/docs``).

Most routes read their parameters from the request themselves (the SPARQL protocol allows
a parameter several times, in the URL or the body, under several names), so FastAPI cannot
see them; the document is written here instead, from the same constants the routes use, and
checked against the app's routes by the tests.  Swagger UI comes from npm
(``swagger-ui-dist``), served under ``/assets/swagger-ui/`` like the other front-end assets.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, Response

from shkg.query.sparql import GRAPH_FORMATS, RESULTS_FORMATS
from shkg.render.html import esc, page
from shkg.web import assets, languages
from shkg.web.service import Service

RDF_MEDIA = ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


def _parameter(name: str, where: str, description: str, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": where,
        "required": where == "path",
        "description": description,
        "schema": schema or {"type": "string"},
    }


def _responses(media: list[str], description: str, errors: tuple[int, ...] = ()) -> dict[str, Any]:
    found: dict[str, Any] = {"200": {"description": description, "content": {m: {} for m in media}}}
    words = {
        304: "Not modified: the ETag sent in If-None-Match is current",
        400: "A parameter is wrong: the message says which and where",
        404: "Nothing by that name",
        406: "None of the formats in Accept (or format=) is offered",
        413: "The query is larger than the server takes",
        429: "Too many requests from this client: try again after Retry-After seconds",
        503: "The server is too busy or is restarting: try again after Retry-After seconds",
    }
    for status in (304, *errors):
        found[str(status)] = {"description": words[status]}
    return found


FORMAT = _parameter(
    "format",
    "query",
    "The answer's format by name or media type (json, xml, csv, tsv, turtle, json-ld, "
    "rdf+xml, n3, ...); a name the server does not know leaves the choice to Accept. "
    "`output` is a synonym.",
)
GRAPH_URI = (
    _parameter("default-graph-uri", "query", "A graph making up the default graph (repeatable)"),
    _parameter("named-graph-uri", "query", "A named graph of the dataset (repeatable)"),
)


def paths() -> dict[str, Any]:
    """The path items the app's routes cannot describe themselves."""
    sparql_media = sorted({*RESULTS_FORMATS, *GRAPH_FORMATS, "text/html"})
    query = _parameter("query", "query", "The SPARQL 1.1 query (exactly one)")
    return {
        "/sparql": {
            "get": {
                "summary": "SPARQL 1.1 query by GET; without `query`, the service description",
                "parameters": [query, *GRAPH_URI, FORMAT],
                "responses": _responses(
                    sparql_media,
                    "The results (SELECT, ASK) or graph (CONSTRUCT, DESCRIBE); without a query, "
                    "the SPARQL service description (Turtle, or HTML for browsers)",
                    (400, 406, 413, 429, 503),
                ),
            },
            "post": {
                "summary": "SPARQL 1.1 query by POST",
                "parameters": [*GRAPH_URI, FORMAT],
                "requestBody": {
                    "content": {
                        "application/x-www-form-urlencoded": {
                            "schema": {
                                "type": "object",
                                "properties": {"query": {"type": "string"}},
                                "required": ["query"],
                            }
                        },
                        "application/sparql-query": {"schema": {"type": "string"}},
                    }
                },
                "responses": _responses(sparql_media, "As for GET", (400, 406, 413, 429, 503)),
            },
        },
        "/store": {
            "get": {
                "summary": "Graph Store Protocol, read-only: a whole graph",
                "parameters": [
                    _parameter("graph", "query", "The IRI of a named graph"),
                    _parameter(
                        "default", "query", "Present (no value): the default graph (the union)"
                    ),
                ],
                "responses": _responses(
                    [*RDF_MEDIA, "application/n-quads", "application/trig"],
                    "The graph (or, with neither parameter, the whole dataset in a quads format)",
                    (400, 404, 406, 429),
                ),
            }
        },
        "/id/{kind}/{slug}": {
            "get": {
                "summary": "A resource of the dataset: HTML or RDF by content negotiation",
                "description": "`/id/place/lingang` is `https://w3id.org/shkg/id/place/lingang`. "
                "A suffix names the format: .html, .ttl, .jsonld, .nt, .rdf.",
                "parameters": [
                    _parameter("kind", "path", "The kind of resource (place, target, ...)"),
                    _parameter("slug", "path", "Its name, with an optional format suffix"),
                    _parameter("lang", "query", "The page's language", enum=["en", "zh"]),
                ],
                "responses": _responses(["text/html", *RDF_MEDIA], "Its description", (404, 406)),
            }
        },
        "/id/{kind}/": {
            "get": {
                "summary": "Every resource of one kind as a table with facets",
                "description": "Facets are parameters named after columns (year, plan, metric, "
                "unit, industry, place, source, type); repeated, a facet matches any of its "
                "values.",
                "parameters": [
                    _parameter("kind", "path", "The kind of resource (target, figure, ...)"),
                    _parameter("q", "query", "Only rows containing this text"),
                    _parameter("sort", "query", "A column to sort by; -column for descending"),
                    _parameter("page", "query", "The page of the HTML table", type="integer"),
                    _parameter("size", "query", "Rows per page (1-1000)", type="integer"),
                    _parameter("year", "query", "A facet, e.g. year=2025"),
                    _parameter("format", "query", "html, csv or json"),
                    _parameter("lang", "query", "The page's language", enum=["en", "zh"]),
                ],
                "responses": _responses(
                    ["text/html", "text/csv", "application/json"],
                    "The rows (CSV and JSON: every matching row)",
                    (400, 404, 406),
                ),
            }
        },
        "/id/example/{number}": {
            "get": {
                "summary": "An example question: its answer (HTML) or its SHACL executable",
                "parameters": [_parameter("number", "path", "01, 02, ...")],
                "responses": _responses(["text/html", *RDF_MEDIA], "The example", (404, 406)),
            }
        },
        "/id/": {
            "get": {
                "summary": "The kinds of resource, with counts",
                "responses": _responses(["text/html"], "The list"),
            }
        },
        "/id/dataset": {
            "get": {
                "summary": "The dataset: VoID and DCAT (RDF), or the home page (HTML)",
                "responses": _responses(["text/html", *RDF_MEDIA], "Its description", (406,)),
            }
        },
        "/ontology": {
            "get": {
                "summary": "The OWL ontology (RDF), or its documentation (HTML)",
                "responses": _responses(["text/html", *RDF_MEDIA], "The ontology", (406,)),
            }
        },
        "/context.jsonld": {
            "get": {
                "summary": "The JSON-LD context of the resources' JSON-LD",
                "responses": _responses(["application/ld+json"], "The context"),
            }
        },
        "/.well-known/void": {
            "get": {
                "summary": "The VoID and DCAT description of the dataset",
                "responses": _responses(RDF_MEDIA + ["text/html"], "VoID and DCAT", (406,)),
            }
        },
        "/.well-known/sparql-examples": {
            "get": {
                "summary": "The example queries as SHACL SPARQL executables (HTML for browsers)",
                "parameters": [FORMAT],
                "responses": _responses(["text/html", *RDF_MEDIA], "The examples", (406,)),
            }
        },
        "/download/": {
            "get": {
                "summary": "The list of downloads, with sizes and SHA-256",
                "responses": _responses(["text/html"], "The list"),
            }
        },
        "/download/{file}": {
            "get": {
                "summary": "One file of the release's dumps, or SHA256SUMS",
                "parameters": [_parameter("file", "path", "A name the list gives")],
                "responses": _responses(["application/gzip", "text/plain"], "The file", (404,)),
            }
        },
        "/graph/{name}": {
            "get": {
                "summary": "A named graph's IRI: the graph itself (RDF) or its page (HTML)",
                "parameters": [_parameter("name", "path", "The graph's name")],
                "responses": _responses(["text/html", *RDF_MEDIA], "The graph", (404, 406)),
            }
        },
    }


def install(app: FastAPI, service: Service) -> None:
    """Replace FastAPI's document and its CDN-loaded /docs with ours."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            document["paths"].update(paths())
            document["servers"] = [{"url": service.base_url.rstrip("/")}]
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.include_router(_docs_router())


def _docs_router() -> APIRouter:
    routes = APIRouter()

    @routes.get("/docs", include_in_schema=False)
    def docs(request: Request) -> Response:
        with languages.rendering(request):
            return languages.remember(request, HTMLResponse(_docs_page()))

    routes.add_api_route("/docs", docs, methods=["HEAD"], include_in_schema=False)
    return routes


def _docs_page() -> str:
    if not assets.installed("swagger-ui"):
        body = (
            '<h1>API</h1><p class="note">Swagger UI\'s assets are not installed '
            f"(<code>{esc('npm ci --prefix server/shkg/assets')}</code>). The API is "
            'described by its <a href="/openapi.json">OpenAPI document</a>.</p>'
        )
        return page("API", body)
    body = (
        '<h1>API</h1><p>The <a href="/openapi.json">OpenAPI document</a>, to read and try '
        'below.</p><div id="swagger-ui" data-url="/openapi.json"></div>'
    )
    return page(
        "API",
        body,
        head='<link rel="stylesheet" href="/assets/swagger-ui/swagger-ui.css">'
        '<script src="/assets/swagger-ui/swagger-ui-bundle.js" defer></script>'
        '<script src="/assets/site/docs.js" defer></script>',
    )

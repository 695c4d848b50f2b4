"""The HTTP layer: a thin FastAPI adapter over :mod:`shkg.sparql` and a read-only store."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, NoReturn
from urllib.parse import parse_qs, quote

import pyoxigraph
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from . import __version__
from .http_errors import BadRequest, ClientError, Forbidden, MethodNotAllowed, UnsupportedMediaType
from .negotiation import parse_accept
from .sparql import QueryRequest, answer

MAX_BODY_BYTES = 1_000_000


@dataclass(frozen=True)
class Served:
    """What the app serves: an open store and the manifest of the release it belongs to."""

    store: pyoxigraph.Store
    manifest: dict[str, Any]


def create_app(served: Served) -> FastAPI:
    app = FastAPI(title="Shanghai Industry Knowledge Graph", version=__version__,
                  description="SPARQL endpoint over a knowledge graph of Shanghai's industrial policy.")

    @app.exception_handler(ClientError)
    def client_error(request: Request, error: ClientError) -> Response:
        return error_response(request, error.status, error.message)

    @app.get("/sparql", summary="SPARQL query (GET)")
    def sparql_get(request: Request) -> Response:
        params = request.query_params
        if "update" in params:
            raise_update()
        queries = params.getlist("query")
        if not queries:
            raise BadRequest("missing `query` parameter (this endpoint's service description "
                             "is not available yet)")
        return run(served, request, queries, params.getlist("default-graph-uri"),
                   params.getlist("named-graph-uri"), params.get("format"))

    @app.post("/sparql", summary="SPARQL query (POST form or application/sparql-query)")
    async def sparql_post(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return error_response(request, 413, f"request body over {MAX_BODY_BYTES} bytes")
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        params = request.query_params
        if content_type == "application/x-www-form-urlencoded":
            try:
                form = parse_qs(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                raise BadRequest("request body is not UTF-8") from None
            if "update" in form:
                raise_update()
            queries = form.get("query", [])
            default = form.get("default-graph-uri", []) + params.getlist("default-graph-uri")
            named = form.get("named-graph-uri", []) + params.getlist("named-graph-uri")
            fmt = form["format"][0] if form.get("format") else params.get("format")
        elif content_type == "application/sparql-query":
            try:
                queries = [body.decode("utf-8")]
            except UnicodeDecodeError:
                raise BadRequest("query is not UTF-8") from None
            default, named = params.getlist("default-graph-uri"), params.getlist("named-graph-uri")
            fmt = params.get("format")
        elif content_type == "application/sparql-update":
            raise_update()
        else:
            raise UnsupportedMediaType(
                "POST a query as application/x-www-form-urlencoded or application/sparql-query"
            )
        return await run_in_threadpool(run, served, request, queries, default, named, fmt)

    @app.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
    def sparql_other(request: Request) -> Response:
        raise MethodNotAllowed(f"{request.method} is not allowed: the endpoint is read-only")

    @app.get("/healthz", summary="Liveness and the build being served")
    def healthz() -> dict[str, Any]:
        return {"ok": True, "build_id": served.manifest["build_id"], "quads": served.manifest["quads"]}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        example = "SELECT ?cluster ?label WHERE { ?cluster a <https://w3id.org/shkg/ontology#IndustrialCluster> ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
        return (
            "<!doctype html><html lang=en><meta charset=utf-8><title>Shanghai Industry Knowledge Graph</title>"
            "<h1>Shanghai Industry Knowledge Graph</h1>"
            f"<p>Build {html.escape(served.manifest['build_id'])}, {served.manifest['quads']} quads.</p>"
            "<p>SPARQL endpoint: <code>/sparql</code>. Example: "
            f"<a href=\"/sparql?query={html.escape(quote(example, safe=''))}&amp;format=json\">all clusters</a>.</p>"
        )

    return app


def run(served: Served, request: Request, queries: list[str], default: list[str],
        named: list[str], fmt: str | None) -> Response:
    if len(queries) != 1:
        raise BadRequest(f"exactly one `query` parameter is required, got {len(queries)}")
    result = answer(served.store, QueryRequest(
        query=queries[0], default_graphs=tuple(default), named_graphs=tuple(named),
        accept=request.headers.get("accept"), format=fmt,
    ))
    return Response(content=result.body, media_type=result.media_type,
                    headers={"Vary": "Accept", "Access-Control-Allow-Origin": "*"})


def raise_update() -> NoReturn:
    raise Forbidden("this endpoint is read-only: SPARQL updates are refused")


def error_response(request: Request, status: int, message: str) -> Response:
    """The one error body: JSON for clients that take JSON, plain text for the rest."""
    if wants_json(request.headers.get("accept")):
        return JSONResponse({"ok": False, "status": status, "error": message}, status_code=status)
    return PlainTextResponse(message + "\n", status_code=status)



def wants_json(accept: str | None) -> bool:
    """Whether a client that sent this Accept header reads JSON (any JSON-based type) best."""
    ranges = parse_accept(accept)
    json_q = max((r.q for r in ranges if r.subtype == "json" or r.subtype.endswith("+json")), default=0.0)
    text_q = max((r.q for r in ranges if r.type == "text"), default=0.0)
    return json_q > 0 and json_q >= text_q

"""Search by name, for people (an HTML page) and programs (JSON).

``GET /search?q=NAME`` finds resources by any of their names (:mod:`shkg.search`); HTML by
default, JSON for ``Accept: application/json`` or ``format=json``. ``limit`` caps the results
(20 by default, at most 100). Answers are cached like every other (an ETag from the build).
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shkg.errors import BadRequest, NotAcceptable
from shkg.query.negotiation import choose_format
from shkg.render import html
from shkg.render.html import local_href
from shkg.web import languages
from shkg.web.service import Service

# The longest query read, in characters; a name is never longer.
MAX_QUERY = 200
MAX_LIMIT = 100
OFFERED = ["text/html", "application/json"]


def router(service: Service) -> APIRouter:
    routes = APIRouter()

    @routes.get("/search", summary="Find resources by name (HTML, or JSON by Accept or format)")
    def search(
        request: Request, q: str = "", limit: int = 20, format: str | None = None
    ) -> Response:
        if len(q) > MAX_QUERY:
            raise BadRequest(f"`q` is over {MAX_QUERY} characters")
        if not 1 <= limit <= MAX_LIMIT:
            raise BadRequest(f"`limit` must be between 1 and {MAX_LIMIT}")
        media = choose_format(format, request.headers.get("accept"), OFFERED)
        if media is None:
            raise NotAcceptable(f"available as {', '.join(OFFERED)}")
        lang = languages.chosen(request) if media == "text/html" else ""
        validators = service.conditional(
            request, "search", q, str(limit), media, lang, extra={"Vary": languages.VARY}
        )
        if validators.current():
            return validators.not_modified()
        index = service.search
        hits = index.search(q, limit) if index is not None else []
        if media == "text/html":
            with languages.rendering(request):
                body = html.search_page(q, hits, available=index is not None)
            return languages.remember(request, validators.respond(body, "text/html"))
        results = [{**hit.to_json(), "page": local_href(hit.iri)} for hit in hits]
        body = json.dumps({"query": q, "results": results}, ensure_ascii=False)
        return validators.respond(body.encode("utf-8"), "application/json")

    routes.add_api_route("/search", search, methods=["HEAD"], include_in_schema=False)
    return routes

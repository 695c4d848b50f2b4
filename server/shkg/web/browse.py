"""Browsing without SPARQL: ``/id/`` lists the kinds of resource, ``/id/{kind}/`` is every
resource of one kind as a table (see :mod:`shkg.render.tables`).

The table is filtered by facets (``?year=2025&plan=IRI``, a parameter per column; repeated, a
parameter matches any of its values), by text (``q``), sorted (``sort=year``, ``sort=-value``)
and paged (``page``, ``size``).  The same rows come as HTML, CSV or JSON, by a link
(``format=csv``) or by ``Accept``; the CSV and JSON carry every row that matches, the HTML
one page of them.  A table is made once per release and language and kept.
"""

from __future__ import annotations

import json
import threading

from fastapi import APIRouter, Request
from fastapi.responses import Response

from shkg.errors import BadRequest, NotAcceptable, NotFound
from shkg.query.negotiation import choose_format
from shkg.render import browsing, i18n, tables
from shkg.render.tables import Listing, View, to_csv, to_json
from shkg.web import languages
from shkg.web.service import Service

OFFERED = ["text/html", "text/csv", "application/json"]
MAX_PARAMETER = 500


class _Tables:
    """Each kind's table, per language, made on first use (a release never changes)."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._lock = threading.Lock()
        self._tables: dict[tuple[str, str], Listing | None] = {}
        self._kinds: list[tuple[str, int]] | None = None

    def get(self, kind: str, lang: str) -> Listing | None:
        if kind not in dict(self.kinds()):  # only kinds there are: nothing else is kept
            return None
        with self._lock:
            key = (kind, lang)
            if key not in self._tables:
                with i18n.language(lang):
                    self._tables[key] = tables.listing(self._service.store, kind)
            return self._tables[key]

    def kinds(self) -> list[tuple[str, int]]:
        with self._lock:
            if self._kinds is None:
                self._kinds = tables.kinds(self._service.store)
            return self._kinds


def router(service: Service) -> APIRouter:
    routes = APIRouter()
    kept = _Tables(service)

    def kinds(request: Request) -> Response:
        lang = languages.chosen(request)
        validators = service.conditional(request, "kinds", lang, extra={"Vary": languages.VARY})
        if validators.current():
            return validators.not_modified()
        with languages.rendering(request):
            body = browsing.kinds_page(kept.kinds())
        return languages.remember(request, validators.respond(body.encode(), "text/html"))

    def browse(request: Request, kind: str) -> Response:
        params = request.query_params
        for key, value in params.multi_items():
            if len(value) > MAX_PARAMETER:
                raise BadRequest(f"parameter {key!r} is over {MAX_PARAMETER} characters")
        media = choose_format(params.get("format"), request.headers.get("accept"), OFFERED)
        if media is None:
            raise NotAcceptable(f"available as {', '.join(OFFERED)}")
        lang = languages.chosen(request)
        table = kept.get(kind, lang)
        if table is None:
            raise NotFound(f"the dataset has no resources under /id/{kind}/")
        view = View.of(table, params)
        validators = service.conditional(
            request,
            "browse",
            kind,
            lang,
            media,
            [f"{key}={value}" for key, value in sorted(params.multi_items())],
            extra={"Vary": languages.VARY},
        )
        if validators.current():
            return validators.not_modified()
        if media == "text/csv":
            response = validators.respond(
                to_csv(table, view.matching).encode("utf-8"), "text/csv; charset=utf-8"
            )
            response.headers["Content-Disposition"] = f'inline; filename="{kind}.csv"'
            return response
        if media == "application/json":
            document = to_json(table, view)
            return validators.respond(
                json.dumps(document, ensure_ascii=False).encode(), "application/json"
            )
        with languages.rendering(request):
            page = browsing.browse_page(table, view)
        return languages.remember(request, validators.respond(page.encode(), "text/html"))

    for path, endpoint in (("/id/", kinds), ("/id/{kind}/", browse)):
        routes.add_api_route(path, endpoint, methods=["GET", "HEAD"], include_in_schema=False)
    return routes

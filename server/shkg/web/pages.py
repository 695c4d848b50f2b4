"""Linked data for people and machines: dereferenceable IRIs, HTML pages, VoID and downloads.

``/id/{kind}/{slug}`` serves the resource ``https://w3id.org/shkg/id/{kind}/{slug}`` whatever
host the request came to, as HTML or RDF by content negotiation, or in the format a suffix
names (``/id/place/lingang.ttl``).

The answer is a 200 with ``Content-Location`` naming the suffixed document actually sent, not
a 303 redirect to it.  The IRI names a thing (a place, a figure), not a document, and the
httpRange-14 resolution allows either; a 200 costs one round trip instead of two, works with
every client (some RDF tools do not follow 303s on content-negotiated requests), and
``w3id.org`` already answers the canonical IRI with a redirect to this server, so a second one
would add latency and nothing else.  ``Content-Location`` tells a client which document (and
format) it got; ``Link`` lists the other formats and the licence; ``Vary: Accept`` keeps caches
from mixing them up.
"""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from pyoxigraph import NamedNode, Triple

from shkg import namespaces as ns
from shkg.errors import NotAcceptable, NotFound
from shkg.formats import ALIASES
from shkg.query.negotiation import choose
from shkg.query.sparql import Answer
from shkg.render import html, i18n, tables
from shkg.render.describe import (
    RDF_MEDIA,
    class_examples,
    context_document,
    describe,
    jsonld,
    serialize,
)
from shkg.render.void import Statistics, statistics, void_triples
from shkg.web import languages
from shkg.web.caching import IMMUTABLE, conditional
from shkg.web.service import Service

HTML = "text/html"
SUFFIXES: dict[str, str] = {
    ".html": HTML,
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
    ".rdf": "application/rdf+xml",
}
EXTENSION = {media: suffix for suffix, media in SUFFIXES.items()}
EXTENSION.update({alias: EXTENSION[media] for alias, media in ALIASES.items()})
OFFERED = [HTML, *RDF_MEDIA, *ALIASES]


class _Computed:
    """What is computed once from a release's store (it never changes) and kept for the process."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._lock = threading.Lock()
        self._stats: Statistics | None = None
        self._examples: dict[str, list[NamedNode]] | None = None
        self._lists: dict[str, str] | None = None

    @property
    def stats(self) -> Statistics:
        with self._lock:
            if self._stats is None:
                self._stats = statistics(self._service.store)
            return self._stats

    @property
    def lists(self) -> dict[str, str]:
        """Each class's list of instances (see :func:`shkg.render.tables.class_lists`)."""
        with self._lock:
            if self._lists is None:
                self._lists = tables.class_lists(self._service.store)
            return self._lists

    @property
    def examples(self) -> dict[str, list[NamedNode]]:
        with self._lock:
            if self._examples is None:
                self._examples = class_examples(self._service.store)
            return self._examples


def router(service: Service) -> APIRouter:
    routes = APIRouter()
    computed = _Computed(service)
    # The competency questions the app read at start (the query page opens them as tabs).
    questions = [title for title, _ in service.queries]

    def home_page() -> bytes:
        counts = [
            (NamedNode(iri), html.name(service.store, NamedNode(iri)), n)
            for iri, n in computed.stats.classes
            if iri.startswith(ns.SHKG)
        ]
        return html.home_page(service.manifest, counts, questions, computed.lists).encode()

    def home(request: Request) -> Response:
        return _cached(service, request, HTML, "home", home_page, {})

    def context(request: Request) -> Response:
        return _cached(
            service,
            request,
            "application/ld+json",
            "context",
            lambda: json.dumps(context_document(), indent=1).encode(),
            {},
        )

    def resource(request: Request, kind: str, slug: str) -> Response:
        stem, media = _split(slug, request)
        path = f"/id/{kind}/{stem}"
        try:
            iri = NamedNode(ns.ID + f"{kind}/{stem}")
        except ValueError:  # not an IRI at all (a space, a '<'): so certainly not ours
            return _not_found(path, media)

        # Any kind the store has a subject of is served (not only ns.ID_KINDS: the build mints
        # a few more, such as source/), so the store alone decides what exists.
        def render() -> bytes | None:
            found = describe(service.store, iri)
            if not found:
                return None
            if media == HTML:
                embedded = jsonld(found, service.base_url + "context.jsonld").decode()
                return html.resource_page(service.store, iri, embedded).encode()
            return _rdf(found, media, service.base_url)

        return _cached(
            service,
            request,
            media,
            path,
            render,
            _link_headers(path, media),
            missing=lambda: _not_found(path, media),
        )

    def dataset(request: Request, suffix: str = "") -> Response:
        _, media = _split("dataset" + suffix, request)
        if suffix and suffix not in SUFFIXES:
            return _not_found("/id/dataset" + suffix, media)

        def render() -> bytes:
            if media == HTML:  # the home page, rendered here: never another route's response
                return home_page()
            return _rdf(
                void_triples(service.manifest, computed.stats, service.base_url),
                media,
                service.base_url,
            )

        return _cached(
            service, request, media, "/id/dataset", render, _link_headers("/id/dataset", media)
        )

    def ontology(request: Request, suffix: str = "") -> Response:
        _, media = _split("ontology" + suffix, request)
        if suffix and suffix not in SUFFIXES:
            return _not_found("/ontology" + suffix, media)

        def render() -> bytes:
            if media == HTML:
                return html.ontology_page(
                    service.store, NamedNode(ns.ONTOLOGY), computed.examples
                ).encode()
            graph = NamedNode(ns.ONTOLOGY_GRAPH)
            return _rdf(
                [q.triple for q in service.store.quads_for_pattern(None, None, None, graph)],
                media,
                service.base_url,
            )

        return _cached(
            service, request, media, "/ontology", render, _link_headers("/ontology", media)
        )

    def void(request: Request) -> Response:
        # HTML last: a program asking for anything gets Turtle, a browser the home page,
        # which is the dataset's description for people.
        media = choose(request.headers.get("accept"), [*RDF_MEDIA, *ALIASES, HTML])
        if media is None:
            raise NotAcceptable(f"available as {', '.join(RDF_MEDIA)}")
        if media == HTML:
            return dataset(request)
        return _cached(
            service,
            request,
            media,
            "void",
            lambda: _rdf(
                void_triples(service.manifest, computed.stats, service.base_url),
                media,
                service.base_url,
            ),
            {},
        )

    def downloads(request: Request) -> Response:
        return _cached(
            service,
            request,
            HTML,
            "downloads",
            lambda: html.download_page(service.manifest.dumps).encode(),
            {},
        )

    def download(request: Request, file: str) -> Response:
        return _download(service, request, file)

    for path, endpoint in (
        ("/", home),
        ("/context.jsonld", context),
        ("/id/dataset", dataset),
        ("/id/dataset{suffix}", dataset),
        ("/ontology", ontology),
        ("/ontology{suffix}", ontology),
        ("/.well-known/void", void),
        ("/id/{kind}/{slug}", resource),
        ("/download/", downloads),
        ("/download/{file:path}", download),
    ):
        routes.add_api_route(path, endpoint, methods=["GET", "HEAD"], include_in_schema=False)
    return routes


def _split(slug: str, request: Request) -> tuple[str, str]:
    """The slug without a format suffix, and the media type to answer in (406 if none fits)."""
    for suffix, media in SUFFIXES.items():
        if slug.endswith(suffix):
            return slug.removesuffix(suffix), media
    chosen = choose(request.headers.get("accept"), OFFERED)
    if chosen is None:
        raise NotAcceptable(f"available as {', '.join([HTML, *RDF_MEDIA])}")
    return slug, chosen


def _link_headers(path: str, media: str) -> dict[str, str]:
    """Content-Location, and a Link header naming one alternate and the licence.

    One alternate, not all five: JSON-LD processors follow ``rel="alternate"`` to the JSON-LD
    when they are sent something else (JSON-LD 1.1, "Process the document"), and pyld fails
    outright when the header has several.  Other responses name the JSON-LD; the JSON-LD names
    the Turtle.  Every format is listed in the HTML page's ``<link rel="alternate">``s.
    """
    other = (
        ("text/turtle", ".ttl")
        if media == "application/ld+json"
        else (
            "application/ld+json",
            ".jsonld",
        )
    )
    return {
        "Content-Location": path + EXTENSION[media],
        "Link": f'<{path}{other[1]}>; rel="alternate"; type="{other[0]}", '
        f'<{html.LICENSE}>; rel="license"',
    }


def _rdf(found: list[Triple], media: str, base_url: str) -> bytes:
    media = ALIASES.get(media, media)
    if media == "application/ld+json":
        return jsonld(found, base_url + "context.jsonld")
    return serialize(found, media)


def _media_header(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def _cached(
    service: Service,
    request: Request,
    media: str,
    key: str,
    render: Any,
    extra: dict[str, str],
    missing: Any = None,
) -> Response:
    """A response with the build's ETag and caching headers; 304 when the client has it.

    ``render()`` makes the body, once: it is kept in the result cache (a release never
    changes), so later requests neither read the store nor render again.  It may return None
    for a page that does not exist: then ``missing()`` answers, and nothing is kept.  A 304
    is only ever for a page that exists (kept, or rendered now), whatever the client sends.
    """
    # Only pages have a language: RDF is the same bytes (and ETag) whatever the reader speaks.
    lang = languages.chosen(request) if media == HTML else i18n.DEFAULT
    validators = service.conditional(
        request, "page", key, media, lang, extra={"Vary": languages.VARY, **extra}
    )
    tag = validators.headers["ETag"]
    kept = service.cache.get(tag)
    if kept is None:
        with i18n.language(lang):
            body = render()
            if body is None:
                return missing() if missing else _not_found(key, media)
        kept = Answer(body=body, media_type=_media_header(media))
        service.cache.put(tag, kept, len(body))
    if validators.current():
        return validators.not_modified()
    return languages.remember(request, validators.respond(kept.body, kept.media_type))


def _not_found(path: str, media: str) -> Response:
    """404 as a page people can go on from, or as a Turtle comment for RDF clients.  The RDF
    body echoes nothing of the request: a path could otherwise end the comment and add
    triples of its own."""
    if media == HTML:
        return HTMLResponse(html.not_found_page(path), status_code=404)
    return PlainTextResponse(
        f"# This IRI is not described in this dataset.\n# See {ns.BASE}id/dataset for what is.\n",
        status_code=404,
    )


def _download(service: Service, request: Request, file: str) -> Response:
    """One file of the release's dumps; only the names the manifest lists (or SHA256SUMS)."""
    entries = {e.file: e for e in service.manifest.dumps}
    if service.release_dir is None or (file not in entries and file != "SHA256SUMS"):
        raise NotFound(f"no download named {file!r}")
    dumps = (service.release_dir / "dumps").resolve()
    path = (dumps / file).resolve()
    # The name is one the manifest lists; checking the resolved path as well guards against a
    # manifest or a symbolic link pointing outside the dumps directory.
    if not path.is_relative_to(dumps) or not path.is_file():
        raise NotFound(f"no download named {file!r}")
    data = path.read_bytes()
    entry = entries.get(file)
    digest = entry.sha256 if entry else hashlib.sha256(data).hexdigest()
    media = html.media_of(entry)[0] if entry else "text/plain"
    validators = conditional(request.headers.get("if-none-match"), f'"{digest}"', IMMUTABLE)
    if validators.current():
        return validators.not_modified()
    return validators.respond(data, _media_header(media))

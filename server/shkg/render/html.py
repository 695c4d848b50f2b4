"""HTML pages for people, rendered from the store with plain f-strings.

Every string that comes from the data (labels, literals, IRIs) goes through :func:`esc` (or
:func:`link`, which escapes too): the data is read from news articles, and a label that looks
like markup must show as text.  The pages are semantic HTML without JavaScript; figures are
drawn as inline SVG on the server.
"""

from __future__ import annotations

import html
import json
import urllib.parse
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from shkg import namespaces as ns
from shkg.manifest import Dump, Manifest
from shkg.query.stores import ReadableStore
from shkg.render import i18n
from shkg.render.describe import (
    DERIVED_FROM,
    HAS_SELECTOR,
    HAS_SOURCE,
    LABEL_PROPERTIES,
    RDF_TYPE,
    Term,
    select,
    stated_by,
    triples,
)
from shkg.render.i18n import N_, _, ngettext
from shkg.search import Hit

LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SHKG_ROOT = "https://w3id.org/shkg"
SOURCE_DOCUMENT = NamedNode(ns.SHKG + "SourceDocument")
EXACT = NamedNode(ns.OA + "exact")
QUOTE_PREFIX = ns.ID + "quote/"
DEFINITIONS = (
    NamedNode(ns.SKOS + "definition"),
    NamedNode(ns.DCTERMS + "description"),
    NamedNode(ns.RDFS + "comment"),
    NamedNode(ns.SKOS + "scopeNote"),
)
EDITORIAL_NOTE = NamedNode(ns.SKOS + "editorialNote")
# An article's whole text: shown as its own section, not as a statement.
ARTICLE_TEXT = NamedNode(ns.SCHEMA + "text")
FACT_TYPES = {ns.SHKG + "Observation", ns.SHKG + "Target"}

STYLE = """
body{font:16px/1.5 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:0}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{border-bottom:2px solid #1f4e79}
header nav a{margin-right:1rem}.languages{float:right}.languages a,.languages span{margin:0 .2rem}
a{color:#0b4f8a}a:focus{outline:3px solid #f5a623;outline-offset:2px}
table{border-collapse:collapse;width:100%}
th,td{text-align:left;vertical-align:top;padding:.3rem .5rem;border-bottom:1px solid #ccc}
blockquote{margin:.3rem 0;padding:.3rem .8rem;border-left:4px solid #1f4e79;background:#f3f6fa}
mark{background:#ffe58a;color:#1a1a1a}
.note{color:#5a3a00;background:#fff6e0;padding:.2rem .4rem}
.meta{color:#444}code{word-break:break-all}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}
dl.about dt{font-weight:bold}dl.about dd{margin:0 0 .4rem 0}
form.search{margin:.4rem 0 .6rem}form.search input{width:min(24rem,60vw);padding:.2rem .4rem}
ol.hits li{margin-bottom:.6rem}.kind{color:#444;font-size:.9em}
.browse-grid{display:grid;grid-template-columns:minmax(10rem,14rem) 1fr;gap:1.2rem}
@media (max-width:50rem){.browse-grid{grid-template-columns:1fr}}
.facets h3{font-size:1rem;margin:.8rem 0 .2rem}.facets ul{list-style:none;padding:0;margin:0}
.facets li{font-size:.92em}.count{color:#555;font-size:.85em}
td.number,th.number,.number{text-align:right;white-space:nowrap}
ul.chosen{list-style:none;padding:0}ul.chosen li{display:inline-block;margin-right:.6rem}
nav.pager{margin:.8rem 0}main:has(.browse-grid){max-width:92rem}.rows{overflow-x:auto}
table.browse td{font-size:.95em}
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def local_href(iri: str) -> str:
    """The path of one of the dataset's IRIs on this server, or the IRI itself for others."""
    return iri[len(SHKG_ROOT) :] if iri.startswith(SHKG_ROOT + "/") else iri


def page(title: str, body: str, query: str = "", head: str = "") -> str:
    """A whole HTML document around a ``body`` of already-escaped HTML, in the current
    interface language (:mod:`shkg.render.i18n`); ``query`` fills the search box; ``head``
    is more of the head (links, embedded data).  A body with charts gets the scripts that draw
    them."""
    scripts = ["/assets/site/search.js"]
    if "data-chart=" in body:
        scripts += ["/assets/chartjs/chart.umd.min.js", "/assets/site/charts.js"]
    lang = i18n.current()
    nav = "".join(
        f'<a href="{href}">{esc(_(text))}</a>'
        for href, text in (
            ("/", N_("Home")),
            ("/id/", N_("Browse")),
            ("/query", N_("Query")),
            ("/ontology", N_("Ontology")),
            ("/sparql", N_("SPARQL endpoint")),
            ("/download/", N_("Downloads")),
            ("/.well-known/void", N_("Dataset description")),
        )
    )
    # The switch names each language in itself; the current one is not a link.
    switch = " · ".join(
        f'<a href="{esc(i18n.switch_href(code))}" hreflang="{code}" lang="{code}">'
        f"{esc(LANGUAGE_NAMES[code])}</a>"
        if code != lang
        else f'<span lang="{code}" aria-current="true">{esc(LANGUAGE_NAMES[code])}</span>'
        for code in i18n.LANGUAGES
    )
    return (
        f'<!doctype html>\n<html lang="{esc("zh-Hans" if lang == "zh" else lang)}"><head>'
        '<meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'  # no favicon request
        f"<title>{esc(title)} · {esc(_('Shanghai Industry Knowledge Graph'))}</title>"
        f"<style>{STYLE}</style>"
        + "".join(f'<script src="{src}" defer></script>' for src in scripts)
        + head
        + "</head>"
        f'<body><a class="skip" href="#content">{esc(_("Skip to content"))}</a><header>'
        f'<nav aria-label="{esc(_("Site"))}">{nav}'
        f'<span class="languages" aria-label="{esc(_("Language"))}">{switch}</span></nav>'
        '<form class="search" role="search" action="/search" method="get">'
        f'<label for="search-box">{esc(_("Search"))}</label> '
        f'<input id="search-box" type="search" name="q" value="{esc(query)}" '
        f'placeholder="{esc(_("a name, e.g. Lingang or 新能源"))}" list="search-suggestions" '
        'autocomplete="off" maxlength="200"><datalist id="search-suggestions"></datalist> '
        f"<button>{esc(_('Search'))}</button></form></header>"
        f'<main id="content">{body}</main><footer><p>{esc(_("Data licensed under"))} '
        f'<a rel="license" href="{LICENSE}">CC BY 4.0</a>.</p></footer></body></html>\n'
    )


LANGUAGE_NAMES = {"en": "English", "zh": "中文"}


# ---------------------------------------------------------------- labels and terms


def label(store: ReadableStore, iri: Term, lang: str = "en") -> str | None:
    """The preferred label of a term in ``lang`` (English also takes untagged labels)."""
    if not isinstance(iri, NamedNode | BlankNode):
        return None
    for predicate in LABEL_PROPERTIES:
        for triple in triples(store, iri, predicate):
            value = triple.object
            if isinstance(value, Literal) and (
                value.language == lang or (lang == "en" and not value.language)
            ):
                return value.value
    return None


def name(store: ReadableStore, term: Term) -> str:
    """Something to call a term by: its label (Chinese first in the Chinese interface, where
    the links table gives one), a quote's sentence, else the end of its IRI."""
    unit = i18n.unit_name(term.value) if isinstance(term, NamedNode) else None
    if unit:
        return unit
    found = (label(store, term, "zh") if i18n.current() == "zh" else None) or label(store, term)
    if found:
        return found
    if isinstance(term, NamedNode) and term.value.startswith(QUOTE_PREFIX):
        sentence = _exact(store, term)
        if sentence:
            return shorten(sentence)
    text = term.value if isinstance(term, NamedNode) else str(term)
    return text.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1] or text


def shorten(text: str, characters: int = 120) -> str:
    """``text`` cut at a word to at most ``characters``, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= characters:
        return text
    return text[: characters - 1].rsplit(" ", 1)[0] + "…"


def link(store: ReadableStore, term: Term) -> str:
    return (
        f'<a href="{esc(local_href(term.value))}">{esc(name(store, term))}</a>'
        if isinstance(term, NamedNode)
        else esc(name(store, term))
    )


def literal(value: Literal) -> str:
    text = esc(value.value)
    return f'<span lang="{esc(value.language)}">{text}</span>' if value.language else text


def render_term(store: ReadableStore, term: Term) -> str:
    if isinstance(term, Literal):
        return literal(term)
    if isinstance(term, BlankNode):
        parts = [
            f"{esc(name(store, t.predicate))}: {render_term(store, t.object)}"
            for t in triples(store, term)
            if not isinstance(t.object, BlankNode)
        ]
        return "; ".join(parts)
    return link(store, term)


def first_literal(
    store: ReadableStore, subject: NamedNode, predicates: Iterable[NamedNode]
) -> Literal | None:
    for predicate in predicates:
        for triple in triples(store, subject, predicate):
            if isinstance(triple.object, Literal):
                return triple.object
    return None


# ---------------------------------------------------------------- provenance


@dataclass(frozen=True)
class Source:
    quote: NamedNode
    exact: str
    article: NamedNode | None


def sources(store: ReadableStore, fact: NamedNode) -> list[Source]:
    """The quotes a fact is derived from, with their verbatim text and article."""
    found = []
    for triple in triples(store, fact, DERIVED_FROM):
        quote = triple.object
        if not isinstance(quote, NamedNode):
            continue
        exact = _exact(store, quote)
        article = next(
            (
                t.object
                for t in triples(store, quote, HAS_SOURCE)
                if isinstance(t.object, NamedNode)
            ),
            None,
        )
        found.append(Source(quote, exact, article))
    return found


def first_literal_blank(store: ReadableStore, node: BlankNode, predicate: NamedNode) -> str | None:
    return next(
        (t.object.value for t in triples(store, node, predicate) if isinstance(t.object, Literal)),
        None,
    )


def render_source(store: ReadableStore, source: Source) -> str:
    cite = ""
    if source.article is not None:
        date = first_literal(store, source.article, [NamedNode(ns.SCHEMA + "datePublished")])
        cite = (
            f'<cite><a href="{esc(local_href(source.article.value))}">'
            f"{esc(name(store, source.article))}</a>"
            f"</cite>{', ' + esc(date.value) if date else ''}"
        )
    return (
        f'<blockquote cite="{esc(source.quote.value)}"><p lang="en">{esc(source.exact)}</p>'
        f"<footer>{cite} (<a "
        f'href="{esc(local_href(source.quote.value))}">{esc(_("quote"))}</a>)</footer></blockquote>'
    )


def notes(store: ReadableStore, subject: NamedNode) -> str:
    return "".join(
        f'<p class="note"><strong>{esc(_("Editorial note:"))}</strong> '
        f"{render_term(store, t.object)}</p>"
        for t in triples(store, subject, EDITORIAL_NOTE)
    )


# ---------------------------------------------------------------- figures and charts


@dataclass(frozen=True)
class Point:
    fact: NamedNode
    kind: str  # "figure" or "target"
    year: int
    value: Decimal
    unit: str
    metric: str


# How a figure or target can be about a resource, in the order a page lists them.
FACT_ROLES = (
    ("subject", N_("about it")),
    ("place", N_("in this place")),
    ("plan", N_("set by this plan")),
)


def facts_about(store: ReadableStore, subject: NamedNode) -> list[tuple[NamedNode, str]]:
    """The figures and targets about this resource: those whose subject it is, those whose
    place it is, those its plan sets; each with how (a key of :data:`FACT_ROLES`)."""
    found: dict[NamedNode, str] = {}
    for role, _words in FACT_ROLES:
        for t in triples(store, None, NamedNode(ns.SHKG + role), subject):
            if isinstance(t.subject, NamedNode):
                found.setdefault(t.subject, role)
    return sorted(found.items(), key=lambda item: str(item[0]))


def point(store: ReadableStore, fact: NamedNode) -> Point | None:
    """A fact as a chart point, when it has a numeric value and a single year."""

    def one(prop: str) -> Term | None:
        return next((t.object for t in triples(store, fact, NamedNode(ns.SHKG + prop))), None)

    value, year, unit, metric = one("value"), one("year"), one("unit"), one("metric")
    if (
        not isinstance(value, Literal)
        or not isinstance(year, Literal)
        or unit is None
        or metric is None
    ):
        return None
    try:
        number, when = Decimal(value.value), int(year.value[:4])
    except (InvalidOperation, ValueError):
        return None
    kinds = {
        t.object.value for t in triples(store, fact, RDF_TYPE) if isinstance(t.object, NamedNode)
    }
    kind = "target" if ns.SHKG + "Target" in kinds else "figure"
    return Point(fact, kind, when, number, _iri(unit), _iri(metric))


def _iri(term: Term) -> str:
    return term.value if isinstance(term, NamedNode) else str(term)


def chart(title: str, points: list[Point], unit: str | None) -> str:
    """A timeline of one metric in one unit: reported figures and targets by year.

    The server writes the data twice: as a table (read by people without JavaScript, and by
    screen readers), and as JSON on a canvas that ``/assets/site/charts.js`` draws with Chart.js
    (axes titled, ticks in the page's language), folding the table away once drawn.  Drawn only
    for two or more values, so that the axis means something.
    """
    if len(points) < 2:
        return ""
    series = [
        {
            "kind": kind,
            "label": _(label),
            "points": [
                [p.year, float(p.value)]
                for p in sorted(points, key=lambda p: p.year)
                if p.kind == kind
            ],
        }
        for kind, label in (("figure", "Reported figures"), ("target", "Targets"))
    ]
    data = {
        "title": title,
        "x": _("Year"),
        "y": title,
        "lang": i18n.current(),
        "series": [s for s in series if s["points"]],
    }
    kinds = {"target": _("Target"), "figure": _("Reported figure")}
    rows = "".join(
        f'<tr><th scope="row">{p.year}</th><td>{esc(kinds[p.kind])}</td>'
        f'<td class="number">{esc(i18n.amount(p.value, unit))}</td></tr>'
        for p in sorted(points, key=lambda p: (p.year, p.kind))
    )
    return (
        f'<figure class="chart"><canvas role="img" aria-label="{esc(title)}" '
        f"data-chart='{esc(json.dumps(data, ensure_ascii=False))}' width=\"640\" "
        'height="280"></canvas>'
        f'<details class="chart-data" open><summary>{esc(_("The data"))}</summary>'
        f"<table><caption>{esc(title)}</caption><thead><tr>"
        f'<th scope="col">{esc(_("Year"))}</th><th scope="col">{esc(_("Kind"))}</th>'
        f'<th scope="col">{esc(_("Value"))}</th></tr></thead><tbody>{rows}</tbody></table>'
        f"</details><figcaption>{esc(title)}</figcaption></figure>"
    )


def figures_section(store: ReadableStore, subject: NamedNode) -> str:
    facts = facts_about(store, subject)
    if not facts:
        return ""
    groups: dict[tuple[str, str], list[Point]] = defaultdict(list)
    for fact, role in facts:
        # A timeline is of one subject: on a place's or plan's page, the facts about several
        # industries in one metric are not one series.
        found = point(store, fact) if role == "subject" else None
        if found:
            groups[(found.metric, found.unit)].append(found)
    charts = "".join(
        chart(f"{name(store, NamedNode(metric))} ({name(store, NamedNode(unit))})", points, unit)
        for (metric, unit), points in sorted(groups.items())
    )
    roles = dict(FACT_ROLES)
    rows = []
    for fact, role in sorted(facts, key=lambda item: (_year(store, item[0]), str(item[0]))):
        year = _year(store, fact)
        rows.append(
            f"<tr><td>{link(store, fact)}{notes(store, fact)}</td>"
            f'<td class="number">{esc(_fact_value(store, fact))}</td>'
            f"<td>{year if year < 9999 else ''}</td><td>{esc(_(roles[role]))}</td>"
            f"<td>{''.join(render_source(store, s) for s in sources(store, fact))}</td></tr>"
        )
    return (
        f"<section><h2>{esc(_('Figures and targets'))}</h2>{charts}"
        f'<table class="facts"><thead><tr><th scope="col">{esc(_("Name"))}</th>'
        f'<th scope="col">{esc(_("Value"))}</th><th scope="col">{esc(_("Year"))}</th>'
        f'<th scope="col">{esc(_("How"))}</th><th scope="col">{esc(_("Source"))}</th></tr>'
        f"</thead><tbody>{''.join(rows)}</tbody></table></section>"
    )


def _year(store: ReadableStore, fact: NamedNode) -> int:
    found = first_literal(store, fact, [NamedNode(ns.SHKG + "year")])
    return int(found.value[:4]) if found and found.value[:4].isdigit() else 9999


def _fact_value(store: ReadableStore, fact: NamedNode) -> str:
    """A fact's value in words (comparator, number, unit), or as its source wrote it."""

    def one(prop: str) -> Term | None:
        return next((t.object for t in triples(store, fact, NamedNode(ns.SHKG + prop))), None)

    value, unit, comparator = one("value"), one("unit"), one("comparator")
    if isinstance(value, Literal):
        try:
            number = Decimal(value.value)
        except InvalidOperation:
            number = None
        if number is not None:
            return i18n.amount(
                number,
                unit.value if isinstance(unit, NamedNode) else None,
                comparator.value if isinstance(comparator, NamedNode) else None,
                name(store, unit) if unit is not None else None,
            )
    written = one("valueAsWritten")
    return written.value if isinstance(written, Literal) else ""


# ---------------------------------------------------------------- pages


# A resource's other documents: suffix, media type, name.
FORMATS = (
    (".ttl", "text/turtle", "Turtle"),
    (".jsonld", "application/ld+json", "JSON-LD"),
    (".nt", "application/n-triples", "N-Triples"),
    (".rdf", "application/rdf+xml", "RDF/XML"),
)


def resource_page(store: ReadableStore, iri: NamedNode, embedded: str | None = None) -> str:
    """The page of one resource: labels, types, definition, statements, sources, incoming links.
    Its head links the resource's RDF documents and embeds ``embedded`` (its JSON-LD), so that
    a program reading the page finds the data without a second request."""
    own = triples(store, iri)
    title = name(store, iri)
    zh = label(store, iri, "zh")
    # One entry per name: shkg:Place and the entailed schema:Place are both "Place"; ours wins.
    by_name: dict[str, str] = {}
    for t in sorted(
        (t for t in own if t.predicate == RDF_TYPE),
        key=lambda t: not str(t.object).startswith("<" + ns.SHKG),
    ):
        by_name.setdefault(name(store, t.object), link(store, t.object))
    types = [by_name[key] for key in sorted(by_name)]
    definition = first_literal(store, iri, DEFINITIONS)
    head = (
        f"<h1>{esc(title)}</h1>"
        + (f'<p lang="zh">{esc(zh)}</p>' if zh else "")
        + f'<p class="meta"><code>{esc(iri.value)}</code></p>'
        + _format_links(local_href(iri.value))
        + (f"<p>{esc(_('Type'))}: {', '.join(types)}</p>" if types else "")
        + (f"<p>{literal(definition)}</p>" if definition else "")
        + notes(store, iri)
    )
    facts = "".join(render_source(store, s) for s in sources(store, iri))
    quoted = _exact(store, iri)
    if quoted:  # a quote's page leads with its sentence
        head += f'<blockquote><p lang="en"><mark>{esc(quoted)}</mark></p></blockquote>'
    provenance = f"<section><h2>{esc(_('Source'))}</h2>{facts}</section>" if facts else ""
    article = article_section(store, iri) if any(t.object == SOURCE_DOCUMENT for t in own) else ""
    body = (
        head
        + provenance
        + article
        + statements_table(
            # A fact's statements all come from its sources, shown above; an entity's each have
            # their own.
            store,
            own,
            _("Statements"),
            None if facts else stated_by(store, iri),
        )
        + figures_section(store, iri)
        + incoming_table(store, triples(store, obj=iri))
    )
    path = local_href(iri.value)
    head = "".join(
        f'<link rel="alternate" type="{media}" href="{esc(path + suffix)}">'
        for suffix, media, _name in FORMATS
    )
    if embedded:
        # Markup characters as JSON escapes: "</script>" or "<!--" in the data (an article's
        # text) can then neither end the element nor change how the parser reads it.
        safe = embedded.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
        head += f'<script type="application/ld+json">{safe}</script>'
    return page(title, body, head=head)


def _format_links(path: str) -> str:
    return (
        f'<p class="formats">{esc(_("This resource as"))} '
        + " · ".join(
            f'<a href="{esc(path + suffix)}" type="{media}">{esc(label_)}</a>'
            for suffix, media, label_ in FORMATS
        )
        + "</p>"
    )


def source_marks(store: ReadableStore, quotes: list[NamedNode]) -> str:
    """Small links to the sentences stating a statement, each titled by its sentence."""
    return "".join(
        f' <sup><a class="source" href="{esc(local_href(q.value))}" '
        f'title="{esc(_exact(store, q))}">'
        "source</a></sup>"
        for q in sorted(set(quotes), key=_quote_start)
    )


def statements_table(
    store: ReadableStore,
    own: list[Triple],
    heading: str,
    sourced: dict[tuple[Term, Term], list[NamedNode]] | None = None,
) -> str:
    grouped: dict[NamedNode, list[Term]] = defaultdict(list)
    for triple in own:
        if triple.predicate not in (RDF_TYPE, EDITORIAL_NOTE, ARTICLE_TEXT):
            grouped[triple.predicate].append(triple.object)
    sourced = sourced or {}
    rows = "".join(
        f'<tr><th scope="row">{link(store, predicate)}</th><td>'
        # In the order they read, which holds across stores (unlike blank nodes' labels).
        + "<br>".join(
            sorted(
                render_term(store, value) + source_marks(store, sourced.get((predicate, value), []))
                for value in values
            )
        )
        + "</td></tr>"
        for predicate, values in sorted(
            grouped.items(), key=lambda item: name(store, item[0]).lower()
        )
    )
    return (
        (
            f'<section><h2>{esc(heading)}</h2><table><thead><tr><th scope="col">'
            f'{esc(_("Property"))}</th><th scope="col">{esc(_("Value"))}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></section>"
        )
        if rows
        else ""
    )


def incoming_table(store: ReadableStore, incoming: list[Triple]) -> str:
    if not incoming:
        return ""
    rows = "".join(
        f'<tr><td>{link(store, t.subject)}</td><th scope="row">{link(store, t.predicate)}</th></tr>'
        for t in sorted(incoming, key=lambda t: (name(store, t.predicate), name(store, t.subject)))
        if isinstance(t.subject, NamedNode)
    )
    return (
        f'<section><h2>{esc(_("Pointing here"))}</h2><table><thead><tr><th scope="col">'
        f'{esc(_("Resource"))}</th><th scope="col">{esc(_("Relation"))}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></section>"
    )


ARTICLE_METADATA = (
    ("Title", NamedNode(ns.DCTERMS + "title")),
    ("Headline", NamedNode(ns.SCHEMA + "alternativeHeadline")),
    ("Publisher", NamedNode(ns.SCHEMA + "publisher")),
    ("Published", NamedNode(ns.SCHEMA + "datePublished")),
    ("About the date", NamedNode(ns.SHKG + "dateNote")),
    ("Language", NamedNode(ns.DCTERMS + "language")),
    ("SHA-256 of the text", NamedNode(ns.SHKG + "sha256")),
    ("File", NamedNode(ns.SHKG + "seedFile")),
)


def article_section(store: ReadableStore, article: NamedNode) -> str:
    """An article's metadata, then the facts the graph takes from it, each under its quote."""
    about = "".join(
        f"<dt>{esc(heading)}</dt>"
        + "".join(f"<dd>{render_term(store, t.object)}</dd>" for t in found)
        for heading, predicate in ARTICLE_METADATA
        if (found := triples(store, article, predicate))
    )
    return (
        f'<section><h2>{esc(_("About this source"))}</h2><dl class="about">{about}</dl>'
        f"{_original(store, article)}</section>"
        + _article_text(store, article)
        + _article_facts(store, article)
    )


def _original(store: ReadableStore, article: NamedNode) -> str:
    """Where the article was first published: its publisher and address, as far as the
    catalogue knows them."""
    publisher = next(iter(triples(store, article, NamedNode(ns.SCHEMA + "publisher"))), None)
    url = next(
        (
            t.object
            for predicate in ("url", "sameAs")
            for t in triples(store, article, NamedNode(ns.SCHEMA + predicate))
            if isinstance(t.object, NamedNode)
        ),
        None,
    )
    who = (
        _("Published by %(publisher)s.") % {"publisher": link(store, publisher.object)}
        if publisher
        else esc(_("The catalogue does not know its publisher."))
    )
    where = (
        f' <a rel="external" href="{esc(url.value)}">{esc(_("Read the original"))}</a>.'
        if url
        else " " + esc(_("The catalogue records no address of the original."))
    )
    return f'<p class="original">{who}{where}</p>'


def _article_text(store: ReadableStore, article: NamedNode) -> str:
    """The article's whole text, each quoted sentence marked and linked to its page (which
    lists what the graph takes from it)."""
    text = first_literal(store, article, [NamedNode(ns.SCHEMA + "text")])
    if text is None:
        return ""
    spans = []
    for t in triples(store, None, HAS_SOURCE, article):
        if isinstance(t.subject, NamedNode):
            found = _position(store, t.subject)
            if found and text.value[found[0] : found[1]] == _exact(store, t.subject):
                spans.append((found[0], found[1], t.subject))
    parts, at = [], 0
    for start, end, quote in sorted(spans, key=lambda span: (span[0], -span[1])):
        if start < at:  # inside a sentence already marked
            continue
        parts.append(esc(text.value[at:start]))
        parts.append(
            f'<mark><a href="{esc(local_href(quote.value))}">{esc(text.value[start:end])}</a>'
            "</mark>"
        )
        at = end
    parts.append(esc(text.value[at:]))
    paragraphs = "".join(f"<p>{line}</p>" for line in "".join(parts).split("\n") if line.strip())
    count = ngettext(
        "%(n)s sentence is quoted by the graph.",
        "%(n)s sentences are quoted by the graph.",
        len(spans),
    ) % {"n": len(spans)}
    return (
        f'<section><h2>{esc(_("Full text"))}</h2><p class="meta">{esc(count)} '
        f"{esc(_('Each marked sentence links to what the graph takes from it.'))}</p>"
        f'<div class="article-text" lang="en">{paragraphs}</div></section>'
    )


def _position(store: ReadableStore, quote: NamedNode) -> tuple[int, int] | None:
    for selector in triples(store, quote, HAS_SELECTOR):
        if isinstance(selector.object, BlankNode):
            start = first_literal_blank(store, selector.object, NamedNode(ns.OA + "start"))
            end = first_literal_blank(store, selector.object, NamedNode(ns.OA + "end"))
            if start is not None and end is not None and start.isdigit() and end.isdigit():
                return int(start), int(end)
    return None


def _article_facts(store: ReadableStore, article: NamedNode) -> str:
    quotes = sorted(
        (
            t.subject
            for t in triples(store, None, HAS_SOURCE, article)
            if isinstance(t.subject, NamedNode)
        ),
        key=_quote_start,
    )
    about: dict[Term, set[NamedNode]] = {}
    for row in select(
        store,
        f"SELECT DISTINCT ?quote ?subject WHERE {{ ?quote <{ns.OA}hasSource> {article} . "
        f"?statement <{ns.PROV}wasDerivedFrom> ?quote ; <{ns.RDF}subject> ?subject "
        f"FILTER(isIRI(?subject) && ?subject != {article}) }}",
    ):
        subject, quote = row["subject"], row["quote"]
        if isinstance(subject, NamedNode) and quote is not None:
            about.setdefault(quote, set()).add(subject)
    items = []
    for quote in quotes:
        exact = _exact(store, quote)
        # What the sentence states: the facts derived from it, and the subjects of its statements.
        facts = sorted(
            {
                t.subject
                for t in triples(store, None, DERIVED_FROM, quote)
                if isinstance(t.subject, NamedNode)
            }
            | about.get(quote, set()),
            key=str,
        )
        items.append(
            f'<li><blockquote cite="{esc(quote.value)}"><p lang="en"><mark>{esc(exact)}</mark></p>'
            f"</blockquote><p>{esc(_('Facts'))}: "
            + ", ".join(link(store, f) for f in facts)
            + "</p></li>"
        )
    return (
        f"<section><h2>{esc(_('Facts taken from this article'))}</h2>"
        f"<ol>{''.join(items)}</ol></section>"
    )


def _exact(store: ReadableStore, quote: NamedNode) -> str:
    """The verbatim text of a quote (its TextQuoteSelector), or "" for anything else."""
    for selector in triples(store, quote, HAS_SELECTOR):
        if isinstance(selector.object, BlankNode):
            found = first_literal_blank(store, selector.object, EXACT)
            if found:
                return found
    return ""


def _quote_start(quote: NamedNode) -> tuple[int, str]:
    # quote:{key}-{start}-{end}: ordering by start follows the article's text.
    parts = quote.value.rsplit("-", 2)
    return (int(parts[1]) if len(parts) == 3 and parts[1].isdigit() else 0, quote.value)


def not_found_page(path: str) -> str:
    return page(
        "Not found",
        f"<h1>Not found</h1><p>This dataset has nothing at <code>{esc(path)}</code>.</p>"
        '<p>Start from the <a href="/">home page</a>, browse the <a href="/ontology">ontology</a>'
        ' or search with <a href="/query">a SPARQL query</a>.</p>',
    )


def ontology_page(
    store: ReadableStore, ontology: NamedNode, examples: dict[str, list[NamedNode]]
) -> str:
    """Classes and properties of the ontology, with definitions and a few instances per class."""
    graph = NamedNode(ns.ONTOLOGY_GRAPH)

    def of_type(kind: str) -> list[NamedNode]:
        return sorted(
            {
                q.subject
                for q in store.quads_for_pattern(None, RDF_TYPE, NamedNode(kind), graph)
                if isinstance(q.subject, NamedNode)
            },
            key=lambda n: name(store, n).lower(),
        )

    def entry(term: NamedNode) -> str:
        anchor = term.value.rsplit("#", 1)[-1]
        definition = first_literal(store, term, DEFINITIONS)
        sample = examples.get(term.value, [])
        # As stated in the ontology graph: the entailed superclasses (owl:Thing...) are noise here.
        ranges = "".join(
            f"<p>{esc(heading)}: " + ", ".join(link(store, o) for o in found) + "</p>"
            for heading, prop in (
                ("Domain", "domain"),
                ("Range", "range"),
                ("Subclass of", "subClassOf"),
            )
            if (
                found := sorted(
                    {
                        q.object
                        for q in store.quads_for_pattern(
                            term, NamedNode(ns.RDFS + prop), None, graph
                        )
                    },
                    key=str,
                )
            )
        )
        return (
            f'<dt id="{esc(anchor)}"><a href="#{esc(anchor)}">{esc(name(store, term))}</a> '
            f"<code>shkg:{esc(anchor)}</code></dt>"
            f"<dd>{literal(definition) if definition else ''}{ranges}"
            + (f"<p>Examples: {', '.join(link(store, e) for e in sample)}</p>" if sample else "")
            + "</dd>"
        )

    classes = "".join(entry(c) for c in of_type(ns.OWL + "Class") if c.value.startswith(ns.SHKG))
    properties = "".join(
        entry(p)
        for kind in ("ObjectProperty", "DatatypeProperty")
        for p in of_type(ns.OWL + kind)
        if p.value.startswith(ns.SHKG)
    )
    description = first_literal(store, ontology, DEFINITIONS)
    return page(
        name(store, ontology),
        f"<h1>{esc(name(store, ontology))}</h1>"
        + (f"<p>{literal(description)}</p>" if description else "")
        + f'<p class="meta"><code>{esc(ontology.value)}</code></p>'
        f"<section><h2>Classes</h2><dl>{classes}</dl></section>"
        f"<section><h2>Properties</h2><dl>{properties}</dl></section>",
    )


def home_page(
    manifest: Manifest,
    class_counts: list[tuple[NamedNode, str, int]],
    questions: list[str],
    lists: dict[str, str] | None = None,
) -> str:
    """The dataset's front page.  ``lists`` maps a class to the list of its instances; a class
    without one links to its entry in the ontology."""
    lists = lists or {}
    rows = "".join(
        f'<tr><th scope="row"><a href="{esc(lists.get(c.value, local_href(c.value)))}">'
        f'{esc(label_)}</a></th><td class="number">{i18n.number(n)}</td></tr>'
        for c, label_, n in class_counts
    )
    asked = (
        (
            f"<section><h2>{esc(_('Example questions'))}</h2><p>"
            + esc(_("Each opens its answer; the query behind it opens in the query page."))
            + '</p><ol class="questions">'
            + "".join(
                f'<li><a href="/id/example/{number:02d}">{esc(q)}</a></li>'
                for number, q in enumerate(questions, start=1)
            )
            + "</ol></section>"
        )
        if questions
        else ""
    )
    build = esc(manifest.build_id)
    start = (
        f'<section class="start"><h2>{esc(_("Start here"))}</h2><ul>'
        f'<li><a href="/id/target/?year=2025">{esc(_("All targets for 2025"))}</a></li>'
        f'<li><a href="/id/target/">{esc(_("All targets"))}</a> · '
        f'<a href="/id/figure/">{esc(_("All reported figures"))}</a></li>'
        f'<li><a href="/id/cluster/">{esc(_("Industrial clusters"))}</a> · '
        f'<a href="/id/industry/">{esc(_("Industries"))}</a> · '
        f'<a href="/id/place/">{esc(_("Places"))}</a> · '
        f'<a href="/id/plan/">{esc(_("Plans"))}</a> · '
        f'<a href="/id/article/">{esc(_("Source articles"))}</a></li>'
        f'<li><a href="/id/">{esc(_("Everything, by kind"))}</a></li></ul></section>'
    )
    size = _(
        "Build %(build)s of %(created)s: %(triples)s triples, %(quads)s quads in "
        "%(graphs)s named graphs."
    ) % {
        "build": manifest.build_id,
        "created": manifest.created,
        "triples": i18n.number(manifest.triples),
        "quads": i18n.number(manifest.quads),
        "graphs": len(manifest.graphs),
    }
    return page(
        _("Home"),
        (
            f"<h1>{esc(_('Shanghai Industry Knowledge Graph'))}</h1>"
            f"<p>{esc(_(INTRODUCTION))}</p>"
            + start
            + asked
            + f"<section><h2>{esc(_('Size'))}</h2><p>{esc(size)}</p>"
            f'<table><thead><tr><th scope="col">{esc(_("Class"))}</th><th scope="col" '
            f'class="number">{esc(_("Instances"))}</th></tr></thead>'
            f"<tbody>{rows}</tbody></table></section>"
            f"<section><h2>{esc(_('Query it'))}</h2><p>"
            + _(
                'Use the <a href="/query">query page</a>, or send SPARQL 1.1 queries to the '
                'endpoint at <a href="/sparql"><code>/sparql</code></a>. Every resource '
                "<code>https://w3id.org/shkg/id/…</code> can be looked up here as HTML, "
                "Turtle, JSON-LD, N-Triples or RDF/XML."
            )
            + f"</p></section><section><h2>{esc(_('Download'))}</h2><p>"
            + _(
                'The whole dataset and each named graph: <a href="/download/">downloads</a>, '
                'described in <a href="/.well-known/void">VoID and DCAT</a>.'
            )
            + f"</p></section><section><h2>{esc(_('Licence and citation'))}</h2><p>"
            + _(
                'The data is licensed under <a rel="license" href="%(license)s">CC BY 4.0</a>.'
                " Cite it as: Shanghai Industry Knowledge Graph, build %(build)s, "
                "https://w3id.org/shkg/id/dataset."
            )
            % {"license": LICENSE, "build": build}
            + "</p></section>"
        ),
    )


INTRODUCTION = N_(
    "A linked-data knowledge graph of Shanghai's industrial policy: industries, clusters, "
    "places, enterprises, plans, targets and reported figures, read by hand from English news "
    "articles. Every figure, target and designation is traced to the verbatim sentence of its "
    "source."
)


def service_page(
    endpoint: str,
    manifest: Manifest,
    allowlist: Sequence[str],
    result_formats: Sequence[str],
    graph_formats: Sequence[str],
) -> str:
    """The SPARQL endpoint's service description, for a person who opened it in a browser."""
    graphs = "".join(
        f'<tr><th scope="row"><code>{esc(name)}</code></th><td>{count:,}</td></tr>'
        for name, count in sorted(manifest.graphs.items())
    )
    allowed = (
        "<ul>" + "".join(f"<li><code>{esc(a)}</code></li>" for a in allowlist) + "</ul>"
        if allowlist
        else "<p>None: <code>SERVICE</code> is refused.</p>"
    )
    body = (
        "<h1>SPARQL endpoint</h1>"
        f"<p><code>{esc(endpoint)}</code> answers SPARQL 1.1 queries (read-only) by "
        "<code>GET ?query=</code> or <code>POST</code>. To write and run one in the browser, "
        'open the <a href="/query">query page</a>. The default graph is the union of the named '
        "graphs.</p>"
        '<p>This description as <a href="/sparql?format=turtle">Turtle</a>, '
        '<a href="/sparql?format=jsonld">JSON-LD</a> or '
        '<a href="/sparql?format=ntriples">N-Triples</a>.</p>'
        f"<h2>Named graphs</h2><p>Build <code>{esc(manifest.build_id)}</code>: "
        f"{manifest.triples:,} distinct triples.</p>"
        f'<table><thead><tr><th scope="col">graph</th><th scope="col">triples</th></tr>'
        f"</thead><tbody>{graphs}</tbody></table>"
        "<h2>Result formats</h2><p>SELECT and ASK: "
        + ", ".join(f"<code>{esc(f)}</code>" for f in result_formats)
        + ".<br>CONSTRUCT and DESCRIBE: "
        + ", ".join(f"<code>{esc(f)}</code>" for f in graph_formats)
        + ".</p><h2>Federation: endpoints SERVICE may call</h2>"
        + allowed
    )
    return page("SPARQL endpoint", body)


def graph_page(
    graph: str, triples: int, derived_from: Sequence[str], formats: Sequence[str]
) -> str:
    """A named graph, for a person who opened its IRI: what it holds and where to get it."""
    name = graph.rsplit("/", 1)[-1]
    encoded = urllib.parse.quote(graph, safe="")
    sources = "".join(
        f'<li><a href="{esc(local_href(iri))}">{esc(local_href(iri))}</a></li>'
        for iri in derived_from
    )
    query = urllib.parse.urlencode(
        {"query": f"SELECT ?s ?p ?o WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }} LIMIT 100"}
    )
    body = (
        f"<h1>{esc(_('Named graph'))} {esc(name)}</h1>"
        f'<p class="meta"><code>{esc(graph)}</code></p>'
        f"<p>{esc(_('%(n)s triples.') % {'n': i18n.number(triples)})}</p>"
        + (f"<h2>{esc(_('Derived from'))}</h2><ul>{sources}</ul>" if sources else "")
        + f"<h2>{esc(_('Get it'))}</h2><ul>"
        + "".join(
            f'<li><a href="/store?graph={esc(encoded)}&amp;format={esc(urllib.parse.quote(m))}"'
            f' type="{esc(m)}">{esc(m)}</a></li>'
            for m in formats
        )
        + f'<li><a href="/sparql?{esc(query)}">{esc(_("Its first 100 triples, by a query"))}</a>'
        "</li></ul>"
    )
    return page(name, body)


def search_page(query: str, hits: Sequence[Hit], available: bool = True) -> str:
    """The results of a search, best first, each a link to its page."""
    if not query.strip():
        body = (
            "<h1>Search</h1><p>Find any industry, cluster, place, enterprise, plan, target or "
            "figure by its name, in English or Chinese: type a name, or a part of one, in the "
            "box above.</p>"
        )
        return page("Search", body)
    if not available:
        body = "<h1>Search</h1><p>This release has no search index: rebuild it.</p>"
        return page("Search", body, query=query)
    items = []
    for hit in hits:
        zh = f' <span lang="zh">{esc(hit.label_zh)}</span>' if hit.label_zh else ""
        kind = f' <span class="kind">{esc(hit.kind)}</span>' if hit.kind else ""
        also = (
            f'<br><span class="meta">matched “{esc(hit.matched)}”</span>'
            if hit.matched not in (hit.label, hit.label_zh)
            else ""
        )
        summary = f"<br>{esc(hit.summary)}" if hit.summary else ""
        items.append(
            f'<li><a href="{esc(local_href(hit.iri))}">{esc(hit.label)}</a>{zh}{kind}'
            f"{also}{summary}</li>"
        )
    found = (
        f'<ol class="hits">{"".join(items)}</ol>'
        if items
        else "<p>Nothing has that name. Try part of a word, or a name in Chinese.</p>"
    )
    count = f"{len(hits)} result{'' if len(hits) == 1 else 's'}"
    body = (
        f'<h1>Search: {esc(query)}</h1><p class="meta">{count}, best first: whole names, '
        "then names that begin with it, then names containing it.</p>"
        f"{found}"
    )
    return page(f"Search: {query}", body, query=query)


def download_page(entries: Sequence[Dump]) -> str:
    rows = "".join(
        f'<tr><th scope="row"><a href="/download/{esc(e.file)}">{esc(e.file)}</a></th>'
        f"<td>{esc(media_of(e)[0])}"
        f"{' (' + esc(e.media_type) + ' inside)' if media_of(e)[1] else ''}</td>"
        f"<td>{esc(e.bytes)}</td><td><code>{esc(e.sha256)}</code></td></tr>"
        for e in entries
    )
    return page(
        "Downloads",
        '<h1>Downloads</h1><p>Checksums: <a href="/download/SHA256SUMS">SHA256SUMS</a>.'
        '</p><table><thead><tr><th scope="col">File</th><th scope="col">Type</th>'
        '<th scope="col">Bytes</th><th scope="col">SHA-256</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>",
    )


def media_of(entry: Dump) -> tuple[str, bool]:
    """The media type a dump file is served as, and whether it is gzip around ``media_type``."""
    if entry.file.endswith(".gz"):
        return "application/gzip", True
    return entry.media_type, False

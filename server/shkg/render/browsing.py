"""The pages of ``/id/`` (the kinds of resource) and ``/id/{kind}/`` (one kind as a table with
facets), in the current interface language."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from pyoxigraph import NamedNode

from shkg import namespaces as ns
from shkg.query.stores import ReadableStore
from shkg.render import i18n
from shkg.render.html import esc, local_href, name, page, shorten
from shkg.render.i18n import N_, _, ngettext
from shkg.render.tables import Listing, Value, View

# What each kind of IRI holds, in words (English; the catalogue translates).
KIND_TITLES = {
    "article": N_("Source articles"),
    "cluster": N_("Industrial clusters"),
    "comparator": N_("Comparators"),
    "designation": N_("Designations"),
    "enterprise": N_("Enterprises"),
    "figure": N_("Reported figures"),
    "group": N_("Industry groups"),
    "industry": N_("Industries"),
    "membership": N_("Memberships"),
    "metric": N_("Metrics"),
    "organization": N_("Organisations"),
    "period": N_("Periods"),
    "person": N_("People"),
    "place": N_("Places"),
    "plan": N_("Plans"),
    "post": N_("Posts"),
    "product": N_("Products"),
    "programme": N_("Programmes"),
    "quotation": N_("Statements by people"),
    "quote": N_("Quoted sentences"),
    "role": N_("Roles"),
    "scheme": N_("Concept schemes"),
    "source": N_("Sources"),
    "status": N_("Statuses"),
    "status-report": N_("Status reports"),
    "target": N_("Targets"),
    "unit": N_("Units"),
    "waiver-reason": N_("Reasons for waived sentences"),
}
XSD = ns.XSD
# Longer names are cut in table cells (the whole name is the link's title).
CELL_CHARACTERS = 70
# Facets show their most frequent values first, this many before "more".
FACET_VALUES = 12


def kind_title(kind: str) -> str:
    return _(KIND_TITLES[kind]) if kind in KIND_TITLES else kind.replace("-", " ").capitalize()


def kinds_page(kinds: Sequence[tuple[str, int]]) -> str:
    rows = "".join(
        f'<tr><th scope="row"><a href="/id/{esc(kind)}/">{esc(kind_title(kind))}</a></th>'
        f'<td class="number">{n:,}</td><td><code>/id/{esc(kind)}/</code></td></tr>'
        for kind, n in sorted(kinds, key=lambda item: kind_title(item[0]))
    )
    body = (
        f"<h1>{esc(_('Browse'))}</h1><p>{esc(_('Every resource of the dataset, by kind.'))}</p>"
        f'<table><thead><tr><th scope="col">{esc(_("Kind"))}</th>'
        f'<th scope="col">{esc(_("Resources"))}</th><th scope="col">{esc(_("Path"))}</th></tr>'
        f"</thead><tbody>{rows}</tbody></table>"
    )
    return page(_("Browse"), body)


def _cell(values: Sequence[Value]) -> str:
    return "; ".join(
        f'<a href="{esc(local_href(v.iri))}"'
        + (f' title="{esc(v.text)}"' if len(v.text) > CELL_CHARACTERS else "")
        + f">{esc(shorten(v.text, CELL_CHARACTERS))}</a>"
        if v.iri
        else esc(v.text)
        for v in values
    )


def _facets(view: View) -> str:
    table = view.table
    parts = []
    for column in table.columns:
        counted = view.facets.get(column.key, [])
        chosen = set(view.filters.get(column.key, []))
        if not counted and not chosen:
            continue
        items = []
        for index, (raw, text, n) in enumerate(counted):
            on = raw in chosen
            extra = ' class="more"' if index >= FACET_VALUES and not on else ""
            mark = "✓ " if on else ""
            items.append(
                f'<li{extra}><a href="{esc(view.toggled(column.key, raw))}"'
                f"{' aria-current=true' if on else ''}>{mark}{esc(text)}</a> "
                f'<span class="count">{n}</span></li>'
            )
        more = (
            f"<details><summary>{esc(_('more'))}</summary><ul>"
            + "".join(i.replace(' class="more"', "") for i in items[FACET_VALUES:])
            + "</ul></details>"
            if len(items) > FACET_VALUES
            else ""
        )
        parts.append(
            f"<section><h3>{esc(_(column.heading))}</h3>"
            f"<ul>{''.join(items[:FACET_VALUES])}</ul>{more}</section>"
        )
    return f'<aside class="facets" aria-label="{esc(_("Facets"))}">{"".join(parts)}</aside>'


def _header(view: View, key: str, heading: str) -> str:
    current = view.sort.lstrip("-") == key
    descending = view.sort.startswith("-")
    target = f"-{key}" if current and not descending else key
    sort = f' aria-sort="{"descending" if descending else "ascending"}"' if current else ""
    arrow = (" ↓" if descending else " ↑") if current else ""
    return (
        f'<th scope="col"{sort}><a href="{esc(view.link(sort=target, page=None))}">'
        f"{esc(_(heading))}{arrow}</a></th>"
    )


def browse_page(table: Listing, view: View) -> str:
    title = kind_title(table.kind)
    columns = [c for c in table.columns if not c.machine_only]
    head = "".join(_header(view, c.key, c.heading) for c in columns)
    body_rows = "".join(
        "<tr>"
        + "".join(
            f"<td{' class=number' if c.numeric else ''}>{_cell(row.get(c.key, ()))}</td>"
            for c in columns
        )
        + "</tr>"
        for row in view.shown
    )
    total = len(view.matching)
    start = (view.page - 1) * view.size + 1 if total else 0
    end = min(view.page * view.size, total)
    shown = ngettext("%(n)s resource", "%(n)s resources", total) % {"n": f"{total:,}"}
    chosen = "".join(
        f'<li><a href="{esc(view.toggled(key, raw))}" title="{esc(_("remove"))}">'
        f"{esc(_(_heading(table, key)))}: {esc(_label(view, key, raw))} ✕</a></li>"
        for key, values in view.filters.items()
        for raw in values
    )
    pager = ""
    if view.pages > 1:
        previous = (
            f'<a rel="prev" href="{esc(view.link(page=str(view.page - 1)))}">'
            f"{esc(_('previous'))}</a>"
            if view.page > 1
            else ""
        )
        following = (
            f'<a rel="next" href="{esc(view.link(page=str(view.page + 1)))}">{esc(_("next"))}</a>'
            if view.page < view.pages
            else ""
        )
        pager = (
            f'<nav class="pager" aria-label="{esc(_("Pages"))}">{previous} '
            + esc(_("page %(page)s of %(pages)s") % {"page": view.page, "pages": view.pages})
            + f" {following}</nav>"
        )
    downloads = (
        f'<p class="formats">{esc(_("These rows as"))} '
        f'<a href="{esc(view.link(format="csv", page=None))}" type="text/csv" '
        f'download="{esc(table.kind)}.csv">CSV</a> · '
        f'<a href="{esc(view.link(format="json", page=None))}" type="application/json">JSON</a>'
        "</p>"
    )
    search = (
        f'<form class="filter" method="get" action="/id/{esc(table.kind)}/">'
        + "".join(
            f'<input type="hidden" name="{esc(key)}" value="{esc(raw)}">'
            for key, values in view.filters.items()
            for raw in values
        )
        + (f'<input type="hidden" name="sort" value="{esc(view.sort)}">' if view.sort else "")
        + f'<label for="filter-text">{esc(_("Rows containing"))}</label> '
        f'<input id="filter-text" name="q" value="{esc(view.text)}" maxlength="200"> '
        f"<button>{esc(_('Filter'))}</button></form>"
    )
    table_html = (
        f'<table class="browse"><thead><tr>{head}</tr></thead><tbody>{body_rows}</tbody></table>'
        if body_rows
        else f"<p>{esc(_('No rows match these filters.'))}</p>"
    )
    counts = (
        esc(_("rows %(start)s–%(end)s of %(total)s") % {"start": start, "end": end, "total": total})
        if total
        else ""
    )
    body = (
        f"<h1>{esc(title)}</h1>"
        f'<p class="meta">{esc(shown)}{" · " + counts if counts else ""}</p>'
        + (f'<ul class="chosen" aria-label="{esc(_("Filters"))}">{chosen}</ul>' if chosen else "")
        + search
        + downloads
        + f'<div class="browse-grid">{_facets(view)}<div class="rows">{table_html}{pager}</div>'
        "</div>"
    )
    return page(title, body)


def _heading(table: Listing, key: str) -> str:
    column = table.column(key)
    return column.heading if column else key


def _label(view: View, key: str, raw: str) -> str:
    for row in view.table.rows:
        for value in row.get(key, ()):
            if value.raw == raw:
                return value.text
    return raw


def example_page(
    store: ReadableStore,
    index: int,
    title: str,
    comment: str,
    query: str,
    results: dict[str, Any],
) -> str:
    """An example question answered: the table of its results (resources linked to their
    pages), the query that answers it, and a link that opens it in the query editor."""
    encoded = urlencode({"query": query})
    if "boolean" in results:
        answer = f'<p class="answer">{esc(_("Yes") if results["boolean"] else _("No"))}</p>'
    else:
        variables = results.get("head", {}).get("vars", [])
        bindings = results.get("results", {}).get("bindings", [])
        head = "".join(f'<th scope="col">{esc(v)}</th>' for v in variables)
        rows = "".join(
            "<tr>" + "".join(f"<td>{_term(store, b.get(v))}</td>" for v in variables) + "</tr>"
            for b in bindings
        )
        count = ngettext("%(n)s row", "%(n)s rows", len(bindings)) % {"n": len(bindings)}
        answer = (
            f'<p class="meta">{esc(count)}</p><table class="answer"><thead><tr>{head}</tr>'
            f"</thead><tbody>{rows}</tbody></table>"
            if bindings
            else f"<p>{esc(_('No answers.'))}</p>"
        )
    body = (
        f'<p class="meta"><a href="/">{esc(_("Home"))}</a> › {esc(_("Example questions"))} '
        f"{index}</p><h1>{esc(title)}</h1>"
        + (f"<p>{esc(comment)}</p>" if comment else "")
        + f"<section><h2>{esc(_('Answer'))}</h2>{answer}"
        f'<p class="formats">{esc(_("This answer as"))} '
        f'<a href="/sparql?{esc(encoded)}&amp;format=csv">CSV</a> · '
        f'<a href="/sparql?{esc(encoded)}&amp;format=json">SPARQL JSON</a></p></section>'
        f"<section><h2>{esc(_('The query'))}</h2>"
        f'<p><a class="button" href="/query#{esc(encoded)}">'
        f"{esc(_('Open in the query editor'))}</a></p>"
        f'<pre><code class="sparql">{esc(query)}</code></pre></section>'
    )
    return page(title, body)


def _term(store: ReadableStore, binding: dict[str, str] | None) -> str:
    if not binding:
        return ""
    value = binding.get("value", "")
    if binding.get("type") == "uri":
        return f'<a href="{esc(local_href(value))}">{esc(name(store, NamedNode(value)))}</a>'
    datatype = binding.get("datatype", "")
    if datatype in (XSD + "decimal", XSD + "integer"):
        try:
            return f'<span class="number">{esc(i18n.number(Decimal(value)))}</span>'
        except InvalidOperation:
            pass
    lang = binding.get("xml:lang")
    return f'<span lang="{esc(lang)}">{esc(value)}</span>' if lang else esc(value)


def examples_page(questions: Sequence[tuple[int, str, str]]) -> str:
    """The example questions (``/.well-known/sparql-examples`` for browsers), each linking to
    its answer."""
    items = "".join(
        f'<li><a href="/id/example/{number:02d}">{esc(title)}</a>'
        + (f'<br><span class="meta">{esc(comment)}</span>' if comment else "")
        + "</li>"
        for number, title, comment in questions
    )
    body = (
        f"<h1>{esc(_('Example questions'))}</h1><p>"
        + esc(_("Each opens its answer; the query behind it opens in the query page."))
        + " "
        + _(
            'For programs, the same list is SHACL SPARQL executables in <a href="'
            '/.well-known/sparql-examples?format=turtle">Turtle</a>.'
        )
        + f'</p><ol class="questions">{items}</ol>'
    )
    return page(_("Example questions"), body)

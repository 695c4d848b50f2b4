"""Every resource of one kind as a table: the rows behind ``/id/{kind}/``.

A kind is the path segment of the dataset's IRIs (``/id/target/...``, ``/id/place/...``); its
members are the resources the store describes under that segment.  Targets and figures get the
columns a reader of statistics needs (subject, metric, value with unit and comparator, year,
period, plan, place, source article); every other kind gets its name, Chinese name, type,
summary and the articles that mention it.  Each cell keeps both the text for people (in the
current interface language, see :mod:`shkg.render.i18n`) and the value for machines (an IRI or
a literal's lexical form), which the CSV and JSON forms carry.

The table is read with a few SPARQL queries over the union of the named graphs, so it works
over a remote backend too; the web layer keeps it per release and language.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from pyoxigraph import Literal, NamedNode

from shkg import namespaces as ns
from shkg.errors import BadRequest, NotFound
from shkg.query.stores import ReadableStore
from shkg.render import i18n
from shkg.render.describe import select
from shkg.render.html import label, name, shorten
from shkg.render.i18n import N_

SHKG = ns.SHKG
FACT_KINDS = ("target", "figure")
PAGE_SIZE = 50
# What a kind looks like (it is written into a query, so nothing else is taken).
_KIND = re.compile(r"[a-z0-9][a-z0-9-]{0,40}")
MAX_PAGE_SIZE = 1000
# A view's parameters that are not facets.
CONTROLS = {"q", "sort", "page", "size", "format", "lang"}


@dataclass(frozen=True)
class Value:
    """One value of a cell: ``text`` for people, ``raw`` for machines (an IRI or a literal's
    lexical form), ``iri`` to link to, ``sort`` to order by."""

    text: str
    raw: str
    iri: str | None = None
    sort: Any = None


@dataclass(frozen=True)
class Column:
    key: str
    heading: str  # English; translated when shown
    facet: bool = False
    # Shown in the CSV and JSON only: the HTML table says it in another column's words.
    machine_only: bool = False
    numeric: bool = False


Row = dict[str, tuple[Value, ...]]


@dataclass
class Listing:
    kind: str
    columns: tuple[Column, ...]
    rows: list[Row] = field(default_factory=list)

    def column(self, key: str) -> Column | None:
        return next((c for c in self.columns if c.key == key), None)


FACT_COLUMNS = (
    Column("name", N_("Name")),
    Column("subject", N_("Subject")),
    Column("metric", N_("Metric"), facet=True),
    Column("value", N_("Value"), numeric=True),
    Column("unit", N_("Unit"), facet=True, machine_only=True),
    Column("comparator", N_("Comparator"), machine_only=True),
    Column("year", N_("Year"), facet=True, numeric=True),
    Column("period", N_("Period")),
    Column("plan", N_("Plan"), facet=True),
    Column("industry", N_("Industry"), facet=True, machine_only=True),
    Column("place", N_("Place"), facet=True),
    Column("source", N_("Source article"), facet=True),
)
ENTITY_COLUMNS = (
    Column("name", N_("Name")),
    Column("name_zh", N_("Chinese name")),
    Column("type", N_("Type"), facet=True),
    Column("summary", N_("Summary")),
    Column("source", N_("Source article"), facet=True),
)
# The fact properties each column reads.
_FACT_PROPERTIES = {
    "subject": SHKG + "subject",
    "metric": SHKG + "metric",
    "unit": SHKG + "unit",
    "comparator": SHKG + "comparator",
    "year": SHKG + "year",
    "period": SHKG + "period",
    "plan": SHKG + "plan",
    "place": SHKG + "place",
}
_SUMMARY = (ns.SKOS + "definition", ns.DCTERMS + "description", ns.RDFS + "comment")
_SUMMARY_CHARACTERS = 160


def kinds(store: ReadableStore) -> list[tuple[str, int]]:
    """Each kind of IRI the dataset describes, with how many resources it has."""
    result = _select(
        store,
        "?kind (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s ?p ?o "
        f'FILTER(STRSTARTS(STR(?s), "{ns.ID}")) '
        f'BIND(STRBEFORE(STRAFTER(STR(?s), "{ns.ID}"), "/") AS ?kind) FILTER(?kind != "") }} '
        "GROUP BY ?kind ORDER BY ?kind",
    )
    return [(row["kind"].value, int(row["n"].value)) for row in result]


def class_lists(store: ReadableStore) -> dict[str, str]:
    """For each of the ontology's classes, the list of its instances, where one exists: the
    kind whose IRIs are exactly its instances (``/id/place/``), or that kind's table filtered
    by type, when the class is the most specific type of each of its instances
    (``/id/place/?type=...City``)."""
    totals = dict(kinds(store))
    by_kind: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for row in _select(
        store,
        "?c ?kind (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c "
        f'FILTER(STRSTARTS(STR(?c), "{SHKG}")) FILTER(STRSTARTS(STR(?s), "{ns.ID}")) '
        f'BIND(STRBEFORE(STRAFTER(STR(?s), "{ns.ID}"), "/") AS ?kind) }} GROUP BY ?c ?kind',
    ):
        by_kind[row["c"].value].append((row["kind"].value, int(row["n"].value)))
    broader_somewhere = {
        row["c"].value
        for row in _select(
            store,
            f"DISTINCT ?c WHERE {{ ?s a ?c, ?d . ?d <{ns.RDFS}subClassOf>+ ?c "
            f'FILTER(?d != ?c) FILTER(STRSTARTS(STR(?d), "{SHKG}")) }}',
        )
    }
    found = {}
    for cls, counted in by_kind.items():
        if len(counted) != 1:
            continue
        kind, n = counted[0]
        if totals.get(kind) == n:
            found[cls] = f"/id/{kind}/"
        elif kind not in FACT_KINDS and cls not in broader_somewhere:
            found[cls] = f"/id/{kind}/?" + urlencode({"type": cls})
    return found


def listing(store: ReadableStore, kind: str) -> Listing | None:
    """The table of ``kind`` in the current language; None when the dataset has none of it."""
    prefix = f"{ns.ID}{kind}/"
    facts = kind in FACT_KINDS
    members: dict[str, list[tuple[str, Any]]] = defaultdict(list)
    if not _KIND.fullmatch(kind):
        return None
    for found in _select(store, f'?s ?p ?o {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{prefix}")) }}'):
        members[found["s"].value].append((found["p"].value, found["o"]))
    if not members:
        return None
    names = _Names(store)
    sources = _sources(store, prefix)
    table = Listing(kind, FACT_COLUMNS if facts else ENTITY_COLUMNS)
    specific = _Types(store) if not facts else None
    industries = _members_of(store, SHKG + "Industry")
    for iri in sorted(members):
        statements = members[iri]
        row: Row = {"iri": (Value(iri, iri, iri),), "name": (names.value(iri, link=iri),)}
        row["source"] = tuple(
            sorted((names.value(a) for a in sources.get(iri, ())), key=lambda v: v.text)
        )
        if facts:
            _fact_cells(row, statements, names, industries)
        else:
            assert specific is not None
            zh = names.label(iri, "zh")
            row["name_zh"] = (Value(zh, zh),) if zh else ()
            row["type"] = tuple(names.value(t) for t in specific.of(statements))
            summary = _summary(statements)
            row["summary"] = (Value(summary, summary),) if summary else ()
        table.rows.append(row)
    return table


def _fact_cells(
    row: Row, statements: list[tuple[str, Any]], names: _Names, industries: set[str]
) -> None:
    by: dict[str, list[Any]] = defaultdict(list)
    for predicate, obj in statements:
        by[predicate].append(obj)
    for key, predicate in _FACT_PROPERTIES.items():
        row[key] = tuple(
            names.value(o.value) if isinstance(o, NamedNode) else _literal(o)
            for o in by.get(predicate, ())
            if isinstance(o, NamedNode | Literal)
        )
    row["industry"] = tuple(v for v in row["subject"] if v.raw in industries)
    unit = row["unit"][0].raw if row["unit"] else None
    comparator = row["comparator"][0].raw if row["comparator"] else None
    values = []
    for obj in by.get(SHKG + "value", ()):
        try:
            number = Decimal(obj.value)
        except (InvalidOperation, AttributeError):
            continue
        unit_label = row["unit"][0].text if row["unit"] else None
        text = i18n.amount(number, unit, comparator, unit_label)
        values.append(Value(text, obj.value, sort=number))
    if not values:  # a target without a number ("more than double"): as the source wrote it
        values = [
            Value(o.value, "", sort=None)
            for o in by.get(SHKG + "valueAsWritten", ())
            if isinstance(o, Literal)
        ]
    row["value"] = tuple(values)


def _literal(value: Literal) -> Value:
    text = value.value
    sort: Any = text
    if value.datatype.value.endswith(("#gYear", "#integer", "#decimal")):
        try:
            sort = Decimal(text[:4] if value.datatype.value.endswith("#gYear") else text)
        except InvalidOperation:
            sort = text
    return Value(text, text, sort=sort)


def _summary(statements: list[tuple[str, Any]]) -> str:
    for predicate in _SUMMARY:
        for p, obj in statements:
            if p == predicate and isinstance(obj, Literal) and (obj.language or "en") == "en":
                return shorten(obj.value, _SUMMARY_CHARACTERS)
    return ""


def _select(store: ReadableStore, query: str) -> Iterable[Any]:
    return select(store, "SELECT " + query)


def _sources(store: ReadableStore, prefix: str) -> dict[str, set[str]]:
    """The articles each member comes from: those mentioning it, and those its quotes are of."""
    found: dict[str, set[str]] = defaultdict(set)
    for row in _select(
        store,
        "DISTINCT ?s ?a WHERE { "
        f"{{ ?a <{ns.SCHEMA}mentions> ?s }} UNION "
        f"{{ ?s <{ns.PROV}wasDerivedFrom>/<{ns.OA}hasSource> ?a }} UNION "
        f"{{ ?s <{ns.OA}hasSource> ?a }} "
        f'FILTER(STRSTARTS(STR(?s), "{prefix}")) '
        f'FILTER(STRSTARTS(STR(?a), "{ns.ID}article/")) }}',
    ):
        found[row["s"].value].add(row["a"].value)
    return found


def _members_of(store: ReadableStore, cls: str) -> set[str]:
    return {row["s"].value for row in _select(store, f"?s WHERE {{ ?s a <{cls}> }}")}


class _Names:
    """Names of the IRIs a table shows, as the pages name them (:func:`html.name`, in the
    current language), each looked up once."""

    def __init__(self, store: ReadableStore) -> None:
        self._store = store
        self._names: dict[str, str] = {}

    def label(self, iri: str, lang: str) -> str | None:
        return label(self._store, NamedNode(iri), lang)

    def value(self, iri: str, link: str | None = None) -> Value:
        if iri not in self._names:
            self._names[iri] = name(self._store, NamedNode(iri))
        text = self._names[iri]
        return Value(text, iri, link or iri, sort=text.lower())


class _Types:
    """The most specific of the ontology's classes of a resource."""

    def __init__(self, store: ReadableStore) -> None:
        # The closure is taken here, from the direct links: a path with neither end given
        # (`?c rdfs:subClassOf+ ?super`) is one some engines refuse (Virtuoso 7).
        direct: dict[str, set[str]] = defaultdict(set)
        for row in _select(store, f"?c ?super WHERE {{ ?c <{ns.RDFS}subClassOf> ?super }}"):
            if row["c"] != row["super"]:
                direct[row["c"].value].add(row["super"].value)
        self._broader: dict[str, set[str]] = defaultdict(set)
        for cls in direct:
            pending = list(direct[cls])
            while pending:
                found = pending.pop()
                if found != cls and found not in self._broader[cls]:
                    self._broader[cls].add(found)
                    pending.extend(direct.get(found, ()))

    def of(self, statements: list[tuple[str, Any]]) -> list[str]:
        ours = {
            o.value
            for p, o in statements
            if p == ns.RDF + "type" and isinstance(o, NamedNode) and o.value.startswith(SHKG)
        }
        broader = set().union(*(self._broader[t] for t in ours)) if ours else set()
        return sorted(ours - broader)


# ---------------------------------------------------------------- views


class View:
    """What a request asks to see of a table: filters, text, order and page."""

    def __init__(
        self,
        table: Listing,
        filters: dict[str, list[str]],
        text: str,
        sort: str,
        page: int,
        size: int,
    ) -> None:
        self.table = table
        self.filters = filters
        self.text = text
        self.sort = sort
        self.page = page
        self.size = size
        self.matching = self._order(_filter(table.rows, filters, text))
        self.facets = facet_counts(table, filters, text)
        if self.page > self.pages:
            raise NotFound(
                f"there is no page {self.page}: these rows fill {self.pages} "
                f"of {self.size} rows each"
            )

    @classmethod
    def of(cls, table: Listing, params: Any) -> View:
        filters: dict[str, list[str]] = {}
        for key, value in params.multi_items():
            if key in CONTROLS:
                continue
            column = table.column(key)
            if column is None or not column.facet:
                facets = ", ".join(c.key for c in table.columns if c.facet)
                raise BadRequest(f"no facet {key!r} for /id/{table.kind}/ (facets: {facets})")
            filters.setdefault(key, []).append(value)
        sort = params.get("sort", "")
        if sort and table.column(sort.lstrip("-")) is None:
            keys = ", ".join(c.key for c in table.columns)
            raise BadRequest(f"cannot sort by {sort!r} (columns: {keys})")
        page = _integer(params, "page", 1, 1, 1_000_000)
        size = _integer(params, "size", PAGE_SIZE, 1, MAX_PAGE_SIZE)
        return cls(table, filters, params.get("q", "").strip(), sort, page, size)

    def _order(self, rows: list[Row]) -> list[Row]:
        if not self.sort:
            return sorted(rows, key=lambda r: _first_sort(r, "name"))
        key = self.sort.lstrip("-")
        present = [r for r in rows if r.get(key)]
        absent = [r for r in rows if not r.get(key)]
        present.sort(key=lambda r: _first_sort(r, key), reverse=self.sort.startswith("-"))
        return present + absent  # rows without the value last, whichever way

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.matching) // self.size))

    @property
    def shown(self) -> list[Row]:
        start = (self.page - 1) * self.size
        return self.matching[start : start + self.size]

    def link(self, filters: list[tuple[str, str]] | None = None, **settings: str | None) -> str:
        """This view's URL, with other ``filters`` (which start again at page 1) or other
        ``settings`` (q, sort, page, size, format; None drops one)."""
        current = [(key, value) for key, values in self.filters.items() for value in values]
        chosen: dict[str, str | None] = {
            "q": self.text,
            "sort": self.sort,
            "page": str(self.page) if filters is None else None,
            "size": str(self.size) if self.size != PAGE_SIZE else None,
        }
        chosen.update(settings)
        pairs = (current if filters is None else filters) + [
            (key, value)
            for key, value in chosen.items()
            if value and not (key == "page" and value == "1")
        ]
        query = urlencode(pairs)
        return f"/id/{self.table.kind}/" + (f"?{query}" if query else "")

    def toggled(self, key: str, raw: str) -> str:
        """The link that adds (or, when on, removes) the filter ``key=raw``."""
        current = [(k, v) for k, values in self.filters.items() for v in values]
        if (key, raw) in current:
            return self.link(filters=[p for p in current if p != (key, raw)])
        return self.link(filters=[*current, (key, raw)])


def _integer(params: Any, key: str, default: int, low: int, high: int) -> int:
    value = params.get(key)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise BadRequest(f"`{key}` must be a whole number") from None
    if not low <= number <= high:
        raise BadRequest(f"`{key}` must be between {low} and {high}")
    return number


def _first_sort(row: Row, key: str) -> tuple[int, Any]:
    values = row.get(key, ())
    if not values:
        return (1, "")
    value = values[0]
    sort = value.sort if value.sort is not None else value.text.lower()
    # Numbers before text, each among its own, so a column mixing them still sorts.
    return (0, sort) if not isinstance(sort, str) else (1, sort)


def _filter(rows: list[Row], filters: dict[str, list[str]], text: str) -> list[Row]:
    needle = text.casefold()
    kept = []
    for row in rows:
        if not all(
            any(v.raw == wanted for v in row.get(key, ()) for wanted in values)
            for key, values in filters.items()
        ):
            continue
        if needle and not any(
            needle in v.text.casefold() or needle in v.raw.casefold()
            for values in row.values()
            for v in values
        ):
            continue
        kept.append(row)
    return kept


def facet_counts(
    table: Listing, filters: dict[str, list[str]], text: str
) -> dict[str, list[tuple[str, str, int]]]:
    """For each facet, its values as (raw, text, count), most frequent first, counted over the
    rows that every other filter (and ``text``) keeps: choosing year 2025 still shows what
    choosing 2030 as well would add, as a facet's values combine with "or"."""
    found: dict[str, list[tuple[str, str, int]]] = {}
    for column in table.columns:
        if not column.facet:
            continue
        others = {key: values for key, values in filters.items() if key != column.key}
        counts: Counter[tuple[str, str]] = Counter()
        for row in _filter(table.rows, others, text):
            for value in {(v.raw, v.text) for v in row.get(column.key, ())}:
                counts[value] += 1
        found[column.key] = [
            (raw, label, n)
            for (raw, label), n in sorted(counts.items(), key=lambda item: (-item[1], item[0][1]))
        ]
    return found


def _labelled(table: Listing, key: str) -> bool:
    """Whether a column's values have words of their own besides their raw form."""
    return any(v.iri or v.text != v.raw for row in table.rows for v in row.get(key, ()))


def to_csv(table: Listing, rows: list[Row]) -> str:
    """One line per row: its IRI, then each column's raw value(s), and their words in a
    ``_label`` column where they differ (several values joined by ` | `)."""
    header = ["iri"]
    for column in table.columns:
        if column.key == "name":
            header.append("name")
            continue
        header.append(column.key)
        if _labelled(table, column.key):
            header.append(column.key + "_label")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        line = []
        for key in header:
            if key == "name":
                line.append(" | ".join(v.text for v in row.get("name", ())))
            elif key.endswith("_label"):
                line.append(" | ".join(v.text for v in row.get(key.removesuffix("_label"), ())))
            else:
                line.append(" | ".join(v.raw for v in row.get(key, ())))
        writer.writerow(line)
    return out.getvalue()


def to_json(table: Listing, view: View) -> dict[str, Any]:
    def values(row: Row, key: str) -> list[dict[str, str]]:
        return [
            {"value": v.raw, "label": v.text} if v.raw != v.text else {"value": v.raw}
            for v in row.get(key, ())
        ]

    return {
        "kind": table.kind,
        "base": ns.ID + table.kind + "/",
        "columns": [{"key": c.key, "heading": c.heading, "facet": c.facet} for c in table.columns],
        "filters": view.filters,
        "q": view.text,
        "total": len(view.matching),
        "rows": [
            {
                "iri": row["iri"][0].raw,
                **{c.key: values(row, c.key) for c in table.columns},
            }
            for row in view.matching
        ],
        "facets": {
            key: [{"value": raw, "label": text, "count": n} for raw, text, n in counted]
            for key, counted in view.facets.items()
        },
    }

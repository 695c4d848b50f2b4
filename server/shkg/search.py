"""Search by name: every label of every resource, in an SQLite full-text index in the release.

The build writes ``search.sqlite`` beside the store (:func:`write_index`); the server opens it
read-only and asks it (:class:`SearchIndex`). A name is any label of a resource of the dataset
or the ontology: ``skos:prefLabel``, ``rdfs:label``, ``skos:altLabel``, ``dcterms:title``,
``foaf:name``, in English or Chinese (the Chinese labels come from the links table).

Two FTS5 indexes over the same names find the candidates, both linear in what they return:

- ``words``: each name's words (case and accents folded by FTS5's unicode61 tokenizer), and
  each run of Chinese characters as its characters and its pairs of neighbours, so that a
  query's words match by prefix (``ling`` finds Lingang) and a Chinese query of any length
  matches inside a longer name (``新能源`` and ``汽车`` both find 新能源汽车);
- ``trigrams``: each name as overlapping three-character pieces (FTS5's trigram tokenizer),
  so that a query of three characters or more matches anywhere inside a name (``gang``),
  and, when nothing else does, a misspelt one still finds the names sharing most of its
  pieces.

The candidates (a few hundred at most) are then ranked: the whole name, then a name starting
with the query, then a word of it, then anywhere inside it, then near misses; within a rank,
the shorter name first.
"""

from __future__ import annotations

import hashlib
import re
import sqlite3
import threading
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph

from shkg import namespaces as ns
from shkg.manifest import SearchFile

# The release's file.
SEARCH_FILE = "search.sqlite"

# What names a resource, best first: the first English one is its display label.
NAME_PROPERTIES = (
    ns.SKOS + "prefLabel",
    ns.RDFS + "label",
    ns.DCTERMS + "title",
    ns.FOAF + "name",
    ns.SKOS + "altLabel",
)
SUMMARY_PROPERTIES = (ns.SKOS + "definition", ns.DCTERMS + "description", ns.RDFS + "comment")
RDF_TYPE = ns.RDF + "type"
SUMMARY_CHARACTERS = 200
# Candidates read from each index for one query: more than a page of results needs.
CANDIDATES = 400
# Ranks, best first.
EXACT, PREFIX, WORD, INSIDE, NEAR = range(5)

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_RUNS = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+")
_IS_CJK = re.compile(rf"[{_CJK}]")


@dataclass(frozen=True)
class Hit:
    """One resource found: its IRI, display label, Chinese label, kind, a one-line summary,
    the name that matched and how well (one of EXACT ... NEAR)."""

    iri: str
    label: str
    label_zh: str
    kind: str
    summary: str
    matched: str
    rank: int

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": self.label,
            "label_zh": self.label_zh or None,
            "kind": self.kind,
            "summary": self.summary,
            "matched": self.matched,
            "match": ("exact", "prefix", "word", "substring", "fuzzy")[self.rank],
        }


@dataclass(frozen=True)
class IndexFigures:
    """What the build reports of the index."""

    resources: int
    names: int
    bytes: int
    seconds: float

    def entry(self, path: Path) -> SearchFile:
        """The manifest's record of the index written at ``path``."""
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        return SearchFile(
            path.name,
            "application/vnd.sqlite3",
            self.bytes,
            digest,
            resources=self.resources,
            names=self.names,
            seconds=self.seconds,
        )


def fold(text: str) -> str:
    """A name or query as compared: compatibility forms unified (full-width letters, ...),
    case folded, white space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _words(folded: str) -> str:
    """The words index's text of a name: its words, and each Chinese run as its characters
    and their pairs."""
    tokens: list[str] = []
    for run in _RUNS.findall(folded):
        if _IS_CJK.match(run):
            tokens += list(run) + [run[i : i + 2] for i in range(len(run) - 1)]
        else:
            tokens.append(run)
    return " ".join(tokens)


def _words_query(folded: str) -> str | None:
    """An FTS5 query for the words index: every word of the query as a prefix, every Chinese
    run as all its pairs (or its one character)."""
    terms: list[str] = []
    for run in _RUNS.findall(folded):
        if _IS_CJK.match(run):
            grams = [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]
            terms += [f'"{gram}"' for gram in grams]
        else:
            terms.append(f'"{run}"*')
    return " AND ".join(terms) or None


def _phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


# --- building --------------------------------------------------------------------------------


def write_index(store: pyoxigraph.Store, path: Path) -> IndexFigures:
    """Index every named resource of ``store`` (the union of its graphs) into a new SQLite
    file at ``path``."""
    started = time.perf_counter()
    names: dict[str, list[tuple[str, str]]] = {}  # resource -> [(name, language)]
    seen: set[tuple[str, str, str]] = set()
    for predicate in NAME_PROPERTIES:
        for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(predicate), None):
            subject, value = quad.subject, quad.object
            if not isinstance(subject, pyoxigraph.NamedNode) or not isinstance(
                value, pyoxigraph.Literal
            ):
                continue
            if not subject.value.startswith(ns.BASE) or not value.value.strip():
                continue
            key = (subject.value, value.value, value.language or "")
            if key not in seen:
                seen.add(key)
                names.setdefault(subject.value, []).append((value.value, value.language or ""))
    classes = _Classes.of(store)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(
            """
            PRAGMA journal_mode = OFF;
            CREATE TABLE resources (id INTEGER PRIMARY KEY, iri TEXT UNIQUE, label TEXT,
                                    label_zh TEXT, kind TEXT, summary TEXT);
            CREATE TABLE names (id INTEGER PRIMARY KEY, resource INTEGER, name TEXT,
                                folded TEXT);
            CREATE VIRTUAL TABLE words USING fts5(text, content='',
                                                  tokenize='unicode61 remove_diacritics 2');
            CREATE VIRTUAL TABLE trigrams USING fts5(text, content='', tokenize='trigram');
            """
        )
        count = 0
        for number, (iri, found) in enumerate(sorted(names.items()), start=1):
            english = [name for name, lang in found if not lang.startswith("zh")]
            chinese = [name for name, lang in found if lang.startswith("zh")]
            connection.execute(
                "INSERT INTO resources VALUES (?, ?, ?, ?, ?, ?)",
                (
                    number,
                    iri,
                    (english or chinese)[0],
                    chinese[0] if chinese else "",
                    classes.kind(store, iri),
                    _summary(store, iri),
                ),
            )
            for name, _ in found:
                count += 1
                folded = fold(name)
                connection.execute(
                    "INSERT INTO names VALUES (?, ?, ?, ?)", (count, number, name, folded)
                )
                connection.execute(
                    "INSERT INTO words(rowid, text) VALUES (?, ?)", (count, _words(folded))
                )
                connection.execute(
                    "INSERT INTO trigrams(rowid, text) VALUES (?, ?)", (count, folded)
                )
        connection.execute("INSERT INTO words(words) VALUES ('optimize')")
        connection.execute("INSERT INTO trigrams(trigrams) VALUES ('optimize')")
        connection.commit()
        connection.execute("VACUUM")
    finally:
        connection.close()
    return IndexFigures(
        resources=len(names),
        names=count,
        bytes=path.stat().st_size,
        seconds=round(time.perf_counter() - started, 3),
    )


@dataclass(frozen=True)
class _Classes:
    """The ontology's classes: their English labels and their superclasses."""

    labels: dict[str, str]
    parents: dict[str, set[str]]

    @classmethod
    def of(cls, store: pyoxigraph.Store) -> _Classes:
        labels: dict[str, str] = {}
        for quad in store.quads_for_pattern(None, pyoxigraph.NamedNode(ns.RDFS + "label"), None):
            value = quad.object
            if (
                isinstance(quad.subject, pyoxigraph.NamedNode)
                and quad.subject.value.startswith(ns.SHKG)
                and isinstance(value, pyoxigraph.Literal)
                and (value.language or "en") == "en"
            ):
                labels.setdefault(quad.subject.value, value.value)
        parents: dict[str, set[str]] = {}
        subclass = pyoxigraph.NamedNode(ns.RDFS + "subClassOf")
        for quad in store.quads_for_pattern(None, subclass, None):
            if isinstance(quad.subject, pyoxigraph.NamedNode) and isinstance(
                quad.object, pyoxigraph.NamedNode
            ):
                parents.setdefault(quad.subject.value, set()).add(quad.object.value)
        return cls(labels, parents)

    def ancestors(self, iri: str) -> set[str]:
        found: set[str] = set()
        todo = [iri]
        while todo:
            for parent in self.parents.get(todo.pop(), ()):
                if parent not in found:
                    found.add(parent)
                    todo.append(parent)
        return found

    def kind(self, store: pyoxigraph.Store, iri: str) -> str:
        """What a resource is, in words: the label of its most specific class of ours (one
        that no other of its classes is a subclass of), "class" or "property" for the
        ontology's own terms."""
        types = {
            quad.object.value
            for quad in store.quads_for_pattern(
                pyoxigraph.NamedNode(iri), pyoxigraph.NamedNode(RDF_TYPE), None
            )
            if isinstance(quad.object, pyoxigraph.NamedNode)
        }
        if types & {ns.OWL + "Class", ns.RDFS + "Class"}:
            return "class"
        if any(t.startswith(ns.OWL) and t.endswith("Property") for t in types):
            return "property"
        ours = {t for t in types if t in self.labels}
        broader = set().union(*(self.ancestors(t) for t in ours)) if ours else set()
        specific = sorted(self.labels[t] for t in ours - broader)
        return specific[0] if specific else ""


def _summary(store: pyoxigraph.Store, iri: str) -> str:
    for predicate in SUMMARY_PROPERTIES:
        for quad in store.quads_for_pattern(
            pyoxigraph.NamedNode(iri), pyoxigraph.NamedNode(predicate), None
        ):
            value = quad.object
            if isinstance(value, pyoxigraph.Literal) and (value.language or "en") == "en":
                text = " ".join(value.value.split())
                if len(text) > SUMMARY_CHARACTERS:
                    text = text[: SUMMARY_CHARACTERS - 1].rsplit(" ", 1)[0] + "…"
                return text
    return ""


# --- searching --------------------------------------------------------------------------------


class SearchIndex:
    """A release's search index, read-only; one SQLite connection per thread."""

    def __init__(self, path: Path, keep: object = None) -> None:
        self.path = path
        self._local = threading.local()
        # Whatever must live as long as the index (the temporary directory holding it).
        self._keep = keep

    def _connection(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            # immutable: the release never changes, so SQLite takes no locks and reads no
            # journal; mode=ro as well, so nothing can be written through it.
            uri = f"file:{self.path}?mode=ro&immutable=1"
            connection = sqlite3.connect(uri, uri=True, check_same_thread=True)
            self._local.connection = connection
        return connection

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        """The resources best matching ``query``, best first, at most ``limit``."""
        folded = fold(query)
        if not folded:
            return []
        connection = self._connection()
        found: dict[int, tuple[int, str, str]] = {}  # name id -> (resource, name, folded)
        expression = _words_query(folded)
        if expression is not None:
            found.update(self._candidates(connection, "words", expression))
        if len(folded) >= 3:
            found.update(self._candidates(connection, "trigrams", _phrase(folded)))
        near = False
        if not found and len(folded) >= 3:
            pieces = {folded[i : i + 3] for i in range(len(folded) - 2)}
            expression = " OR ".join(_phrase(piece) for piece in sorted(pieces))
            found.update(self._candidates(connection, "trigrams", expression, limit))
            near = True
        best: dict[int, tuple[int, int, str]] = {}  # resource -> (rank, length, name)
        for resource, name, candidate in found.values():
            rank = NEAR if near else _rank(folded, candidate)
            score = (rank, len(candidate), name)
            if resource not in best or score < best[resource]:
                best[resource] = score
        ordered = sorted(best.items(), key=lambda item: item[1])[:limit]
        if not ordered:
            return []
        details: dict[int, tuple[str, str, str, str, str]] = {
            row[0]: (row[1], row[2], row[3], row[4], row[5])
            for row in connection.execute(
                "SELECT id, iri, label, label_zh, kind, summary FROM resources "
                f"WHERE id IN ({','.join('?' * len(ordered))})",
                [resource for resource, _ in ordered],
            )
        }
        hits = []
        for resource, (rank, _, name) in ordered:
            iri, label, label_zh, kind, summary = details[resource]
            hits.append(Hit(iri, label, label_zh, kind, summary, matched=name, rank=rank))
        return hits

    @staticmethod
    def _candidates(
        connection: sqlite3.Connection, table: str, expression: str, limit: int = CANDIDATES
    ) -> dict[int, tuple[int, str, str]]:
        try:
            rows = connection.execute(
                f"SELECT names.id, names.resource, names.name, names.folded FROM {table} "
                f"JOIN names ON names.id = {table}.rowid WHERE {table} MATCH ? "
                f"ORDER BY {table}.rank LIMIT ?",
                (expression, limit),
            ).fetchall()
        except sqlite3.OperationalError:  # an expression FTS5 cannot read: no candidates
            return {}
        return {row[0]: (row[1], row[2], row[3]) for row in rows}

    def close(self) -> None:
        connection = getattr(self._local, "connection", None)
        if connection is not None:
            connection.close()
            self._local.connection = None


def _rank(query: str, name: str) -> int:
    if name == query:
        return EXACT
    if name.startswith(query):
        return PREFIX
    if f" {query}" in f" {name}" or re.search(rf"\b{re.escape(query)}", name):
        return WORD
    if query in name:
        return INSIDE
    return NEAR

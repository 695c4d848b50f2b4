"""Do the servers give the same answers?  Rows of each competency query, triples of pages.

Asked once per server before any load, with a generous timeout: this is also the warm-up that
brings each server's store into memory.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import httpx
import pyoxigraph

from .workloads import Item, Page, Query, System


@dataclass(frozen=True)
class Answer:
    """``rows``: solutions (or triples for a page); None when there was no whole answer."""

    status: int | None
    rows: int | None
    values: frozenset[tuple[tuple[str, str], ...]] | None = None  # SELECT rows, blank nodes aside
    truncated: bool = False
    note: str = ""


def ask(system: System, item: Item, timeout: float) -> Answer:
    method, path, headers, body, _ = system.parts(item)
    url = f"http://{system.endpoint.authority}{path}"
    try:
        response = httpx.request(method, url, headers=headers, content=body, timeout=timeout)
    except httpx.TimeoutException:
        return Answer(None, None, note=f"no answer within {timeout:g} s")
    except httpx.TransportError as error:
        return Answer(None, None, note=str(error))
    if response.status_code != 200:
        return Answer(response.status_code, None, note=response.text[:200])
    if isinstance(item, Page) or (isinstance(item, Query) and item.graph):
        return _triples(response)
    return _solutions(response)


def _solutions(response: httpx.Response) -> Answer:
    try:
        document = json.loads(response.content)
    except ValueError:  # e.g. oxigraph's streamed answer cut by its timeout
        return Answer(200, None, note="incomplete answer: " + response.text[-80:].strip())
    bindings = document["results"]["bindings"]
    values = frozenset(
        tuple(
            sorted((name, term["value"]) for name, term in row.items() if term["type"] != "bnode")
        )
        for row in bindings
    )
    return Answer(200, len(bindings), values, truncated="truncated" in document)


def _triples(response: httpx.Response) -> Answer:
    try:
        triples = list(pyoxigraph.parse(response.content, format=pyoxigraph.RdfFormat.TURTLE))
    except SyntaxError:
        return Answer(200, None, note="incomplete Turtle")
    # Blank nodes are labelled afresh by each server: count the triples with them as one kind.
    shapes = {
        tuple(
            "_" if isinstance(term, pyoxigraph.BlankNode) else str(term)
            for term in (t.subject, t.predicate, t.object)
        )
        for t in triples
    }
    return Answer(200, len(shapes))


def compare(answers: dict[str, Answer]) -> str:
    """ "same", or what differs, across the servers that answered."""
    whole = {name: a for name, a in answers.items() if a.rows is not None}
    if len(whole) < len(answers):
        return "not all answered"
    counts = {a.rows for a in whole.values()}
    if len(counts) > 1:
        return "row counts differ"
    sets = {a.values for a in whole.values() if a.values is not None}
    return "same" if len(sets) <= 1 else "same count, values differ"

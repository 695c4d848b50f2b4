"""The graph store's answers: each whole graph of a release, in each format, made once.

``GET /store`` (the read-only SPARQL 1.1 Graph Store Protocol) answers with a whole graph: a
named graph, the default graph (the union of the named graphs, as for queries), or the whole
dataset. The build writes every one of them in every format into the release's
``graphstore/`` directory, and the server sends the file: a request costs the server no
more than reading a file, however large the graph, and nothing is made while clients wait.
A service with no release files (a SPARQL backend, an in-memory store) makes its answers with
:func:`body`, the same function the build uses, so both give the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph

from shkg.formats import EXTENSIONS, QUAD_FORMATS, TRIPLE_FORMATS
from shkg.manifest import GraphFile

# The release's directory of these files.
GRAPH_STORE = "graphstore"
# The two parts that are not a named graph; a named graph is its IRI, which is absolute and
# so never one of these words.
DATASET = "dataset"
DEFAULT = "default"


class Graphs(Protocol):
    """What :func:`body` reads: a pyoxigraph store, or a backend's stand-in for one."""

    def quads_for_pattern(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any = None
    ) -> Iterable[pyoxigraph.Quad]: ...

    def dump(
        self, output: Any = None, format: Any = None, *, from_graph: Any = None
    ) -> bytes | None: ...


def part_of(graph: str | None, default: bool, media: str) -> str:
    """Which part a request asks for: a named graph's IRI, DEFAULT or DATASET. The whole
    dataset in a graph format is its default graph."""
    if graph is not None:
        return graph
    return DEFAULT if default or media in TRIPLE_FORMATS else DATASET


def offered(part: str) -> dict[str, pyoxigraph.RdfFormat]:
    """The formats a part is offered in: a dataset in quads formats as well."""
    return {**QUAD_FORMATS, **TRIPLE_FORMATS} if part == DATASET else dict(TRIPLE_FORMATS)


def body(store: Graphs, part: str, media: str) -> bytes:
    """The part of ``store`` in the format of ``media`` (one :func:`offered` for it)."""
    rdf_format = offered(part)[media]
    if part == DATASET:
        data = store.dump(format=rdf_format)
    elif part == DEFAULT:
        # The union of the named graphs, each triple once, in a stable order.
        union = {quad.triple for quad in store.quads_for_pattern(None, None, None, None)}
        data = pyoxigraph.serialize(sorted(union, key=str), format=rdf_format)
    else:
        data = store.dump(format=rdf_format, from_graph=pyoxigraph.NamedNode(part))
    return data or b""


def file_name(part: str, media: str) -> str:
    """Where the build writes a part, under ``graphstore/``: named graphs by a hash of their
    IRI, so no IRI ever becomes a path."""
    stem = part if part in (DATASET, DEFAULT) else hashlib.sha256(part.encode()).hexdigest()[:16]
    return f"{stem}.{EXTENSIONS[media]}"


def write_all(store: pyoxigraph.Store, directory: Path, graphs: list[str]) -> list[GraphFile]:
    """Every part (the dataset, the default graph, each of ``graphs``) in every format it is
    answered in, into ``directory``; one manifest entry per file."""
    directory.mkdir(parents=True)
    entries = []
    for part in [DATASET, DEFAULT, *sorted(graphs)]:
        # The dataset in a triples format is its default graph (part_of): quads formats only.
        for media in QUAD_FORMATS if part == DATASET else TRIPLE_FORMATS:
            data = body(store, part, media)
            name = file_name(part, media)
            (directory / name).write_bytes(data)
            entries.append(
                GraphFile(name, media, len(data), hashlib.sha256(data).hexdigest(), part=part)
            )
    return entries

"""Releases: immutable directories holding a store and its dumps, published by an atomic swap.

    var/
      releases/<time>-<build id>/   one finished build: store/, dumps/, graphstore/,
                                    manifest.json
      releases/.building-*/         a build in progress (removed if a build died)
      current -> releases/<name>    the published release, replaced with one rename
      build.lock                    held by the one build that may run at a time

A build writes everything into a fresh ``.building-*`` directory and, only when all of it is
written, renames that to its final name and repoints ``current``.  A failed or killed build
therefore never touches the published release, and a server that opened a release keeps
reading the same files however many builds follow (the last few releases are kept).
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pyoxigraph

from shkg.errors import BuildLocked, NoRelease
from shkg.graphstore import GRAPH_STORE
from shkg.manifest import Dump, Manifest

KEEP_RELEASES = 3
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Release:
    """A finished release directory."""

    path: Path

    @property
    def store_path(self) -> Path:
        return self.path / "store"

    @property
    def dumps(self) -> Path:
        return self.path / "dumps"

    @property
    def graph_store(self) -> Path:
        return self.path / GRAPH_STORE

    @cached_property
    def manifest(self) -> Manifest:
        """The release's manifest, read and checked once (a release never changes)."""
        return Manifest.read(self.path / MANIFEST)

    @property
    def build_id(self) -> str:
        return self.manifest.build_id

    def open_store(self) -> pyoxigraph.Store:
        """The release's store, read-only: many processes may open it at once."""
        return pyoxigraph.Store.read_only(str(self.store_path))


def current_release(var: Path) -> Release:
    """The published release, or NoRelease when nothing has been built yet."""
    link = var / "current"
    try:
        target = link.resolve(strict=True)
    except (FileNotFoundError, RuntimeError):
        raise NoRelease(f"no release in {var}: run `shkg build` first") from None
    return release_at(target)


def release_at(path: Path) -> Release:
    """The finished release in ``path``, or NoRelease if it is incomplete."""
    if not (path / MANIFEST).is_file():
        raise NoRelease(f"{path}: release is incomplete (no {MANIFEST})")
    return Release(path)


@contextmanager
def build_lock(var: Path) -> Iterator[None]:
    """Hold the build lock; a second concurrent build fails at once instead of racing."""
    var.mkdir(parents=True, exist_ok=True)
    with open(var / "build.lock", "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildLocked(f"{var}: another `shkg build` is running") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def start_release(var: Path) -> Path:
    """A fresh work directory for a build, after removing any left by a build that died.

    Call it only while holding :func:`build_lock`, so no live build's directory is removed.
    """
    releases = var / "releases"
    releases.mkdir(parents=True, exist_ok=True)
    for stale in releases.glob(".building-*"):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=".building-", dir=releases))


def publish(work: Path, name: str, var: Path) -> Release:
    """Move a finished work directory to its final name and point ``current`` at it."""
    releases = var / "releases"
    final = releases / name
    _fsync_tree(work)
    os.rename(work, final)
    _fsync_dir(releases)
    pointer = var / "current.new"
    if pointer.is_symlink() or pointer.exists():
        pointer.unlink()
    os.symlink(Path("releases") / name, pointer)
    os.replace(pointer, var / "current")
    _fsync_dir(var)
    _prune(releases, keep=final)
    return Release(final)


def write_dumps(store: pyoxigraph.Store, dumps: Path, graphs: dict[str, str]) -> list[Dump]:
    """Gzipped TriG and N-Quads of the whole dataset, Turtle per named graph, and SHA256SUMS.

    ``graphs`` maps a short name to a named graph IRI.  Returns one entry per file with its
    name, media type, byte size and SHA-256, for the manifest and the dataset description.
    """
    dumps.mkdir(parents=True)
    written: list[tuple[str, str, bytes]] = []
    for name, rdf_format, media in (
        ("shkg.trig.gz", pyoxigraph.RdfFormat.TRIG, "application/trig"),
        ("shkg.nq.gz", pyoxigraph.RdfFormat.N_QUADS, "application/n-quads"),
    ):
        data = store.dump(format=rdf_format)
        assert data is not None
        written.append((name, media, gzip.compress(data, mtime=0)))
    for short, iri in sorted(graphs.items()):
        data = store.dump(format=pyoxigraph.RdfFormat.TURTLE, from_graph=pyoxigraph.NamedNode(iri))
        assert data is not None
        written.append((f"graphs/{short}.ttl", "text/turtle", data))
    entries = []
    for name, media, data in written:
        path = dumps / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        entries.append(Dump(name, media, len(data), hashlib.sha256(data).hexdigest()))
    (dumps / "SHA256SUMS").write_text(
        "".join(f"{entry.sha256}  {entry.file}\n" for entry in entries), encoding="utf-8"
    )
    return entries


def _prune(releases: Path, keep: Path) -> None:
    finished = sorted(p for p in releases.iterdir() if p.is_dir() and not p.name.startswith("."))
    for old in finished[:-KEEP_RELEASES]:
        if old != keep:
            shutil.rmtree(old, ignore_errors=True)


def _fsync_tree(root: Path) -> None:
    for directory, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(directory, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        _fsync_dir(Path(directory))


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

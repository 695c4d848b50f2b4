"""Shared fixtures: a built release, a copy of the project to break, real server processes,
and the stores the example queries run over.  Helpers live in tests/support.py."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from shkg.build.pipeline import build
from shkg.build.publish import Credentials, publish_release
from shkg.build.release import MANIFEST, Release, current_release
from shkg.project import Project
from shkg.query.stores import ReadableStore
from shkg.run.backends import RemoteStore
from tests.support import (
    PROJECT_PARTS,
    ROOT,
    UNLIMITED,
    OxigraphBackend,
    ServerProcess,
    VirtuosoBackend,
    copy_project,
    quiet,
)
from tests.wikidata import Oxigraph, slice_turtle

# The test folders, each a marker: pytest -m unit runs tests/unit/.
LAYERS = ("unit", "data", "http", "e2e")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with its folder (unit, data, http, e2e).  Tests that start processes
    or drive a browser are also slow: the fast lane (``pytest -m "not slow"``) leaves them out."""
    processes = {
        "server",
        "backend",
        "backend_server",
        "virtuoso",
        "virtuoso_server",
        "guarded_server",
        "wikidata",
    }
    for item in items:
        folder = item.path.parent.name
        if folder in LAYERS:
            item.add_marker(getattr(pytest.mark, folder))
        callspec = getattr(item, "callspec", None)
        if (
            (callspec is not None and "virtuoso" in callspec.params.values())
            or item.get_closest_marker("server")
            or item.get_closest_marker("browser")
            or processes & set(getattr(item, "fixturenames", ()))
        ):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def release(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Release:
    """The repository's data, built once into pytest's cache directory and reused by later
    sessions while every input and every line of the package is the same (the key hashes
    them all); a copy is what the tests get, so none can spoil the kept one."""
    cache = getattr(pytestconfig, "cache", None)  # None: run with -p no:cacheprovider
    if cache is None:
        return build(Project.locate(ROOT, tmp_path_factory.mktemp("var")), quiet)
    kept = cache.mkdir("release") / _inputs_key()
    if not (kept / "current" / MANIFEST).is_file():
        shutil.rmtree(kept, ignore_errors=True)
        build(Project.locate(ROOT, kept), quiet)
    var = tmp_path_factory.mktemp("var")
    source = (kept / "current").resolve()
    (var / "releases").mkdir()
    shutil.copytree(source, var / "releases" / source.name)
    (var / "current").symlink_to(Path("releases") / source.name)
    return current_release(var)


def _inputs_key() -> str:
    digest = hashlib.sha256()
    parts = [*PROJECT_PARTS, "server/shkg"]
    for path in sorted(p for part in parts for p in (ROOT / part).rglob("*") if p.is_file()):
        if "node_modules" in path.parts or "__pycache__" in path.parts:
            continue
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:20]


@pytest.fixture
def project(tmp_path: Path) -> Project:
    return copy_project(tmp_path)


@pytest.fixture(scope="session")
def server(release: Release) -> Iterator[ServerProcess]:
    """A real uvicorn process serving the session's release."""
    process = ServerProcess(ROOT, release.path.parents[1])
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def backend(
    release: Release, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[OxigraphBackend]:
    """A second SPARQL server holding the session's release, loaded with `shkg publish`.  Its
    default graph is its own (not the union): every request names the release's graphs."""
    server = OxigraphBackend(tmp_path_factory.mktemp("backend") / "store", union=False)
    try:
        publish_release(release, server.store_url, quiet)
        yield server
    finally:
        server.stop()


def serve_over(release: Release, engine_url: str) -> Iterator[ServerProcess]:
    """`shkg serve --backend engine_url`, without the per-client rate limit:
    tests/e2e/test_backend.py asks it every page in turn."""
    process = ServerProcess(ROOT, release.path.parents[1], "--backend", engine_url, *UNLIMITED)
    try:
        yield process
    finally:
        process.stop()


@pytest.fixture(scope="session")
def backend_server(release: Release, backend: OxigraphBackend) -> Iterator[ServerProcess]:
    """`shkg serve --backend`: our server in front of the Oxigraph server holding the release."""
    yield from serve_over(release, backend.query_url)


@pytest.fixture(scope="session")
def virtuoso(
    release: Release, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[VirtuosoBackend]:
    """Virtuoso Open Source holding the session's release, loaded with `shkg publish` through
    its Graph Store with Digest authentication."""
    server = VirtuosoBackend(tmp_path_factory.mktemp("virtuoso"))
    try:
        publish_release(
            release,
            server.store_url,
            quiet,
            credentials=Credentials(server.user, server.password),
        )
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def virtuoso_server(release: Release, virtuoso: VirtuosoBackend) -> Iterator[ServerProcess]:
    """`shkg serve --backend`: our server in front of Virtuoso holding the release."""
    yield from serve_over(release, virtuoso.query_url)


@pytest.fixture(scope="module", params=["embedded", "backend", "virtuoso"])
def store(request: pytest.FixtureRequest, release: Release) -> Iterator[ReadableStore]:
    """The release's own store, and two other SPARQL servers (`oxigraph serve`, Virtuoso)
    that `shkg publish` loaded with it, each read through the store `shkg serve --backend`
    reads: each example query is asked of all three."""
    if request.param == "embedded":
        yield release.open_store()
        return
    backend: OxigraphBackend | VirtuosoBackend = request.getfixturevalue(request.param)
    remote = RemoteStore(backend.query_url, timeout=30, graphs=list(release.manifest.graphs))
    try:
        yield remote
    finally:
        remote.close()


@pytest.fixture(scope="module")
def wikidata(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    """A second SPARQL server standing in for Wikidata (see tests/wikidata.py)."""
    server = Oxigraph(tmp_path_factory.mktemp("wikidata"), slice_turtle())
    try:
        yield server
    finally:
        server.stop()

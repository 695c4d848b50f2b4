"""What the tests share besides fixtures: the repository's root, a copy of the project to
break, real child processes (our server, Oxigraph's), and helpers for the example queries."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pyoxigraph
import pytest
from bench.servers import virtuoso_config

from shkg import namespaces as ns
from shkg.project import Project
from shkg.query.stores import ReadableStore

ROOT = Path(__file__).resolve().parents[1]


PROJECT_PARTS = ("seeds", "ontology", "graph", "shapes", "queries")
# For servers that one test asks as fast as it can (every page in turn): the per-client rate
# limit, on by default, would answer it 429.
UNLIMITED = ("--client-requests-per-second", "off")


def copy_project(destination: Path) -> Project:
    """A writable copy of the project's inputs, with its own empty release directory."""
    for part in PROJECT_PARTS:
        if (ROOT / part).exists():
            shutil.copytree(ROOT / part, destination / part)
    return Project.locate(destination)


def quiet(message: str) -> None:
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_http(
    process: subprocess.Popen[bytes], url: str, what: str, seconds: float = 30
) -> None:
    """Wait until ``url`` answers 200, failing early if ``process`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not answer {url} within {seconds:g} s")


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections; ``hold`` keeps them open, unanswered."""

    def __init__(self, hold: bool = False) -> None:
        self.socket = socket.socket()
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen()
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.hold = hold
        self.held: list[socket.socket] = []
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                continue
            self.connections += 1
            if self.hold:
                self.held.append(connection)
            else:
                connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join()
        for connection in self.held:
            connection.close()
        self.socket.close()


class ChildServer:
    """An HTTP server in a child process on 127.0.0.1, waited for and stopped by process id."""

    def __init__(self, command: list[str], ready_path: str, what: str, seconds: float = 30) -> None:
        # Output goes to a file, not a pipe: a chatty server must never block on a full pipe.
        self.output = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            command, stdout=self.output, stderr=subprocess.STDOUT, env={**os.environ}
        )
        try:
            wait_for_http(self.process, self.url + ready_path, what, seconds)
        except RuntimeError as error:
            self.stop(close=False)
            self.output.seek(0)
            raise RuntimeError(f"{error}: {self.output.read().decode(errors='replace')}") from None

    port: int
    url: str

    def stop(self, close: bool = True) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if close:
            self.output.close()


class ServerProcess(ChildServer):
    """`shkg serve` in a child process."""

    def __init__(self, root: Path, var: Path, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            [
                sys.executable,
                "-m",
                "shkg.cli",
                "serve",
                "--root",
                str(root),
                "--var",
                str(var),
                "--port",
                str(self.port),
                "--log-level",
                "warning",
                "--access-log",
                "off",
                *options,
            ],
            "/healthz",
            "server",
        )


def oxigraph_command() -> str:
    """The `oxigraph` CLI (PyPI package oxigraph, a test dependency): a second SPARQL server."""
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        pytest.fail("the oxigraph CLI is missing: pip install -e '.[test]'")
    return found


class OxigraphBackend(ChildServer):
    """`oxigraph serve` (read-write) on 127.0.0.1 over an empty on-disk store, its default graph
    the union of its named graphs (``union=False`` leaves it the store's own default graph)."""

    def __init__(self, location: Path, union: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = self.url + "/query"
        self.store_url = self.url + "/store"
        super().__init__(
            [
                oxigraph_command(),
                "serve",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{self.port}",
                *(["--union-default-graph"] if union else []),
            ],
            "/query?query=ASK%20%7B%7D",
            "oxigraph serve",
        )


def needs(program: str, package: str) -> str:
    """The path of a program a test needs from a Debian package; a loud skip without it, or
    a failure when CI is set."""
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin")
    if found:
        return found
    message = f"{program} is missing: apt-get install {package}"
    if os.environ.get("CI"):
        pytest.fail(f"{message} (CI is set, so this fails instead of skipping)")
    pytest.skip(message)


class VirtuosoBackend(ChildServer):
    """Virtuoso Open Source (Debian's virtuoso-opensource: the engine behind DBpedia) on
    127.0.0.1, over a new database of its own in ``directory``.  SPARQL at /sparql; the Graph
    Store at /sparql-graph-crud-auth, behind HTTP Digest authentication as user dba (a new
    database's administrator, password dba)."""

    user = "dba"
    password = "dba"

    def __init__(self, directory: Path) -> None:
        program = needs("virtuoso-t", "virtuoso-opensource")
        self.port = free_port()
        self.sql_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.query_url = self.url + "/sparql"
        self.store_url = self.url + "/sparql-graph-crud-auth"
        ini = virtuoso_config(directory, self.port, self.sql_port)
        # A new database takes a few seconds to create before the HTTP server listens.
        super().__init__(
            [program, "+configfile", str(ini), "+foreground"],
            "/sparql?query=ASK%20%7B%7D",
            "virtuoso",
            seconds=90,
        )

    def sql(self, statement: str) -> str:
        """Run one SQL statement as dba through Virtuoso's own client; its output."""
        done = subprocess.run(
            [
                needs("isql-vt", "virtuoso-opensource"),
                str(self.sql_port),
                self.user,
                self.password,
                f"exec={statement}",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return done.stdout


def short(term: object) -> str | None:
    """An IRI under the dataset as kind/slug, a unit as unit:X, a literal as its lexical form."""
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        value = term.value
        for prefix, base in (("", ns.ID), ("shkg:", ns.SHKG), ("unit:", ns.UNIT)):
            if value.startswith(base):
                return prefix + value[len(base) :]
        return value
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    raise AssertionError(f"unexpected term {term!r}")


def run(store: ReadableStore, name: str) -> list[dict[str, str | None]]:
    """The rows of queries/``name``, each term shortened."""
    text = (ROOT / "queries" / name).read_text(encoding="utf-8")
    solutions = store.query(text, use_default_graph_as_union=True)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: short(solution[n]) for n in names} for solution in solutions]


def amount(text: str | None) -> Decimal | None:
    return None if text is None else Decimal(text)

"""`shkg publish` and `shkg serve --backend`: this server in front of another SPARQL engine.

Two other engines, `oxigraph serve` (the ``backend`` fixture) and Virtuoso Open Source (the
``virtuoso`` fixture), are each loaded with the session's release by ``shkg publish`` (Graph
Store Protocol, one PUT per named graph; Virtuoso's behind Digest authentication).  Our server
then serves each through ``--backend``: every page, description, download, Graph Store GET and
query must be the same as from the embedded store.  What SPARQL leaves open may differ: the
order of the values GROUP_CONCAT joins.
"""

from __future__ import annotations

import csv
import dataclasses
import gc
import io
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pyoxigraph
import pytest

from shkg import namespaces as ns
from shkg.build.publish import PASSWORD_VARIABLE, Credentials, PublishError, publish_release
from shkg.build.release import Release
from shkg.errors import BackendError, BadGateway, ServiceUnavailable
from shkg.manifest import Manifest, SearchFile
from shkg.query.results import Limits
from shkg.query.sparql import QueryRequest
from shkg.render.describe import select
from shkg.run.backends import RemoteQueries, RemoteStore, check_holds_release
from tests.support import (
    ROOT,
    UNLIMITED,
    Listener,
    OxigraphBackend,
    ServerProcess,
    VirtuosoBackend,
    quiet,
)

pytestmark = pytest.mark.server

QUERIES = sorted((ROOT / "queries").glob("*.rq"))
RESULT_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)
GRAPH_TYPES = ("text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml")
RDF_FORMATS = {
    "text/turtle": pyoxigraph.RdfFormat.TURTLE,
    "application/n-triples": pyoxigraph.RdfFormat.N_TRIPLES,
    "application/n-quads": pyoxigraph.RdfFormat.N_QUADS,
    "application/ld+json": pyoxigraph.RdfFormat.JSON_LD,
    "application/rdf+xml": pyoxigraph.RdfFormat.RDF_XML,
}
PLACEHOLDER = "http://server.test"


# One client, its connections kept: a new client costs more than most answers here.
CLIENT = httpx.Client(timeout=30)


@pytest.fixture(scope="module")
def server(release: Release) -> Iterator[ServerProcess]:
    """This module's embedded server: the session's, but for the per-client rate limit."""
    process = ServerProcess(ROOT, release.path.parents[1], *UNLIMITED)
    try:
        yield process
    finally:
        process.stop()


def get(server: ServerProcess, path: str, accept: str = "*/*") -> httpx.Response:
    return CLIENT.get(server.url + path, headers={"Accept": accept})


EMBEDDED_JSONLD = re.compile(rb'<script type="application/ld\+json">.*?</script>', re.S)


def body(server: ServerProcess, response: httpx.Response) -> bytes:
    """The body with the server's own address replaced: the two servers listen on two ports.
    A page's embedded JSON-LD is left out: it is the resource's JSON-LD document, whose blank
    node labels are each store's own (the RDF forms are compared as canonical datasets)."""
    content = EMBEDDED_JSONLD.sub(b"<script>embedded JSON-LD</script>", response.content)
    return content.replace(server.url.encode(), PLACEHOLDER.encode())


def canonical(server: ServerProcess, response: httpx.Response) -> pyoxigraph.Dataset:
    """The RDF of a response as a canonical dataset: equal whatever its blank node labels."""
    media = response.headers["content-type"].split(";")[0]
    dataset = pyoxigraph.Dataset(
        pyoxigraph.parse(body(server, response), format=RDF_FORMATS[media])
    )
    dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
    return dataset


def assert_same(
    embedded: ServerProcess, backed: ServerProcess, path: str, accept: str = "*/*"
) -> None:
    ours, theirs = get(embedded, path, accept), get(backed, path, accept)
    assert (ours.status_code, ours.headers.get("content-type")) == (
        theirs.status_code,
        theirs.headers.get("content-type"),
    ), path
    media = ours.headers.get("content-type", "").split(";")[0]
    # Descriptions in JSON-LD name a remote @context, which the parser would have to fetch.
    if media in RDF_FORMATS and media != "application/ld+json":
        assert canonical(embedded, ours) == canonical(backed, theirs), f"{path} as {accept}"
    else:
        assert body(embedded, ours) == body(backed, theirs), f"{path} as {accept}"


@pytest.fixture(scope="module", params=["oxigraph", "virtuoso"])
def engine(request: pytest.FixtureRequest) -> OxigraphBackend | VirtuosoBackend:
    """Each other engine, holding the session's release."""
    return request.getfixturevalue("backend" if request.param == "oxigraph" else "virtuoso")  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def engine_server(
    request: pytest.FixtureRequest, engine: OxigraphBackend | VirtuosoBackend
) -> ServerProcess:
    """`shkg serve --backend` in front of each other engine."""
    name = "virtuoso_server" if isinstance(engine, VirtuosoBackend) else "backend_server"
    return request.getfixturevalue(name)  # type: ignore[no-any-return]


def auth(engine: OxigraphBackend | VirtuosoBackend) -> httpx.Auth | None:
    return (
        Credentials(engine.user, engine.password) if isinstance(engine, VirtuosoBackend) else None
    )


GROUP_CONCAT = re.compile(r'GROUP_CONCAT\(.*?SEPARATOR="([^"]*)"\)\s+AS\s+\?(\w+)', re.S)
RESULT_FORMATS = {
    "application/sparql-results+json": pyoxigraph.QueryResultsFormat.JSON,
    "application/sparql-results+xml": pyoxigraph.QueryResultsFormat.XML,
    "text/csv": pyoxigraph.QueryResultsFormat.CSV,
    "text/tab-separated-values": pyoxigraph.QueryResultsFormat.TSV,
}


def rows_up_to_concat_order(query: str, response: httpx.Response) -> list[dict[str, object]]:
    """The answer's rows in order, each GROUP_CONCAT value as the sorted list of its parts."""
    joined = {name: separator for separator, name in GROUP_CONCAT.findall(query)}
    media = response.headers["content-type"].split(";")[0]
    if media == "text/csv":  # plain strings, which no RDF parser takes back
        return [
            {
                name: sorted(value.split(joined[name])) if name in joined and value else value
                for name, value in row.items()
            }
            for row in csv.DictReader(io.StringIO(response.text))
        ]
    solutions = pyoxigraph.parse_query_results(response.content, format=RESULT_FORMATS[media])
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    names = [v.value for v in solutions.variables]
    rows: list[dict[str, object]] = []
    for solution in solutions:
        row: dict[str, object] = {}
        for name in names:
            term = solution[name]
            row[name] = (
                sorted(term.value.split(joined[name]))
                if name in joined and term is not None
                else term
            )
        rows.append(row)
    return rows


def subjects(release: Release) -> list[str]:
    found = release.open_store().query(
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{ns.ID}")) }} '
        "ORDER BY ?s",
        use_default_graph_as_union=True,
    )
    assert isinstance(found, pyoxigraph.QuerySolutions)
    return [row["s"].value.removeprefix(ns.BASE.rstrip("/")) for row in found]


# ------------------------------------------------------------------ publishing


def test_publish_loads_every_named_graph(
    release: Release, engine: OxigraphBackend | VirtuosoBackend
) -> None:
    remote = RemoteStore(engine.query_url, timeout=30, graphs=list(release.manifest.graphs))
    try:
        check_holds_release(remote, release.manifest)  # this release, graph for graph
        local = release.open_store()
        for iri in release.manifest.graphs:
            graph = pyoxigraph.NamedNode(iri)
            there = httpx.get(
                engine.store_url,
                params={"graph": iri},
                headers={"Accept": "application/n-triples"},
                auth=auth(engine),
                timeout=30,
            )
            assert there.status_code == 200
            theirs = pyoxigraph.Dataset(
                pyoxigraph.parse(there.content, format=pyoxigraph.RdfFormat.N_TRIPLES)
            )
            ours = pyoxigraph.Dataset(
                pyoxigraph.Quad(q.subject, q.predicate, q.object)
                for q in local.quads_for_pattern(None, None, None, graph)
            )
            for dataset in (theirs, ours):
                dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.UNSTABLE)
            assert theirs == ours, iri
    finally:
        remote.close()


def publish_command(
    release: Release, *options: str, password: str | None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != PASSWORD_VARIABLE}
    if password is not None:
        environment[PASSWORD_VARIABLE] = password
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "shkg.cli",
            "publish",
            "--root",
            str(ROOT),
            "--var",
            str(release.path.parents[1]),
            *options,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        stdin=subprocess.DEVNULL,
        env=environment,
    )


def test_publish_command(release: Release, tmp_path: Path) -> None:
    target = OxigraphBackend(tmp_path / "store")
    try:
        done = publish_command(release, "--to", target.store_url, password=None)
        assert done.returncode == 0, done.stderr
        assert (
            f"published release {release.build_id}: {release.manifest.quads} triples" in done.stdout
        )
        remote = RemoteStore(target.query_url, timeout=30, graphs=list(release.manifest.graphs))
        check_holds_release(remote, release.manifest)
        remote.close()
    finally:
        target.stop()


def test_publish_to_nothing_says_where(release: Release) -> None:
    listener = Listener()  # accepts and closes at once: nothing speaks HTTP there
    listener.close()
    with pytest.raises(
        PublishError, match=rf"{listener.url}: cannot PUT graph <https://w3id.org/shkg/graph/"
    ):
        publish_release(release, listener.url, quiet, timeout=5)


def test_publish_refused_names_the_graph_and_status(
    release: Release, backend: OxigraphBackend
) -> None:
    # Oxigraph's query endpoint does not take PUT.
    with pytest.raises(
        PublishError, match=r"PUT of graph <https://w3id.org/shkg/graph/\w+> answered 4\d\d"
    ):
        publish_release(release, backend.query_url, quiet)


# ------------------------------------------------------------------ refusing a wrong backend


def serve_fails(release: Release, backend_url: str) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "shkg.cli",
            "serve",
            "--root",
            str(ROOT),
            "--var",
            str(release.path.parents[1]),
            "--port",
            "0",
            "--backend",
            backend_url,
            "--log-level",
            "warning",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    return done.stderr


def test_serve_refuses_a_backend_without_the_release(release: Release, tmp_path: Path) -> None:
    empty = OxigraphBackend(tmp_path / "store")
    try:
        message = serve_fails(release, empty.query_url)
        assert f"does not hold release {release.build_id}" in message
        entities = release.manifest.graphs[ns.ENTITIES_GRAPH]
        assert f"<{ns.ENTITIES_GRAPH}> has 0 triples, the release {entities}" in message
        assert "shkg publish" in message
    finally:
        empty.stop()


def test_serve_refuses_a_backend_holding_another_release(
    release: Release, engine: OxigraphBackend | VirtuosoBackend
) -> None:
    remote = RemoteStore(engine.query_url, timeout=30, graphs=list(release.manifest.graphs))
    other = dataclasses.replace(
        release.manifest, build_id="0123456789abcdef"
    )  # same sizes, another release
    with pytest.raises(
        BackendError,
        match=f"does not hold release 0123456789abcdef: its graph "
        f"<{ns.RELEASE_GRAPH}> does not name this release",
    ):
        check_holds_release(remote, other)
    remote.close()


def test_graphs_outside_the_release_are_never_read(
    release: Release, server: ServerProcess, tmp_path: Path
) -> None:
    # An engine holding the release and a graph of its own, which says something else about
    # Lingang and about a place the release does not have: neither may show.
    engine = OxigraphBackend(tmp_path / "store")
    backed = None
    try:
        publish_release(release, engine.store_url, quiet)
        stale = (
            f'<{ns.ID}place/lingang> <{ns.RDFS}label> "a label of another dataset"@en .\n'
            f'<{ns.ID}place/atlantis> <{ns.RDFS}label> "Atlantis"@en .\n'
        )
        assert httpx.put(
            engine.store_url,
            params={"graph": "https://example.org/other"},
            content=stale,
            headers={"Content-Type": "application/n-triples"},
        ).status_code in (200, 201, 204)
        backed = ServerProcess(ROOT, release.path.parents[1], "--backend", engine.query_url)
        for path in (
            "/id/place/lingang",
            "/id/place/lingang.ttl",
            "/id/place/atlantis",
            "/store",
            "/.well-known/void",
        ):
            assert_same(server, backed, path)
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
        graphs = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
        for query in (count, graphs):
            answers = [
                httpx.get(s.url + "/sparql", params={"query": query}).content
                for s in (server, backed)
            ]
            assert answers[0] == answers[1]
    finally:
        if backed:
            backed.stop()
        engine.stop()


def test_serve_refuses_an_unreachable_backend(release: Release) -> None:
    listener = Listener()
    listener.close()
    assert f"backend {listener.url}: the data backend could not be reached" in serve_fails(
        release, listener.url
    )


@pytest.mark.parametrize("url", ["http://[::1", "ftp://example.org/sparql", "not a url"])
def test_serve_and_publish_refuse_a_url_that_is_not_one(release: Release, url: str) -> None:
    assert "is not" in serve_fails(release, url)
    with pytest.raises(PublishError, match="is not"):
        publish_release(release, url, quiet)


# ------------------------------------------------------------------ the same answers


def test_every_resource_page_is_the_same(
    release: Release, server: ServerProcess, engine_server: ServerProcess
) -> None:
    paths = subjects(release)
    assert len(paths) > 100
    for path in paths:
        for accept in ("text/html", "text/turtle"):
            assert_same(server, engine_server, path, accept)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/ontology",
        "/ontology.ttl",
        "/id/dataset.ttl",
        "/.well-known/void",
        "/download/",
        "/download/SHA256SUMS",
        "/.well-known/sparql-examples",
        "/query",
        "/context.jsonld",
        "/sparql",
        "/store?graph=https://w3id.org/shkg/graph/entities",
        "/store?default",
        "/id/place/nowhere",
        "/id/place/lingang.jsonld",
        "/id/place/lingang.nt",
        "/id/place/lingang.rdf",
    ],
)
def test_every_other_page_is_the_same(
    server: ServerProcess, engine_server: ServerProcess, path: str
) -> None:
    assert_same(server, engine_server, path)


def test_the_whole_dataset_is_the_same(server: ServerProcess, engine_server: ServerProcess) -> None:
    assert_same(server, engine_server, "/store", "application/n-quads")


@pytest.mark.parametrize("path", QUERIES, ids=lambda p: p.name)
@pytest.mark.parametrize("accept", RESULT_TYPES)
def test_every_competency_query_is_the_same(
    server: ServerProcess,
    engine: OxigraphBackend | VirtuosoBackend,
    engine_server: ServerProcess,
    path: Path,
    accept: str,
) -> None:
    query = path.read_text(encoding="utf-8")
    ours = CLIENT.post(server.url + "/sparql", data={"query": query}, headers={"Accept": accept})
    theirs = CLIENT.post(
        engine_server.url + "/sparql", data={"query": query}, headers={"Accept": accept}
    )
    assert ours.status_code == theirs.status_code == 200
    if isinstance(engine, VirtuosoBackend) and GROUP_CONCAT.search(query):
        # Byte for byte but for the order of GROUP_CONCAT's parts, which SPARQL leaves open.
        assert rows_up_to_concat_order(query, ours) == rows_up_to_concat_order(query, theirs)
    else:
        assert ours.content == theirs.content
    assert ours.headers["etag"] == theirs.headers["etag"]  # same build, same request


@pytest.mark.parametrize("accept", GRAPH_TYPES)
def test_construct_is_the_same(
    server: ServerProcess, engine_server: ServerProcess, accept: str
) -> None:
    query = (
        "CONSTRUCT { ?quote ?p ?o . ?o ?sp ?so } WHERE { "
        "?quote a <https://w3id.org/shkg/ontology#Quote> ; "
        "?p ?o OPTIONAL { ?o ?sp ?so } }"
    )
    responses = [
        httpx.get(
            s.url + "/sparql", params={"query": query}, headers={"Accept": accept}, timeout=30
        )
        for s in (server, engine_server)
    ]
    assert [r.status_code for r in responses] == [200, 200]
    assert canonical(server, responses[0]) == canonical(engine_server, responses[1])
    assert len(canonical(server, responses[0])) > 100


@pytest.mark.parametrize(
    "query, status",
    [
        ("SELECT * WHERE { ?s ?p }", 400),
        (
            "ASK { <id/place/lingang> ?p ?o }",
            200,
        ),  # relative IRIs resolve against the dataset's base
        # 57 x 44 x 5 rows: cut at --max-rows, and marked
        (
            (
                f"SELECT * WHERE {{ ?a a <{ns.SHKG}Industry> . ?b a <{ns.SHKG}Observation> . "
                "VALUES ?n { 1 2 3 4 5 } } ORDER BY ?a ?b ?n"
            ),
            200,
        ),
        (
            "SELECT * WHERE { <id/place/lingang> ?p }",
            400,
        ),  # the error's column, as the query has it
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", 400),  # an update is not a query
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403),
    ],
)
def test_errors_and_limits_are_the_same(
    server: ServerProcess,
    engine: OxigraphBackend | VirtuosoBackend,
    engine_server: ServerProcess,
    query: str,
    status: int,
) -> None:
    responses = [
        httpx.post(
            s.url + "/sparql",
            data={"query": query},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        for s in (server, engine_server)
    ]
    assert [r.status_code for r in responses] == [status, status]
    if isinstance(engine, VirtuosoBackend) and status == 400 and "INSERT" not in query:
        # A syntax error is put in the engine's own words.
        assert all(r.json()["error"].startswith("malformed query") for r in responses)
    else:
        assert responses[0].content == responses[1].content
    assert responses[0].headers.get("shkg-truncated") == responses[1].headers.get("shkg-truncated")
    if "ORDER BY" in query:
        assert responses[0].headers["shkg-truncated"]


@pytest.mark.parametrize(
    "params",
    [
        {"default-graph-uri": ns.ENTITIES_GRAPH},
        {"named-graph-uri": ns.ENTITIES_GRAPH},
        {"default-graph-uri": ns.ENTITIES_GRAPH, "named-graph-uri": ns.ONTOLOGY_GRAPH},
    ],
)
def test_dataset_parameters_are_the_same(
    server: ServerProcess,
    engine: OxigraphBackend | VirtuosoBackend,
    engine_server: ServerProcess,
    params: dict[str, str],
) -> None:
    queries = [
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    ]
    if not isinstance(engine, VirtuosoBackend):
        # Virtuoso 7.2 miscounts the groups of this one (a fault of the engine's, which
        # counts the two parts apart, as above, rightly).
        queries.append(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } } "
            "GROUP BY ?g ORDER BY ?g"
        )
    for query in queries:
        answers = [
            httpx.get(
                s.url + "/sparql",
                params={"query": query, **params},
                headers={"Accept": "text/csv"},
                timeout=30,
            )
            for s in (server, engine_server)
        ]
        assert [a.status_code for a in answers] == [200, 200]
        assert answers[0].text == answers[1].text, query
        assert len(answers[0].text.splitlines()) >= 2


def test_two_processes_on_one_backend_write_the_same_bytes(
    release: Release, backend: OxigraphBackend
) -> None:
    # Blank nodes (the quotes' selectors) included: the same ETag must mean the same bytes.
    # The same public URL for both, as behind a load balancer (pages link to it).
    options = ("--backend", backend.query_url, "--public-url", "https://kg.example/")
    pair = [ServerProcess(ROOT, release.path.parents[1], *options) for _ in range(2)]
    try:
        for path in (
            "/store?graph=" + ns.article_graph("18db54f95c37712d"),
            "/id/quote/18db54f95c37712d-0-214.ttl",
            "/id/quote/18db54f95c37712d-0-214.jsonld",
        ):
            ours, theirs = (httpx.get(s.url + path, timeout=30) for s in pair)
            assert ours.headers["etag"] == theirs.headers["etag"]
            assert ours.content == theirs.content, path
            assert b"_:" in ours.content or b'"@id": "_:' in ours.content
        assert b"https://kg.example/context.jsonld" in ours.content
    finally:
        for server in pair:
            server.stop()


# ------------------------------------------------------------------ the backend failing


def test_pages_and_queries_are_502_when_the_backend_is_gone(
    release: Release, tmp_path: Path
) -> None:
    engine = OxigraphBackend(tmp_path / "store")
    publish_release(release, engine.store_url, quiet)
    backed = ServerProcess(ROOT, release.path.parents[1], "--backend", engine.query_url)
    try:
        engine.stop()
        for path in (
            "/id/place/jiading",
            "/id/place/jiading.ttl",
            "/",
            "/.well-known/void",
            "/ontology",
            "/sparql?query=ASK%7B%7D",
        ):
            response = httpx.get(backed.url + path, timeout=30)
            assert response.status_code == 502, path
            assert response.text == "the data backend could not be reached\n", path
            assert engine.url not in response.text  # the engine's address stays in the log
        # Whole graphs, like the downloads, are the release's own files, written by the build.
        for path in ("/store?graph=" + ns.ENTITIES_GRAPH, "/store?default", "/download/"):
            assert httpx.get(backed.url + path, timeout=30).status_code == 200, path
        answer = httpx.get(
            backed.url + "/sparql",
            params={"query": "ASK {}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=30,
        )
        assert answer.json() == {
            "ok": False,
            "status": 502,
            "error": "the data backend could not be reached",
        }
    finally:
        backed.stop()


def test_unreachable_backend_is_502() -> None:
    listener = Listener()
    listener.close()
    runner = RemoteQueries(RemoteStore(listener.url, timeout=5, graphs=[]), limits=Limits())
    with pytest.raises(BadGateway, match="the data backend could not be reached"):
        runner.run(QueryRequest(query="ASK {}"))
    runner.close()


def test_silent_backend_is_cut_at_the_timeout() -> None:
    listener = Listener(hold=True)  # takes the connection and never answers
    runner = RemoteQueries(RemoteStore(listener.url, timeout=1, graphs=[]), limits=Limits())
    try:
        with pytest.raises(ServiceUnavailable, match="query ran longer than 1 s and was cancelled"):
            runner.run(QueryRequest(query="ASK {}"))
        assert runner.timeouts == 1 and runner.busy == 0
    finally:
        runner.close()
        listener.close()


def test_backend_errors_are_refused_with_their_text() -> None:
    store = RemoteStore("http://127.0.0.1:9/none", timeout=1, graphs=[])
    with pytest.raises(BackendError, match="backend http://127.0.0.1:9/none"):
        check_holds_release(
            store,
            Manifest(
                *("x", "x", "2026-01-01T00:00:00+00:00", "0", 0, 0, {}, 0, {}, True, (), ()),
                search=SearchFile("s", "x", 0, "x", resources=0, names=0, seconds=0.0),
            ),
        )
    store.close()


@pytest.mark.parametrize(
    "path",
    [
        "/id/",
        "/id/target/?year=2025&format=csv",
        "/id/place/?format=json",
        "/id/target/?year=2025",
        "/id/example/01",
        "/graph/links",
    ],
)
def test_browsing_is_the_same_through_a_backend(
    server: ServerProcess, engine_server: ServerProcess, path: str
) -> None:
    assert_same(server, engine_server, path, "text/html")


class _UnparsableBackend(BaseHTTPRequestHandler):
    """Answers every query with SPARQL JSON whose blank node label pyoxigraph rejects (as it
    rejected Virtuoso's ``nodeID://b10007`` labels, before they were rewritten)."""

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = json.dumps(
            {
                "head": {"vars": ["p", "o"]},
                "results": {
                    "bindings": [
                        {
                            "p": {"type": "uri", "value": "http://a.example/p"},
                            "o": {"type": "bnode", "value": "b 10007"},
                        }
                    ]
                },
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


def test_an_answer_that_does_not_parse_is_502_on_any_thread() -> None:
    """The error leaves no pyoxigraph result behind: raised on one thread and handled on
    another (as the app does), dropping it must not panic."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _UnparsableBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    store = RemoteStore(f"http://127.0.0.1:{server.server_port}/sparql", timeout=5, graphs=[])
    try:
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(
                lambda: store.quads_for_pattern(
                    pyoxigraph.NamedNode("http://a.example/s"), None, None
                )
            )
            with pytest.raises(BadGateway, match="sent an answer that does not parse"):
                future.result()
        gc.collect()  # on this thread; a result left in the traceback would panic here
    finally:
        store.close()
        server.shutdown()
        server.server_close()


def test_a_select_the_pages_read_that_does_not_parse_is_502_on_any_thread() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _UnparsableBackend)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    store = RemoteStore(f"http://127.0.0.1:{server.server_port}/sparql", timeout=5, graphs=[])
    try:
        with ThreadPoolExecutor(1) as pool:
            future = pool.submit(lambda: select(store, "SELECT ?p ?o WHERE { ?s ?p ?o }"))
            with pytest.raises(BadGateway, match="does not parse"):
                future.result()
        gc.collect()
    finally:
        store.close()
        server.shutdown()
        server.server_close()


# ------------------------------------------------------------------ Virtuoso


def test_publish_command_answers_virtuoso_s_digest_challenge(
    release: Release, virtuoso: VirtuosoBackend
) -> None:
    # Refused without credentials, and with a wrong password, at the first graph.
    bare = publish_command(release, "--to", virtuoso.store_url, password=None)
    assert bare.returncode == 1 and "Traceback" not in bare.stderr
    assert "answered 401: it asks for credentials: give --user and set SHKG_PUBLISH_PASSWORD" in (
        bare.stderr
    )
    wrong = publish_command(
        release, "--to", virtuoso.store_url, "--user", virtuoso.user, password="not the password"
    )
    assert wrong.returncode == 1
    assert "answered 401: the user name or password was refused" in wrong.stderr
    unset = publish_command(
        release, "--to", virtuoso.store_url, "--user", virtuoso.user, password=None
    )
    assert unset.returncode == 1
    assert f"--user {virtuoso.user}: set SHKG_PUBLISH_PASSWORD to the password" in unset.stderr
    # With them, every graph again (a PUT replaces the graph: publishing twice is harmless).
    done = publish_command(
        release, "--to", virtuoso.store_url, "--user", virtuoso.user, password=virtuoso.password
    )
    assert done.returncode == 0, done.stderr
    assert f"published release {release.build_id}: {release.manifest.quads} triples" in done.stdout
    remote = RemoteStore(virtuoso.query_url, timeout=30, graphs=list(release.manifest.graphs))
    try:
        check_holds_release(remote, release.manifest)
    finally:
        remote.close()


@pytest.mark.parametrize(
    "query, where",
    [
        # A pragma that makes Virtuoso fetch the FROM graph from the web.
        (
            'DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/> { ?s ?p ?o }',
            "1, column 1",
        ),
        ('SELECT * WHERE { ?s bif:contains "x" }', "1, column 21"),  # its built-in functions
        ("SELECT * WHERE { ?s ?p ?o FILTER(sql:f(?o)) }", "1, column 34"),  # its SQL ones
        ('SELECT * WHERE { ?s ?p ?o FILTER(<bif:sys_stat>("st_dbms_name")) }', "1, column 34"),
        ("SELECT * WHERE { ?s ?p ?o } OPTION (QUIETCAST)", "1, column 29"),
    ],
)
def test_engine_extensions_never_reach_the_engine(
    virtuoso_server: ServerProcess, query: str, where: str
) -> None:
    response = httpx.post(
        virtuoso_server.url + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith(f"malformed query at line {where}: ")


def test_an_update_never_reaches_the_engine(
    virtuoso: VirtuosoBackend, virtuoso_server: ServerProcess
) -> None:
    # Virtuoso runs an update sent as `query` when its anonymous SPARQL account may write (a
    # common set-up): so granted here, the update would land if it were ever sent.
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    before = httpx.get(virtuoso_server.url + "/sparql", params={"query": count}).content
    virtuoso.sql('GRANT SPARQL_UPDATE TO "SPARQL"')
    try:
        for update in (
            f"INSERT DATA {{ GRAPH <{ns.ENTITIES_GRAPH}> {{ <urn:a> <urn:b> <urn:c> }} }}",
            f"PREFIX x: <urn:x> CLEAR GRAPH <{ns.ENTITIES_GRAPH}>",
        ):
            for method in ("GET", "POST"):
                response = httpx.request(
                    method,
                    virtuoso_server.url + "/sparql",
                    params={"query": update} if method == "GET" else None,
                    data={"query": update} if method == "POST" else None,
                    timeout=30,
                )
                assert response.status_code == 400, (update, method)
                assert "SPARQL updates are refused" in response.text
    finally:
        virtuoso.sql('REVOKE SPARQL_UPDATE FROM "SPARQL"')
    assert httpx.get(virtuoso_server.url + "/sparql", params={"query": count}).content == before


def test_virtuoso_s_ask_booleans_and_blank_nodes_read_as_the_standard_has_them(
    release: Release, virtuoso: VirtuosoBackend
) -> None:
    remote = RemoteStore(virtuoso.query_url, timeout=30, graphs=list(release.manifest.graphs))
    local = release.open_store()
    try:
        for query in (
            "ASK { ?s ?p ?o }",
            "ASK { <urn:nothing> ?p ?o }",
            f"SELECT ?o WHERE {{ ?s <{ns.OWL}deprecated> ?o }} LIMIT 1",
            f"SELECT ?selector WHERE {{ ?q <{ns.OA}hasSelector> ?selector }} LIMIT 3",
        ):
            theirs, ours = (
                s.query(query, use_default_graph_as_union=True) for s in (remote, local)
            )
            if isinstance(ours, pyoxigraph.QueryBoolean):
                assert isinstance(theirs, pyoxigraph.QueryBoolean)
                assert bool(theirs) == bool(ours), query
                continue
            assert isinstance(theirs, pyoxigraph.QuerySolutions)
            assert isinstance(ours, pyoxigraph.QuerySolutions)
            mine, other = list(ours), list(theirs)
            assert len(mine) == len(other) > 0
            for a, b in zip(mine, other, strict=True):
                assert type(a[0]) is type(b[0])  # a blank node is one on both sides
                if isinstance(a[0], pyoxigraph.Literal):
                    assert a[0] == b[0]  # "true"^^xsd:boolean, not Virtuoso's "1"
    finally:
        remote.close()

"""Federation out: with an allowlist, SERVICE calls another SPARQL endpoint, and only that one.

A second, independent SPARQL server (``oxigraph serve-read-only``, from the PyPI package
``oxigraph``) stands in for Wikidata.  It holds a small Wikidata-shaped slice that this module
writes itself: population (wdt:P1082) and inception (wdt:P571) for a few of the Wikidata items
our places are linked to with owl:sameAs.  The values are SYNTHETIC test constants, chosen to be
recognisable as such; they are not facts about these places.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from shkg.build.release import Release
from shkg.query.sparql import _service_failure
from tests.support import ROOT, Listener, ServerProcess, free_port
from tests.wikidata import FEDERATED_QUERY, JOINED, XSD, Oxigraph

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def federating(release: Release, wikidata: Oxigraph) -> Iterator[ServerProcess]:
    """Our server, allowed to call the second server's query endpoint and nothing else."""
    process = ServerProcess(
        ROOT, release.path.parents[1], "--federation-allowlist", wikidata.query_url
    )
    try:
        yield process
    finally:
        process.stop()


def sparql(server: ServerProcess, query: str, timeout: float = 30) -> httpx.Response:
    return httpx.post(
        server.url + "/sparql",
        data={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=timeout,
    )


def rows(response: httpx.Response) -> list[dict[str, str]]:
    return [
        {name: term["value"] for name, term in binding.items()}
        for binding in response.json()["results"]["bindings"]
    ]


def test_the_second_server_holds_the_slice(wikidata: Oxigraph) -> None:
    response = httpx.get(
        wikidata.query_url,
        timeout=10,
        params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "9"


def test_service_description_lists_the_allowed_endpoint(
    federating: ServerProcess, wikidata: Oxigraph
) -> None:
    response = httpx.get(federating.url + "/sparql", headers={"Accept": "text/turtle"}, timeout=10)
    assert response.status_code == 200
    assert f"<{wikidata.query_url}>" in response.text


def test_federated_query_joins_our_places_with_the_slice(
    federating: ServerProcess, wikidata: Oxigraph
) -> None:
    response = sparql(federating, FEDERATED_QUERY % wikidata.query_url)
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    # The full answer: our places in the Yangtze River Delta whose Wikidata item the second
    # server has a population for.  Q90 (linked from none of ours) and our places whose item
    # is not in the slice (Lu'an, Anhui, the districts...) drop out of the join.
    assert rows(response) == JOINED
    assert all(b["population"]["datatype"] == XSD + "integer" for b in bindings)
    assert all(b["inception"]["datatype"] == XSD + "dateTime" for b in bindings if "inception" in b)
    assert all(b["label"].get("xml:lang") == "en" for b in bindings)


def test_service_on_another_port_is_refused_before_evaluation(
    federating: ServerProcess, wikidata: Oxigraph
) -> None:
    listener = Listener()
    try:
        response = sparql(federating, FEDERATED_QUERY % listener.url)
        assert response.status_code == 403
        assert (
            f"SERVICE <{listener.url}> is not in this endpoint's federation allowlist "
            f"(allowed: <{wikidata.query_url}>)"
        ) in response.text
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()


def test_service_on_another_path_of_an_allowed_host_is_refused_before_evaluation(
    failing: tuple[ServerProcess, dict[str, str]], hanging: Listener
) -> None:
    # The hanging listener's /sparql is allowed; its /other, or /sparql/../other, is not.
    server, _ = failing
    for target in (
        f"http://127.0.0.1:{hanging.port}/other",
        f"http://127.0.0.1:{hanging.port}/sparql/../other",
    ):
        before = hanging.connections
        response = sparql(server, FEDERATED_QUERY % target)
        assert response.status_code == 403
        assert f"SERVICE <{target}> is not in this endpoint's federation allowlist" in response.text
        time.sleep(0.3)
        assert hanging.connections == before


@pytest.fixture(scope="module")
def hanging() -> Iterator[Listener]:
    listener = Listener(hold=True)
    try:
        yield listener
    finally:
        listener.close()


@pytest.fixture(scope="module")
def failing(
    release: Release, wikidata: Oxigraph, hanging: Listener
) -> Iterator[tuple[ServerProcess, dict[str, str]]]:
    """Our server with a 2 s query timeout, allowed to call endpoints that fail in several ways."""
    services = {
        "nothing listens": f"http://127.0.0.1:{free_port()}/sparql",
        "error answer": wikidata.url + "/no-such-path",
        "never answers": hanging.url,
    }
    process = ServerProcess(
        ROOT,
        release.path.parents[1],
        "--query-timeout",
        "2",
        "--federation-allowlist",
        ",".join(services.values()),
    )
    try:
        yield process, services
    finally:
        process.stop()


@pytest.mark.parametrize("case", ["nothing listens", "error answer"])
def test_a_failing_allowed_service_is_a_bad_gateway(
    failing: tuple[ServerProcess, dict[str, str]], case: str
) -> None:
    server, services = failing
    response = sparql(server, FEDERATED_QUERY % services[case])
    assert response.status_code == 502, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == 502
    assert body["error"].startswith(f"SERVICE <{services[case]}> failed: ")
    if case == "error answer":
        assert "404" in body["error"]
    # The server is still fine afterwards.
    assert sparql(server, "ASK { ?s ?p ?o }").json()["boolean"] is True


def test_a_service_that_never_answers_is_cut_by_the_query_timeout(
    failing: tuple[ServerProcess, dict[str, str]], hanging: Listener
) -> None:
    server, services = failing
    started = time.monotonic()
    response = sparql(server, FEDERATED_QUERY % services["never answers"], timeout=20)
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert "cancelled" in response.text
    assert elapsed < 5
    assert hanging.connections >= 1
    assert sparql(server, "ASK { ?s ?p ?o }").json()["boolean"] is True


def test_only_a_service_failure_is_a_bad_gateway() -> None:
    with_service = FEDERATED_QUERY % "http://127.0.0.1:9/sparql"
    assert (
        _service_failure("SELECT * WHERE { ?s ?p ?o }", ConnectionRefusedError("refused")) is None
    )
    assert _service_failure(with_service, RuntimeError("out of memory")) is None
    refused = _service_failure(
        with_service, ConnectionRefusedError("Connection refused (os error 111)")
    )
    assert refused is not None and refused.status == 502
    assert (
        refused.message
        == "SERVICE <http://127.0.0.1:9/sparql> failed: Connection refused (os error 111)"
    )


def test_a_bad_gateway_never_relays_the_other_endpoints_words() -> None:
    with_service = FEDERATED_QUERY % "http://127.0.0.1:9/sparql"
    relayed = _service_failure(
        with_service,
        OSError(
            "Error 500 Internal Server Error returned by http://127.0.0.1:9/sparql "
            "with payload: <script>SECRET</script>"
        ),
    )
    assert relayed is not None
    assert relayed.message == "SERVICE <http://127.0.0.1:9/sparql> failed: it answered HTTP 500"
    vague = _service_failure(with_service, RuntimeError("HTTP client error: SECRET words"))
    assert vague is not None and "SECRET" not in vague.message

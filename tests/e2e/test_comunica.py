"""Comunica federates our SPARQL endpoint with a second server, in one query without SERVICE.

Comunica (``@comunica/query-sparql``, pinned in ``tests/comunica/package-lock.json`` and installed
by ``npm ci --prefix tests/comunica``) is given two SPARQL endpoints as sources: our real
``shkg serve`` and the ``oxigraph serve-read-only`` that stands in for Wikidata with a small
SYNTHETIC slice (the ``wikidata`` fixture of ``test_federation_out``).  It splits the query itself:
our places and their owl:sameAs links come from us, wdt:P1082 / wdt:P571 from the other server.
``tests/comunica/federate.mjs`` lets Comunica fetch from those two endpoints only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time

import pytest

from tests.support import ROOT, Listener, ServerProcess
from tests.wikidata import JOIN_QUERY, JOINED, THEIR_PART, XSD, Oxigraph

pytestmark = pytest.mark.server

COMUNICA = ROOT / "tests" / "comunica"
SCRIPT = COMUNICA / "federate.mjs"

# The join of test_federation_out without SERVICE: Comunica decides which source answers what.
QUERY = JOIN_QUERY % THEIR_PART


def comunica_available() -> None:
    """Skip loudly without node or Comunica's node_modules; under CI, fail instead."""
    missing = []
    if shutil.which("node") is None:
        missing.append("node (Node.js 18 or later) is not installed")
    if not (COMUNICA / "node_modules" / "@comunica" / "query-sparql").is_dir():
        missing.append("tests/comunica/node_modules is missing: run npm ci --prefix tests/comunica")
    if missing:
        reason = "COMUNICA TESTS NOT RUN: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)


def run(query: str, *sources: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["node", str(SCRIPT), query, *sources],
        check=False,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=COMUNICA,
    )


def federate(query: str, *sources: str) -> list[dict[str, dict[str, str]]]:
    result = run(query, *sources)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def test_comunica_joins_our_places_with_the_second_server(
    server: ServerProcess,
    wikidata: Oxigraph,
) -> None:
    comunica_available()
    solutions = federate(QUERY, "sparql@" + server.url + "/sparql", "sparql@" + wikidata.query_url)
    # The same full answer as the SERVICE query of test_federation_out: Q90 (linked from none
    # of ours) and our places whose item the slice lacks drop out of the join.
    assert [{name: term["value"] for name, term in row.items()} for row in solutions] == JOINED
    assert all(row["population"]["datatype"] == XSD + "integer" for row in solutions)
    assert all(
        row["inception"]["datatype"] == XSD + "dateTime" for row in solutions if "inception" in row
    )
    assert all(row["label"].get("language") == "en" for row in solutions)


def test_comunica_finds_our_endpoint_from_its_service_description(
    server: ServerProcess,
    wikidata: Oxigraph,
) -> None:
    # Our endpoint given as a bare URL: Comunica GETs it, reads sd:endpoint in the service
    # description, and queries it as a SPARQL endpoint.  Read as a plain RDF document instead,
    # the description has no places, and the join would be empty.
    comunica_available()
    solutions = federate(QUERY, server.url + "/sparql", "sparql@" + wikidata.query_url)
    assert [{name: term["value"] for name, term in row.items()} for row in solutions] == JOINED


def test_comunica_reaches_no_host_but_its_sources(
    server: ServerProcess,
    wikidata: Oxigraph,
) -> None:
    # With two sources Comunica runs a SERVICE itself: to anything else (here a counting
    # listener) federate.mjs's fetch refuses it, before any connection is made.
    comunica_available()
    listener = Listener()
    try:
        result = run(
            f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}",
            "sparql@" + server.url + "/sparql",
            "sparql@" + wikidata.query_url,
        )
        assert result.returncode != 0
        assert f"refused to fetch {listener.url}" in result.stderr
        time.sleep(0.3)
        assert listener.connections == 0
    finally:
        listener.close()

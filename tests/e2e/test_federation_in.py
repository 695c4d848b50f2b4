"""Federation in: other engines call this endpoint with SERVICE and join it with their own data."""

from __future__ import annotations

import pyoxigraph
import rdflib

from tests.support import ServerProcess

LARGE_AIRCRAFT = "https://w3id.org/shkg/id/cluster/large-aircraft"
LINGANG = "https://w3id.org/shkg/id/place/lingang"


def remote(server: ServerProcess) -> str:
    return f"""
    SELECT ?note ?cluster WHERE {{
      ?place <http://example.org/note> ?note .
      SERVICE <{server.url}/sparql> {{ ?cluster <https://w3id.org/shkg/ontology#corePlace> ?place }}
    }}"""


def test_pyoxigraph_service_from_another_store(server: ServerProcess) -> None:
    local = pyoxigraph.Store()
    local.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(LINGANG),
            pyoxigraph.NamedNode("http://example.org/note"),
            pyoxigraph.Literal("a local note"),
        )
    )
    solutions = local.query(remote(server))
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    rows = [(s["note"].value, s["cluster"].value) for s in solutions]
    assert rows == [("a local note", LARGE_AIRCRAFT)]


def test_rdflib_service(server: ServerProcess) -> None:
    local = rdflib.Graph()
    local.add(
        (
            rdflib.URIRef(LINGANG),
            rdflib.URIRef("http://example.org/note"),
            rdflib.Literal("a local note"),
        )
    )
    rows = [(str(row[0]), str(row[1])) for row in local.query(remote(server))]  # type: ignore[index]
    assert rows == [("a local note", LARGE_AIRCRAFT)]

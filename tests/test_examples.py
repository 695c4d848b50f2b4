"""/.well-known/sparql-examples: the competency queries as SHACL SPARQL executables.

The examples served are exactly the files in queries/, whose full answers
tests/test_competency.py asserts; here each served example also runs through the endpoint.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rdflib
from fastapi.testclient import TestClient

from conftest import ROOT
from shkg.app import create_app
from shkg.release import Release
from shkg.settings import Settings

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(query_workers=0, access_log=False, root=str(ROOT)), release)) as test_client:
        yield test_client


def examples(client: TestClient) -> rdflib.Graph:
    response = client.get("/.well-known/sparql-examples")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/turtle")
    return rdflib.Graph().parse(data=response.text, format="turtle")


def test_every_query_file_is_an_example(client: TestClient) -> None:
    graph = examples(client)
    served = {str(text) for text in graph.objects(None, SH.select)}
    files = {path.read_text(encoding="utf-8") for path in (ROOT / "queries").glob("*.rq")}
    assert served == files and len(served) == 12
    for example in graph.subjects(rdflib.RDF.type, SH.SPARQLExecutable):
        assert graph.value(example, rdflib.RDFS.label) is not None
        assert graph.value(example, rdflib.RDFS.comment) is not None
        assert str(graph.value(example, rdflib.URIRef("https://schema.org/target"))) == "http://testserver/sparql"


def test_every_example_runs_and_answers(client: TestClient) -> None:
    for text in examples(client).objects(None, SH.select):
        response = client.post("/sparql", data={"query": str(text)})
        assert response.status_code == 200, text
        assert response.json()["results"]["bindings"], f"no answer for {text[:60]}"

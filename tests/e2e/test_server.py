"""The endpoint end to end: a real uvicorn process on 127.0.0.1, a real HTTP client."""

from __future__ import annotations

import httpx

from tests.support import ServerProcess

LINGANG = """
PREFIX shkg: <https://w3id.org/shkg/ontology#>
PREFIX place: <https://w3id.org/shkg/id/place/>
SELECT ?cluster WHERE { ?cluster shkg:corePlace place:lingang }
"""


def test_get_and_post_answer_the_same(server: ServerProcess) -> None:
    get = httpx.get(server.url + "/sparql", params={"query": LINGANG})
    form = httpx.post(server.url + "/sparql", data={"query": LINGANG})
    direct = httpx.post(
        server.url + "/sparql",
        content=LINGANG.encode(),
        headers={"content-type": "application/sparql-query"},
    )
    for response in (get, form, direct):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("application/sparql-results+json")
    rows = [b["cluster"]["value"] for b in get.json()["results"]["bindings"]]
    assert rows == ["https://w3id.org/shkg/id/cluster/large-aircraft"]
    assert form.json() == get.json() == direct.json()


def test_malformed_query_is_a_clear_400(server: ServerProcess) -> None:
    response = httpx.get(
        server.url + "/sparql",
        params={"query": "SELECT ?x WHERE { ?x"},
        headers={"accept": "application/json"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False and "malformed query: error at 1:" in body["error"]
    assert "Traceback" not in response.text


def test_update_is_refused(server: ServerProcess) -> None:
    response = httpx.post(server.url + "/sparql", data={"update": "INSERT DATA { <a> <b> <c> }"})
    assert response.status_code == 403

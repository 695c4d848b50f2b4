"""The endpoint end to end: a real uvicorn process on 127.0.0.1, a real HTTP client."""

from __future__ import annotations

import socket

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
    assert body["ok"] is False and "malformed query at line 1, column " in body["error"]
    assert body["line"] == 1 and body["column"] > 1  # for an editor to highlight
    assert "Traceback" not in response.text


def test_update_is_refused(server: ServerProcess) -> None:
    response = httpx.post(server.url + "/sparql", data={"update": "INSERT DATA { <a> <b> <c> }"})
    assert response.status_code == 403


def test_a_huge_header_is_431_at_once_and_others_are_served(server: ServerProcess) -> None:
    host, port = server.url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        sent = 0
        try:
            for _ in range(64):  # up to 64 MB; the server stops reading after 64 KB
                sock.sendall(b"a" * 2**20)
                sent += 2**20
        except OSError:
            pass
        answer = sock.recv(64)
    assert answer.startswith(b"HTTP/1.1 431") or answer == b""
    assert sent < 64 * 2**20
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_a_large_body_is_no_large_head(server: ServerProcess) -> None:
    # The head limit counts the head only, even when the body arrives in the same piece.
    padded = LINGANG + "#" * 90_000
    response = httpx.post(
        server.url + "/sparql",
        content=padded.encode(),
        headers={"content-type": "application/sparql-query"},
    )
    assert response.status_code == 200
    too_big = httpx.post(server.url + "/sparql", data={"query": "#" * 500_000})
    assert too_big.status_code == 413

"""A running server moves to each new release without a restart and without a failed request.

Clients query a real `shkg serve` while `shkg build` publishes a changed graph (Lingang's
label, in a copy of the project).  Every response must be a 200 from one release or the
other, as its ETag says (it begins with the build id), and must hold that release's label.
"""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from shkg.build.pipeline import build
from shkg.build.publish import publish_release
from shkg.build.release import current_release
from shkg.project import Project
from tests.support import OxigraphBackend, ServerProcess, quiet

pytestmark = pytest.mark.server

QUERY = (
    "SELECT ?label WHERE { <https://w3id.org/shkg/id/place/lingang> "
    '<http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = "en") }'
)
OLD, NEW = "Lingang", "Lingang (relabelled by a test)"


def relabel(project: Project) -> None:
    places = project.root / "graph" / "entities" / "places.ttl"
    text = places.read_text(encoding="utf-8")
    for predicate in ("rdfs:label", "skos:prefLabel"):  # the one entails the other
        assert f'{predicate} "{OLD}"@en ;' in text
        text = text.replace(f'{predicate} "{OLD}"@en ;', f'{predicate} "{NEW}"@en ;')
    places.write_text(text, encoding="utf-8")


def label_and_build(client: httpx.Client, url: str, n: int) -> tuple[int, str, str | None]:
    # A query unique to this request, so no cache answers it.
    response = client.get(
        url + "/sparql",
        params={"query": f"{QUERY} # {n}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    if response.status_code != 200:
        return response.status_code, "", None
    labels = {row["label"]["value"] for row in response.json()["results"]["bindings"]}
    return 200, response.headers["etag"].strip('"').split("-")[0], " | ".join(sorted(labels))


def wait_for_build(server: ServerProcess, build_id: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if httpx.get(server.url + "/healthz", timeout=5).json()["build_id"] == build_id:
            return
        time.sleep(0.1)
    raise AssertionError(f"the server did not move to build {build_id} within {seconds:g} s")


def test_rebuild_under_load_fails_no_request(project: Project) -> None:
    old = build(project, quiet)
    # Two clients asking as fast as they can: the per-client limits are not what is tested.
    server = ServerProcess(
        project.root,
        project.var,
        "--query-workers",
        "2",
        *("--client-requests-per-second", "off", "--rate-concurrent", "off"),
        *("--rate-query-seconds", "off"),
    )
    seen: list[tuple[int, str, str | None]] = []
    stop = threading.Event()

    def client_loop(offset: int) -> None:
        with httpx.Client(timeout=30) as client:
            n = offset
            while not stop.is_set() and n < offset + 100_000:
                seen.append(label_and_build(client, server.url, n))
                n += 2

    clients = [threading.Thread(target=client_loop, args=(i,)) for i in range(2)]
    try:
        for thread in clients:
            thread.start()
        time.sleep(1)
        relabel(project)
        new = build(project, quiet)
        wait_for_build(server, new.build_id)
        time.sleep(1)
    finally:
        stop.set()
        for thread in clients:
            thread.join()
        server.stop()
    assert old.build_id != new.build_id
    labels = {old.build_id: OLD, new.build_id: NEW}
    assert all(status == 200 for status, _, _ in seen), {status for status, _, _ in seen}
    # Each answer wholly from one release: its label is the one of the build its ETag names.
    wrong = {(build_id, label) for _, build_id, label in seen if labels[build_id] != label}
    assert not wrong
    builds = [build_id for _, build_id, _ in seen]
    assert builds.count(old.build_id) > 10 and builds.count(new.build_id) > 10


def test_a_release_the_backend_lacks_waits_until_it_is_published(project: Project) -> None:
    build(project, quiet)
    backend = OxigraphBackend(project.root / "backend-store")
    server = None
    try:
        publish_release(current_release(project.var), backend.store_url, quiet)
        server = ServerProcess(project.root, project.var, "--backend", backend.query_url)
        old_id = httpx.get(server.url + "/healthz").json()["build_id"]
        relabel(project)
        new = build(project, quiet)
        # The backend still holds the old release: the server goes on serving it, unharmed.
        time.sleep(2.5)
        with httpx.Client(timeout=30) as client:
            assert label_and_build(client, server.url, 1) == (200, old_id, OLD)
            publish_release(new, backend.store_url, quiet)
            wait_for_build(server, new.build_id)
            assert label_and_build(client, server.url, 2) == (200, new.build_id, NEW)
    finally:
        if server:
            server.stop()
        backend.stop()

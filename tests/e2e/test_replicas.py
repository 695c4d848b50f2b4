"""Stateless replicas, as the README's "Past one machine" section runs them.

Independent `shkg serve` processes over one release directory (read-only, so any number may
open it), and one over a copy of the release made with `cp -a` and a `current` link: behind any
load balancer they must be interchangeable, down to the ETag a client revalidates with.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pytest

from shkg.build.release import Release
from tests.support import ROOT, ServerProcess

pytestmark = pytest.mark.server

QUERY = (
    "PREFIX shkg: <https://w3id.org/shkg/ontology#> "
    "SELECT ?cluster WHERE { ?cluster shkg:corePlace <https://w3id.org/shkg/id/place/lingang> }"
)
PATHS = (
    "/sparql?" + urlencode({"query": QUERY}),
    "/id/place/lingang",
    "/id/place/lingang.ttl",
    "/.well-known/void",
)


def copy_release(release: Release, var: Path) -> None:
    """What the README says to do on another machine: copy the release, point `current` at it."""
    (var / "releases").mkdir(parents=True)
    subprocess.run(["cp", "-a", str(release.path), str(var / "releases")], check=True)
    subprocess.run(["ln", "-s", f"releases/{release.path.name}", str(var / "current")], check=True)


def test_replicas_over_one_store_and_a_copy_are_interchangeable(
    release: Release, tmp_path: Path
) -> None:
    copy_release(release, tmp_path / "var")
    # Every replica is told the one public URL it is reached at (pages link to it).
    options = ("--query-workers", "1", "--public-url", "https://kg.example/")
    replicas = [
        ServerProcess(ROOT, release.path.parents[1], *options),
        ServerProcess(ROOT, release.path.parents[1], *options),
        ServerProcess(ROOT, tmp_path / "var", *options),
    ]
    try:
        with httpx.Client(timeout=30) as client:
            for path in PATHS:
                answers = [client.get(replica.url + path) for replica in replicas]
                assert [a.status_code for a in answers] == [200, 200, 200], path
                assert len({a.headers["etag"] for a in answers}) == 1, path
                # A client holding one replica's ETag gets 304 from every other.
                tag = answers[0].headers["etag"]
                assert [
                    client.get(r.url + path, headers={"If-None-Match": tag}).status_code
                    for r in replicas
                ] == [304, 304, 304], path
                assert len({a.content for a in answers}) == 1, path
            health = [client.get(replica.url + "/healthz").json() for replica in replicas]
        assert {h["build_id"] for h in health} == {release.build_id}
    finally:
        for replica in replicas:
            replica.stop()

"""The fault and attack drills of bench/, small: what each checks must hold (timings aside).

The full drills (``python -m bench.drills``) print their figures; here each runs quick on a
copy of the session's release, and must come out ``ok``: no failed request, no 5xx, no error
out of shape, runaways cancelled and their workers replaced, a killed build leaving the
release serving, killed workers and server processes replaced.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from bench import drills

from shkg.build.release import Release

pytestmark = pytest.mark.server


def run(release: Release, name: str) -> drills.Drill:
    with drills.workspace(release.path) as space:
        drill = drills.all_drills()[name](space, True)
    print(drills.format_drill(drill))
    return drill


ATTACKS = (
    *("checker", "memory", "starve", "heavy-routes", "edges"),
    *("big-header", "slowloris", "slow-readers"),
)


@pytest.mark.parametrize("name", ["load", "abuse", "fuzz", "crash", *ATTACKS])
def test_drill(release: Release, name: str) -> None:
    drill = run(release, name)
    assert drill.ok, drill.failures
    assert drill.figures


def needs_nginx() -> None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        if os.environ.get("CI"):
            pytest.fail("nginx is missing: apt-get install nginx")
        pytest.skip("NGINX MISSING: apt-get install nginx to run the drills through the proxy")


def test_failover(release: Release) -> None:
    # Two replicas behind nginx with deploy/nginx.conf; one killed under load and restarted.
    needs_nginx()
    drill = run(release, "failover")
    assert drill.ok, drill.failures
    assert drill.figures["failed requests"] == "0"


@pytest.mark.parametrize("name", ATTACKS)
def test_attack_through_the_proxy(
    release: Release, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The production set-up: nginx with deploy/nginx.conf in front (Debian's nginx, which
    # .ci/run installs).
    needs_nginx()
    monkeypatch.setenv(drills.THROUGH_PROXY, "1")
    drill = run(release, name)
    assert drill.ok, drill.failures

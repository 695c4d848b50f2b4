"""The fault drills of bench/drills.py, small: what each checks must hold (timings aside).

The full drills (``python -m bench.drills``) print their figures; here each runs quick on a
copy of the session's release, and must come out ``ok``: no failed request, no 5xx, no error
out of shape, runaways cancelled and their workers replaced, a killed build leaving the
release serving, killed workers and server processes replaced.
"""

from __future__ import annotations

import pytest
from bench import drills

from shkg.build.release import Release

pytestmark = pytest.mark.server


def run(release: Release, name: str) -> drills.Drill:
    with drills.workspace(release.path) as space:
        drill = drills.all_drills()[name](space, True)
    print(drills.format_drill(drill))
    return drill


@pytest.mark.parametrize(
    "name",
    [
        *("load", "abuse", "fuzz", "crash"),
        # The attacks of bench/attacks.py, each quick (loopback only, bounded).
        *("checker", "memory", "starve", "edges", "big-header", "slowloris", "slow-readers"),
    ],
)
def test_drill(release: Release, name: str) -> None:
    drill = run(release, name)
    assert drill.ok, drill.failures
    assert drill.figures

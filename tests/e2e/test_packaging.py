"""The wheel: built from the project, it carries the query editor's files, and an install of it
(not this checkout's editable one) serves the editor from them.

The build copies the project to a temporary directory first, so that it writes nothing (no
build/, no egg-info) into the checkout.  The wheel goes into a fresh virtual environment that
sees the system's packages for the dependencies (nothing is downloaded but the build backend,
which pip takes from its index as for any build); the test checks that ``shkg`` is then
imported from that environment, not from the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from shkg.web import assets, querypage

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "server" / "shkg"
# What the page reads, as paths inside the package: YASGUI's manifest (for its version) and
# the build files it serves.
SERVED = sorted(
    [
        *(
            (querypage.YASGUI_DIR / name).relative_to(querypage.WEB.parent).as_posix()
            for name in ["package.json", *(f"build/{asset}" for asset in querypage.ASSETS)]
        ),
        # The site's own scripts and the npm libraries besides YASGUI (charts, /docs).
        *(
            (directory / name).relative_to(querypage.WEB.parent).as_posix()
            for directory, files in assets.FILES.values()
            for name in sorted(files)
        ),
    ]
)

# Run by the installed package: where shkg comes from, and what the query page finds.
PROBE = """
import json
import shkg
from shkg.web import querypage
print(json.dumps({
    "shkg": shkg.__file__,
    "version": querypage.yasgui_version(),
    "found": sorted(n for n in querypage.ASSETS if (querypage.YASGUI_DIR / "build" / n).is_file()),
}))
"""


def run(*command: str | Path, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, (
        f"{' '.join(map(str, command))} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    )
    return done.stdout


@pytest.mark.slow
def test_the_wheel_carries_the_query_editor(tmp_path: Path) -> None:
    version = querypage.yasgui_version()
    if version is None:
        message = f"YASGUI's assets are not installed ({querypage.INSTALL_COMMAND})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so this fails instead of skipping")
        pytest.skip(message)
    source = tmp_path / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(
        PACKAGE,
        source / "server" / "shkg",
        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"),
    )
    dist = tmp_path / "dist"
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", dist, source)
    [wheel] = dist.glob("shkg-*.whl")

    # The served files and nothing else of the npm project (node_modules holds thousands).
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert sorted(n.removeprefix("shkg/") for n in names if n.startswith("shkg/assets/")) == SERVED
    # The interface's translations.
    assert "shkg/locale/zh/LC_MESSAGES/messages.po" in names

    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv)
    python = venv / "bin" / "python"
    # --ignore-installed: the editable install of the system's packages is left alone.
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "--no-index",
        "--no-deps",
        "--ignore-installed",
        wheel,
    )
    # -I: no PYTHONPATH, no current directory on the path; only the environment's packages.
    probe = json.loads(run(python, "-I", "-c", PROBE, cwd=tmp_path))
    assert Path(probe["shkg"]).is_relative_to(venv), probe["shkg"]
    assert probe["version"] == version
    assert probe["found"] == sorted(querypage.ASSETS)

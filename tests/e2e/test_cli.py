"""The `shkg` command line, run as a user runs it: a child process, its output and exit code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from shkg.build.release import Release
from shkg.project import Project
from tests.support import ROOT


def shkg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "shkg.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_query_prints_tab_separated_rows(release: Release) -> None:
    result = shkg(
        "query",
        "--var",
        str(release.path.parents[1]),
        "SELECT ?c WHERE { ?c <https://w3id.org/shkg/ontology#corePlace> "
        "<https://w3id.org/shkg/id/place/lingang> }",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["?c", "<https://w3id.org/shkg/id/cluster/large-aircraft>"]


def test_query_error_is_one_line_without_traceback(release: Release) -> None:
    result = shkg("query", "--var", str(release.path.parents[1]), "SELECT WHERE {")
    assert result.returncode == 1
    assert result.stderr.startswith("shkg query: error: malformed query at line 1, column ")
    assert "Traceback" not in result.stderr


def test_query_without_a_release_says_so(tmp_path: Path) -> None:
    result = shkg("query", "--var", str(tmp_path / "nothing"), "ASK {}")
    assert result.returncode == 1
    assert "run `shkg build` first" in result.stderr


@pytest.mark.slow
def test_validate_reports_valid() -> None:
    result = shkg("validate")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "valid"


def test_build_error_exits_non_zero_naming_the_file(project: Project) -> None:
    path = project.root / "ontology" / "shkg.ttl"
    path.write_text(path.read_text(encoding="utf-8") + "\nthis is not turtle\n", encoding="utf-8")
    result = shkg("build", "--root", str(project.root))
    assert result.returncode == 1
    assert "ontology/shkg.ttl:" in result.stderr and "Turtle syntax error" in result.stderr
    assert "Traceback" not in result.stderr


def test_outside_a_project_the_error_says_where_to_run(tmp_path: Path) -> None:
    result = shkg("validate", cwd=tmp_path)
    assert result.returncode == 1
    assert "not a project directory" in result.stderr

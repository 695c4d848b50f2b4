"""The manifest is one typed record, checked when a release is opened."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from shkg.build.release import MANIFEST, Release
from shkg.errors import InputError
from shkg.manifest import Dump, GraphFile, Manifest


def test_the_release_manifest_reads_back_as_written(release: Release, tmp_path: Path) -> None:
    manifest = release.manifest
    assert isinstance(manifest, Manifest) and all(isinstance(d, Dump) for d in manifest.dumps)
    assert manifest.graph_store and all(isinstance(g, GraphFile) for g in manifest.graph_store)
    assert manifest.build_id == release.path.name.rsplit("-", 1)[1]
    assert sum(manifest.graphs.values()) == manifest.quads
    copy = tmp_path / MANIFEST
    manifest.write(copy)
    assert Manifest.read(copy) == manifest
    assert json.loads(copy.read_text()) == json.loads((release.path / MANIFEST).read_text())


def _damaged(release: Release, change: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((release.path / MANIFEST).read_text())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "named"),
    [
        (lambda d: d.pop("quads"), "field 'quads' is missing"),
        (lambda d: d.update(triples="17159"), "field 'triples' must be int"),
        (lambda d: d.update(quotes=True), "field 'quotes' must be int"),
        (lambda d: d.update(shacl_conforms=1), "field 'shacl_conforms' must be bool"),
        (lambda d: d["graphs"].update({"https://x/": None}), "field 'graphs.https://x/'"),
        (lambda d: d["dumps"][1].pop("sha256"), "field dumps[1].'sha256' is missing"),
        (lambda d: d["dumps"][0].update(bytes="9"), "field 'dumps[0].bytes' must be int"),
        (lambda d: d.pop("graph_store"), "field 'graph_store' is missing"),
        (lambda d: d["graph_store"][2].pop("part"), "field graph_store[2].'part' is missing"),
        (lambda d: d["graph_store"][0].update(file=7), "field 'graph_store[0].file' must be str"),
    ],
)
def test_a_damaged_manifest_is_refused_naming_the_field(
    release: Release, change: Any, named: str
) -> None:
    with pytest.raises(InputError) as refused:
        Manifest.from_json(_damaged(release, change), "var/manifest.json")
    assert str(refused.value).startswith("var/manifest.json: ")
    assert named in str(refused.value)


def test_an_unreadable_manifest_names_its_file(tmp_path: Path) -> None:
    path = tmp_path / MANIFEST
    path.write_text("{not json")
    with pytest.raises(InputError, match=f"{path}: cannot read the manifest"):
        Manifest.read(path)
    path.write_text("[]")
    with pytest.raises(InputError, match="not a JSON object"):
        Manifest.read(path)

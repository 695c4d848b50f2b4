"""A release's manifest: what the build made, as one typed, checked record.

The build writes it as ``manifest.json`` beside the store; everything else (the server, the
pages, the dataset description, ``shkg publish``, the backend check) reads it through
:class:`Manifest`, never by string key.  Reading checks every field's presence and type, so a
damaged or hand-edited manifest fails when the release is opened, naming the file and field.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from shkg.errors import InputError

D = TypeVar("D", bound="Dump")
# The types of the entries' fields, as their annotations name them.
KINDS: dict[str, type] = {"str": str, "int": int, "float": float}


@dataclass(frozen=True)
class Dump:
    """One downloadable file of the release, under its ``dumps/`` directory."""

    file: str
    media_type: str
    bytes: int
    sha256: str


@dataclass(frozen=True)
class GraphFile(Dump):
    """One of the graph store's answers, under the release's ``graphstore/`` directory
    (:mod:`shkg.graphstore`): ``part`` is a named graph's IRI, ``default`` or ``dataset``."""

    part: str


@dataclass(frozen=True)
class SearchFile(Dump):
    """The release's search index (:mod:`shkg.search`): how many resources and names it
    holds, and how long the build took to write it."""

    resources: int
    names: int
    seconds: float


@dataclass(frozen=True)
class Manifest:
    build_id: str
    # The SHA-256 of every input file of the build; ``build_id`` is its start.
    input_sha256: str
    # When the build ran, ISO 8601 with the time zone.
    created: str
    software_version: str
    quads: int
    # Distinct triples over all named graphs (the default graph is their union).
    triples: int
    # Named graph IRI -> its number of triples.
    graphs: Mapping[str, int]
    quotes: int
    # Seed key -> its file name under seeds/.
    seeds: Mapping[str, str]
    shacl_conforms: bool
    dumps: tuple[Dump, ...]
    graph_store: tuple[GraphFile, ...]
    search: SearchFile

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["graphs"] = dict(self.graphs)
        data["seeds"] = dict(self.seeds)
        data["dumps"] = [asdict(dump) for dump in self.dumps]
        data["graph_store"] = [asdict(entry) for entry in self.graph_store]
        data["search"] = asdict(self.search)
        return data

    def write(self, path: Path) -> None:
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Manifest:
        """The manifest in ``path``; InputError naming the file and field if it is damaged."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InputError(f"{path}: cannot read the manifest: {error}") from None
        return cls.from_json(data, str(path))

    @classmethod
    def from_json(cls, data: Any, where: str = "manifest") -> Manifest:
        if not isinstance(data, dict):
            raise InputError(f"{where}: the manifest is not a JSON object")
        values: dict[str, Any] = {}
        for field in fields(cls):
            if field.name not in data:
                raise InputError(f"{where}: field {field.name!r} is missing")
            values[field.name] = data[field.name]
        for name in ("build_id", "input_sha256", "created", "software_version"):
            _expect(values[name], str, where, name)
        for name in ("quads", "triples", "quotes"):
            _expect(values[name], int, where, name)
        _expect(values["shacl_conforms"], bool, where, "shacl_conforms")
        values["graphs"] = _mapping(values["graphs"], int, where, "graphs")
        values["seeds"] = _mapping(values["seeds"], str, where, "seeds")
        for name, kind in (("dumps", Dump), ("graph_store", GraphFile)):
            entries = values[name]
            _expect(entries, list, where, name)
            values[name] = tuple(
                _entry(kind, entry, where, f"{name}[{index}]")
                for index, entry in enumerate(entries)
            )
        values["search"] = _entry(SearchFile, values["search"], where, "search")
        return cls(**values)


def _expect(value: Any, kind: type, where: str, name: str) -> None:
    # bool is an int to Python; a count that is true or false is still wrong. A whole number
    # is a float too (JSON writes 0.0 as 0 in some hands).
    accepted = (int, float) if kind is float else kind
    if not isinstance(value, accepted) or (kind in (int, float) and isinstance(value, bool)):
        raise InputError(f"{where}: field {name!r} must be {kind.__name__}, not {value!r}")


def _mapping(value: Any, kind: type, where: str, name: str) -> dict[str, Any]:
    _expect(value, dict, where, name)
    for key, item in value.items():
        _expect(item, kind, where, f"{name}.{key}")
    return dict(value)


def _entry(kind: type[D], entry: Any, where: str, name: str) -> D:
    _expect(entry, dict, where, name)
    values = {}
    for field in fields(kind):
        if field.name not in entry:
            raise InputError(f"{where}: field {name}.{field.name!r} is missing")
        _expect(entry[field.name], KINDS[str(field.type)], where, f"{name}.{field.name}")
        values[field.name] = entry[field.name]
    return kind(**values)

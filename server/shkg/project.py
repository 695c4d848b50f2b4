"""Where the project's files live: the inputs of a build and the directory releases go to."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from shkg.errors import InputError


@dataclass(frozen=True)
class Project:
    """The project directory (the repository root) and the release directory beneath it."""

    root: Path
    var: Path

    @classmethod
    def locate(
        cls, root: str | os.PathLike[str] | None = None, var: str | os.PathLike[str] | None = None
    ) -> Project:
        base = Path(root if root is not None else os.environ.get("SHKG_ROOT", ".")).resolve()
        if not (base / "graph").is_dir() or not (base / "ontology").is_dir():
            raise InputError(
                f"{base}: not a project directory (it needs graph/ and ontology/); "
                "run from the repository root or pass --root"
            )
        release_dir = Path(var).resolve() if var is not None else base / "var"
        return cls(root=base, var=release_dir)

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def catalogue(self) -> Path:
        return self.seeds / "catalogue.ttl"

    @property
    def ontology_files(self) -> list[Path]:
        return sorted((self.root / "ontology").glob("*.ttl"))

    @property
    def entity_files(self) -> list[Path]:
        return sorted((self.root / "graph" / "entities").glob("*.ttl"))

    @property
    def article_files(self) -> list[Path]:
        return sorted((self.root / "graph" / "articles").glob("*.trig"))

    @property
    def readings(self) -> Path:
        return self.root / "graph" / "readings.ttl"

    @property
    def shape_files(self) -> list[Path]:
        return sorted((self.root / "shapes").glob("*.ttl"))

    @property
    def links_table(self) -> Path:
        return self.root / "graph" / "links" / "wikidata.tsv"

    @property
    def links_map(self) -> Path:
        return self.root / "graph" / "links" / "entities.tsv"

    @property
    def waivers(self) -> Path:
        return self.root / "graph" / "coverage-waivers.tsv"

    @property
    def queries(self) -> Path:
        return self.root / "queries"

    def relative(self, path: Path) -> str:
        """A path as the user should see it: relative to the project root when inside it."""
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

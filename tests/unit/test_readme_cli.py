"""The README's "Command line" section is what ``shkg --help`` and each command's ``--help``
print now (scripts/readme_cli.py writes it)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[2]


def readme_cli() -> ModuleType:
    spec = importlib.util.spec_from_file_location("readme_cli", ROOT / "scripts" / "readme_cli.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_shows_the_current_command_line_help() -> None:
    script = readme_cli()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert script.START in readme and script.END in readme, "README has no cli-help section"
    assert script.is_current(readme), (
        "README's command line help is out of date: run `python scripts/readme_cli.py`"
    )


def test_every_command_is_shown() -> None:
    commands = [command for command, _ in readme_cli().helps()]
    names = ["build", "validate", "serve", "query", "publish", "coverage", "add-article", "quote"]
    assert commands == ["shkg --help", *(f"shkg {name} --help" for name in names)]

#!/usr/bin/env python3
"""Write the help of ``shkg`` and of each of its commands into README.md, between the comments
``<!-- cli-help start -->`` and ``<!-- cli-help end -->``.

    python scripts/readme_cli.py          # rewrite the README's section
    python scripts/readme_cli.py --check  # exit 1, saying so, if the section is out of date

The help comes from the command line's own parser (shkg.cli), built in this process, at a
fixed width of 100 columns, so that it reads the same wherever it is made (with Python 3.11,
the project's: another version of argparse may lay it out otherwise).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
START = "<!-- cli-help start -->"
END = "<!-- cli-help end -->"
COLUMNS = 100


def helps() -> list[tuple[str, str]]:
    """(command, the help it prints) for ``shkg --help`` and ``shkg COMMAND --help``."""
    from shkg import cli

    saved = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = str(COLUMNS)  # argparse reads the width from here
    try:
        parser = cli._parser()
        found = [("shkg --help", parser.format_help())]
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, command in action.choices.items():
                    found.append((f"shkg {name} --help", command.format_help()))
    finally:
        if saved is None:
            del os.environ["COLUMNS"]
        else:
            os.environ["COLUMNS"] = saved
    return found


def section() -> str:
    """What stands between the markers: one folded block per command."""
    blocks = [
        f"<details><summary><code>{command}</code></summary>\n\n"
        f"```text\n{text.rstrip()}\n```\n\n</details>\n"
        for command, text in helps()
    ]
    return "\n" + "\n".join(blocks)


def updated(readme: str) -> str:
    """The README with the section between the markers replaced by the current help."""
    start, end = readme.find(START), readme.find(END)
    if start < 0 or end < start:
        raise SystemExit(f"README.md has no {START} ... {END} section")
    return readme[: start + len(START)] + section() + readme[end:]


def is_current(readme: str) -> bool:
    return updated(readme) == readme


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--check", action="store_true", help="only check that the README is current"
    )
    args = parser.parse_args(argv)
    readme = README.read_text(encoding="utf-8")
    if args.check:
        if not is_current(readme):
            print(
                "README.md: the command line help (between the cli-help markers) is out of "
                "date; run `python scripts/readme_cli.py` and commit the README",
                file=sys.stderr,
            )
            return 1
        return 0
    text = updated(readme)
    if text != readme:
        README.write_text(text, encoding="utf-8")
        print("README.md: command line help updated")
    return 0


if __name__ == "__main__":
    sys.exit(main())

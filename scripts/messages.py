#!/usr/bin/env python3
"""Keep the interface's message catalogues in step with the code (see shkg/render/i18n.py).

    python scripts/messages.py          # add the code's new messages to each catalogue (to
                                        # translate), drop those the code no longer has
    python scripts/messages.py --check  # exit 1 if a catalogue lacks a message or a translation

The catalogues are gettext .po files, read and written with Babel.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "server"))

from shkg.render.i18n import LANGUAGES, LOCALES, marked_messages  # noqa: E402


def sources() -> list[Path]:
    return sorted((ROOT / "server" / "shkg").rglob("*.py"))


def updated(code: str, path: Path) -> tuple[Catalog, list[str]]:
    """The catalogue of ``code`` with the code's messages, and what is wrong with the file."""
    old = Catalog(locale=code)
    if path.is_file():
        with path.open("rb") as source:
            old = read_po(source, locale=code)
    new = Catalog(
        locale=code,
        domain="messages",
        project="shkg",
        copyright_holder="the shkg authors",
        # Fixed dates: the file changes only when a message does.
        creation_date=EPOCH,
        revision_date=EPOCH,
        last_translator="the shkg authors",
        language_team=code,
        fuzzy=False,
    )
    problems = []
    wanted = marked_messages(sources())
    for message, plural, where in wanted:
        key = (message, plural) if plural else message
        before = old.get(message)
        string = before.string if before is not None else ("", "") if plural else ""
        new.add(key, string, locations=[(where.split(":")[0], int(where.split(":")[1]))])
        if before is None:
            problems.append(f"{path}: no entry for {message!r} ({where})")
        elif not (all(string) if isinstance(string, tuple) else string):
            problems.append(f"{path}: {message!r} is not translated ({where})")
    kept = {m for m, _, _ in wanted}
    problems += [
        f"{path}: {entry.id!r} is no longer in the code"
        for entry in old
        if entry.id and (entry.id[0] if isinstance(entry.id, tuple) else entry.id) not in kept
    ]
    return new, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report, change nothing")
    args = parser.parse_args()
    problems: list[str] = []
    for code in LANGUAGES[1:]:  # English is the code's own
        path = LOCALES / code / "LC_MESSAGES" / "messages.po"
        catalog, found = updated(code, path)
        problems += found
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as out:
                write_po(out, catalog, width=100, sort_output=False, include_lineno=False)
    for problem in problems:
        print(problem, file=sys.stderr)
    if args.check and problems:
        return 1
    print(f"scripts/messages: {len(marked_messages(sources()))} messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())

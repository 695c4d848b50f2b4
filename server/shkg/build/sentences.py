"""Splitting a seed into sentences (the unit `shkg coverage` accounts for)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from shkg.build.sources import Seed

# Sentences end at . ? ! (before white space and a capital, digit or quote) or at a line end.
_SENTENCE_END = re.compile(r"""(?<=[.?!])["'”’]?\s+(?=["“‘(]?[A-Z0-9])""")


@dataclass(frozen=True)
class Sentence:
    seed: Seed
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.seed.text[self.start : self.end]


def sentences(seed: Seed) -> list[Sentence]:
    """The seed's sentences: each non-blank line, split at sentence ends."""
    found = []
    offset = 0
    for line in seed.text.splitlines(keepends=True):
        begin = 0
        for match in _SENTENCE_END.finditer(line):
            found.append(_trimmed(seed, offset, line, begin, match.start()))
            begin = match.end()
        found.append(_trimmed(seed, offset, line, begin, len(line)))
        offset += len(line)
    return [s for s in found if s is not None]


def _trimmed(seed: Seed, offset: int, line: str, begin: int, end: int) -> Sentence | None:
    piece = line[begin:end]
    stripped = piece.strip()
    if not stripped:
        return None
    start = offset + begin + (len(piece) - len(piece.lstrip()))
    return Sentence(seed, start, start + len(stripped))

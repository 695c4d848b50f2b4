"""Splitting a seed into sentences, and telling which ones state a number or a date."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sources import Seed

# Sentences end at . ? ! (before white space and a capital, digit or quote) or at a line end.
_SENTENCE_END = re.compile(r"""(?<=[.?!])["'”’]?\s+(?=["“‘(]?[A-Z0-9])""")
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|"
    r"hundred|thousand|million|billion|trillion|half|double|twice|triple|dozen|"
    r"first|second|third|fourth|fifth|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|"
    r"quarters?|percent|percentage|"
    r"january|february|march|april|may|june|july|august|september|october|november|december|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|yesterday|today|recently|"
    r"last year|next year|this year"
)
_NUMERIC = re.compile(rf"\d|\b(?:{_NUMBER_WORDS})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    seed: Seed
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.seed.text[self.start:self.end]


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


def is_numeric(sentence: Sentence) -> bool:
    return bool(_NUMERIC.search(sentence.text))

"""`shkg coverage`: which sentences of the seeds state a number or a date, and which facts quote them.

A sentence is covered when a quote in the graph overlaps it.  A numeric sentence may be left
out on purpose only by a line in graph/coverage-waivers.tsv giving the seed, the start of the
sentence and the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import rdflib

from .build import read_project
from .checks import quotes_in
from .errors import InputError
from .project import Project
from .sentences import Sentence, is_numeric, sentences


@dataclass(frozen=True)
class Waiver:
    seed: str
    starts_with: str
    reason: str
    line: int


def read_waivers(project: Project) -> list[Waiver]:
    path = project.waivers
    if not path.exists():
        return []
    waivers = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) != 3 or not all(c.strip() for c in cells):
            raise InputError(f"{project.relative(path)}:{number}: want 3 tab-separated cells: "
                             "seed file, start of the sentence, reason")
        waivers.append(Waiver(cells[0].strip(), cells[1], cells[2].strip(), number))
    return waivers


@dataclass(frozen=True)
class Entry:
    sentence: Sentence
    facts: tuple[str, ...]
    waiver: Waiver | None


@dataclass(frozen=True)
class CoverageReport:
    entries: tuple[Entry, ...]
    unused_waivers: tuple[Waiver, ...]

    @property
    def missing(self) -> list[Entry]:
        return [e for e in self.entries if not e.facts and e.waiver is None]

    def format(self, show_covered: bool = False) -> str:
        lines = []
        for entry in self.entries:
            seed = entry.sentence.seed.path.name
            where = f"{seed}:{entry.sentence.start}-{entry.sentence.end}"
            excerpt = _excerpt(entry.sentence.text)
            if entry.facts:
                if show_covered:
                    lines.append(f"covered  {where}  {excerpt}\n         by {', '.join(entry.facts)}")
            elif entry.waiver:
                lines.append(f"waived   {where}  {excerpt}\n         because {entry.waiver.reason}")
            else:
                lines.append(f"MISSING  {where}  {excerpt}")
        for waiver in self.unused_waivers:
            lines.append(f"UNUSED WAIVER line {waiver.line}: {waiver.seed} {waiver.starts_with!r} "
                         "matches no uncovered numeric sentence")
        covered = sum(1 for e in self.entries if e.facts)
        waived = sum(1 for e in self.entries if not e.facts and e.waiver)
        lines.append(f"{len(self.entries)} numeric sentences: {covered} covered, {waived} waived, "
                     f"{len(self.missing)} missing")
        return "\n".join(lines)


def coverage_report(project: Project) -> CoverageReport:
    checked = read_project(project)
    union = checked.union()
    spans: dict[str, list[tuple[int, int, str]]] = {}
    prov = rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    for quote in quotes_in(union):
        citing = sorted(str(f).rsplit("/", 2)[-2] + ":" + str(f).rsplit("/", 1)[-1]
                        for f in union.subjects(prov, rdflib.URIRef(quote.iri)))
        for fact in citing or [quote.iri]:
            spans.setdefault(quote.article, []).append((quote.start, quote.end, fact))
    waivers = read_waivers(project)
    used: set[Waiver] = set()
    entries = []
    for seed in checked.seeds:
        for sentence in sentences(seed):
            if not is_numeric(sentence):
                continue
            facts = tuple(sorted({fact for start, end, fact in spans.get(seed.article, [])
                                  if start < sentence.end and sentence.start < end}))
            waiver = None
            if not facts:
                waiver = next((w for w in waivers if w.seed == seed.path.name
                               and sentence.text.startswith(w.starts_with)), None)
                if waiver:
                    used.add(waiver)
            entries.append(Entry(sentence, facts, waiver))
    unused = tuple(w for w in waivers if w not in used)
    return CoverageReport(tuple(entries), unused)


def _excerpt(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

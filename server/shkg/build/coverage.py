"""`shkg coverage`: every sentence of every seed, and what accounts for it.

A sentence is *covered* when a quote overlapping it states something: the graph of an article
file named by that quote holds at least one triple, or the catalogue gives the quote as the
article's title or date line.  A sentence that states nothing about the world may instead be
*waived*, by a line of graph/coverage-waivers.tsv giving the seed, the start of the sentence
and a reason from the closed list of the ontology's waiver-reasons scheme
(``scheme:coverage-waiver-reasons`` in ontology/schemes.ttl).  Anything else is missing, and a
waiver that matches no uncovered sentence, or gives a reason outside the list, is an error.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import rdflib

from shkg import namespaces as ns
from shkg.build.checks import quotes_in
from shkg.build.pipeline import CheckedProject, read_project
from shkg.build.sentences import Sentence, sentences
from shkg.errors import InputError
from shkg.project import Project

WAIVER_SCHEME = rdflib.URIRef(ns.ID + "scheme/coverage-waiver-reasons")
WAIVER_REASON = ns.ID + "waiver-reason/"


@dataclass(frozen=True)
class Waiver:
    seed: str
    starts_with: str
    reason: str
    note: str
    line: int


def waiver_reasons(checked: CheckedProject) -> set[str]:
    """The short names of the reasons the ontology lists (``page-furniture``, ...)."""
    ontology = next(g.graph for g in checked.graphs if g.iri == ns.ONTOLOGY_GRAPH)
    in_scheme = rdflib.URIRef(ns.SKOS + "inScheme")
    return {str(c).removeprefix(WAIVER_REASON) for c in ontology.subjects(in_scheme, WAIVER_SCHEME)}


def read_waivers(project: Project, reasons: set[str]) -> list[Waiver]:
    path = project.waivers
    if not path.exists():
        return []
    where = project.relative(path)
    waivers = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) not in (3, 4) or not all(c.strip() for c in cells[:3]):
            raise InputError(
                f"{where}:{number}: want 3 or 4 tab-separated cells: seed file, start "
                "of the sentence, reason, and optionally a note"
            )
        reason = cells[2].strip()
        if reason not in reasons:
            raise InputError(
                f"{where}:{number}: reason {reason!r} is not one of the listed "
                f"waiver reasons: {', '.join(sorted(reasons))}"
            )
        note = cells[3].strip() if len(cells) == 4 else ""
        waivers.append(Waiver(cells[0].strip(), cells[1], reason, note, number))
    return waivers


@dataclass(frozen=True)
class Entry:
    sentence: Sentence
    facts: tuple[str, ...]
    waiver: Waiver | None

    @property
    def missing(self) -> bool:
        return not self.facts and self.waiver is None


@dataclass(frozen=True)
class CoverageReport:
    entries: tuple[Entry, ...]
    unused_waivers: tuple[Waiver, ...]

    @property
    def missing(self) -> list[Entry]:
        return [e for e in self.entries if e.missing]

    def table(self) -> str:
        """Per seed: sentences in all, covered, waived by reason, missing."""
        reasons = sorted({e.waiver.reason for e in self.entries if e.waiver and not e.facts})
        head = ["seed", "sentences", "covered", *(f"waived: {r}" for r in reasons), "missing"]
        rows = [head]
        seeds = sorted({e.sentence.seed.path.name for e in self.entries})
        for seed in [*seeds, "all"]:
            mine = [e for e in self.entries if seed in ("all", e.sentence.seed.path.name)]
            waived = Counter(e.waiver.reason for e in mine if e.waiver and not e.facts)
            rows.append(
                [
                    seed,
                    str(len(mine)),
                    str(sum(1 for e in mine if e.facts)),
                    *(str(waived[r]) for r in reasons),
                    str(sum(1 for e in mine if e.missing)),
                ]
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        return "\n".join(
            "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
            for row in rows
        )

    def format(self, show_covered: bool = False) -> str:
        lines = []
        for entry in self.entries:
            seed = entry.sentence.seed.path.name
            where = f"{seed}:{entry.sentence.start}-{entry.sentence.end}"
            excerpt = _excerpt(entry.sentence.text)
            if entry.facts:
                if show_covered:
                    lines.append(
                        f"covered  {where}  {excerpt}\n         by {', '.join(entry.facts)}"
                    )
            elif entry.waiver:
                if show_covered:
                    lines.append(f"waived   {where}  {excerpt}\n         as {entry.waiver.reason}")
            else:
                lines.append(f"MISSING  {where}  {excerpt}")
        for waiver in self.unused_waivers:
            lines.append(
                f"UNUSED WAIVER line {waiver.line}: {waiver.seed} {waiver.starts_with!r} "
                "matches no uncovered sentence"
            )
        lines.append(self.table())
        return "\n".join(lines)


def coverage_report(project: Project, seed_key: str | None = None) -> CoverageReport:
    """Coverage of every sentence of the seeds (of one seed, given its key or file name)."""
    checked = read_project(project)
    spans = _stating_quotes(checked)
    waivers = read_waivers(project, waiver_reasons(checked))
    seeds = checked.seeds
    if seed_key is not None:
        seeds = [s for s in seeds if seed_key in (s.key, s.path.name, s.path.stem)]
        if not seeds:
            known = ", ".join(s.key for s in checked.seeds)
            raise InputError(f"no seed with key {seed_key!r} (known: {known})")
        names = {s.path.name for s in seeds}
        waivers = [w for w in waivers if w.seed in names]
    used: set[Waiver] = set()
    entries = []
    for seed in seeds:
        for sentence in sentences(seed):
            facts = tuple(
                sorted(
                    {
                        fact
                        for start, end, fact in spans.get(seed.article, [])
                        if start < sentence.end and sentence.start < end
                    }
                )
            )
            waiver = next(
                (
                    w
                    for w in waivers
                    if w.seed == seed.path.name and sentence.text.startswith(w.starts_with)
                ),
                None,
            )
            if waiver and not facts:
                used.add(waiver)
            entries.append(Entry(sentence, facts, waiver if not facts else None))
    unused = tuple(w for w in waivers if w not in used)
    return CoverageReport(tuple(entries), unused)


def _stating_quotes(checked: CheckedProject) -> dict[str, list[tuple[int, int, str]]]:
    """Per article: (start, end, what) of each quote that states something."""
    catalogue = next(g.graph for g in checked.graphs if g.iri == ns.CATALOGUE_GRAPH)
    union = checked.union()
    stating: dict[str, list[str]] = {}
    for article_graph, sentences_of in checked.sentences.items():
        for quote, stated in sentences_of.items():
            subjects = sorted(
                {_short(s) for s in stated.subjects() if isinstance(s, rdflib.URIRef)}
            )
            stating[str(quote)] = subjects or [article_graph]
    for predicate in ("titleQuote", "dateQuote"):
        for article, line in catalogue.subject_objects(rdflib.URIRef(ns.SHKG + predicate)):
            stating.setdefault(str(line), []).append(f"{_short(article)} ({predicate})")
    spans: dict[str, list[tuple[int, int, str]]] = {}
    for found in quotes_in(union):
        for fact in stating.get(found.iri, []):
            spans.setdefault(found.article, []).append((found.start, found.end, fact))
    return spans


def _short(node: rdflib.term.Node) -> str:
    text = str(node)
    return text.removeprefix(ns.ID).replace("/", ":", 1) if text.startswith(ns.ID) else text


def _excerpt(text: str, width: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"

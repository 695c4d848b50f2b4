"""Coverage of the sources: every sentence stating a number or date is quoted by a fact or waived."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT
from shkg.coverage import coverage_report
from shkg.project import Project
from shkg.sentences import is_numeric, sentences
from shkg.sources import Seed


def seed_of(text: str) -> Seed:
    return Seed(key="k", article="a", path=Path("x.txt"), text=text)


def test_sentences_split_at_ends_and_lines() -> None:
    seed = seed_of('First one. "Second" follows? Third!\nA line without end\n\nLast 1.5 percent.')
    assert [s.text for s in sentences(seed)] == [
        "First one.", '"Second" follows?', "Third!", "A line without end", "Last 1.5 percent."]


def test_sentence_positions_are_offsets_into_the_text() -> None:
    seed = seed_of("  Alpha beta.  Gamma 2020.\nDelta")
    for sentence in sentences(seed):
        assert seed.text[sentence.start:sentence.end] == sentence.text


def test_decimals_and_abbreviated_amounts_do_not_split() -> None:
    seed = seed_of("GDP reached 5.39 trillion yuan ($760 billion) in 2024, up 5.5 percent.")
    assert len(sentences(seed)) == 1


def test_numeric_sentences() -> None:
    numeric = [is_numeric(s) for s in sentences(seed_of(
        "It grew 21 percent. Five clusters formed. Nothing to count here. Last year it rose."))]
    assert numeric == [True, True, False, True]


def test_the_repository_covers_every_numeric_sentence() -> None:
    report = coverage_report(Project.locate(ROOT))
    assert report.missing == [], report.format()
    assert report.unused_waivers == (), report.format()
    assert len(report.entries) > 70


def test_removing_a_quoted_fact_makes_its_sentence_missing(project: Project) -> None:
    path = project.root / "graph" / "articles" / "6e137014eb55f111.ttl"
    text = path.read_text(encoding="utf-8")
    # Drop every quote of the sentence that reports 2020 IC turnover, with the facts citing it.
    sentence_start = text.index("The annual turnover of Shanghai")
    quote = re.findall(r"quote:6e137014eb55f111-\d+-\d+", text[:sentence_start])[-1]
    kept = [block for block in text.split("\n\n") if quote not in block]
    path.write_text("\n\n".join(kept), encoding="utf-8")
    report = coverage_report(project)
    assert [e.sentence.text[:31] for e in report.missing] == ["The annual turnover of Shanghai"]

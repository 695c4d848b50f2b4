"""Coverage of the sources: every sentence of every seed is covered by a fact or waived for a
listed reason."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from shkg.build.coverage import coverage_report
from shkg.build.sentences import sentences
from shkg.build.sources import Seed
from shkg.errors import InputError
from shkg.project import Project
from tests.support import ROOT


def seed_of(text: str) -> Seed:
    return Seed(key="k", article="a", path=Path("x.txt"), text=text)


def test_sentences_split_at_ends_and_lines() -> None:
    seed = seed_of('First one. "Second" follows? Third!\nA line without end\n\nLast 1.5 percent.')
    assert [s.text for s in sentences(seed)] == [
        "First one.",
        '"Second" follows?',
        "Third!",
        "A line without end",
        "Last 1.5 percent.",
    ]


def test_sentence_positions_are_offsets_into_the_text() -> None:
    seed = seed_of("  Alpha beta.  Gamma 2020.\nDelta")
    for sentence in sentences(seed):
        assert seed.text[sentence.start : sentence.end] == sentence.text


def test_decimals_and_abbreviated_amounts_do_not_split() -> None:
    seed = seed_of("GDP reached 5.39 trillion yuan ($760 billion) in 2024, up 5.5 percent.")
    assert len(sentences(seed)) == 1


def test_the_repository_accounts_for_every_sentence() -> None:
    report = coverage_report(Project.locate(ROOT))
    assert report.missing == [], report.format()
    assert report.unused_waivers == (), report.format()
    seeds = {e.sentence.seed.path.name for e in report.entries}
    assert len(seeds) == 5 and len(report.entries) > 130
    reasons = {e.waiver.reason for e in report.entries if e.waiver}
    assert reasons <= {"page-furniture", "section-heading", "rhetorical-question"}


def remove_graph_of(path: Path, sentence_start: str) -> str:
    """Drop the graph of the quote whose exact text begins so; return the quote's prefixed name."""
    text = path.read_text(encoding="utf-8")
    # The quote resource: from its IRI to its exact text, within one paragraph.
    quote = re.search(
        r'^(quote:\S+) a shkg:Quote(?:(?!\n\n).)*?oa:exact "' + re.escape(sentence_start),
        text,
        re.MULTILINE | re.DOTALL,
    )
    assert quote, sentence_start
    name = quote.group(1)
    block = re.compile(rf"^{re.escape(name)} \{{.*?^\}}\n", re.MULTILINE | re.DOTALL)
    assert block.search(text), name
    path.write_text(block.sub("", text), encoding="utf-8")
    return name


@pytest.mark.slow
def test_a_sentence_whose_graph_is_removed_is_missing(project: Project) -> None:
    path = project.root / "graph" / "articles" / "6e137014eb55f111.trig"
    remove_graph_of(path, "The annual turnover of Shanghai")
    report = coverage_report(project)
    assert [e.sentence.text[:31] for e in report.missing] == ["The annual turnover of Shanghai"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "shkg.cli",
            "coverage",
            "6e137014eb55f111",
            "--root",
            str(project.root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "MISSING  002_6e137014eb55f111.txt:" in result.stdout
    assert "The annual turnover of Shanghai" in result.stdout


@pytest.mark.slow
def test_an_empty_graph_does_not_cover_its_sentence(project: Project) -> None:
    path = project.root / "graph" / "articles" / "6e137014eb55f111.trig"
    name = remove_graph_of(path, "The annual turnover of Shanghai")
    path.write_text(path.read_text(encoding="utf-8") + f"\n{name} {{ }}\n", encoding="utf-8")
    assert [e.sentence.text[:31] for e in coverage_report(project).missing] == [
        "The annual turnover of Shanghai"
    ]


@pytest.mark.slow
def test_a_waiver_for_a_covered_sentence_is_unused(project: Project) -> None:
    with project.waivers.open("a", encoding="utf-8") as waivers:
        waivers.write("6e137014eb55f111.txt\tThe annual turnover\tpage-furniture\n")
        waivers.write("002_6e137014eb55f111.txt\tThe annual turnover\tpage-furniture\tnot so\n")
    report = coverage_report(project)
    assert report.missing == []
    assert [w.starts_with for w in report.unused_waivers] == ["The annual turnover"] * 2


def test_a_waiver_reason_outside_the_list_is_refused(project: Project) -> None:
    lines = project.waivers.read_text(encoding="utf-8").splitlines()
    with project.waivers.open("a", encoding="utf-8") as waivers:
        waivers.write("002_6e137014eb55f111.txt\tThe annual turnover\tnot interesting\n")
    with pytest.raises(
        InputError,
        match=rf"graph/coverage-waivers.tsv:{len(lines) + 1}: reason "
        "'not interesting' is not one of the listed",
    ):
        coverage_report(project)


@pytest.mark.slow
def test_a_waived_sentence_that_states_something_is_covered_not_waived(project: Project) -> None:
    # A waiver never hides a fact: a sentence both covered and waived counts as covered, and the
    # waiver is reported unused.
    report = coverage_report(project)
    covered = next(e for e in report.entries if e.facts)
    with project.waivers.open("a", encoding="utf-8") as waivers:
        waivers.write(
            f"{covered.sentence.seed.path.name}\t{covered.sentence.text[:20]}\tsection-heading\n"
        )
    again = coverage_report(project)
    assert [w.starts_with for w in again.unused_waivers] == [covered.sentence.text[:20]]


def test_coverage_of_one_seed_and_its_table() -> None:
    report = coverage_report(Project.locate(ROOT), "5e0aa57edfc75f35")
    assert {e.sentence.seed.key for e in report.entries} == {"5e0aa57edfc75f35"}
    table = report.table().splitlines()
    assert table[0].split()[:3] == ["seed", "sentences", "covered"]
    assert table[1].startswith("003_5e0aa57edfc75f35.txt") and table[-1].startswith("all")
    with pytest.raises(InputError, match="no seed with key 'nope'"):
        coverage_report(Project.locate(ROOT), "nope")

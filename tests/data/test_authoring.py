"""Adding an article is a routine task: `shkg add-article`, `shkg quote`, `shkg coverage KEY`,
end to end on a made-up article that the test writes (never in seeds/)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest

from shkg import namespaces as ns
from shkg.build.authoring import add_article, find_seed, quote_turtle
from shkg.build.pipeline import read_project
from shkg.build.release import current_release
from shkg.errors import InputError
from shkg.project import Project

# Each test builds a project of its own (about 20 s a build).
pytestmark = pytest.mark.slow

# A made-up text, clearly a test fixture: its "facts" exist only in the test's project copy.
FIXTURE = (
    "TEST FIXTURE, NOT A NEWS ARTICLE.\n"
    "In this made-up text, Shanghai's fixture gadget output reached 12 units in 2025.\n"
    "Shanghai repeats itself. Shanghai repeats itself.\n"
)


def shkg(project: Project, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "shkg.cli",
            *args,
            "--root",
            str(project.root),
            "--var",
            str(project.var),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_add_quote_cover_and_build_a_new_article(project: Project, tmp_path: Path) -> None:
    text_file = tmp_path / "fixture.txt"
    text_file.write_text(FIXTURE, encoding="utf-8")
    added = shkg(
        project,
        "add-article",
        str(text_file),
        "--title",
        "[A test fixture]",
        "--date",
        "2026-01-15",
        "--publisher",
        "china-daily",
        "--url",
        "https://example.org/x",
    )
    assert added.returncode == 0, added.stderr
    key = hashlib.sha256(FIXTURE.encode()).hexdigest()[:16]
    seed = project.seeds / f"005_{key}.txt"
    assert seed.read_bytes() == FIXTURE.encode()
    catalogue = project.catalogue.read_text(encoding="utf-8")
    assert f'shkg:sha256 "{hashlib.sha256(FIXTURE.encode()).hexdigest()}"' in catalogue
    assert '"2026-01-15"^^xsd:date' in catalogue and "organization:china-daily" in catalogue
    article_file = project.root / "graph" / "articles" / f"{key}.trig"
    assert article_file.exists()
    assert shkg(project, "validate").returncode == 0

    todo = shkg(project, "coverage", key)
    assert todo.returncode == 1
    assert todo.stdout.count("MISSING") == 4 and "fixture gadget output" in todo.stdout

    sentence = "In this made-up text, Shanghai's fixture gadget output reached 12 units in 2025."
    quoted = shkg(project, "quote", key, sentence)
    assert quoted.returncode == 0, quoted.stderr
    start = FIXTURE.index(sentence)
    assert quoted.stdout.startswith(f"quote:{key}-{start}-{start + len(sentence)} a shkg:Quote")
    ambiguous = shkg(project, "quote", key, "Shanghai repeats itself.")
    assert ambiguous.returncode == 1 and "more than once" in ambiguous.stderr
    absent = shkg(project, "quote", key, "Beijing")
    assert absent.returncode == 1 and "not in the seed" in absent.stderr

    quote = quoted.stdout.split(" ", 1)[0]
    with article_file.open("a", encoding="utf-8") as out:
        out.write(
            "\n"
            + quoted.stdout
            + f"""
{quote} {{
    figure:005-fixture-gadget-output a shkg:Observation ;
        rdfs:label "Fixture gadget output (test fixture)"@en ;
        shkg:subject place:shanghai ;
        shkg:metric metric:production-volume ;
        shkg:value 12.0 ;
        shkg:unit unit:NUM ;
        shkg:valueAsWritten "12 units" ;
        shkg:comparator comparator:exactly ;
        shkg:year "2025"^^xsd:gYear .
}}
"""
        )
    with project.waivers.open("a", encoding="utf-8") as waivers:
        for start_of in ("TEST FIXTURE", "Shanghai repeats itself."):
            waivers.write(f"{seed.name}\t{start_of}\tpage-furniture\ttest fixture\n")
    done = shkg(project, "coverage", key)
    assert done.returncode == 0, done.stdout
    built = shkg(project, "build")
    assert built.returncode == 0, built.stderr

    store = current_release(project.var).open_store()
    solutions = store.query(
        f"""
        SELECT ?sentence WHERE {{
          ?st <{ns.RDF}subject> <{ns.ID}figure/005-fixture-gadget-output> ;
              <{ns.RDF}predicate> <{ns.SHKG}value> ;
              <{ns.PROV}wasDerivedFrom> [ <{ns.OA}hasSelector> [ <{ns.OA}exact> ?sentence ] ] .
        }}""",
        use_default_graph_as_union=True,
    )
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    rows = list(solutions)
    assert [r["sentence"] for r in rows] == [pyoxigraph.Literal(sentence)]


@pytest.mark.parametrize(
    "change, message",
    [
        ({"date": "15 January 2026"}, "is not YYYY-MM-DD"),
        ({"title": " "}, "--title: empty"),
        ({"publisher": "nobody"}, "no organization:nobody"),
        ({"url": "javascript:alert(1)"}, "is not an http"),
    ],
)
def test_add_article_refuses_bad_input_and_writes_nothing(
    project: Project, tmp_path: Path, change: dict[str, str], message: str
) -> None:
    text_file = tmp_path / "fixture.txt"
    text_file.write_text(FIXTURE, encoding="utf-8")
    before = {
        p: p.read_bytes()
        for p in (*project.seeds.iterdir(), *project.root.joinpath("graph").rglob("*"))
        if p.is_file()
    }
    arguments = {
        "title": "[A test fixture]",
        "date": "2026-01-15",
        "publisher": None,
        "url": None,
        **change,
    }
    title, date = arguments["title"], arguments["date"]
    assert title is not None and date is not None
    with pytest.raises(InputError, match=message):
        add_article(project, text_file, title, date, arguments["publisher"], arguments["url"])
    after = {
        p: p.read_bytes()
        for p in (*project.seeds.iterdir(), *project.root.joinpath("graph").rglob("*"))
        if p.is_file()
    }
    assert after == before


def test_the_same_text_twice_is_refused(project: Project) -> None:
    existing = min(project.seeds.glob("*.txt"))
    with pytest.raises(InputError, match="the same text is already seeds/"):
        add_article(project, existing, "[Again]", "2025")


def test_quote_turtle_carries_both_selectors_and_context(project: Project) -> None:
    seed = find_seed(read_project(project).seeds, "5e0aa57edfc75f35")
    text = quote_turtle(
        seed, "Shanghai aims to take the lead in some key high-end industries by 2025."
    )
    start = seed.text.index("Shanghai aims to take the lead")
    assert f"oa:start {start} ; oa:end {start + 71}" in text
    assert 'oa:prefix "' in text and 'oa:suffix ""' in text  # the sentence ends the text

"""Each competency question: its query in queries/, run on the built store and on a backend
holding it (see the ``store`` fixture), with its full answer.

The expected answers are worked out by hand from the seed documents (the sentence each comes
from is quoted in a comment), not read back from the graph.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from shkg.query.stores import ReadableStore
from tests.support import ROOT, amount, run, short

QUERIES = ROOT / "queries"

A000, A001, A002, A003, A004 = (
    "18db54f95c37712d",
    "705510ce96c515c9",
    "6e137014eb55f111",
    "5e0aa57edfc75f35",
    "8b8eb0ebdb946325",
)


def test_every_question_has_a_titled_query() -> None:
    files = sorted(QUERIES.glob("*.rq"))
    # 01-12 are the competency questions; the example queries after them are numbered on.
    assert [f.name[:2] for f in files] == [f"{n:02d}" for n in range(1, len(files) + 1)]
    assert len(files) >= 12
    for path in files:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0].startswith("# title: ") and lines[1].startswith("# comment: "), path.name


def test_01_clusters_including_lingang(store: ReadableStore) -> None:
    # 000: "...with core development zones in Shanghai's Lingang, Wuxi in Jiangsu, ..." of the
    # Yangtze River Delta (including Jiangxi) large aircraft cluster.
    rows = run(store, "01-clusters-including-lingang.rq")
    assert [r["cluster"] for r in rows] == ["cluster/large-aircraft"]


def test_02_national_level_clusters(store: ReadableStore) -> None:
    # 000: "three clusters selected in the first batch—integrated circuits, Zhangjiang
    # biomedicine, and new energy vehicles—as well as two newly added in 2024: the large
    # aircraft cluster and the shipbuilding and marine engineering equipment cluster."
    rows = run(store, "02-national-level-clusters.rq")
    assert {(r["cluster"], r["batch"], r["year"]) for r in rows} == {
        ("cluster/integrated-circuits", "first batch", None),
        ("cluster/zhangjiang-biomedicine", "first batch", None),
        ("cluster/new-energy-vehicles", "first batch", None),
        ("cluster/large-aircraft", None, "2024"),
        ("cluster/shipbuilding-and-marine-engineering-equipment", None, "2024"),
    }
    assert len(rows) == 5


def test_03_new_growth_points(store: ReadableStore) -> None:
    # 000: "...low-altitude economy, commercial aerospace, embodied intelligence,
    # biomanufacturing, and intelligent terminals ... collective scale to reach the
    # trillion-yuan level during the "16th Five-Year Plan" period" (meaning 2026-2030).
    rows = run(store, "03-new-growth-points.rq")
    assert sorted((r["industry"] for r in rows), key=str) == [
        "industry/biomanufacturing",
        "industry/commercial-aerospace",
        "industry/embodied-intelligence",
        "industry/intelligent-terminals",
        "industry/low-altitude-economy",
    ]
    for row in rows:
        assert amount(row["value"]) == Decimal("1e12")
        assert (row["unit"], row["comparator"]) == ("unit:CCY_CNY", "comparator/order-of")
        assert (row["begin"], row["end"]) == ("2026-01-01", "2030-12-31")
        assert row["asWritten"] == "the trillion-yuan level"


def test_04_pioneering_industries_scale(store: ReadableStore) -> None:
    # 002: "The annual turnover of Shanghai's IC industry surged 21 percent year-on-year to
    # 207 billion yuan in 2020. The city saw the industrial value of the biomedicine industry
    # exceed 600 billion yuan last year while that of AI reached 220 billion yuan."
    # 000: "the integrated circuit cluster, with an industry scale exceeding 390 billion yuan
    # last year" (2024). 001: "the three pioneering industries saw their combined industrial
    # output reach 1.8 trillion yuan" (in 2024).
    rows = run(store, "04-pioneering-industries-scale.rq")
    assert {(r["subject"], amount(r["value"]), r["comparator"], r["year"]) for r in rows} == {
        ("industry/integrated-circuits", Decimal("207e9"), "comparator/exactly", "2020"),
        ("industry/biomedicine", Decimal("600e9"), "comparator/more-than", "2020"),
        ("industry/artificial-intelligence", Decimal("220e9"), "comparator/exactly", "2020"),
        ("industry/integrated-circuits", Decimal("390e9"), "comparator/more-than", "2024"),
        ("group/three-pioneering-industries", Decimal("1.8e12"), "comparator/exactly", "2024"),
    }
    assert len(rows) == 5


def test_05_trillion_yuan_clusters(store: ReadableStore) -> None:
    # 000: electronic information "had already reached 1.2 trillion yuan" in 2024; automobiles
    # "the 1.1 trillion-yuan scale"; high-end equipment "crossed the trillion-yuan threshold";
    # software and information services "a scale exceeding 1.8 trillion yuan"; the large
    # aircraft cluster "has already surpassed one trillion yuan in total industrial output value".
    # The figures stated in the present tense refer to the article's year, 2025.
    rows = run(store, "05-trillion-yuan-clusters.rq")
    assert {(r["cluster"], amount(r["value"]), r["comparator"], r["year"]) for r in rows} == {
        ("cluster/electronic-information", Decimal("1.2e12"), "comparator/exactly", "2024"),
        ("cluster/automobiles", Decimal("1.1e12"), "comparator/exactly", "2025"),
        ("cluster/high-end-equipment", Decimal("1e12"), "comparator/at-least", "2025"),
        (
            "cluster/software-and-information-services",
            Decimal("1.8e12"),
            "comparator/more-than",
            "2025",
        ),
        ("cluster/large-aircraft", Decimal("1e12"), "comparator/more-than", "2025"),
    }
    assert len(rows) == 5


def test_06_low_altitude_targets(store: ReadableStore) -> None:
    # 000: "by 2028, Shanghai's core low-altitude economy industry scale should reach around
    # 80 billion yuan, forming a complete industrial chain system for new low-altitude
    # aircraft, building a national advanced manufacturing cluster for the low-altitude
    # economy, and accelerating the city's progress towards becoming a "World eVTOL Capital"".
    rows = run(store, "06-low-altitude-targets.rq")
    assert all(
        r["year"] == "2028" and r["plan"] == "plan/low-altitude-economy-measures" for r in rows
    )
    assert len(rows) == 4
    quantitative = [r for r in rows if r["value"] is not None]
    assert [(amount(r["value"]), r["unit"], r["comparator"]) for r in quantitative] == [
        (Decimal("80e9"), "unit:CCY_CNY", "comparator/about")
    ]


def test_07_nev_cluster(store: ReadableStore) -> None:
    # 000: "the new energy vehicle cluster, with Jiading District as its core, leverages
    # leading companies like SAIC and Tesla"
    rows = run(store, "07-nev-cluster-enterprises.rq")
    assert {(r["enterprise"], r["district"]) for r in rows} == {
        ("enterprise/saic", "place/jiading"),
        ("enterprise/tesla", "place/jiading"),
    }
    assert len(rows) == 2


def test_08_14th_plan_targets_for_2025(store: ReadableStore) -> None:
    # 002, the municipal plan for the 14th Five-Year Plan period: the three pioneering
    # industries "shall see their respective scale more than double by the end of 2025";
    # six key industrial clusters "will be formed by 2025"; new-type display devices 70
    # billion yuan, smart sensors 80 billion, software and information services "exceed 1.5
    # trillion yuan", high-end medical devices 60 billion, new energy vehicles "exceed 1.2
    # million units" and "top 350 billion yuan"; knowledge-intensive services "at least
    # two-thirds" of the services sector's added value, all by 2025. And, dated by the plan's
    # period (2021-25): "At least 100 high-level industrial projects" with "total industrial
    # investment projected to top 850 billion yuan ($132 billion)" (002), and chips "with 3
    # nanometer or less technology" (003, the plan as the Global Times reports it).
    rows = run(store, "08-14th-fyp-targets-2025.rq")
    got = {(r["subject"], amount(r["value"]), r["unit"], r["comparator"]) for r in rows}
    assert got == {
        ("industry/integrated-circuits", Decimal(2), "unit:UNITLESS", "comparator/more-than"),
        ("industry/biomedicine", Decimal(2), "unit:UNITLESS", "comparator/more-than"),
        ("industry/artificial-intelligence", Decimal(2), "unit:UNITLESS", "comparator/more-than"),
        ("group/six-key-industries", Decimal(6), "unit:NUM", "comparator/exactly"),
        ("industry/new-type-displays", Decimal("70e9"), "unit:CCY_CNY", "comparator/exactly"),
        ("industry/intelligent-sensors", Decimal("80e9"), "unit:CCY_CNY", "comparator/exactly"),
        (
            "industry/software-and-information-services",
            Decimal("1.5e12"),
            "unit:CCY_CNY",
            "comparator/more-than",
        ),
        (
            "industry/high-end-medical-devices",
            Decimal("60e9"),
            "unit:CCY_CNY",
            "comparator/exactly",
        ),
        ("industry/new-energy-vehicles", Decimal("1.2e6"), "unit:NUM", "comparator/more-than"),
        ("industry/new-energy-vehicles", Decimal("350e9"), "unit:CCY_CNY", "comparator/more-than"),
        (
            "industry/knowledge-intensive-producer-services",
            Decimal("66.66"),
            "unit:PERCENT",
            "comparator/at-least",
        ),
        ("place/shanghai", Decimal(100), "unit:NUM", "comparator/at-least"),
        ("place/shanghai", Decimal("850e9"), "unit:CCY_CNY", "comparator/more-than"),
        ("place/shanghai", Decimal("132e9"), "unit:CCY_USD", "comparator/more-than"),
        ("product/chips-3nm-or-less", Decimal(3), "unit:NanoM", "comparator/at-most"),
    }
    assert len(rows) == 15
    assert {r["plan"] for r in rows} == {"plan/shanghai-14th-fyp-high-end-manufacturing"}


def test_09_frontier_technologies(store: ReadableStore) -> None:
    # 001: "In late October, the city rolled out 15 measures to support the development of
    # "frontier and disruptive "technologies covering cell and gene therapy, brain-computer
    # interface, silicon-based optoelectronics, quantum technology and controlled nuclear
    # fusion." "...Shanghai has already set up a 15 billion-yuan fund to develop these
    # future-oriented industries. More specific tasks have been set, including nurturing 20
    # industry leaders in these cutting-edge sectors by 2027. Industrial clusters of these
    # emerging technologies should also be established in the city by 2030."
    rows = run(store, "09-frontier-technologies-2025.rq")
    assert {r["policy"] for r in rows} == {"plan/frontier-technology-measures-2025"}
    by_kind: dict[str | None, set[tuple[str | None, Decimal | None, str | None]]] = {}
    for r in rows:
        by_kind.setdefault(r["kind"], set()).add((r["item"], amount(r["value"]), r["year"]))
    assert by_kind["technology"] == {
        (f"industry/{slug}", None, None)
        for slug in (
            "cell-and-gene-therapy",
            "brain-computer-interface",
            "silicon-based-optoelectronics",
            "quantum-technology",
            "controlled-nuclear-fusion",
        )
    }
    assert by_kind["fund"] == {("programme/future-industries-fund", Decimal("15e9"), None)}
    assert by_kind["target"] == {
        ("target/001-frontier-industry-leaders-2027", Decimal(20), "2027"),
        ("target/001-frontier-clusters-2030", None, "2030"),
    }
    assert set(by_kind) == {"technology", "fund", "target"}


def test_10_every_figure_and_target_has_its_sentence(store: ReadableStore) -> None:
    rows = run(store, "10-sources-of-facts.rq")
    seeds = {
        path.stem.split("_", 1)[1]: path.read_text(encoding="utf-8")
        for path in (ROOT / "seeds").glob("*.txt")
    }
    for row in rows:
        key = str(row["document"]).removeprefix("article/")
        start, end = int(str(row["start"])), int(str(row["end"]))
        assert seeds[key][start:end] == row["sentence"]
    facts = {
        short(s["f"])
        for s in store.query(
            "SELECT ?f WHERE { { ?f a <https://w3id.org/shkg/ontology#Observation> } UNION "
            "{ ?f a <https://w3id.org/shkg/ontology#Target> } }",
            use_default_graph_as_union=True,
        )
    }
    assert {r["fact"] for r in rows} == facts
    # 000: "...the integrated circuit cluster, with an industry scale exceeding 390 billion
    # yuan last year and a 25% share of the national total..."
    ic = [r for r in rows if r["fact"] == "figure/000-ic-scale-2024"]
    assert len(ic) == 1 and "exceeding 390 billion yuan last year" in str(ic[0]["sentence"])
    assert ic[0]["document"] == f"article/{A000}" and ic[0]["published"] == "2025"


def test_11_places_in_the_yangtze_river_delta(store: ReadableStore) -> None:
    # 000: the cluster covers "the three provinces and one municipality of the Yangtze River
    # Delta plus the entire province of Jiangxi", with zones in "Shanghai's Lingang, Wuxi in
    # Jiangsu, Hangzhou in Zhejiang, Lu'an in Anhui, and Nanchang in Jiangxi"; Jiading,
    # Minhang and Jinshan districts, Zhangjiang (000), Changning (001), Zizhu (004) in
    # Shanghai; "The Jinshan District East China UAV Base".
    rows = run(store, "11-places-in-yangtze-river-delta.rq")
    assert {(r["place"], r["kind"]) for r in rows} == {
        ("place/shanghai", "shkg:Municipality"),
        ("place/jiangsu", "shkg:Province"),
        ("place/zhejiang", "shkg:Province"),
        ("place/anhui", "shkg:Province"),
        ("place/wuxi", "shkg:City"),
        ("place/hangzhou", "shkg:City"),
        ("place/luan", "shkg:City"),
        ("place/jiading", "shkg:District"),
        ("place/minhang", "shkg:District"),
        ("place/jinshan", "shkg:District"),
        ("place/changning", "shkg:District"),
        ("place/lingang", "shkg:Zone"),
        ("place/zhangjiang", "shkg:Zone"),
        ("place/zizhu", "shkg:Zone"),
        ("place/east-china-uav-base", "shkg:Zone"),
    }
    assert "place/nanchang" not in {r["place"] for r in rows}  # Jiangxi is "plus", outside


def test_12_industries_in_several_sources(store: ReadableStore) -> None:
    rows = run(store, "12-industries-in-several-sources.rq")
    assert {(r["industry"], int(str(r["documents"]))) for r in rows} == {
        ("industry/biomedicine", 5),  # 004 as "biological medicine"
        ("industry/integrated-circuits", 4),
        ("industry/artificial-intelligence", 4),
        ("industry/automobiles", 4),
        ("industry/electronic-information", 4),
        ("industry/high-end-equipment", 4),
        ("industry/advanced-manufacturing", 4),
        ("industry/manufacturing", 4),
        ("industry/advanced-materials", 3),  # "new materials" in 002 and 004
        ("industry/fashion-consumer-goods", 2),
        ("industry/life-health", 2),
        # 003: a plan "to develop high-end manufacturing"; 004: "significant improvement of
        # high-end manufacturing and producer services level" by 2020
        ("industry/high-end-manufacturing", 2),
        ("industry/intelligent-sensors", 2),
        ("industry/large-aircraft", 2),
        ("industry/new-energy-vehicles", 2),
        ("industry/software-and-information-services", 2),
    }


@pytest.mark.parametrize("path", sorted(QUERIES.glob("*.rq")), ids=lambda p: p.name)
def test_queries_run_through_the_endpoint_function(store: ReadableStore, path: Path) -> None:
    from shkg.query.sparql import QueryRequest, answer

    result = answer(store, QueryRequest(query=path.read_text(encoding="utf-8")))
    assert result.media_type == "application/sparql-results+json"

"""/.well-known/sparql-examples: the queries of queries/ as SHACL SPARQL executables; and the
full answers of the example queries numbered after the competency questions (14 on).

The examples served are exactly the files in queries/; here each served example also runs
through the endpoint. tests/data/test_competency.py asserts the full answers of 01-13, this file
those of 14-25, worked out by hand from the seed documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
import rdflib
from fastapi.testclient import TestClient

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.query.stores import ReadableStore
from shkg.settings import Settings
from shkg.web.app import release_app
from tests.support import ROOT, amount, run

SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(
        release_app(
            Settings(
                query_workers=0, access_log=False, public_url="http://testserver/", root=str(ROOT)
            ),
            release,
        )
    ) as test_client:
        yield test_client


def examples(client: TestClient) -> rdflib.Graph:
    response = client.get("/.well-known/sparql-examples")
    assert response.status_code == 200 and response.headers["content-type"].startswith(
        "text/turtle"
    )
    return rdflib.Graph().parse(data=response.text, format="turtle")


def test_every_query_file_is_an_example(client: TestClient) -> None:
    graph = examples(client)
    served = {str(text) for text in graph.objects(None, SH.select)}
    files = {path.read_text(encoding="utf-8") for path in (ROOT / "queries").glob("*.rq")}
    assert served == files and len(served) >= 12
    for example in graph.subjects(rdflib.RDF.type, SH.SPARQLExecutable):
        assert graph.value(example, rdflib.RDFS.label) is not None
        assert graph.value(example, rdflib.RDFS.comment) is not None
        assert (
            str(graph.value(example, rdflib.URIRef("https://schema.org/target")))
            == "http://testserver/sparql"
        )


def test_every_example_runs_and_answers(client: TestClient) -> None:
    for text in examples(client).objects(None, SH.select):
        response = client.post("/sparql", data={"query": str(text)})
        assert response.status_code == 200, text
        assert response.json()["results"]["bindings"], f"no answer for {str(text)[:60]}"


# ---------------------------------------------------------------- example queries 14-25
#
# Each example query of queries/ numbered after the competency questions, run on the built
# store and on a backend holding it (the ``store`` fixture, as in tests/data/test_competency.py),
# with its full answer. The expected answers are worked out from the seed documents (the
# words each row rests on are quoted beside it), not read back from the graph.


A000, A001, A002, A003, A004 = (
    "18db54f95c37712d",
    "705510ce96c515c9",
    "6e137014eb55f111",
    "5e0aa57edfc75f35",
    "8b8eb0ebdb946325",
)
SEEDS = {
    path.stem.split("_", 1)[1]: path.read_text(encoding="utf-8")
    for path in (ROOT / "seeds").glob("*.txt")
}


def distinct(rows: list[dict[str, str | None]]) -> list[dict[str, str | None]]:
    """The rows, failing if one comes twice (every example query asks for DISTINCT rows)."""
    keys = [tuple(sorted(r.items(), key=lambda kv: kv[0])) for r in rows]
    assert len(keys) == len(set(keys)), "a row comes twice"
    return rows


def test_14_what_a_district_hosts(store: ReadableStore) -> None:
    rows = distinct(run(store, "14-what-a-district-hosts.rq"))
    assert {(r["place"], r["thing"], r["kind"]) for r in rows} == {
        # 000: "the new energy vehicle cluster, with Jiading District as its core"
        ("place/jiading", "cluster/new-energy-vehicles", "shkg:IndustrialCluster"),
        # 000: "the Zhangjiang biomedicine cluster brings together over 2,700 upstream and
        # downstream enterprises"
        ("place/zhangjiang", "cluster/zhangjiang-biomedicine", "shkg:IndustrialCluster"),
        # 000: "In embodied intelligence, ... Zhangjiang has gathered nearly 200 related upstream
        # and downstream enterprises and has established platforms including the nation's first
        # heterogeneous humanoid robot training center and an open-source community."
        ("place/zhangjiang", "industry/embodied-intelligence", "shkg:Industry"),
        ("place/zhangjiang", "programme/humanoid-robot-training-center", "shkg:Programme"),
        (
            "place/zhangjiang",
            "programme/embodied-intelligence-open-source-community",
            "shkg:Programme",
        ),
    }


def test_15_who_leads_an_industry(store: ReadableStore) -> None:
    rows = distinct(run(store, "15-who-leads-an-industry.rq"))
    assert {(r["industry"], r["enterprise"]) for r in rows} == {
        # 000: "the new energy vehicle cluster, with Jiading District as its core, leverages
        # leading companies like SAIC and Tesla" (said of the cluster, inferred for the industry)
        ("industry/new-energy-vehicles", "enterprise/saic"),
        ("industry/new-energy-vehicles", "enterprise/tesla"),
        # 000: "Shanghai also possesses unique advantages in developing intelligent terminals,
        # having already gathered a group of leading enterprises such as ZTE (Nubia), Ingdan,
        # Huaqin, and Longcheer." ("ZTE (Nubia)" is one item of the list)
        ("industry/intelligent-terminals", "enterprise/zte"),
        ("industry/intelligent-terminals", "enterprise/ingdan"),
        ("industry/intelligent-terminals", "enterprise/huaqin"),
        ("industry/intelligent-terminals", "enterprise/longcheer"),
    }
    # 000's "over 1,200 leading enterprises in the integrated circuit sector" and "over half of
    # China's leading eVTOL ... companies" name no enterprise.


PLAN_14 = "plan/shanghai-14th-fyp-high-end-manufacturing"
TWO_THIRDS = "two-thirds"


def test_16_targets_due_in_2025(store: ReadableStore) -> None:
    rows = distinct(run(store, "16-targets-due-in-2025.rq"))
    # "two-thirds" is written as a percentage to two decimals (66.66 or 66.67)
    got = {
        (
            r["target"],
            r["subject"],
            TWO_THIRDS
            if r["value"] and abs(Decimal(r["value"]) - Decimal(200) / 3) < Decimal("0.01")
            else amount(r["value"]),
            r["unit"],
            r["comparator"],
            r["plan"],
        )
        for r in rows
    }
    assert got == {
        # 002: "At least 100 high-level industrial projects will be built in Shanghai in the next
        # few years with total industrial investment projected to top 850 billion yuan ($132
        # billion) during the 14th Five-Year Plan period (2021-25), according to a plan released
        # by the municipal government"
        (
            "target/002-high-level-industrial-projects",
            "place/shanghai",
            Decimal(100),
            "unit:NUM",
            "comparator/at-least",
            PLAN_14,
        ),
        (
            "target/002-industrial-investment-2021-2025-cny",
            "place/shanghai",
            Decimal("850e9"),
            "unit:CCY_CNY",
            "comparator/more-than",
            PLAN_14,
        ),
        (
            "target/002-industrial-investment-2021-2025-usd",
            "place/shanghai",
            Decimal("132e9"),
            "unit:CCY_USD",
            "comparator/more-than",
            PLAN_14,
        ),
        # 002: "The development of high-end industries will be the highlight of Shanghai's
        # advanced manufacturing industry in the coming years, according to the latest plan."
        # (the plan's period ends in 2025)
        (
            "target/002-high-end-industries-highlight",
            "industry/advanced-manufacturing",
            None,
            None,
            None,
            PLAN_14,
        ),
        # 002: "Integrated circuits or ICs, biomedicine and artificial intelligence ... shall see
        # their respective scale more than double by the end of 2025."
        (
            "target/002-integrated-circuits-scale-double-2025",
            "industry/integrated-circuits",
            Decimal(2),
            "unit:UNITLESS",
            "comparator/more-than",
            PLAN_14,
        ),
        (
            "target/002-biomedicine-scale-double-2025",
            "industry/biomedicine",
            Decimal(2),
            "unit:UNITLESS",
            "comparator/more-than",
            PLAN_14,
        ),
        (
            "target/002-artificial-intelligence-scale-double-2025",
            "industry/artificial-intelligence",
            Decimal(2),
            "unit:UNITLESS",
            "comparator/more-than",
            PLAN_14,
        ),
        # 002: "Six key industrial clusters ... will be formed by 2025, according to the plan."
        (
            "target/002-six-key-clusters-2025",
            "group/six-key-industries",
            Decimal(6),
            "unit:NUM",
            "comparator/exactly",
            PLAN_14,
        ),
        # 002: "the industrial value of new-type display devices and services is expected to
        # reach 70 billion yuan by 2025, while that for smart sensors should reach 80 billion"
        (
            "target/002-new-type-display-industrial-value-2025",
            "industry/new-type-displays",
            Decimal("70e9"),
            "unit:CCY_CNY",
            "comparator/exactly",
            PLAN_14,
        ),
        (
            "target/002-intelligent-sensors-industrial-value-2025",
            "industry/intelligent-sensors",
            Decimal("80e9"),
            "unit:CCY_CNY",
            "comparator/exactly",
            PLAN_14,
        ),
        # 002: "The sales revenue of software and information services should exceed 1.5
        # trillion yuan by the end of 2025."
        (
            "target/002-software-sales-revenue-2025",
            "industry/software-and-information-services",
            Decimal("1.5e12"),
            "unit:CCY_CNY",
            "comparator/more-than",
            PLAN_14,
        ),
        # 002: "The industrial value of high-end medical devices is expected to be 60 billion
        # yuan by 2025."
        (
            "target/002-high-end-medical-devices-industrial-value-2025",
            "industry/high-end-medical-devices",
            Decimal("60e9"),
            "unit:CCY_CNY",
            "comparator/exactly",
            PLAN_14,
        ),
        # 002: "the annual output should exceed 1.2 million units by 2025, helping the
        # industry's value top 350 billion yuan."
        (
            "target/002-nev-production-2025",
            "industry/new-energy-vehicles",
            Decimal("1.2e6"),
            "unit:NUM",
            "comparator/more-than",
            PLAN_14,
        ),
        (
            "target/002-nev-industrial-value-2025",
            "industry/new-energy-vehicles",
            Decimal("350e9"),
            "unit:CCY_CNY",
            "comparator/more-than",
            PLAN_14,
        ),
        # 002: "The knowledge-intensive services sector serving production ends should take up
        # at least two-thirds of the city's total added value of the services sector by 2025,
        # with general contracting, research and development, design services and industrial
        # e-commerce making substantial progress."
        (
            "target/002-knowledge-intensive-services-share-2025",
            "industry/knowledge-intensive-producer-services",
            TWO_THIRDS,
            "unit:PERCENT",
            "comparator/at-least",
            PLAN_14,
        ),
        (
            "target/002-general-contracting-progress-2025",
            "industry/general-contracting",
            None,
            None,
            None,
            PLAN_14,
        ),
        (
            "target/002-research-and-development-progress-2025",
            "industry/research-and-development",
            None,
            None,
            None,
            PLAN_14,
        ),
        (
            "target/002-design-services-progress-2025",
            "industry/design-services",
            None,
            None,
            None,
            PLAN_14,
        ),
        (
            "target/002-industrial-e-commerce-progress-2025",
            "industry/industrial-e-commerce",
            None,
            None,
            None,
            PLAN_14,
        ),
        # 003: "According to the plan, more leading firms will be encouraged to design chips with
        # 3 nanometer or less technology to build a national-level electronic design automation
        # (EDA) platform" (the plan for 2021-25)
        (
            "target/003-chip-process-node",
            "product/chips-3nm-or-less",
            Decimal(3),
            "unit:NanoM",
            "comparator/at-most",
            PLAN_14,
        ),
        (
            "target/003-national-eda-platform",
            "programme/national-eda-platform",
            None,
            None,
            None,
            PLAN_14,
        ),
        # 003, the title: "Shanghai to strengthen high-end advanced manufacturing clusters in
        # 2021-2025"; "Shanghai will take integrated circuits, biomedicine and artificial
        # intelligence (AI) as the three major leading industries, and as well strengthen the
        # development of six key industries—electronic information, life health, autos,
        # high-end equipment, advanced materials and fashion consumer goods—in the next five
        # years."; and "Shanghai aims to take the lead in some key high-end industries by
        # 2025." None names a plan.
        (
            "target/003-strengthen-clusters-2021-2025",
            "industry/advanced-manufacturing",
            None,
            None,
            None,
            None,
        ),
        (
            "target/003-strengthen-six-key-industries-2021-2025",
            "group/six-key-industries",
            None,
            None,
            None,
            None,
        ),
        ("target/003-take-lead-2025", "place/shanghai", None, None, None, None),
    }
    assert len(rows) == 24  # one sentence each
    for r in rows:
        key = {"002": A002, "003": A003}[str(r["target"]).split("/")[1][:3]]
        assert str(r["sentence"]) in SEEDS[key]
        if r["value"] is None:
            assert r["description"], r["target"]  # a qualitative target is described
        else:
            assert r["metric"] and str(r["asWritten"]).strip("()") in str(r["sentence"]), r[
                "target"
            ]


def test_17_industry_size_over_the_years(store: ReadableStore) -> None:
    rows = distinct(run(store, "17-industry-size-over-the-years.rq"))
    assert [
        (r["year"], r["metric"], amount(r["value"]), r["unit"], r["comparator"]) for r in rows
    ] == [
        # 002: "The annual turnover of Shanghai's IC industry surged 21 percent year-on-year to
        # 207 billion yuan in 2020."
        ("2020", "metric/annual-turnover", Decimal("207e9"), "unit:CCY_CNY", "comparator/exactly"),
        # 000 (2025): "the integrated circuit cluster, with an industry scale exceeding 390
        # billion yuan last year"
        ("2024", "metric/industry-scale", Decimal("390e9"), "unit:CCY_CNY", "comparator/more-than"),
    ]
    assert {r["industry"] for r in rows} == {"industry/integrated-circuits"}


def test_18_growth_rates(store: ReadableStore) -> None:
    rows = distinct(run(store, "18-growth-rates.rq"))
    assert {
        (r["subject"], r["metric"], r["year"], amount(r["value"]), r["unit"], r["comparator"])
        for r in rows
    } == {
        # 002: "The annual turnover of Shanghai's IC industry surged 21 percent year-on-year to
        # 207 billion yuan in 2020."
        (
            "industry/integrated-circuits",
            "metric/turnover-growth",
            "2020",
            Decimal(21),
            "unit:PERCENT",
            "comparator/exactly",
        ),
        # 001: "During the first three quarters of 2025, the three pioneering industries ... saw
        # their combined industrial output jump 8.5 percent year-on-year, helping Shanghai's GDP
        # grow by 5.5 percent in the period"
        (
            "group/three-pioneering-industries",
            "metric/output-growth",
            "2025",
            Decimal("8.5"),
            "unit:PERCENT",
            "comparator/exactly",
        ),
        (
            "place/shanghai",
            "metric/gdp-growth",
            "2025",
            Decimal("5.5"),
            "unit:PERCENT",
            "comparator/exactly",
        ),
    }
    # "0.3 percentage points higher than the national average" is a difference of growth
    # rates (metric:growth-above-national-average), not a growth rate.
    assert len(rows) == 3


def test_19_large_aircraft_status(store: ReadableStore) -> None:
    rows = distinct(run(store, "19-large-aircraft-status.rq"))
    assert {(r["subject"], r["status"], r["year"]) for r in rows} == {
        # 004 (2016): "China's large aircraft project will be assembled in Shanghai"
        ("programme/large-aircraft-project", "status/planned", "2016"),
        # 000 (2025): "As the C919 enters large-scale operation with orders exceeding one
        # thousand units, the C909 regional jet is delivered in batches, and the C929 wide-body
        # aircraft steadily progresses in development, a self-sufficient, secure, and efficient
        # large aircraft industry chain is rapidly taking shape"
        ("product/c919", "status/large-scale-operation", "2025"),
        ("product/c909", "status/delivered-in-batches", "2025"),
        ("product/c929", "status/in-development", "2025"),
        ("industry/large-aircraft", "status/initially-formed", "2025"),
        # 000: the high-end equipment industry "serves as the foundation for the C919 soaring
        # in the skies"
        ("product/c919", "status/in-operation", "2025"),
    }
    assert len(rows) == 6
    for r in rows:
        assert str(r["sentence"]) in SEEDS[A004 if r["year"] == "2016" else A000]


def test_20_what_officials_said(store: ReadableStore) -> None:
    rows = distinct(run(store, "20-what-officials-said.rq"))
    got = {
        r["quotation"]: (
            r["speaker"],
            r["post"],
            r["year"],
            r["date"],
            frozenset(a.removeprefix(ns.ID) for a in str(r["abouts"]).split()),
        )
        for r in rows
    }
    assert len(rows) == len(got)
    mayor, vice, wang = (
        "post/mayor-of-shanghai",
        "post/vice-mayor-of-shanghai",
        "post/president-of-shanghai-society-of-macroeconomics",
    )
    nqpf, sh = "industry/new-quality-productive-forces", "place/shanghai"
    assert got == {
        # 000: "According to Chen Feifei, Director of the Comprehensive Planning Division of the
        # Municipal Commission of Economy and Informatization, Shanghai's four trillion-yuan-level
        # clusters have "grown" from 10 key industrial chains."
        "quotation/000-chen-feifei-ten-key-chains": (
            "person/chen-feifei",
            "post/director-of-comprehensive-planning-division",
            "2025",
            None,
            frozenset({"group/four-trillion-yuan-level-clusters", sh}),
        ),
        # 001: "During a municipal government meeting in late November, Shanghai Mayor Gong Zheng
        # emphasized that the 15th Five-Year Plan period is critical for the city's
        # transformation and upgrading. Unswerving efforts should be made to develop new quality
        # productive forces. Shanghai should consolidate its role as a source of technology
        # innovation ..., he said."
        "quotation/001-gong-zheng-15th-fyp-critical": (
            "person/gong-zheng",
            mayor,
            "2025",
            "2025-11",
            frozenset({sh, "plan/15th-five-year-plan"}),
        ),
        "quotation/001-gong-zheng-new-quality-productive-forces": (
            "person/gong-zheng",
            mayor,
            "2025",
            "2025-11",
            frozenset({sh, nqpf}),
        ),
        "quotation/001-gong-zheng-source-of-technology-innovation": (
            "person/gong-zheng",
            mayor,
            "2025",
            "2025-11",
            frozenset({sh}),
        ),
        # 001: "Wang Sizheng, president of the Shanghai Society of Macroeconomics, said
        # strengthening technological independence is a core mission for Shanghai in the
        # upcoming five years. But the development of new quality productive forces does not
        # follow a linear path. It is usually with a singular technological breakthrough that
        # chain effects are instigated. In this sense, technological innovation is deeply
        # embedded in industrial upgrading. It is for this reason that companies usually play a
        # critical role in innovation, said Wang."
        "quotation/001-wang-sizheng-technological-independence": (
            "person/wang-sizheng",
            wang,
            "2025",
            None,
            frozenset({sh}),
        ),
        "quotation/001-wang-sizheng-non-linear-path": (
            "person/wang-sizheng",
            wang,
            "2025",
            None,
            frozenset({nqpf}),
        ),
        "quotation/001-wang-sizheng-breakthrough-chain-effects": (
            "person/wang-sizheng",
            wang,
            "2025",
            None,
            frozenset({nqpf}),
        ),
        "quotation/001-wang-sizheng-innovation-embedded-in-upgrading": (
            "person/wang-sizheng",
            wang,
            "2025",
            None,
            frozenset({nqpf}),
        ),
        "quotation/001-wang-sizheng-companies-critical-role": (
            "person/wang-sizheng",
            wang,
            "2025",
            None,
            frozenset({nqpf}),
        ),
        # 002 (2021): "While Shanghai's advanced manufacturing companies used to be the followers
        # of world's top industry players, they should keep up with the pace of industry big
        # names and even take the lead globally in the next few years, a goal that prompted the
        # release of the plan, said Shanghai's Vice-Mayor Wu Qing. Shanghai-based manufacturing
        # companies should master more core technologies by 2035 ..., he said."
        "quotation/002-wu-qing-take-lead-globally": (
            "person/wu-qing",
            vice,
            "2021",
            None,
            frozenset({"industry/advanced-manufacturing", sh, PLAN_14}),
        ),
        "quotation/002-wu-qing-core-technologies-2035": (
            "person/wu-qing",
            vice,
            "2021",
            None,
            frozenset({"industry/manufacturing", sh}),
        ),
    }
    for r in rows:
        key = {"000": A000, "001": A001, "002": A002}[str(r["quotation"]).split("/")[1][:3]]
        assert str(r["sentence"]) in SEEDS[key] and r["said"]


def test_21_plans_and_their_parent_plans(store: ReadableStore) -> None:
    rows = distinct(run(store, "21-plans-and-their-parent-plans.rq"))
    assert {
        (
            r["plan"],
            r["planBegin"],
            r["planEnd"],
            r["relation"],
            r["other"],
            r["otherBegin"],
            r["otherEnd"],
        )
        for r in rows
    } == {
        # 003: "the Shanghai municipal government on Wednesday issued its 14th Five-Year Plan
        # (2021-25) to develop high-end manufacturing in response to the national plan calling
        # for building up of competitive advanced manufacturing clusters" (the national plan's
        # period is not given)
        (
            PLAN_14,
            "2021-01-01",
            "2025-12-31",
            "shkg:respondsTo",
            "plan/national-plan-advanced-manufacturing-clusters",
            None,
            None,
        ),
        (
            PLAN_14,
            "2021-01-01",
            "2025-12-31",
            "shkg:partOfPlan",
            "plan/14th-five-year-plan",
            "2021-01-01",
            "2025-12-31",
        ),
        # 004: "According to Shanghai's "Thirteenth Five-year" Plan, the city will ..."
        (
            "plan/shanghai-13th-five-year-plan",
            "2016-01-01",
            "2020-12-31",
            "shkg:partOfPlan",
            "plan/13th-five-year-plan",
            "2016-01-01",
            "2020-12-31",
        ),
    }
    assert len(rows) == 3


def test_22_industries_of_plans_and_funds(store: ReadableStore) -> None:
    rows = distinct(run(store, "22-industries-of-plans-and-funds.rq"))
    got: dict[tuple[str | None, str | None], set[str]] = {}
    for r in rows:
        got.setdefault((r["kind"], r["item"]), set()).add(
            str(r["industry"]).removeprefix("industry/")
        )
    frontier = {
        "cell-and-gene-therapy",
        "brain-computer-interface",
        "silicon-based-optoelectronics",
        "quantum-technology",
        "controlled-nuclear-fusion",
    }
    assert got == {
        # 001: "15 measures to support the development of "frontier and disruptive "technologies
        # covering cell and gene therapy, brain-computer interface, silicon-based
        # optoelectronics, quantum technology and controlled nuclear fusion."
        ("shkg:Plan", "plan/frontier-technology-measures-2025"): frontier,
        # 000: "Several Measures ... to Accelerate the Construction of a Low-Altitude Economy
        # Advanced Manufacturing Cluster"
        ("shkg:Plan", "plan/low-altitude-economy-measures"): {"low-altitude-economy"},
        # 003: "issued its 14th Five-Year Plan (2021-25) to develop high-end manufacturing in
        # response to the national plan calling for building up of competitive advanced
        # manufacturing clusters"; 002: "The development of high-end industries will be the
        # highlight of Shanghai's advanced manufacturing industry ..., according to the latest plan"
        ("shkg:Plan", PLAN_14): {"high-end-manufacturing", "advanced-manufacturing"},
        ("shkg:Plan", "plan/national-plan-advanced-manufacturing-clusters"): {
            "advanced-manufacturing"
        },
        # 004: "According to Shanghai's "Thirteenth Five-year" Plan, the city will ... attract
        # foreign investment in the development of Shanghai advanced manufacturing industry and
        # promote Shanghai's transformation and upgrading to intelligent manufacturing"
        ("shkg:Plan", "plan/shanghai-13th-five-year-plan"): {
            "advanced-manufacturing",
            "intelligent-manufacturing",
        },
        # 004: "The overall idea of Shanghai speeding up advanced manufacturing industry is to
        # improve manufacturing industry's core competitiveness ... of automobile, equipment,
        # shipping, electronic information and other advantaged manufacturing industries. ...
        # speed up the development of aerospace, biological medicine, new energy, new materials
        # and other emerging manufacturing industries; optimize the development of fine steel,
        # petrochemical and other basic manufacturing industries"
        ("shkg:Plan", "plan/shanghai-advanced-manufacturing-overall-idea"): {
            "advanced-manufacturing",
            "manufacturing",
            "automobiles",
            "equipment",
            "shipping",
            "electronic-information",
            "aerospace",
            "biomedicine",
            "new-energy",
            "advanced-materials",
            "fine-steel",
            "petrochemicals",
        },
        # 004: "Advice on Promoting the Development of Shanghai: speeding up the development of
        # modern service industry and advanced manufacturing industry, ..."
        ("shkg:Plan", "plan/state-council-advice-2009"): {
            "modern-services",
            "advanced-manufacturing",
        },
        # 001: "Shanghai has already set up a 15 billion-yuan fund to develop these
        # future-oriented industries."
        ("shkg:Programme", "programme/future-industries-fund"): frontier,
        # 000: "In biomanufacturing, Shanghai aims to build a "1+5" core innovation capability
        # system."
        ("shkg:Programme", "programme/biomanufacturing-1-plus-5-system"): {"biomanufacturing"},
        # 000: "In embodied intelligence, ... Zhangjiang ... has established platforms including
        # the nation's first heterogeneous humanoid robot training center and an open-source
        # community."
        ("shkg:Programme", "programme/humanoid-robot-training-center"): {"embodied-intelligence"},
        ("shkg:Programme", "programme/embodied-intelligence-open-source-community"): {
            "embodied-intelligence"
        },
        # 000: "In the field of commercial aerospace, Shanghai will ... construct commercial
        # constellations like the Qianfan Constellation and the Smart Sky Network"
        ("shkg:Programme", "programme/qianfan-constellation"): {"commercial-aerospace"},
        ("shkg:Programme", "programme/smart-sky-network"): {"commercial-aerospace"},
        # 004: "China's large aircraft project will be assembled in Shanghai"
        ("shkg:Programme", "programme/large-aircraft-project"): {"large-aircraft"},
        # 004: "These projects are intelligent manufacturing innovation breakthrough, ..."
        ("shkg:Programme", "programme/intelligent-manufacturing-innovation-breakthrough"): {
            "intelligent-manufacturing"
        },
        # 003: "a national-level electronic design automation (EDA) platform to advance the
        # semiconductor industry"
        ("shkg:Programme", "programme/national-eda-platform"): {"semiconductors"},
        # 003: "the 2021 World Artificial Intelligence Conference"
        ("shkg:Programme", "programme/world-artificial-intelligence-conference-2021"): {
            "artificial-intelligence"
        },
    }
    assert len(rows) == 39


def test_23_where_leading_enterprises_are_based(store: ReadableStore) -> None:
    rows = distinct(run(store, "23-where-leading-enterprises-are-based.rq"))
    assert {(r["enterprise"], r["led"], r["base"]) for r in rows} == {
        # 000: "Shanghai also possesses unique advantages in developing intelligent terminals,
        # having already gathered a group of leading enterprises such as ZTE (Nubia), Ingdan,
        # Huaqin, and Longcheer."
        ("enterprise/zte", "industry/intelligent-terminals", "place/shanghai"),
        ("enterprise/ingdan", "industry/intelligent-terminals", "place/shanghai"),
        ("enterprise/huaqin", "industry/intelligent-terminals", "place/shanghai"),
        ("enterprise/longcheer", "industry/intelligent-terminals", "place/shanghai"),
        # 000: "the new energy vehicle cluster, with Jiading District as its core, leverages
        # leading companies like SAIC and Tesla": the cluster's core, not where they are based,
        # which no seed says
        ("enterprise/saic", "cluster/new-energy-vehicles", None),
        ("enterprise/saic", "industry/new-energy-vehicles", None),
        ("enterprise/tesla", "cluster/new-energy-vehicles", None),
        ("enterprise/tesla", "industry/new-energy-vehicles", None),
    }


def test_24_everything_in_2016(store: ReadableStore) -> None:
    rows = distinct(run(store, "24-everything-in-2016.rq"))
    assert {(r["kind"], r["item"]) for r in rows} == {
        # 004 (2016-10-14): "China's large aircraft project will be assembled in Shanghai, with
        # the batch production capacity of an annual output of 20 C919s and 50 ARJ21s in 2016."
        ("shkg:StatusReport", "status-report/004-large-aircraft-project-assembly-planned"),
        ("shkg:Target", "figure/004-c919-production-capacity-2016"),
        ("shkg:Target", "figure/004-arj21-production-capacity-2016"),
        # 004: "A 100kw sodium sulfur battery system has successfully operated in Shanghai World
        # Expo Intelligent Grid Integrated Demonstration Project." (present perfect: 2016)
        ("shkg:Observation", "figure/004-sodium-sulfur-battery-power"),
        ("shkg:StatusReport", "status-report/004-sodium-sulfur-battery-in-operation"),
        # 004: "Shanghai has made a lot of efforts to implement this national strategy in recent
        # years."
        ("shkg:StatusReport", "status-report/004-state-council-advice-implementation"),
        # 004, the article's own assessments: "The level of advanced manufacturing industry
        # development is an important measurement of a country's degree of economic
        # development ..."; "Raising the proportion of advanced manufacturing employment and
        # output value ... can promote the upgrading of industrial structure ..."
        ("shkg:Quotation", "quotation/004-advanced-manufacturing-measure-of-development"),
        ("shkg:Quotation", "quotation/004-advanced-manufacturing-benefits-for-shanghai"),
    }
    assert len(rows) == 8
    assert all(str(r["sentence"]) in SEEDS[A004] for r in rows)


SKOS_BROADER = "http://www.w3.org/2004/02/skos/core#broader"
DESCRIPTION = "http://purl.org/dc/terms/description"


def test_25_editorial_readings(store: ReadableStore) -> None:
    rows = distinct(run(store, "25-editorial-readings.rq"))
    got: dict[tuple[str | None, str | None, str | None], set[tuple[str, int]]] = {}
    for r in rows:
        key = str(r["document"]).removeprefix("article/")
        start = int(str(r["start"]))
        assert SEEDS[key][start : start + len(str(r["sentence"]))] == r["sentence"]
        assert r["note"]
        # a description (a literal) is known here by its first words
        obj = (
            " ".join(str(r["object"]).split()[:4]) if r["predicate"] == DESCRIPTION else r["object"]
        )
        got.setdefault((r["subject"], r["predicate"], obj), set()).add((key, start))

    expected: dict[tuple[str | None, str | None, str | None], set[tuple[str, int]]] = {}

    def read(
        subjects: list[str], predicate: str, obj: str, sentences: set[tuple[str, int]]
    ) -> None:
        for subject in subjects:
            expected[(subject, predicate, obj)] = sentences

    # 000 (2025): "In 2024, the scale of Shanghai's electronic information industry had already
    # reached 1.2 trillion yuan, ..." (5286) "The city has now gathered over 1,200 leading
    # enterprises in the integrated circuit sector, and cutting-edge fields like AI large models
    # and intelligent sensors have fostered a vibrant innovation ecosystem." (5477): the fields
    # are read as electronic information's, AI large models as AI's.
    read(
        ["industry/ai-large-models", "industry/intelligent-sensors"],
        SKOS_BROADER,
        "industry/electronic-information",
        {(A000, 5286), (A000, 5477)},
    )
    read(
        ["industry/ai-large-models"],
        SKOS_BROADER,
        "industry/artificial-intelligence",
        {(A000, 5477)},
    )
    # 000: "Shanghai is a national leader in the low-altitude economy." (7250) "The Jinshan
    # District East China UAV Base is one of the nation's first civil unmanned aerial vehicle
    # test zones, and over half of China's leading eVTOL ... companies are based in
    # Shanghai." (7309)
    read(
        ["place/east-china-uav-base", "product/civil-uavs", "product/evtol"],
        "shkg:industry",
        "industry/low-altitude-economy",
        {(A000, 7250), (A000, 7309)},
    )
    # 000: "In embodied intelligence, Shanghai is progressively establishing ..." (8896)
    # "Zhangjiang ... has established platforms including the nation's first heterogeneous
    # humanoid robot training center and an open-source community." (9056)
    read(
        ["product/humanoid-robots"],
        "shkg:industry",
        "industry/embodied-intelligence",
        {(A000, 8896), (A000, 9056)},
    )
    # 001: "In late October, the city rolled out 15 measures ..." (1525), then "More specific
    # tasks have been set, including nurturing 20 industry leaders in these cutting-edge sectors
    # by 2027." (1917) "Industrial clusters of these emerging technologies should also be
    # established in the city by 2030." (2031): who set the tasks is not said.
    frontier = "plan/frontier-technology-measures-2025"
    read(
        ["target/001-frontier-industry-leaders-2027"],
        "shkg:plan",
        frontier,
        {(A001, 1525), (A001, 1917)},
    )
    read(["target/001-frontier-clusters-2030"], "shkg:plan", frontier, {(A001, 1525), (A001, 2031)})
    # 002 (2021) opens with the plan ("according to a plan released by the municipal
    # government", 0) and says "according to the latest plan" (303) and "according to the plan"
    # (913); the target sentences after them name no plan.
    read(
        [
            f"target/002-{slug}-scale-double-2025"
            for slug in ("integrated-circuits", "biomedicine", "artificial-intelligence")
        ],
        "shkg:plan",
        PLAN_14,
        {(A002, 0), (A002, 303), (A002, 461)},
    )
    for slugs, start in (
        (
            ["new-type-display-industrial-value-2025", "intelligent-sensors-industrial-value-2025"],
            1105,
        ),
        (["software-sales-revenue-2025"], 1288),
        (["high-end-medical-devices-industrial-value-2025"], 1395),
        (["nev-production-2025", "nev-industrial-value-2025"], 1487),
        (
            [
                "knowledge-intensive-services-share-2025",
                "general-contracting-progress-2025",
                "research-and-development-progress-2025",
                "design-services-progress-2025",
                "industrial-e-commerce-progress-2025",
            ],
            2265,
        ),
    ):
        read(
            [f"target/002-{slug}" for slug in slugs],
            "shkg:plan",
            PLAN_14,
            {(A002, 0), (A002, 913), (A002, start)},
        )
    # 002: "... shall see their respective scale more than double by the end of 2025." (461),
    # from the figures of 2020 the next sentences give: "The annual turnover of Shanghai's IC
    # industry surged 21 percent year-on-year to 207 billion yuan in 2020." (668) "The city saw
    # the industrial value of the biomedicine industry exceed 600 billion yuan last year while
    # that of AI reached 220 billion yuan." (774)
    read(
        ["target/002-integrated-circuits-scale-double-2025"],
        "shkg:baseYear",
        "2020",
        {(A002, 461), (A002, 668)},
    )
    read(
        [
            "target/002-biomedicine-scale-double-2025",
            "target/002-artificial-intelligence-scale-double-2025",
        ],
        "shkg:baseYear",
        "2020",
        {(A002, 461), (A002, 774)},
    )
    # 004 (2016): "The overall idea of Shanghai speeding up advanced manufacturing industry is
    # to improve manufacturing industry's core competitiveness ..." (2107) "Efforts will be made
    # to develop advanced manufacturing techniques, improving R & D ability and core
    # competitiveness of automobile, equipment, shipping, electronic information and other
    # advantaged manufacturing industries." (2386) "In addition, it is planned to speed up the
    # development of aerospace, biological medicine, new energy, new materials and other
    # emerging manufacturing industries; optimize the development of fine steel, petrochemical
    # and other basic manufacturing industries; ..." (2608): the two sentences name no plan and
    # are read as the overall idea's.
    idea = "plan/shanghai-advanced-manufacturing-overall-idea"
    advantaged = ["automobiles", "equipment", "shipping", "electronic-information"]
    emerging = ["aerospace", "biomedicine", "new-energy", "advanced-materials"]
    basic = ["fine-steel", "petrochemicals"]
    for industries, role, start in (
        (advantaged, "advantaged", 2386),
        (emerging, "emerging", 2608),
        (basic, "basic", 2608),
    ):
        sentences = {(A004, 2107), (A004, start)}
        for industry in industries:
            expected[(idea, "shkg:industry", f"industry/{industry}")] = sentences
            expected[(f"designation/004-{industry}-{role}", "shkg:designatedBy", idea)] = sentences
    expected[(idea, DESCRIPTION, "To develop advanced manufacturing")] = {
        (A004, 2107),
        (A004, 2386),
    }
    expected[(idea, DESCRIPTION, "To speed up the")] = {(A004, 2107), (A004, 2608)}
    # 004: "According to Shanghai's "Thirteenth Five-year" Plan, the city will ..." (4074) "By
    # 2020, Shanghai manufacturing industry's whole-industrial-chain interactive development
    # pattern will basically form, with significant improvement of high-end manufacturing and
    # producer services level, the capability of independent innovation, industrial
    # international competitiveness and brand influence ..." (4426)
    read(
        [
            f"target/004-{slug}"
            for slug in (
                "whole-industrial-chain-pattern-2020",
                "high-end-manufacturing-level-2020",
                "producer-services-level-2020",
                "manufacturing-innovation-competitiveness-brand-2020",
            )
        ],
        "shkg:plan",
        "plan/shanghai-13th-five-year-plan",
        {(A004, 4074), (A004, 4426)},
    )
    assert got == expected
    assert len(got) == 52

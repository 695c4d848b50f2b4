"""The query page and the resource pages in a real browser: Debian's chromium, driven by Playwright.

They run against the session's real server process (the `server` fixture).  Without
/usr/bin/chromium (``apt-get install chromium``), the Python package playwright
(``pip install -e '.[test]'``) or YASGUI's assets (``npm ci --prefix server/shkg/assets``) they are
skipped with the reason, except on CI (the variable CI set), where that is a failure.

Every page may ask this server only: a request to any other host is aborted and fails the
test, and so does an error in the browser's console.  Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx
import pytest

from shkg import namespaces as ns
from shkg.web import querypage
from tests.support import ROOT, ServerProcess

try:
    from playwright.sync_api import Browser, Page, Route, sync_playwright
except ImportError:  # reported by the `browser` fixture
    HAVE_PLAYWRIGHT = False
else:
    HAVE_PLAYWRIGHT = True

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
# Headless, and quiet: without the background-networking flags chromium calls Google's
# services all the time.  Playwright gives every launch a fresh, temporary profile.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = ROOT / "test-artifacts"
LINGANG = "Which clusters include Lingang?"
LARGE_AIRCRAFT = "Yangtze River Delta (including Jiangxi) large aircraft cluster"
TIMEOUT_MS = 20_000
TARGETS_2025 = f"""
SELECT ?target WHERE {{ ?target a <{ns.SHKG}Target> ;
  <{ns.SHKG}year> "2025"^^<http://www.w3.org/2001/XMLSchema#gYear> }}
"""


def missing_requirements() -> list[str]:
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    if not HAVE_PLAYWRIGHT:
        missing.append("the Python package playwright (pip install -e '.[test]')")
    if querypage.yasgui_version() is None:
        missing.append(
            f"YASGUI's assets in server/shkg/assets/node_modules ({querypage.INSTALL_COMMAND})"
        )
    return missing


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    missing = missing_requirements()
    if missing:
        message = "browser tests need " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(f"{message} (CI is set, so this fails instead of skipping)")
        pytest.skip(f"SKIPPED BROWSER TESTS: {message}")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class Visit:
    """A browser tab on the test server, with what it asked elsewhere and what went wrong."""

    page: Page
    base: str
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert self.foreign == [], f"the page asked other hosts: {self.foreign}"
        assert self.errors == [], f"errors in the browser: {self.errors}"


def open_visit(browser: Browser, server: ServerProcess, **options: Any) -> Visit:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, **options)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    visit = Visit(page, server.url)
    own = urlsplit(server.url).netloc

    def route(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            visit.foreign.append(route.request.url)
            route.abort()

    context.route("**/*", route)
    page.on(
        "console",
        lambda message: (
            visit.errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
    return visit


@pytest.fixture
def visit(browser: Browser, server: ServerProcess) -> Iterator[Visit]:
    opened = open_visit(browser, server)
    try:
        yield opened
    finally:
        opened.page.context.close()


def test_query_page_runs_a_competency_question(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base + "/query")
    page.wait_for_selector("html[data-editor=yasgui]")
    tabs = page.locator(".yasgui .tabsList a[role=tab]")
    titles = [title for title, _ in querypage.load_queries(ROOT / "queries")]
    assert len(titles) == len(list((ROOT / "queries").glob("*.rq"))) >= 12
    assert tabs.count() == len(titles)
    assert [tabs.nth(i).get_attribute("title") for i in range(tabs.count())] == titles
    # Without JavaScript trouble the plain form is hidden and the editor shows.
    assert page.locator("#plain-query").is_hidden()
    assert page.locator("#assets-missing").count() == 0
    visit.shot("query-page")

    # Pick another question first, then the Lingang one, so that choosing a tab is tested.
    tabs.nth(1).click()
    page.locator(".yasgui .tabsList a[role=tab]", has_text=LINGANG).click()
    panel = page.locator(".tabPanel.active")
    assert "place:lingang" in panel.locator(".CodeMirror").inner_text()
    assert (
        panel.locator(".endpointText input, input.autocomplete")
        .first.input_value()
        .startswith(visit.base + "/sparql")
    )
    panel.locator(".yasqe_queryButton").click()
    cell = panel.locator(".yasr table.dataTable tbody td", has_text=LARGE_AIRCRAFT)
    cell.wait_for()
    # The project's prefixes are the editor's: the cluster shows as cluster:large-aircraft.
    table = panel.locator(".yasr table.dataTable tbody")
    assert table.locator("a", has_text="cluster:large-aircraft").count() == 1
    assert panel.locator(".yasr table.dataTable tbody tr").count() == 1
    visit.shot("query-results")

    # Results download as CSV.
    with page.expect_download() as download:
        panel.locator(".yasr_downloadIcon").click()
    rows = list(csv.reader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert rows[0] == ["cluster", "label"]
    assert rows[1] == ["https://w3id.org/shkg/id/cluster/large-aircraft", LARGE_AIRCRAFT]
    visit.assert_clean()


def test_query_page_prefixes_complete_from_the_project(visit: Visit) -> None:
    page = visit.page
    page.goto(visit.base + "/query")
    page.wait_for_selector("html[data-editor=yasgui]")
    page.locator(".yasgui .tabsList .addTab").click()
    panel = page.locator(".tabPanel.active")
    editor = panel.locator(".CodeMirror")
    assert "PREFIX shkg:" in editor.inner_text()
    # Using a prefix the query does not declare adds its declaration, from PREFIXES.
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("SELECT * WHERE { industry:")
    page.wait_for_function(
        "() => document.querySelector('.tabPanel.active .CodeMirror').CodeMirror"
        ".getValue().includes('PREFIX industry: <https://w3id.org/shkg/id/industry/>')"
    )
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.type("new-energy-vehicles ?p ?o }")
    panel.locator(".yasqe_queryButton").click()
    # Results show IRIs with the project's prefixes.
    panel.locator(".yasr table.dataTable tbody td", has_text="rdfs:label").first.wait_for()
    visit.shot("query-new-tab")
    visit.assert_clean()


def test_query_page_works_without_javascript(browser: Browser, server: ServerProcess) -> None:
    visit = open_visit(browser, server, java_script_enabled=False)
    try:
        page = visit.page
        page.goto(visit.base + "/query")
        assert page.locator("#plain-query").is_visible()
        assert LINGANG in page.locator("#query-text").input_value()
        page.select_option("#query-format", "csv")
        visit.shot("query-page-without-javascript")
        with page.expect_download() as download:
            page.locator("#plain-query button[type=submit]").click()
        text = Path(download.value.path()).read_text(encoding="utf-8")
        assert LARGE_AIRCRAFT in text
        visit.assert_clean()
    finally:
        visit.page.context.close()


def run_lingang_question(visit: Visit) -> Any:
    """Open /query, run the Lingang question; the active tab's panel, with its result."""
    page = visit.page
    page.goto(visit.base + "/query")
    page.wait_for_selector("html[data-editor=yasgui]")
    page.locator(".yasgui .tabsList a[role=tab]", has_text=LINGANG).click()
    panel = page.locator(".tabPanel.active")
    panel.locator(".yasqe_queryButton").click()
    panel.locator(".yasr table.dataTable tbody td", has_text=LARGE_AIRCRAFT).wait_for()
    return panel


def test_results_link_to_resource_pages_that_link_on(visit: Visit) -> None:
    panel = run_lingang_question(visit)
    # The dataset's IRI opens this server's page for it (in a new tab), not w3id.org's.
    with visit.page.context.expect_page() as opened:
        panel.locator(".yasr table.dataTable tbody a", has_text="cluster:large-aircraft").click()
    page = opened.value
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda error: visit.errors.append(f"page error: {error}"))
    page.wait_for_load_state()
    assert page.url == visit.base + "/id/cluster/large-aircraft"
    assert LARGE_AIRCRAFT in page.locator("h1").inner_text()
    visit.page = page
    visit.shot("resource-page")

    page.locator('main a[href="/id/place/lingang"]').first.click()
    page.wait_for_url(visit.base + "/id/place/lingang")
    assert "Lingang" in page.locator("h1").inner_text()
    visit.shot("resource-page-followed-link")

    page.locator('nav a[href="/query"]').click()
    page.wait_for_url(visit.base + "/query")
    page.wait_for_selector("html[data-editor=yasgui]")
    visit.assert_clean()


@pytest.mark.parametrize(
    ("name", "page", "heading"),
    [
        ("Lingang", "/id/place/lingang", "Lingang"),
        ("新能源", "/id/industry/new-energy-vehicles", "new energy vehicles"),
    ],
)
def test_search_from_the_home_page_reaches_the_resource(
    visit: Visit, name: str, page: str, heading: str
) -> None:
    """A name that is exactly a suggestion goes straight to its page (as Wikipedia's search
    does); any other goes to the results, whose first link is the resource."""
    tab = visit.page
    tab.goto(visit.base + "/")
    box = tab.locator("header form.search input[name=q]")
    box.press_sequentially(name, delay=40)
    # Suggestions come as the reader types.
    tab.wait_for_function("document.querySelectorAll('#search-suggestions option').length > 0")
    suggestion = tab.locator("#search-suggestions option").first.get_attribute("value")
    assert suggestion is not None and (name in suggestion or name.lower() in suggestion.lower())
    tab.locator("header form.search button").click()
    if suggestion != name:
        tab.wait_for_url("**/search?q=*")
        visit.shot(f"search-{page.rsplit('/', 1)[1]}")
        tab.locator("ol.hits li a").first.click()
    tab.wait_for_url(visit.base + page)
    assert heading in tab.locator("h1").inner_text()
    visit.assert_clean()


def test_choosing_a_suggestion_opens_its_page(visit: Visit) -> None:
    tab = visit.page
    tab.goto(visit.base + "/id/dataset")
    box = tab.locator("header form.search input[name=q]")
    box.press_sequentially("Zhangji", delay=40)
    tab.wait_for_function(
        "[...document.querySelectorAll('#search-suggestions option')]"
        ".some(o => o.value.startsWith('Zhangjiang '))"
    )
    box.fill("Zhangjiang 张江")  # what choosing that suggestion puts in the box
    tab.wait_for_url(visit.base + "/id/place/zhangjiang")
    visit.assert_clean()


def test_search_works_without_javascript(browser: Browser, server: ServerProcess) -> None:
    visit = open_visit(browser, server, java_script_enabled=False)
    try:
        tab = visit.page
        tab.goto(visit.base + "/ontology")
        tab.locator("header form.search input[name=q]").fill("Zhangjiang")
        tab.locator("header form.search button").click()
        tab.wait_for_url("**/search?q=Zhangjiang")
        assert tab.locator("ol.hits li a").first.get_attribute("href") == "/id/place/zhangjiang"
        visit.assert_clean()
    finally:
        visit.page.context.close()


def _sparql_column(base: str, query: str, variable: str) -> set[str]:
    response = httpx.get(
        base + "/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    response.raise_for_status()
    return {row[variable]["value"] for row in response.json()["results"]["bindings"]}


def test_all_targets_for_2025_by_clicks_alone_and_its_csv_is_the_sparql_answer(
    visit: Visit,
) -> None:
    tab = visit.page
    tab.goto(visit.base + "/")
    tab.get_by_role("link", name="All targets for 2025").click()
    tab.wait_for_url("**/id/target/?year=2025")
    assert tab.locator("h1").inner_text() == "Targets"
    rows = tab.locator("table.browse tbody tr")
    assert rows.count() > 10
    visit.shot("browse-targets-2025")
    # The facet's count is the number of rows shown.
    year = tab.locator("aside.facets a[aria-current]").filter(has_text="2025")
    assert year.locator("xpath=following-sibling::span").inner_text() == str(rows.count())
    # Sorting by value is a click on its heading, and keeps the filter.
    tab.locator("table.browse thead a", has_text="Value").click()
    tab.wait_for_url("**year=2025*sort=value*")
    with tab.expect_download() as downloading:
        tab.get_by_role("link", name="CSV").click()
    path = downloading.value.path()
    assert path is not None
    rows_csv = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    expected = _sparql_column(visit.base, TARGETS_2025, "target")
    assert {row["iri"] for row in rows_csv} == expected
    visit.assert_clean()


def test_an_example_question_opens_its_answer_table(visit: Visit) -> None:
    tab = visit.page
    tab.goto(visit.base + "/")
    tab.get_by_role("link", name=LINGANG).click()
    tab.wait_for_url("**/id/example/01")
    assert tab.locator("h1").inner_text() == LINGANG
    table = tab.locator("table.answer")
    assert table.locator("tbody tr").count() >= 1
    assert table.locator("a[href^='/id/cluster/']").count() >= 1
    visit.shot("example-answer-lingang")
    # "Open in the query editor" opens that question's query in YASGUI, in the tab shown.
    tab.goto(visit.base + "/id/example/08")
    tab.get_by_role("link", name="Open in the query editor").click()
    tab.locator("html[data-editor='yasgui']").wait_for(state="attached")
    assert "plan:14th-five-year-plan" in tab.locator(".CodeMirror:visible").inner_text()
    visit.assert_clean()


def test_the_chinese_interface_renders(browser: Browser, server: ServerProcess) -> None:
    visit = open_visit(browser, server, locale="zh-CN")  # the browser sends Accept-Language
    try:
        tab = visit.page
        tab.goto(visit.base + "/")
        assert tab.locator("h1").inner_text() == "上海产业知识图谱"
        assert tab.locator("html").get_attribute("lang") == "zh-Hans"
        tab.get_by_role("link", name="2025 年的全部目标").click()
        tab.wait_for_url("**/id/target/?year=2025")
        assert tab.locator("h1").inner_text() == "目标"
        assert "超过120万" in tab.locator("table.browse").inner_text()
        visit.shot("chinese-interface-targets-2025")
        # The switch goes back to English, and stays there.
        tab.get_by_role("link", name="English").click()
        tab.wait_for_url("**/id/target/?year=2025&lang=en")  # the filter kept
        assert tab.locator("h1").inner_text() == "Targets"
        tab.goto(visit.base + "/")
        assert tab.locator("h1").inner_text() == "Shanghai Industry Knowledge Graph"
        visit.assert_clean()
    finally:
        visit.page.context.close()


def test_a_chart_has_axes_and_labels_and_its_data_without_javascript(
    browser: Browser, server: ServerProcess, visit: Visit
) -> None:
    tab = visit.page
    tab.goto(visit.base + "/id/group/three-pioneering-industries")
    canvas = tab.locator("figure.chart canvas[data-drawn='chart.js']")
    canvas.wait_for()
    scales = canvas.evaluate(
        "c => { const s = Chart.getChart(c).options.scales;"
        " return [s.x.title.text, s.y.title.text, s.x.title.display, s.y.title.display]; }"
    )
    assert scales == ["Year", "contribution to GDP (percent)", True, True]
    labels = canvas.evaluate("c => Chart.getChart(c).data.datasets.map(d => d.label)")
    assert labels == ["Reported figures"]
    canvas.scroll_into_view_if_needed()
    visit.shot("chart-three-pioneering-industries")
    visit.assert_clean()
    # Without JavaScript the same figures are a table.
    plain = open_visit(browser, server, java_script_enabled=False)
    try:
        plain.page.goto(plain.base + "/id/group/three-pioneering-industries")
        table = plain.page.locator("figure.chart details.chart-data table")
        assert table.is_visible()
        assert "33.4%" in table.inner_text()
    finally:
        plain.page.context.close()


def test_a_query_error_is_explained_and_marked_in_the_editor(visit: Visit) -> None:
    tab = visit.page
    broken = "SELECT ?s WHERE {\n  ?s ?p ?o\n  FILTER(\n}"
    tab.goto(visit.base + "/query#" + urlencode({"query": broken}))
    tab.locator("html[data-editor='yasgui']").wait_for(state="attached")
    # A shared link's query runs as the page opens.
    panel = tab.locator(".tabPanel.active")
    error = panel.locator(".shkg-query-error")
    error.wait_for()
    text = error.inner_text()
    assert text.startswith("Error 400: malformed query at line 4, column ")
    assert '{"ok"' not in text  # the message, not the response's JSON
    line = panel.locator(".CodeMirror .shkg-error-line")
    line.wait_for()
    assert line.count() == 1
    assert panel.locator(".CodeMirror .shkg-error-at").count() == 1
    visit.shot("query-error")
    # The failed request is the browser's one complaint.
    assert visit.foreign == []
    assert all("400" in message for message in visit.errors), visit.errors

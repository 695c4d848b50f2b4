"""The query page without a browser: what it embeds, how it escapes, and its fallback form."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.settings import Settings
from shkg.web import querypage
from shkg.web.app import release_app
from tests.support import ROOT

IN_PROCESS = Settings(
    query_workers=0, access_log=False, public_url="http://testserver/", root=str(ROOT)
)


@pytest.fixture(scope="module")
def client(release: Release) -> Iterator[TestClient]:
    with TestClient(release_app(IN_PROCESS, release)) as test_client:
        yield test_client


class Page(HTMLParser):
    """The parts of the page the tests look at."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.links: list[dict[str, str | None]] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.config: str | None = None
        self._in_config = False
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            self.scripts.append(attributes)
            self._in_config = attributes.get("id") == "shkg-query-config"
        if tag == "link":
            self.links.append(attributes)
        if attributes.get("id"):
            self.ids[str(attributes["id"])] = {"tag": tag, **attributes}

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_config = False

    def handle_data(self, data: str) -> None:
        if self._in_config:
            self.config = (self.config or "") + data


def config_of(text: str) -> dict[str, Any]:
    page = Page(text)
    assert page.config is not None
    config: dict[str, Any] = json.loads(page.config)
    return config


def test_page_embeds_the_competency_questions_and_prefixes(client: TestClient) -> None:
    response = client.get("/query")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    config = config_of(response.text)
    expected = querypage.load_queries(ROOT / "queries")
    assert len(expected) == len(list((ROOT / "queries").glob("*.rq"))) >= 12
    assert [(q["title"], q["query"]) for q in config["queries"]] == list(expected)
    assert config["queries"][0]["title"] == "Which clusters include Lingang?"
    assert config["prefixes"] == ns.PREFIXES
    # The endpoint is this server's, relative, resolved by the page's script.
    assert config["endpoint"] == "sparql"
    assert "PREFIX shkg:" in config["newTabQuery"]


def test_page_loads_yasgui_from_this_server_only(client: TestClient) -> None:
    if querypage.yasgui_version() is None:
        message = f"YASGUI's assets are not installed ({querypage.INSTALL_COMMAND})"
        if os.environ.get("CI"):
            pytest.fail(f"{message}; CI is set, so this fails instead of skipping")
        pytest.skip(message)
    response = client.get("/query")
    page = Page(response.text)
    sources = [s["src"] for s in page.scripts if s.get("src")]
    styles = [link["href"] for link in page.links if link.get("rel") == "stylesheet"]
    assert sources == [f"assets/yasgui/yasgui.min.js?v={querypage.yasgui_version()}"]
    assert styles == [f"assets/yasgui/yasgui.min.css?v={querypage.yasgui_version()}"]
    assert "assets-missing" not in page.ids
    # Nothing on the page is fetched from elsewhere, and the policy forbids it anyway.
    assert not re.search(r'(src|href)="(https?:)?//[^"]*"[^>]*>\s*</script>', response.text)
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "connect-src 'self'" in policy
    for path in sources + styles:
        asset = client.get("/" + str(path))
        assert asset.status_code == 200, path
        assert asset.headers["cache-control"].startswith("public")
    assert (
        client.get("/assets/yasgui/yasgui.min.js")
        .headers["content-type"]
        .startswith("text/javascript")
    )
    assert client.head("/assets/yasgui/yasgui.min.css").status_code == 200


def test_only_yasgui_build_files_are_served(client: TestClient) -> None:
    for name in ("package.json", "..%2Fpackage.json", "yasgui.esm.js", "ts", "%2Fetc%2Fpasswd"):
        response = client.get(f"/assets/yasgui/{name}")
        assert response.status_code == 404, name
    assert client.get("/assets/yasgui/../../../pyproject.toml").status_code == 404


def test_without_the_assets_the_page_is_a_plain_form(
    release: Release, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(querypage, "YASGUI_DIR", tmp_path / "node_modules" / "@zazuko" / "yasgui")
    with TestClient(release_app(IN_PROCESS, release)) as client:
        response = client.get("/query")
        assert response.status_code == 200
        page = Page(response.text)
        assert [s for s in page.scripts if s.get("src")] == []
        assert page.ids["assets-missing"]["tag"] == "p"
        assert "npm ci --prefix server/shkg/assets" in response.text
        form = page.ids["plain-query"]
        assert form["tag"] == "form" and form["action"] == "sparql" and form["method"] == "get"
        assert page.ids["query-text"]["name"] == "query"
        assert client.get("/assets/yasgui/yasgui.min.js").status_code == 404
        # The form works: its fields are /sparql's parameters.
        query = config_of(response.text)["queries"][0]["query"]
        answer = client.get("/sparql", params={"query": query, "format": "csv"})
        assert "large aircraft cluster" in answer.text


def test_every_embedded_string_is_escaped() -> None:
    nasty = "</script><script>alert(1)</script><!-- & \u2028 \"'"
    service: Any = SimpleNamespace(queries=((nasty, f'SELECT * WHERE {{ ?s ?p "{nasty}" }}'),))
    text = querypage.render(service, "4.6.2")
    assert "alert(1)</script>" not in text
    assert "<script>alert" not in text
    config = config_of(text)
    assert config["queries"] == [{"title": nasty, "query": service.queries[0][1]}]
    # The textarea and the link list show it as text.
    assert "&lt;/script&gt;&lt;script&gt;alert(1)" in text


def test_inline_script_is_allowed_by_its_hash(client: TestClient) -> None:
    response = client.get("/query")
    policy = response.headers["content-security-policy"]
    digest = re.search(r"'sha256-([^']+)'", policy)
    assert digest is not None
    assert querypage.content_security_policy() == policy
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    if querypage.yasgui_version() is not None:
        assert inline == [querypage.INIT_SCRIPT]


def test_queries_read_from_the_project(tmp_path: Path) -> None:
    assert querypage.project_queries(str(tmp_path)) == ()  # not a project: no questions
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "b.rq").write_text("# title: Second\nASK {}\n", encoding="utf-8")
    (tmp_path / "q" / "a.rq").write_text("ASK {}\n", encoding="utf-8")
    assert querypage.load_queries(tmp_path / "q") == (
        ("a", "ASK {}\n"),
        ("Second", "# title: Second\nASK {}\n"),
    )
    assert querypage.load_queries(tmp_path / "missing") == ()

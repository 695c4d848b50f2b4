"""The query page, /query: YASGUI over this server's /sparql, with the competency questions.

YASGUI (npm package ``@zazuko/yasgui``, pinned in ``server/shkg/assets/package.json``) is
served by this app from ``server/shkg/assets/node_modules`` (package data, so a wheel carries
its build files) under ``/assets/yasgui/``: never from a CDN, never committed.  The page asks
no other host for anything: the endpoint catalogue holds this server's endpoint only,
prefixes come from :data:`shkg.namespaces.PREFIXES` (no prefix.cc), the class and property
completers (which ask lov.linkeddata.es) are off, there is no link shortener, and the
Content-Security-Policy lets the page connect to its own origin only.

Without the assets (``npm ci --prefix server/shkg/assets`` not run), or without JavaScript,
the page is a plain form that sends the query to /sparql, with a note saying why.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from shkg import namespaces as ns
from shkg.errors import InputError, NotFound
from shkg.project import Project
from shkg.render.html import STYLE as SITE_STYLE
from shkg.web.caching import static_file
from shkg.web.service import Service

PACKAGE = "@zazuko/yasgui"
WEB = Path(__file__).resolve().parents[1] / "assets"  # package data: shkg/assets
YASGUI_DIR = WEB / "node_modules" / "@zazuko" / "yasgui"
# The files of YASGUI's build/ directory the page uses (the source map for browser tools).
ASSETS = {
    "yasgui.min.js": "text/javascript; charset=utf-8",
    "yasgui.min.css": "text/css; charset=utf-8",
    "yasgui.min.js.map": "application/json",
}
REQUIRED_ASSETS = ("yasgui.min.js", "yasgui.min.css")
INSTALL_COMMAND = "npm ci --prefix server/shkg/assets"

# The prefixes a new tab declares; the editor completes (and adds on use) all of PREFIXES.
NEW_TAB_PREFIXES = ("shkg", "rdf", "rdfs", "skos", "dcterms", "prov", "xsd")
NEW_TAB_QUERY = """SELECT ?cluster ?label WHERE {
  ?cluster a shkg:IndustrialCluster ;
           rdfs:label ?label .
  FILTER (lang(?label) = "en" || lang(?label) = "")
}
ORDER BY ?label
"""

# The plain form's result formats (the `format` parameter of /sparql); "" lets /sparql choose.
FORMATS = (
    ("", "as the browser asks (JSON, or Turtle for CONSTRUCT)"),
    ("csv", "CSV"),
    ("tsv", "TSV"),
    ("json", "SPARQL JSON"),
    ("xml", "SPARQL XML"),
    ("turtle", "Turtle (CONSTRUCT, DESCRIBE)"),
)

_TITLE = re.compile(r"^#\s*title:\s*(.+?)\s*$", re.MULTILINE)

INIT_SCRIPT = """
(function () {
  "use strict";
  var config = JSON.parse(document.getElementById("shkg-query-config").textContent);
  var holder = document.getElementById("yasgui");
  if (typeof window.Yasgui !== "function") {
    return;  // the editor's assets did not load: the plain form stays
  }
  var Yasgui = window.Yasgui;
  var endpoint = new URL(config.endpoint, document.baseURI).href;
  var completions = Object.keys(config.prefixes).sort().map(function (name) {
    return name + ": <" + config.prefixes[name] + ">";
  });
  // Prefixes from this project, not from prefix.cc; no class or property completers (they
  // ask lov.linkeddata.es); nothing is kept in the browser's storage.
  Yasgui.Yasqe.forkAutocompleter("prefixes", {
    name: "shkgPrefixes", persistenceId: null,
    get: function () { return Promise.resolve(completions); }
  }, false);
  Yasgui.Yasqe.defaults.autocompleters = ["shkgPrefixes", "variables"];
  Yasgui.Yasqe.defaults.createShortLink = undefined;
  Yasgui.defaults.endpointCatalogueOptions.getData = function () {
    return [{endpoint: endpoint}];
  };
  // A query error as the server explains it (message, and the place in the query, marked in
  // the editor), not the response's raw JSON.
  var marked = [];
  var clearMarks = function () {
    marked.forEach(function (clear) { clear(); });
    marked = [];
  };
  var renderError = function (error) {
    var body = null;
    try {
      body = JSON.parse(error.text);
    } catch (ignored) {
      return Promise.resolve(undefined);
    }
    if (!body || typeof body.error !== "string") {
      return Promise.resolve(undefined);
    }
    var box = document.createElement("div");
    box.className = "shkg-query-error";
    box.setAttribute("role", "alert");
    var head = document.createElement("strong");
    head.textContent = "Error " + (body.status || error.status || "") + ": ";
    box.appendChild(head);
    box.appendChild(document.createTextNode(body.error));
    var tab = yasgui.getTab();
    var yasqe = tab ? tab.getYasqe() : null;
    if (body.line && yasqe) {
      clearMarks();
      var line = body.line - 1;
      // The parser may point just past the line's end: mark its last character then.
      var length = (yasqe.getLine(line) || "").length;
      var ch = Math.min(Math.max((body.column || 1) - 1, 0), Math.max(length - 1, 0));
      var mark = yasqe.markText({line: line, ch: ch}, {line: line, ch: ch + 1},
                                {className: "shkg-error-at"});
      yasqe.addLineClass(line, "background", "shkg-error-line");
      marked.push(function () { mark.clear(); });
      marked.push(function () { yasqe.removeLineClass(line, "background", "shkg-error-line"); });
      var where = document.createElement("p");
      where.textContent = "Line " + body.line + ", column " + (body.column || 1) +
        " is marked in the editor.";
      box.appendChild(where);
    }
    return Promise.resolve(box);
  };
  // Each tab's results take their error renderers from Yasr's defaults.
  Yasgui.Yasr.defaults.errorRenderers = [renderError];
  var yasgui = new Yasgui(holder, {
    persistenceId: null,
    autoAddOnInit: false,
    copyEndpointOnNewTab: true,
    populateFromUrl: true,
    tabName: "New query",
    corsProxy: undefined,
    requestConfig: {endpoint: endpoint, method: "POST"},
    endpointCatalogueOptions: {getData: function () { return [{endpoint: endpoint}]; }},
    yasqe: {value: config.newTabQuery, persistenceId: null, createShortLink: undefined},
    yasr: {prefixes: config.prefixes, persistenceId: null, defaultPlugin: "table"}
  });
  var shared = Object.keys(yasgui._tabs).length > 0;  // a tab opened from a shared link
  config.queries.forEach(function (query, index) {
    var tab = yasgui.addTab(!shared && index === 0, {
      name: query.title, yasqe: {value: query.query}, requestConfig: {endpoint: endpoint}
    });
    var link = document.getElementById("tab-" + tab.getId());
    if (link) {
      link.title = query.title;  // the tab shows the title cut short
    }
  });
  yasgui.on("query", clearMarks);
  if (!config.queries.length && !shared) {
    yasgui.addTab(true);
  }
  // IRIs of this dataset in the results open this server's page for them, not w3id.org's.
  var rewrite = function (event) {
    var link = event.target && event.target.closest ? event.target.closest("a.iri") : null;
    if (link && link.href.indexOf(config.base) === 0) {
      link.href = new URL(config.site + link.href.slice(config.base.length), document.baseURI).href;
    }
  };
  ["mousedown", "focusin", "click"].forEach(function (type) {
    holder.addEventListener(type, rewrite, true);
  });
  document.getElementById("plain-query").hidden = true;
  document.getElementById("editor-help").hidden = false;
  document.documentElement.setAttribute("data-editor", "yasgui");
})();
"""

# The site's style, widened for the editor, plus the editor's own rules.
STYLE = (
    SITE_STYLE
    + """
header,main,footer{max-width:75rem}
.note{color:#5a3a00;background:#fff6e0;padding:.4rem .6rem;border-left:4px solid #c77700}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:.5rem;background:#fff;padding:.3rem}
textarea{width:100%;font:14px/1.4 ui-monospace,monospace;box-sizing:border-box}
#plain-query label{display:block;margin:.4rem 0 .2rem}
#plain-query button{margin-top:.5rem;padding:.3rem 1rem}
#yasgui .tabsList .tab a span{display:inline-block;max-width:15rem;overflow:hidden;
text-overflow:ellipsis;white-space:nowrap;vertical-align:bottom}
table.prefixes td,table.prefixes th{text-align:left;padding:0 .6rem 0 0}
details{margin:1rem 0}
.shkg-query-error{padding:.6rem .8rem;border-left:4px solid #b00020;background:#fdecee}
.shkg-error-line{background:#fde2e2}
.shkg-error-at{background:#f4a6ae;border-bottom:2px solid #b00020}
"""
)


def project_queries(root: str | None) -> tuple[tuple[str, str], ...]:
    """The competency questions of the project at ``root``, or none when it has no queries/."""
    try:
        directory = Project.locate(root).queries
    except InputError:
        return ()
    return load_queries(directory)


def load_queries(directory: Path) -> tuple[tuple[str, str], ...]:
    """(title, query text) of each ``*.rq`` in ``directory``, by file name; the title is the
    ``# title:`` line, or the file's name without one."""
    if not directory.is_dir():
        return ()
    queries = []
    for path in sorted(directory.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        match = _TITLE.search(text)
        queries.append((match.group(1) if match else path.stem, text))
    return tuple(queries)


def yasgui_version() -> str | None:
    """The installed YASGUI version, or None when its assets are not all there."""
    try:
        manifest = json.loads((YASGUI_DIR / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not all((YASGUI_DIR / "build" / name).is_file() for name in REQUIRED_ASSETS):
        return None
    version = manifest.get("version") if isinstance(manifest, dict) else None
    return str(version) if version else None


def script_json(data: Any) -> str:
    """JSON for a <script type="application/json"> block: no `<`, `>` or `&` can end it."""
    return (
        json.dumps(data, ensure_ascii=False)
        .replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def new_tab_query() -> str:
    width = max(len(name) for name in NEW_TAB_PREFIXES)
    lines = [f"PREFIX {name + ':':<{width + 1}} <{ns.PREFIXES[name]}>" for name in NEW_TAB_PREFIXES]
    return "\n".join(lines) + "\n\n" + NEW_TAB_QUERY


def render(service: Service, version: str | None) -> str:
    """The whole page; ``version`` is YASGUI's, None when its assets are not installed."""
    queries = service.queries
    config = {
        "endpoint": "sparql",
        # Dataset IRIs under `base` are served here, at the same path under the site's root.
        "base": ns.BASE,
        "site": "/",
        "prefixes": ns.PREFIXES,
        "newTabQuery": new_tab_query(),
        "queries": [{"title": title, "query": text} for title, text in queries],
    }
    first = queries[0][1] if queries else new_tab_query()
    options = "".join(
        f'<option value="{esc(value)}">{esc(label)}</option>' for value, label in FORMATS
    )
    examples = "".join(
        f'<li>{esc(title)}: <a href="sparql?{esc(urlencode({"query": text, "format": "csv"}))}">'
        f'CSV</a>, <a href="sparql?{esc(urlencode({"query": text, "format": "json"}))}">'
        "JSON</a></li>"
        for title, text in queries
    )
    prefixes = "".join(
        f"<tr><td><code>{esc(name)}:</code></td><td><code>{esc(iri)}</code></td></tr>"
        for name, iri in ns.PREFIXES.items()
    )
    if version is None:
        head_assets = ""
        note = (
            f'<p class="note" role="status" id="assets-missing">The SPARQL editor (YASGUI) is '
            f"not installed on this server, so this is a plain form. To install it, run "
            f"<code>{esc(INSTALL_COMMAND)}</code> in the project directory and reload.</p>"
        )
        scripts = ""
    else:
        stamp = esc(version)
        head_assets = f'<link rel="stylesheet" href="assets/yasgui/yasgui.min.css?v={stamp}">'
        note = ""
        scripts = (
            f'<script src="assets/yasgui/yasgui.min.js?v={stamp}"></script>'
            f"<script>{INIT_SCRIPT}</script>"
        )
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'
        "<title>Query · Shanghai Industry Knowledge Graph</title>"
        f"<style>{STYLE}</style>{head_assets}</head>"
        '<body><a class="skip" href="#content">Skip to content</a><header><nav aria-label="Site">'
        '<a href="/">Home</a><a href="/id/">Browse</a>'
        '<a href="/query" aria-current="page">Query</a><a href="/ontology">Ontology</a>'
        '<a href="/sparql">SPARQL endpoint</a><a href="/download/">Downloads</a>'
        '<a href="/.well-known/void">Dataset description</a></nav></header>'
        '<main id="content"><h1>Query the graph</h1>'
        "<p>Ask the graph in SPARQL; queries go to this server's endpoint, "
        '<a href="sparql"><code>/sparql</code></a>, whose default graph is the union of all '
        "named graphs. The competency questions the graph was built to answer are listed below."
        '<span id="editor-help" hidden> In the editor each is open as a tab: run one with the ▶ '
        "button or Ctrl+Enter, and download its results (CSV) with the download button above the "
        "table.</span></p>"
        f"{note}"
        '<form id="plain-query" method="get" action="sparql">'
        '<label for="query-text">SPARQL query</label>'
        '<textarea id="query-text" name="query" rows="18" spellcheck="false">'
        f"{esc(first)}</textarea>"
        f'<label for="query-format">Result format</label><select id="query-format" name="format">'
        f'{options}</select> <button type="submit">Run query</button></form>'
        '<div id="yasgui"></div>'
        f"<details><summary>Competency questions ({len(queries)}), as links</summary>"
        f"<ol>{examples}</ol></details>"
        f"<details><summary>Prefixes the editor knows ({len(ns.PREFIXES)})</summary>"
        f'<table class="prefixes">{prefixes}</table></details>'
        "</main><footer><p>Data licensed under "
        '<a rel="license" href="https://creativecommons.org/licenses/by/4.0/">CC BY 4.0</a>. '
        f'Query editor: <a href="https://github.com/zazuko/Yasgui">YASGUI</a> {esc(version or "")} '
        "(MIT).</p></footer>"
        f'<script type="application/json" id="shkg-query-config">{script_json(config)}</script>'
        f"{scripts}</body></html>\n"
    )


CSP = (
    "default-src 'self'; script-src 'self' 'sha256-{hash}'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)


def content_security_policy() -> str:
    """The page may load and ask its own origin only; the one inline script is allowed by hash."""
    digest = hashlib.sha256(INIT_SCRIPT.encode("utf-8")).digest()
    return CSP.format(hash=base64.b64encode(digest).decode("ascii"))


def router(service: Service) -> APIRouter:
    routes = APIRouter()

    @routes.get("/query", response_class=HTMLResponse, summary="The query page (YASGUI)")
    def query_page() -> Response:
        return HTMLResponse(
            render(service, yasgui_version()),
            headers={
                "Content-Security-Policy": content_security_policy(),
                "Cache-Control": "no-cache",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @routes.get("/assets/yasgui/{name}", include_in_schema=False)
    def yasgui_asset(name: str) -> Response:
        path = YASGUI_DIR / "build" / name
        if name not in ASSETS or not path.is_file():
            raise NotFound(
                f"no asset {name!r}" + ("" if name not in ASSETS else f": run `{INSTALL_COMMAND}`")
            )
        return static_file(path, ASSETS[name], service.settings.cache_max_age)

    routes.add_api_route("/query", query_page, methods=["HEAD"], include_in_schema=False)
    routes.add_api_route(
        "/assets/yasgui/{name}", yasgui_asset, methods=["HEAD"], include_in_schema=False
    )
    return routes

"""Search figures: the index's size and build time (from the release's manifest), and the
latency of searching every name of the dataset, in process and over HTTP.

    python -m bench.search [VAR]     # a release's var directory; default: the project's var/

``python -m bench`` prints the same figures for the release it builds.
"""

from __future__ import annotations

import http.client
import json
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from shkg.search import SEARCH_FILE, SearchIndex
from shkg.web.search import MAX_QUERY

from .loadgen import percentile
from .servers import Endpoint

ROOT = Path(__file__).resolve().parents[1]


def names(release: Path) -> list[str]:
    """Every name in the index, each once, that a search may ask (the server takes queries
    of up to MAX_QUERY characters; a few titles are longer): the queries."""
    uri = f"file:{release / SEARCH_FILE}?mode=ro&immutable=1"
    with sqlite3.connect(uri, uri=True) as connection:
        found = {row[0] for row in connection.execute("SELECT name FROM names")}
    return sorted(name for name in found if len(name) <= MAX_QUERY)


def measure(release: Path, endpoint: Endpoint | None = None) -> dict[str, Any]:
    """The figures, for one release (and the server serving it, if given)."""
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["search"]
    queries = names(release)
    index = SearchIndex(release / SEARCH_FILE)
    index.search(queries[0])  # open the connection outside the timing
    in_process = []
    for query in queries:
        started = time.perf_counter()
        index.search(query)
        in_process.append(time.perf_counter() - started)
    figures: dict[str, Any] = {
        "names": entry["names"],
        "resources": entry["resources"],
        "bytes": entry["bytes"],
        "build_seconds": entry["seconds"],
        "queries": len(queries),
        "in_process_p50_ms": (percentile(in_process, 0.5) or 0) * 1000,
        "in_process_p99_ms": (percentile(in_process, 0.99) or 0) * 1000,
    }
    if endpoint is not None:
        over_http = []
        connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=30)
        try:
            for query in queries:
                started = time.perf_counter()
                connection.request(
                    "GET",
                    "/search?" + urlencode({"q": query}),
                    headers={"Accept": "application/json"},
                )
                response = connection.getresponse()
                response.read()
                over_http.append(time.perf_counter() - started)
                if response.status != 200:
                    raise RuntimeError(f"/search?q={query!r} answered {response.status}")
        finally:
            connection.close()
        figures["http_p50_ms"] = (percentile(over_http, 0.5) or 0) * 1000
        figures["http_p99_ms"] = (percentile(over_http, 0.99) or 0) * 1000
    return figures


def describe(figures: dict[str, Any]) -> str:
    text = (
        f"search index: {figures['names']:,} names of {figures['resources']:,} resources, "
        f"{figures['bytes'] / 1024:,.0f} KB, written in {figures['build_seconds']:.2f} s; "
        f"every name as a query ({figures['queries']:,}): p50 {figures['in_process_p50_ms']:.2f} "
        f"/ p99 {figures['in_process_p99_ms']:.2f} ms in process"
    )
    if "http_p50_ms" in figures:
        text += (
            f", p50 {figures['http_p50_ms']:.2f} / p99 {figures['http_p99_ms']:.2f} ms over "
            "HTTP (one keep-alive connection)"
        )
    return text


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    var = Path(args[0]) if args else ROOT / "var"
    print(describe(measure((var / "current").resolve())))
    return 0


if __name__ == "__main__":
    sys.exit(main())

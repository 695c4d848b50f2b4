"""The benchmark's report: the targets with PASS/MISS, the tables, results.md and chart.svg.

Every figure of a system is also given as a ratio to ``oxigraph serve-read-only`` from the
same run and scale: throughput as ours / oxigraph (above 1 is faster), latency and memory as
ours / oxigraph (below 1 is better).
"""

from __future__ import annotations

import json
import math
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .chart import Bar, write_chart
from .loadgen import percentile

if TYPE_CHECKING:
    from .run import Cell

ID = "https://w3id.org/shkg/"
OURS, OXIGRAPH, RDFLIB = "shkg", "oxigraph", "rdflib-endpoint"
MB = 1_000_000


def scale_name(total: int) -> str:
    return f"{total / 1e6:g}M" if total >= 1_000_000 else f"{total / 1e3:g}k"


# --- figures of one cell ------------------------------------------------------------------


def throughput(cell: Cell) -> float:
    result = cell.result
    return result.completed / result.elapsed if result.elapsed > 0 else 0.0


def latency_ms(cell: Cell, fraction: float) -> float | None:
    value = percentile(cell.result.latencies, fraction)
    return None if value is None else value * 1000


def cpu_ms_per_request(cell: Cell) -> float | None:
    done = cell.result.completed
    return cell.server_cpu * 1000 / done if done else None


def figures(cell: Cell) -> dict[str, Any]:
    return {
        "scale": cell.scale,
        "workload": cell.workload,
        "query": cell.query,
        "concurrency": cell.concurrency,
        "system": cell.system,
        "requests": cell.result.completed,
        "errors": cell.result.errors,
        "error_kinds": cell.result.error_kinds,
        "seconds": cell.result.elapsed,
        "throughput": throughput(cell),
        "p50_ms": latency_ms(cell, 0.5),
        "p99_ms": latency_ms(cell, 0.99),
        "server_cpu_ms_per_request": cpu_ms_per_request(cell),
        "client_cpu_seconds": cell.result.client_cpu,
        "rss_peak": cell.rss_peak,
        "bytes": cell.result.response_bytes,
        "skipped": cell.skipped,
        "by_label": {
            label: {
                "requests": len(values),
                "p50_ms": _ms(percentile(values, 0.5)),
                "p99_ms": _ms(percentile(values, 0.99)),
            }
            for label, values in sorted(cell.result.by_label.items())
        },
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


def geomean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None and v > 0]
    return math.exp(sum(math.log(v) for v in kept) / len(kept)) if kept else None


def ratio(value: float | None, reference: float | None) -> float | None:
    if value is None or reference is None or reference == 0:
        return None
    return value / reference


# --- rows of the summary: one per workload, concurrency and system ------------------------


@dataclass(frozen=True)
class Row:
    scale: str
    workload: str
    concurrency: int
    system: str
    throughput: float | None
    p50: float | None
    p99: float | None
    errors: int
    cpu_ms: float | None
    rss: int
    # Ratios to oxigraph; for the competency queries the geometric mean of each query's ratio.
    throughput_ratio: float | None = None
    p50_ratio: float | None = None
    p99_ratio: float | None = None
    rss_ratio: float | None = None


def summary_rows(cells: list[Cell]) -> list[Row]:
    rows: list[Row] = []
    groups: dict[tuple[str, str, int], list[Cell]] = {}
    for cell in cells:
        groups.setdefault((cell.scale, cell.workload, cell.concurrency), []).append(cell)
    for (scale, workload, concurrency), group in groups.items():
        by_system: dict[str, list[Cell]] = {}
        for cell in group:
            by_system.setdefault(cell.system, []).append(cell)
        reference = {c.query: c for c in by_system.get(OXIGRAPH, [])}
        for system, own in by_system.items():
            rows.append(_row(scale, workload, concurrency, system, own, reference))
    return rows


def _row(
    scale: str,
    workload: str,
    concurrency: int,
    system: str,
    own: list[Cell],
    reference: dict[str, Cell],
) -> Row:
    def mean_of(figure: Any, cells: Iterable[Cell]) -> float | None:
        return geomean(figure(c) for c in cells if c.result.completed)

    def ratio_of(figure: Any) -> float | None:
        return geomean(
            ratio(figure(c), figure(reference[c.query]))
            for c in own
            if c.query in reference and c.result.completed and reference[c.query].result.completed
        )

    def p50(c: Cell) -> float | None:
        return latency_ms(c, 0.5)

    def p99(c: Cell) -> float | None:
        return latency_ms(c, 0.99)

    rss = max((c.rss_peak for c in own), default=0)
    oxigraph_rss = max((c.rss_peak for c in reference.values()), default=0)
    return Row(
        scale,
        workload,
        concurrency,
        system,
        throughput=mean_of(throughput, own),
        p50=mean_of(p50, own),
        p99=mean_of(p99, own),
        errors=sum(c.result.errors for c in own),
        cpu_ms=mean_of(cpu_ms_per_request, own),
        rss=rss,
        throughput_ratio=ratio_of(throughput),
        p50_ratio=ratio_of(p50),
        p99_ratio=ratio_of(p99),
        rss_ratio=ratio(rss, oxigraph_rss or None),
    )


def find(rows: list[Row], scale: str, workload: str, concurrency: int, system: str) -> Row | None:
    return next(
        (
            r
            for r in rows
            if (r.scale, r.workload, r.concurrency, r.system)
            == (scale, workload, concurrency, system)
        ),
        None,
    )


# --- targets --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    name: str
    measured: str
    passed: bool | None  # None: could not be measured


def targets(cells: list[Cell], rows: list[Row], facts: dict[str, Any]) -> list[Target]:
    """The speed and memory targets, each with what one run measured and PASS or MISS."""
    scales = list(facts["scales"])
    seed = scales[0] if scales else "seed"
    found: list[Target] = []
    for scale in scales:
        found += _ratio_targets(cells, rows, scale, at_seed=scale == seed)
    found += _memory_targets(rows, scales, seed)
    found.append(_rdflib_target(rows, seed))
    found.append(_load_target(facts))
    servers = facts["scales"].get(seed, {}).get("servers", {}).get(OURS, {})
    first = servers.get("first_answer_seconds")
    found.append(
        Target(
            "start to first answer < 2 s (seed graph)",
            _num(first, " s", 2),
            None if first is None else first < 2.0,
        )
    )
    return found


def _ratio_targets(cells: list[Cell], rows: list[Row], scale: str, at_seed: bool) -> list[Target]:
    found = []
    for concurrency in (16, 1) if at_seed else (16,):
        unique = find(rows, scale, "unique", concurrency, OURS)
        found.append(
            Target(
                f"unique queries (competency shapes, lookups, ASK, DESCRIBE), "
                f"c{concurrency}: >= 1.0 x oxigraph ({scale})",
                _x(unique.throughput_ratio if unique else None),
                _at_least(unique.throughput_ratio if unique else None, 1.0),
            )
        )
    cached = find(rows, scale, "competency", 16, OURS)
    found.append(
        Target(
            f"cached answers (each competency query repeated), c16: >= 2.0 x oxigraph ({scale})",
            _x(cached.throughput_ratio if cached else None),
            _at_least(cached.throughput_ratio if cached else None, 2.0),
        )
    )
    worst: list[tuple[float, str]] = []
    missing = []
    reference = {
        c.query: c
        for c in cells
        if (c.scale, c.workload, c.concurrency, c.system) == (scale, "competency", 16, OXIGRAPH)
    }
    for cell in cells:
        if (cell.scale, cell.workload, cell.concurrency, cell.system) != (
            scale,
            "competency",
            16,
            OURS,
        ):
            continue
        value = ratio(
            latency_ms(cell, 0.99),
            latency_ms(reference[cell.query], 0.99) if cell.query in reference else None,
        )
        if value is None:
            missing.append(cell.query)
        else:
            worst.append((value, cell.query))
    worst.sort(reverse=True)
    over = [f"{q} {v:.1f}x" for v, q in worst if v > 2.0]
    measured = (
        (f"worst {worst[0][1]}: {worst[0][0]:.2f}x" if worst else "n/a")
        + (f"; over 2x: {', '.join(over)}" if over else "")
        + (f"; not comparable (no answer from one side): {', '.join(missing)}" if missing else "")
    )
    found.append(
        Target(
            f"p99 at c16 within 2x of oxigraph on every competency query ({scale})",
            measured,
            (not over and not missing) if worst else None,
        )
    )
    return found


def _memory_targets(rows: list[Row], scales: list[str], seed: str) -> list[Target]:
    """Resident memory of our server's process tree, at its peak during the unique run."""
    found = []
    for scale in scales:
        ours = find(rows, scale, "unique", 16, OURS)
        theirs = find(rows, scale, "unique", 16, OXIGRAPH)
        if scale == seed:
            found.append(
                Target(
                    f"RSS of the whole process tree in the unique run <= 150 MB ({scale})",
                    _num(ours.rss / MB if ours and ours.rss else None, " MB", 0),
                    None if not ours or not ours.rss else ours.rss <= 150 * MB,
                )
            )
        else:
            value = ratio(ours.rss if ours else None, theirs.rss if theirs else None)
            found.append(
                Target(
                    f"RSS of the whole process tree in the unique run <= 1.5 x oxigraph ({scale})",
                    _x(value) + (f" ({ours.rss / MB:,.0f} MB)" if ours and ours.rss else ""),
                    None if value is None else value <= 1.5,
                )
            )
    return found


def _load_target(facts: dict[str, Any]) -> Target:
    """The build's loader (pyoxigraph's bulk load) against `oxigraph load`, on one file."""
    bulk = facts.get("bulk_load")
    name = "bulk load (the build's loader) >= 0.9 x `oxigraph load` on the same file"
    if not bulk:
        return Target(name, "n/a (no run at scale)", None)
    # The file loaded at scale (the seed's load is too short to time fairly).
    loads = facts.get("oxigraph_load_seconds", {})
    scale = next((name for name in loads if name != "seed"), scale_name(bulk["quads"]))
    seconds = loads.get(scale)
    if not seconds:
        return Target(name, f"{bulk['rate']:,.0f} triples/s; oxigraph load not run", None)
    theirs = bulk["quads"] / seconds
    value = bulk["rate"] / theirs
    return Target(
        f"{name} ({scale})",
        f"{value:.2f}x ({bulk['rate']:,.0f} against {theirs:,.0f} triples/s)",
        value >= 0.9,
    )


def _rdflib_target(rows: list[Row], scale: str) -> Target:
    parts, ratios = [], []
    for workload, concurrency in (("mix", 16), ("unique", 16), ("competency", 16)):
        ours = find(rows, scale, workload, concurrency, OURS)
        theirs = find(rows, scale, workload, concurrency, RDFLIB)
        value = ratio(ours.throughput if ours else None, theirs.throughput if theirs else None)
        if workload == "competency" and ours and theirs:
            value = ratio(ours.throughput_ratio, theirs.throughput_ratio)  # per query, then mean
        ratios.append(value)
        parts.append(f"{workload} c{concurrency} {_x(value)}")
    known = [r for r in ratios if r is not None]
    return Target(
        f"throughput >= 20 x rdflib-endpoint ({scale}; each workload at c16)",
        ", ".join(parts),
        min(known) >= 20 if known else None,
    )


def _at_least(value: float | None, threshold: float) -> bool | None:
    return None if value is None else value >= threshold


# --- formatting -----------------------------------------------------------------------------


def _num(value: float | None, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "n/a"
    if digits == 0 or abs(value) >= 100:
        return f"{value:,.0f}{unit}"
    return f"{value:.{digits}f}{unit}"


def _x(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.2f}x" if value < 10 else f"{value:.0f}x"


def _verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "MISS", None: "n/a"}[passed]


def _table(header: list[str], lines: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(line) + " |" for line in lines]
    return "\n".join(out)


def markdown(cells: list[Cell], facts: dict[str, Any]) -> str:
    rows = summary_rows(cells)
    parts = [
        (
            f"# Benchmark: our server against `oxigraph serve-read-only` and rdflib-endpoint\n\n"
            f"{_machine(facts)}\n"
        ),
        "## Targets\n",
        _targets_table(targets(cells, rows, facts)),
        "\n## Throughput, latency, errors and memory per workload\n",
        _SUMMARY_NOTE,
        _summary_table(rows),
    ]
    for scale in facts["scales"]:
        parts += [
            f"\n## Competency queries, {_scale_title(scale, facts)}\n",
            _COMPETENCY_NOTE,
            _competency_table(cells, facts, scale),
        ]
    parts += [
        "\n## Build, load and start\n",
        _build_table(facts),
        "",
        _start_table(facts),
        "\n## How to read this\n",
        _notes(cells, facts),
    ]
    return "\n".join(parts) + "\n"


_SUMMARY_NOTE = (
    "req/s: successful requests per second (closed loop, `c` connections). "
    "p50/p99: client-side latency of the successful requests. For `competency` each "
    "figure is the geometric mean over the twelve queries and each ratio the geometric "
    "mean of the per-query ratios (over the queries both answered). "
    "CPU ms/req: the server's CPU time (its whole "
    "process tree) per successful request. Peak RSS: resident memory of the server's "
    "process tree, sampled every 0.2 s while the workload ran.\n"
)
_COMPETENCY_NOTE = (
    "Each query alone, repeated; req/s and p99 per system, ratios to oxigraph in "
    "brackets. *rows*: solutions each system returned when checked before the load "
    "(ours / oxigraph / rdflib-endpoint, then ours over each backend), and whether the "
    "answers are the same.\n"
)


def _scale_title(scale: str, facts: dict[str, Any]) -> str:
    quads = facts["scales"][scale]["quads"]
    return f"{scale} ({quads:,} quads)"


def _targets_table(found: list[Target]) -> str:
    return _table(
        ["target", "measured", "result"],
        [[t.name, t.measured, f"**{_verdict(t.passed)}**"] for t in found],
    )


def _summary_table(rows: list[Row]) -> str:
    lines = []
    for r in rows:
        lines.append(
            [
                r.scale,
                r.workload,
                str(r.concurrency),
                r.system,
                _num(r.throughput, "", 0),
                _x(r.throughput_ratio),
                _num(r.p50, "", 2),
                _x(r.p50_ratio),
                _num(r.p99, "", 2),
                _x(r.p99_ratio),
                str(r.errors),
                _num(r.cpu_ms, "", 2),
                _num(r.rss / MB if r.rss else None, "", 0),
                _x(r.rss_ratio),
            ]
        )
    return _table(
        [
            "scale",
            "workload",
            "c",
            "system",
            "req/s",
            "x oxigraph",
            "p50 ms",
            "x",
            "p99 ms",
            "x",
            "errors",
            "CPU ms/req",
            "peak RSS MB",
            "x",
        ],
        lines,
    )


def _competency_table(cells: list[Cell], facts: dict[str, Any], scale: str) -> str:
    systems = facts["scales"][scale]["systems"]
    answers = facts["scales"][scale].get("answers", {})
    index = {
        (c.query, c.concurrency, c.system): c
        for c in cells
        if c.scale == scale and c.workload == "competency"
    }
    queries = sorted({c.query for c in index.values()})
    checked_by = systems
    # The systems that ran the queries one by one (those over a backend did not).
    systems = [s for s in systems if any(key[2] == s for key in index)]
    lines = []
    for query in queries:
        checked = answers.get(query, {})
        counts = " / ".join(_rows(checked.get("answers", {}).get(s, {})) for s in checked_by)
        line = [query, f"{counts} ({checked.get('verdict', 'n/a')})"]
        for concurrency in (1, 16):
            reference = index.get((query, concurrency, OXIGRAPH))
            for system in systems:
                cell = index.get((query, concurrency, system))
                line.append(_cell_throughput(cell, reference))
        reference = index.get((query, 16, OXIGRAPH))
        for system in systems:
            line.append(_cell_p99(index.get((query, 16, system)), reference))
        lines.append(line)
    header = (
        ["query", "rows"]
        + [f"c{c} req/s {s}" for c in (1, 16) for s in systems]
        + [f"c16 p99 ms {s}" for s in systems]
    )
    return _table(header, lines)


def _rows(answer: dict[str, Any]) -> str:
    if answer.get("rows") is None:
        return "none" if not answer else f"none ({answer.get('status') or 'timeout'})"
    return f"{answer['rows']}" + (" cut" if answer.get("truncated") else "")


def _cell_throughput(cell: Cell | None, reference: Cell | None) -> str:
    if cell is None:
        return "n/a"
    if not cell.result.completed:
        return f"0 ({cell.skipped or ', '.join(cell.result.error_kinds) or 'none'})"
    text = _num(throughput(cell), "", 1 if throughput(cell) < 10 else 0)
    if cell.result.errors:
        text += f", {cell.result.errors} err"
    if reference is not None and reference is not cell:
        text += f" ({_x(ratio(throughput(cell), throughput(reference) or None))})"
    return text


def _cell_p99(cell: Cell | None, reference: Cell | None) -> str:
    if cell is None or not cell.result.completed:
        return "n/a"
    value = latency_ms(cell, 0.99)
    text = _num(value, "", 1)
    if reference is not None and reference is not cell and reference.result.completed:
        text += f" ({_x(ratio(value, latency_ms(reference, 0.99)))})"
    return text


def _build_table(facts: dict[str, Any]) -> str:
    lines = [["`shkg build` of the seed graph", _num(facts.get("shkg_build_seconds"), " s"), ""]]
    synthetic = facts.get("synthetic")
    if synthetic:
        lines.append(
            [
                (
                    f"synthetic data generated ({synthetic['articles']:,} articles, "
                    f"{synthetic['facts']:,} facts)"
                ),
                _num(synthetic["seconds"], " s"),
                f"{synthetic['quads']:,} quads in all, {synthetic['real_quads']:,} of them real",
            ]
        )
    bulk = facts.get("bulk_load")
    if bulk:
        lines.append(
            [
                f"pyoxigraph `Store.bulk_load`, {bulk['quads']:,} quads",
                _num(bulk["seconds"], " s"),
                f"**{bulk['rate']:,.0f} triples/s**",
            ]
        )
        lines.append(["`Store.optimize()` after it", _num(bulk["optimize_seconds"], " s", 2), ""])
    found = facts.get("search")
    if found:
        lines.append(
            [
                f"search index ({found['names']:,} names, {found['bytes'] / 1024:,.0f} KB)",
                _num(found["build_seconds"], " s", 2),
                (
                    f"every name searched: p50 {found['in_process_p50_ms']:.2f} / p99 "
                    f"{found['in_process_p99_ms']:.2f} ms in process, p50 "
                    f"{found.get('http_p50_ms', 0):.2f} / p99 {found.get('http_p99_ms', 0):.2f} "
                    "ms over HTTP"
                ),
            ]
        )
    for scale, seconds in facts.get("oxigraph_load_seconds", {}).items():
        quads = facts["scales"].get(scale, {}).get("quads")
        rate = f"{quads / seconds:,.0f} triples/s" if quads else ""
        lines.append([f"`oxigraph load` ({scale})", _num(seconds, " s", 2), rate])
    return _table(["step", "time", "rate / note"], lines)


def _start_table(facts: dict[str, Any]) -> str:
    lines = []
    for scale, details in facts["scales"].items():
        servers = details.get("servers", {})
        reference = servers.get(OXIGRAPH, {})
        for system, figures_ in servers.items():
            rss = figures_.get("rss_peak") or 0
            lines.append(
                [
                    scale,
                    system,
                    _num(figures_.get("first_answer_seconds"), " s", 2),
                    _num(rss / MB if rss else None, " MB", 0),
                    _x(ratio(rss, reference.get("rss_peak") or None)),
                    _num(figures_.get("hwm_sum", 0) / MB, " MB", 0),
                    str(figures_.get("processes")),
                    str(figures_.get("restarts", 0)),
                ]
            )
    return _table(
        [
            "scale",
            "system",
            "spawn to first answer",
            "peak RSS (tree)",
            "x oxigraph",
            "sum of VmHWM",
            "processes",
            "restarts",
        ],
        lines,
    )


def _machine(facts: dict[str, Any]) -> str:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                "",
            )
    except OSError:
        pass
    other = facts.get("other_load")
    return (
        f"`python -m bench{' --quick' if facts.get('budget') == 'quick' else ''}` on "
        f"{os.cpu_count()} cores ({model or platform.machine()}), Python "
        f"{platform.python_version()}, our server at {facts.get('server_code', 'unknown')}; "
        f"the run took {facts.get('seconds', 0):.0f} s. Other processes on the machine used "
        f"{'an unknown share' if other is None else f'{100 * other:.0f}%'} of its CPU "
        "meanwhile (the figures are only as clean as that is small)."
    )


_SYSTEMS_NOTE = (
    "- **Systems**: `shkg serve` with its defaults (4 query worker processes, result cache, "
    "JSON access log on); `oxigraph serve-read-only --union-default-graph --timeout-s 10` "
    "over a store loaded from the release's N-Quads dump; rdflib-endpoint 0.6.3 over the "
    "same N-Quads in an rdflib `Dataset(default_union=True)` (seed graph only: it is not run "
    "at scale, where parsing a million quads into rdflib alone would take much of the time "
    "the whole benchmark has). At scale our server runs with `--max-rows`/`--max-result-bytes` "
    "raised so that it returns whole answers as oxigraph does. On the seed graph, "
    "`shkg over oxigraph` and `shkg over virtuoso` are `shkg serve --backend` (defaults "
    "otherwise) in front of `oxigraph serve` and Virtuoso Open Source 7 (Debian's "
    "`virtuoso-t`, when installed), each loaded with `shkg publish`: they run the mix and "
    "unique workloads, and their CPU and RSS are our server's alone, not the engine's."
)
_ROUNDS_NOTE = (
    "- Each workload runs in rounds, the systems in turn (A B C A B C ...). Every phase is "
    "bounded by 20,000 requests and a few seconds; a request gets 10 s, after which it counts "
    "as an error (`timeout`), as does a non-2xx/304 answer or a body cut short (oxigraph "
    "streams, and on its own timeout ends a 200 with a message). A system that answered "
    "nothing in a phase, or gave no answer within 10 s when checked, is not asked that query "
    "again at that scale."
)


def _notes(cells: list[Cell], facts: dict[str, Any]) -> str:
    client = sum(c.result.client_cpu for c in cells)
    elapsed = sum(c.result.elapsed for c in cells)
    scales = list(facts["scales"].values())
    mix = scales[0].get("mix", {}) if scales else {}
    workloads = (
        "- **competency**: each query of `queries/` alone, repeated (our result cache answers "
        "the repeats; neither peer has one). **mix**: a Zipf-like choice (weight 1/rank) among "
        f"the competency queries and resource pages ({mix.get('items', '?')} items, "
        f"{mix.get('pages', '?')} of them pages: `GET /id/...` as Turtle on ours, the same "
        "description as one CONSTRUCT on the others). **unique**: eight shapes of the "
        "competency queries and as many cheap ones (a label, the types, a resource's statements, "
        "what points to it, two ASKs, two DESCRIBEs), each with a constant drawn from the data, "
        "each text asked once, at c1 and c16."
    )
    share = 100 * client / elapsed if elapsed else 0
    generator = (
        f"- The load generator (asyncio, one process) used {client:.0f} s of CPU over "
        f"{elapsed:.0f} s of load ({share:.0f}% of one core) on the same machine."
    )
    return f"{_SYSTEMS_NOTE}\n{workloads}\n{_ROUNDS_NOTE}\n{generator}"


def write(out: Path, cells: list[Cell], facts: dict[str, Any]) -> str:
    """results.md, chart.svg and results.json (the raw figures) into ``out``; the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    text = markdown(cells, facts)
    (out / "results.md").write_text(text, encoding="utf-8")
    (out / "results.json").write_text(
        json.dumps({"facts": facts, "cells": [figures(c) for c in cells]}, indent=1, default=str),
        encoding="utf-8",
    )
    write_chart(out / "chart.svg", chart_bars(summary_rows(cells)))
    return text


def chart_bars(rows: list[Row]) -> list[Bar]:
    return [
        Bar(f"{r.scale} {r.workload} c{r.concurrency}", r.system, r.throughput_ratio)
        for r in rows
        if r.system != OXIGRAPH
    ]

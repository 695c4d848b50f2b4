"""The benchmark's one command: ``python -m bench`` (``--quick`` for a short run).

It builds the seed graph with ``shkg build``, starts our server, ``oxigraph serve-read-only``
and rdflib-endpoint over the same data, checks that they give the same answers, and measures
the workloads of :mod:`bench.workloads` round by round (each server in turn, so that a drift
of the machine touches all alike).  Then it does the same at scale, over the graph plus
synthetic data (:mod:`bench.synthetic`), without rdflib-endpoint.  Every server is stopped
by its process id when the run ends, however it ends.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pyoxigraph

from . import report, search
from .answers import ask, compare
from .loadgen import HttpRequest, PhaseResult, run_phase
from .servers import Endpoint, RssSampler, Server, cpu_seconds, hwm_bytes, virtuoso_config
from .synthetic import write_dataset
from .workloads import (
    Item,
    Page,
    Query,
    System,
    competency_queries,
    mix_items,
    read_constants,
    sequence_requests,
    unique_requests,
    zipf_sequence,
)

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results"
OURS, OXIGRAPH, RDFLIB = "shkg", "oxigraph", "rdflib-endpoint"
# Our server in front of another engine (`shkg serve --backend`), on the seed graph.
OVER_OXIGRAPH, OVER_VIRTUOSO = "shkg over oxigraph", "shkg over virtuoso"
TIMEOUT = 10.0  # client timeout; also oxigraph's --timeout-s, as our server's default
SEED = 2026


@dataclass(frozen=True)
class Budget:
    """How long each part runs.  Every phase is bounded by ``max_requests`` and its seconds."""

    competency_seconds: float
    competency_rounds: int
    mix_seconds: float
    mix_rounds: int
    scale_triples: int
    scale_competency_seconds: float
    scale_competency_rounds: int
    scale_mix_seconds: float
    scale_mix_rounds: int
    mix_concurrencies: tuple[int, ...] = (16,)
    unique_concurrencies: tuple[int, ...] = (1, 16)
    competency_concurrencies: tuple[int, ...] = (1, 16)
    pages_seed: int = 100
    pages_scale: int = 200
    max_requests: int = 20_000
    oxigraph_load_at_scale: bool = True
    reuse_release: bool = False  # serve the project's var/current, if built, instead of building


FULL = Budget(
    competency_seconds=0.8,
    competency_rounds=2,
    mix_seconds=3.0,
    mix_rounds=3,
    scale_triples=1_000_000,
    scale_competency_seconds=1.0,
    scale_competency_rounds=1,
    scale_mix_seconds=3.0,
    scale_mix_rounds=2,
)
QUICK = Budget(
    competency_seconds=0.2,
    competency_rounds=1,
    mix_seconds=1.0,
    mix_rounds=1,
    scale_triples=50_000,
    scale_competency_seconds=0.2,
    scale_competency_rounds=1,
    scale_mix_seconds=1.0,
    scale_mix_rounds=1,
    oxigraph_load_at_scale=False,
    reuse_release=True,
)


@dataclass
class Cell:
    """One system's figures for one workload (and query) at one concurrency, over its rounds."""

    scale: str
    workload: str
    query: str
    concurrency: int
    system: str
    result: PhaseResult = field(default_factory=PhaseResult)
    server_cpu: float = 0.0
    rss_peak: int = 0
    skipped: str = ""


class Bench:
    """One run: the servers it started, what it measured."""

    def __init__(
        self,
        budget: Budget,
        work: Path,
        servers: list[Server],
        sampler: RssSampler,
        log: Callable[[str], None],
    ) -> None:
        self.budget = budget
        self.work = work
        self.servers = servers
        self.sampler = sampler
        self.log = log
        self.cells: list[Cell] = []
        self.facts: dict[str, Any] = {"scales": {}}
        self.queries = competency_queries(ROOT)
        self.probe = self.queries[0].text.encode("utf-8")
        self.unique_next = 0
        self.seed_release = ROOT / "var" / "current"
        self.given_up: dict[tuple[str, str, str], str] = {}

    # --- the two scales --------------------------------------------------------------------

    def seed(self) -> None:
        var = self._seed_var()
        release = self.seed_release = (var / "current").resolve()
        manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
        nquads = self.work / "seed.nq"
        with gzip.open(release / "dumps" / "shkg.nq.gz", "rb") as source, open(nquads, "wb") as out:
            shutil.copyfileobj(source, out)
        oxigraph_store = self.work / "oxigraph-seed"
        self._oxigraph_load(nquads, oxigraph_store, "seed")
        systems = [
            self._start_ours("seed", var, []),
            self._start_oxigraph("seed", oxigraph_store),
            self._start_rdflib("seed", nquads),
        ]
        # Search, over our server (the first), before the measured phases stop it.
        self.facts["search"] = search.measure(release, systems[0].endpoint)
        self.log(search.describe(self.facts["search"]))
        engines: list[Server] = []
        backed = self._start_backed("seed", var, engines)
        self._measure(
            "seed",
            manifest["quads"],
            systems,
            release / "store",
            self.budget.competency_seconds,
            self.budget.competency_rounds,
            self.budget.mix_seconds,
            self.budget.mix_rounds,
            self.budget.pages_seed,
            backed,
        )
        for engine in engines:
            engine.stop()
            self.servers.remove(engine)

    def _seed_var(self) -> Path:
        """A release of the seed graph: built now with `shkg build` (and timed), or in quick
        runs the project's own var/current when there is one."""
        if self.budget.reuse_release and (ROOT / "var" / "current" / "manifest.json").exists():
            self.log("using the project's var/current (quick run: no build)")
            return ROOT / "var"
        var = self.work / "var"
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "shkg.cli", "build", "--root", str(ROOT), "--var", str(var)],
            check=True,
            capture_output=True,
        )
        self.facts["shkg_build_seconds"] = time.perf_counter() - started
        self.log(f"shkg build: {self.facts['shkg_build_seconds']:.1f} s")
        return var

    def scale(self) -> None:
        total = self.budget.scale_triples
        name = report.scale_name(total)
        release = self.work / "scale-var" / "releases" / "synthetic"
        nquads = self.work / "scale.nq"
        seed_release = self.seed_release
        summary = write_dataset(seed_release / "dumps" / "shkg.nq.gz", nquads, total, SEED)
        self.facts["synthetic"] = vars(summary)
        self.log(
            f"synthetic data: {summary.quads} quads, {summary.articles} articles, "
            f"{summary.facts} facts in {summary.seconds:.1f} s"
        )
        quads = self._bulk_load(nquads, release, seed_release)
        oxigraph_store = self.work / "oxigraph-scale"
        if self.budget.oxigraph_load_at_scale:
            self._oxigraph_load(nquads, oxigraph_store, name)
        else:
            shutil.copytree(release / "store", oxigraph_store)
        nquads.unlink()
        # Our server at scale returns whole answers, as oxigraph does, so both do the same
        # work: its default --max-rows (10,000) would cut the longest answers short.
        limits = ["--max-rows", "10000000", "--max-result-bytes", "2000000000"]
        systems = [
            self._start_ours(name, release.parents[1], limits),
            self._start_oxigraph(name, oxigraph_store),
        ]
        self._measure(
            name,
            quads,
            systems,
            release / "store",
            self.budget.scale_competency_seconds,
            self.budget.scale_competency_rounds,
            self.budget.scale_mix_seconds,
            self.budget.scale_mix_rounds,
            self.budget.pages_scale,
        )

    # --- data ------------------------------------------------------------------------------

    def _oxigraph_load(self, nquads: Path, location: Path, scale: str) -> None:
        started = time.perf_counter()
        subprocess.run(
            [oxigraph_command(), "load", "--location", str(location), "--file", str(nquads)],
            check=True,
            capture_output=True,
        )
        self.facts.setdefault("oxigraph_load_seconds", {})[scale] = time.perf_counter() - started

    def _bulk_load(self, nquads: Path, release: Path, seed_release: Path) -> int:
        """A release directory as `shkg build` lays it out, its store filled by the bulk loader."""
        release.mkdir(parents=True)
        (release / "dumps").mkdir()
        store = pyoxigraph.Store(str(release / "store"))
        started = time.perf_counter()
        store.bulk_load(path=str(nquads), format=pyoxigraph.RdfFormat.N_QUADS)
        loaded = time.perf_counter()
        store.flush()
        store.optimize()
        optimized = time.perf_counter()
        quads = len(store)
        graphs = {
            row["g"].value: int(row["n"].value)
            for row in store.query(  # type: ignore[union-attr]
                "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
            )
        }
        del store
        self.facts["bulk_load"] = {
            "quads": quads,
            "seconds": loaded - started,
            "rate": quads / (loaded - started),
            "optimize_seconds": optimized - loaded,
        }
        self.log(
            f"bulk load: {quads} quads in {loaded - started:.1f} s "
            f"({quads / (loaded - started):,.0f} quads/s)"
        )
        manifest = json.loads((seed_release / "manifest.json").read_text(encoding="utf-8"))
        manifest.update(
            {
                "build_id": f"synthetic{quads}",
                "quads": quads,
                "triples": quads,
                "graphs": graphs,
                "dumps": [],
                "graph_store": [],
            }
        )
        (release / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        (release.parents[1] / "current").symlink_to(Path("releases") / release.name)
        return quads

    # --- servers ---------------------------------------------------------------------------

    def _start(
        self,
        scale: str,
        name: str,
        command: Callable[[int], list[str]],
        path: str,
        pages: bool,
        settle_seconds: float = TIMEOUT + 2.0,
    ) -> System:
        port = free_port()
        server = Server(
            name,
            command(port),
            Endpoint("127.0.0.1", port, path),
            self.work / f"{name}-{scale}.log",
            cwd=ROOT,
            settle_seconds=settle_seconds,
        )
        self.servers.append(server)
        seconds = server.start(self.probe, PROBE_HEADERS)
        server.first_answer_seconds = seconds
        self.log(f"{name} ({scale}): first answer {seconds:.2f} s after spawn")
        return System(name, server.endpoint, pages)

    def _start_backed(self, scale: str, var: Path, engines: list[Server]) -> list[System]:
        """Our server over each other engine that is here (`oxigraph serve`; Virtuoso when
        `virtuoso-t` is installed), each loaded with `shkg publish`: measured on the mix and
        unique workloads beside the others.  The engines' own processes are not in our RSS."""
        systems = []
        port = free_port()
        oxigraph = self._engine(
            engines,
            "oxigraph-engine",
            [
                oxigraph_command(),
                "serve",
                "--location",
                str(self.work / f"oxigraph-engine-{scale}"),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout-s",
                f"{TIMEOUT:g}",
            ],
            Endpoint("127.0.0.1", port, "/query"),
            scale,
        )
        self._publish(var, f"http://{oxigraph.endpoint.authority}/store")
        systems.append(
            self._start_ours(
                scale,
                var,
                ["--backend", f"http://{oxigraph.endpoint.authority}/query"],
                OVER_OXIGRAPH,
            )
        )
        program = shutil.which("virtuoso-t")
        if program is None:
            self.log(
                f"no {OVER_VIRTUOSO}: virtuoso-t is missing (apt-get install virtuoso-opensource)"
            )
            return systems
        try:
            systems.append(self._over_virtuoso(scale, var, engines, program))
        except (RuntimeError, subprocess.CalledProcessError) as error:
            # An optional row: the rest of the benchmark goes on without it.
            detail = getattr(error, "stderr", b"") or b""
            self.log(f"no {OVER_VIRTUOSO}: {error} {detail.decode(errors='replace')[-500:]}")
        return systems

    def _over_virtuoso(self, scale: str, var: Path, engines: list[Server], program: str) -> System:
        port = free_port()
        ini = virtuoso_config(self.work / f"virtuoso-{scale}", port, free_port())
        virtuoso = self._engine(
            engines,
            "virtuoso-engine",
            [program, "+configfile", str(ini), "+foreground"],
            Endpoint("127.0.0.1", port, "/sparql"),
            scale,
        )
        address = virtuoso.endpoint.authority
        self._publish(var, f"http://{address}/sparql-graph-crud-auth", ("dba", "dba"))
        return self._start_ours(
            scale, var, ["--backend", f"http://{address}/sparql"], OVER_VIRTUOSO
        )

    def _engine(
        self, engines: list[Server], name: str, command: list[str], endpoint: Endpoint, scale: str
    ) -> Server:
        server = Server(name, command, endpoint, self.work / f"{name}-{scale}.log", cwd=self.work)
        self.servers.append(server)
        engines.append(server)
        # A form, not a query body: Virtuoso 7 does not answer `application/sparql-query`.
        seconds = server.start(
            urlencode({"query": "ASK {}"}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
            seconds=90,
        )
        self.log(f"{name} ({scale}): first answer {seconds:.2f} s after spawn")
        return server

    def _publish(self, var: Path, target: str, user: tuple[str, str] | None = None) -> None:
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "shkg.cli",
                "publish",
                "--root",
                str(ROOT),
                "--var",
                str(var),
                "--to",
                target,
                *(["--user", user[0]] if user else []),
            ],
            check=True,
            capture_output=True,
            stdin=subprocess.DEVNULL,
            env={**os.environ, **({"SHKG_PUBLISH_PASSWORD": user[1]} if user else {})},
        )
        self.log(f"shkg publish to {target}: {time.perf_counter() - started:.1f} s")

    def _start_ours(self, scale: str, var: Path, options: list[str], name: str = OURS) -> System:
        return self._start(
            scale,
            name,
            lambda port: [
                sys.executable,
                "-m",
                "shkg.cli",
                "serve",
                "--root",
                str(ROOT),
                "--var",
                str(var),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                # Capacity, as Oxigraph's server is measured: every load client comes from
                # one address here, so the per-client limits (on by default) are off.
                "--rate-concurrent",
                "off",
                "--rate-query-seconds",
                "off",
                "--client-requests-per-second",
                "off",
                *options,
            ],
            "/sparql",
            pages=True,
        )

    def _start_oxigraph(self, scale: str, location: Path) -> System:
        return self._start(
            scale,
            OXIGRAPH,
            lambda port: [
                oxigraph_command(),
                "serve-read-only",
                "--location",
                str(location),
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
                "--timeout-s",
                f"{TIMEOUT:g}",
            ],
            "/query",
            pages=False,
        )

    def _start_rdflib(self, scale: str, nquads: Path) -> System:
        return self._start(
            scale,
            RDFLIB,
            lambda port: [
                sys.executable,
                "-m",
                "bench.rdflib_server",
                "--data",
                str(nquads),
                "--port",
                str(port),
            ],
            "/sparql",
            pages=False,
            settle_seconds=2.0,
        )

    def _server(self, system: System) -> Server:
        return next(s for s in self.servers if s.endpoint == system.endpoint)

    def _stop_all(self, systems: list[System]) -> dict[str, dict[str, Any]]:
        facts = {}
        for system in systems:
            server = self._server(system)
            facts[system.name] = {
                "first_answer_seconds": server.first_answer_seconds,
                "rss_peak": self.sampler.peaks.get(system.name, 0),
                "hwm_sum": hwm_bytes(server.pids()),
                "processes": len(server.pids()),
                "restarts": server.restarts,
            }
            server.stop()
            self.servers.remove(server)
        self.sampler.peaks.clear()
        return facts

    # --- measuring -------------------------------------------------------------------------

    def _measure(
        self,
        scale: str,
        quads: int,
        systems: list[System],
        store: Path,
        competency_seconds: float,
        competency_rounds: int,
        mix_seconds: float,
        mix_rounds: int,
        pages: int,
        backed: list[System] | None = None,
    ) -> None:
        """Every workload on ``systems``; the mix and unique workloads also on ``backed``."""
        backed = backed or []
        constants = read_constants(store)
        items = mix_items(self.queries, constants["page"], pages, SEED)
        everyone = [*systems, *backed]
        facts: dict[str, Any] = {"quads": quads, "systems": [s.name for s in everyone]}
        facts["answers"] = self._check(scale, everyone, items)
        for system in everyone:  # a warm-up: every query worker, a first time
            self._phase(system, unique_requests(system, constants, 10_000_000), 16, 1.0)
        for query in self.queries:
            for concurrency in self.budget.competency_concurrencies:
                self._cell(
                    scale,
                    "competency",
                    query.label,
                    concurrency,
                    systems,
                    competency_rounds,
                    competency_seconds,
                    _repeating(query),
                )
        order = zipf_sequence(len(items), self.budget.max_requests * mix_rounds, SEED)
        facts["mix"] = {
            "items": len(items),
            "pages": sum(isinstance(i, Page) for i in items),
            "distinct_asked": len(set(order)),
        }
        for concurrency in self.budget.mix_concurrencies:
            self._cell(
                scale,
                "mix",
                "",
                concurrency,
                everyone,
                mix_rounds,
                mix_seconds,
                lambda system, r: sequence_requests(
                    system, items, order, r * self.budget.max_requests
                ),
            )
        for concurrency in self.budget.unique_concurrencies:
            self._cell(
                scale,
                "unique",
                "",
                concurrency,
                everyone,
                mix_rounds,
                mix_seconds,
                lambda system, r: unique_requests(system, constants, self._unique_base(r)),
            )
        facts["servers"] = self._stop_all(everyone)
        self.facts["scales"][scale] = facts

    def _unique_base(self, round_: int) -> int:
        """The first unique query of a round: the same for every system in that round."""
        return self.unique_next + round_ * self.budget.max_requests

    def _check(self, scale: str, systems: list[System], items: list[Item]) -> dict[str, Any]:
        """Each competency query and a few pages, once per system (the systems at once); a
        system that gives no answer within the timeout is not asked that query again."""
        checked: list[Item] = [*self.queries, *[i for i in items if isinstance(i, Page)][:5]]
        rows: dict[str, Any] = {}
        with ThreadPoolExecutor(len(systems)) as pool:
            for item in checked:
                label = item.label if isinstance(item, Query) else item.iri.removeprefix(report.ID)
                answers = dict(
                    zip(
                        [s.name for s in systems],
                        pool.map(lambda s, i=item: ask(s, i, TIMEOUT), systems),
                        strict=True,
                    )
                )
                for system in systems:
                    if answers[system.name].status is None:
                        self.given_up[(scale, system.name, label)] = (
                            "no answer in 10 s when checked"
                        )
                        self._settle(self._server(system))
                rows[label] = {
                    "kind": "page" if isinstance(item, Page) else "query",
                    "verdict": compare(answers),
                    "answers": {
                        name: {
                            "status": a.status,
                            "rows": a.rows,
                            "truncated": a.truncated,
                            "note": a.note,
                        }
                        for name, a in answers.items()
                    },
                }
                self.log(
                    f"  check {label}: {rows[label]['verdict']} "
                    + " ".join(f"{n}={a.rows}" for n, a in answers.items())
                )
        return rows

    def _cell(
        self,
        scale: str,
        workload: str,
        query: str,
        concurrency: int,
        systems: list[System],
        rounds: int,
        seconds: float,
        requests: Callable[[System, int], Callable[[int], HttpRequest]],
    ) -> None:
        cells = {s.name: Cell(scale, workload, query, concurrency, s.name) for s in systems}
        self.sampler.reset_window()
        for round_ in range(rounds):
            for system in systems:  # A B C, A B C, ...
                cell = cells[system.name]
                key = (scale, system.name, query or workload)
                if key in self.given_up:
                    cell.skipped = self.given_up[key]
                    continue
                outcome, cpu = self._phase(system, requests(system, round_), concurrency, seconds)
                cell.result.merge(outcome)
                cell.server_cpu += cpu
                if outcome.completed == 0 and outcome.errors:
                    self.given_up[key] = ", ".join(sorted(outcome.error_kinds))
        if workload == "unique":
            self.unique_next += rounds * self.budget.max_requests
        for system in systems:
            cells[system.name].rss_peak = self.sampler.window_peak(system.name)
        self.cells.extend(cells.values())
        self.log(
            f"  {scale} {workload} {query} c{concurrency}: "
            + "  ".join(
                f"{c.system} {report.throughput(c):.0f}/s"
                + (f" ({c.skipped})" if c.skipped else "")
                for c in cells.values()
            )
        )

    def _phase(
        self,
        system: System,
        requests: Callable[[int], HttpRequest],
        concurrency: int,
        seconds: float,
    ) -> tuple[PhaseResult, float]:
        server = self._server(system)
        before = cpu_seconds(server.pids())
        outcome = run_phase(
            server.endpoint.host,
            server.endpoint.port,
            requests,
            concurrency,
            self.budget.max_requests,
            seconds,
            TIMEOUT,
        )
        cpu = cpu_seconds(server.pids()) - before
        self._settle(server)
        return outcome, max(cpu, 0.0)

    def _settle(self, server: Server) -> None:
        if not server.settle():  # still busy with requests the client gave up on
            self.log(f"  {server.name} still busy {server.settle_seconds:g} s later: restarting it")
            server.restart(self.probe, PROBE_HEADERS)


PROBE_HEADERS = {
    "Content-Type": "application/sparql-query",
    "Accept": "application/sparql-results+json",
}


def _repeating(query: Query) -> Callable[[System, int], Callable[[int], HttpRequest]]:
    """Every request of every round is ``query``, encoded once per system."""

    def requests(system: System, round_: int) -> Callable[[int], HttpRequest]:
        request = system.request(query)
        return lambda _: request

    return requests


def oxigraph_command() -> str:
    beside = Path(sys.executable).parent / "oxigraph"
    found = str(beside) if beside.exists() else shutil.which("oxigraph")
    if not found:
        raise SystemExit("the oxigraph CLI is missing: pip install -e '.[bench]'")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (all cores, from /proc/stat)."""
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_seconds() -> float:
    """CPU seconds of this process and of its children already waited for (every server,
    with its query workers, once stopped; the builds and loads)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def _server_code() -> str:
    """The commit our server's code is at, and whether server/ has uncommitted changes."""

    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        )
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    return commit + (
        " with uncommitted changes in server/"
        if git("status", "--porcelain", "--", "server")
        else ""
    )


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # so that every `finally` stops its servers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="a short run (under two minutes): shorter phases, 100,000 triples at scale",
    )
    parser.add_argument("--no-scale", action="store_true", help="the seed graph only")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results go")
    parser.add_argument(
        "--keep", action="store_true", help="keep the work directory (logs, stores)"
    )
    args = parser.parse_args(argv)
    budget = QUICK if args.quick else FULL
    signal.signal(signal.SIGTERM, _interrupted)
    work = Path(tempfile.mkdtemp(prefix="shkg-bench-"))
    started = time.perf_counter()
    busy_before, own_before = _busy_seconds(), _own_seconds()
    servers: list[Server] = []

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        with RssSampler(servers) as sampler:
            bench = Bench(budget, work, servers, sampler, log)
            try:
                bench.seed()
                if not args.no_scale:
                    bench.scale()
            finally:
                for server in servers.copy():
                    server.stop()
    finally:
        if args.keep:
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    bench.facts["seconds"] = elapsed = time.perf_counter() - started
    bench.facts["budget"] = "quick" if args.quick else "full"
    bench.facts["server_code"] = _server_code()
    # What other processes on this (shared) machine used meanwhile: the figures are only as
    # clean as this is small.
    others = (_busy_seconds() - busy_before) - (_own_seconds() - own_before)
    bench.facts["other_load"] = max(others, 0.0) / (elapsed * (os.cpu_count() or 1))
    text = report.write(args.out, bench.cells, bench.facts)
    print(text)
    return 0

"""Fault drills: load, abuse, bad input, rebuild under load, and crashes, each with its figures.

    python -m bench.drills            # every drill, full size (about 4 minutes here)
    python -m bench.drills --quick    # the same drills, smaller (about 1 minute)
    python -m bench.drills load fuzz  # only these

Each drill works on its own copy of the project, built into a temporary release directory,
and a real `shkg serve` started and stopped by process id.  Each returns a :class:`Drill`:
what it checked (``ok``) and the figures it measured, printed as a table.  A timing figure
with a target is printed with it (PASS/MISS) but decides nothing: this machine is shared.
``tests/e2e/test_drills.py`` runs the quick drills and asserts what is not timing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from .loadgen import HttpRequest, PhaseResult, encode, percentile, run_phase
from .servers import Endpoint, Server, rss_bytes, tree

ROOT = Path(__file__).resolve().parents[1]
PROJECT_PARTS = ("seeds", "ontology", "graph", "shapes", "queries")
QUERIES = sorted((ROOT / "queries").glob("*.rq"))
SIMPLE = (
    "PREFIX shkg: <https://w3id.org/shkg/ontology#> SELECT ?c WHERE { "
    "?c shkg:corePlace <https://w3id.org/shkg/id/place/lingang> }"
)
CROSS_PRODUCT = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JSON_RESULTS = "application/sparql-results+json"
# For drills of capacity and faults, whose load clients all come from one address: the
# per-client limits (on by default) would refuse them as the one client they are.
NO_CLIENT_LIMITS = (
    *("--rate-concurrent", "off", "--rate-query-seconds", "off"),
    *("--client-requests-per-second", "off"),
)
# For drills that tell clients apart by X-Forwarded-For: loopback as a trusted proxy.
BEHIND_A_PROXY = ("--forwarded-allow-ips", "127.0.0.1")


@dataclass
class Drill:
    name: str
    ok: bool = True
    figures: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def check(self, condition: bool, failure: str) -> None:
        if not condition:
            self.ok = False
            self.failures.append(failure)

    def target(self, label: str, value: float, limit: float, unit: str = "") -> None:
        """A timing figure and its target, printed, never deciding ``ok``."""
        verdict = "PASS" if value <= limit else "MISS"
        self.figures[label] = f"{value:.3g}{unit} (target <= {limit:g}{unit}: {verdict})"


# --- the project, the release, the server ----------------------------------------------------


@dataclass
class Workspace:
    root: Path
    var: Path


@contextmanager
def workspace(release: Path | None = None) -> Iterator[Workspace]:
    """A copy of the project's inputs with a current release: a copy of ``release`` (a
    release directory of the same inputs), or a fresh build.  Removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="shkg-drill-"))
    try:
        for part in PROJECT_PARTS:
            shutil.copytree(ROOT / part, base / "project" / part)
        space = Workspace(base / "project", base / "var")
        if release is None:
            build(space)
        else:
            (space.var / "releases").mkdir(parents=True)
            shutil.copytree(release, space.var / "releases" / release.name, symlinks=True)
            os.symlink(Path("releases") / release.name, space.var / "current")
        yield space
    finally:
        shutil.rmtree(base, ignore_errors=True)


def build_command(space: Workspace) -> list[str]:
    return [
        sys.executable,
        "-m",
        "shkg.cli",
        "build",
        "--root",
        str(space.root),
        "--var",
        str(space.var),
    ]


def build(space: Workspace) -> str:
    """Build and publish a release; its build id."""
    done = subprocess.run(
        build_command(space), capture_output=True, text=True, check=False, timeout=300
    )
    if done.returncode != 0:
        raise RuntimeError(f"shkg build failed: {done.stderr[-2000:]}")
    return current_build(space)


def current_build(space: Workspace) -> str:
    return str(json.loads((space.var / "current" / "manifest.json").read_text())["build_id"])


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def shkg_server(space: Workspace, port: int, *options: str) -> Server:
    """`shkg serve` of the workspace on ``port``, not started."""
    return Server(
        "shkg",
        [
            sys.executable,
            "-m",
            "shkg.cli",
            "serve",
            "--root",
            str(space.root),
            "--var",
            str(space.var),
            "--port",
            str(port),
            "--access-log",
            "off",
            "--log-level",
            "warning",
            *options,
        ],
        Endpoint("127.0.0.1", port, "/sparql"),
        space.var.parent / f"server-{port}.log",
    )


ASK_PROBE = (
    urlencode({"query": "ASK {}"}).encode(),
    {"Content-Type": "application/x-www-form-urlencoded"},
)


@contextmanager
def serving(space: Workspace, *options: str) -> Iterator[Server]:
    """A real `shkg serve` on a free port; with the environment variable
    :data:`THROUGH_PROXY` set to 1, behind nginx (deploy/nginx.conf), whose port the returned
    server's endpoint then is."""
    through_proxy = os.environ.get(THROUGH_PROXY) == "1"
    port = free_port()
    proxied = ("--forwarded-allow-ips", "127.0.0.1") if through_proxy else ()
    if "--forwarded-allow-ips" in options:
        proxied = ()
    server = shkg_server(space, port, *proxied, *options)
    proxy: subprocess.Popen[bytes] | None = None
    try:
        server.start(*ASK_PROBE)
        if through_proxy:
            proxy, proxy_port = start_proxy(space, [port], options)
            server.endpoint = Endpoint("127.0.0.1", proxy_port, "/sparql")
        yield server
    finally:
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        server.stop()


# Set to 1 (by `--through-proxy`): every drill's server is behind nginx, as in production.
THROUGH_PROXY = "SHKG_DRILL_PROXY"
# The application's options nginx has a counterpart of, in deploy/nginx.conf.
PROXY_TIMEOUTS = {
    "--head-timeout": "client_header_timeout",
    "--body-timeout": "client_body_timeout",
    "--write-timeout": "send_timeout",
}


def start_proxy(
    space: Workspace,
    upstreams: list[int],
    options: tuple[str, ...],
    one_client_address: bool = False,
) -> tuple[subprocess.Popen[bytes], int]:
    """nginx with deploy/nginx.conf, on a free port, in front of the servers on ports
    ``upstreams``; the timeouts the drill gave the application, given to nginx too.  With
    ``one_client_address``, its per-client request rate limit is lifted: the drill's load
    comes from one address (as NO_CLIENT_LIMITS lifts the application's)."""
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    config = (ROOT / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    port = free_port()
    config = config.replace(
        "server 127.0.0.1:8000;",
        "\n        ".join(f"server 127.0.0.1:{upstream};" for upstream in upstreams),
    )
    if one_client_address:
        config = re.sub(r"(?m)^\s*limit_req zone=.*$", "", config)
    config = config.replace("listen 8080;", f"listen 127.0.0.1:{port};")
    for option, directive in PROXY_TIMEOUTS.items():
        if option in options:
            value = options[options.index(option) + 1]
            config = re.sub(rf"{directive} \S+;", f"{directive} {value}s;", config)
    prefix = space.var.parent / f"nginx-{port}"
    # nginx started by root runs its workers as nobody, who must reach the temporary files.
    os.chmod(space.var.parent, 0o755)
    (prefix / "logs").mkdir(parents=True)
    (prefix / "tmp").mkdir()
    (prefix / "nginx.conf").write_text(config, encoding="utf-8")
    with open(prefix / "logs" / "stderr.log", "wb") as stderr:
        process = subprocess.Popen(
            [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf"), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), 1).close()
            return process, port
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise RuntimeError(f"nginx did not start; see {prefix / 'logs'}")


def url(server: Server, path: str = "") -> str:
    return f"http://{server.endpoint.authority}{path}"


def query_path(text: str) -> str:
    return "/sparql?" + urlencode({"query": text})


def healthy(server: Server) -> bool:
    status, _, body = get(server, "/healthz", accept="application/json")
    try:
        return status == 200 and json.loads(body).get("ok") is True
    except ValueError:
        return False


def _spawned(server: Server) -> dict[int, int]:
    """The server's processes started by multiprocessing (spawn), each with its parent's pid."""
    found = {}
    for pid in tree(server.pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            parent = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if b"spawn_main" in command:
            found[pid] = parent
    return found


def query_workers(server: Server) -> list[int]:
    """The query worker processes: spawned processes with no spawned children of their own."""
    spawned = _spawned(server)
    return sorted(pid for pid in spawned if pid not in spawned.values())


def uvicorn_processes(server: Server) -> list[int]:
    """With --workers N, uvicorn's server processes: the spawned parents of query workers."""
    spawned = _spawned(server)
    return sorted(pid for pid in spawned if pid in spawned.values())


# --- the mix of requests -------------------------------------------------------------------


def mix(seed: int, host: str) -> Callable[[int], HttpRequest]:
    """Requests chosen Zipf-like (weight 1/rank) among the example queries and some pages, in
    the order a seeded generator gives, so every run sends the same ones."""
    items = [
        encode("GET", query_path(path.read_text(encoding="utf-8")), host, {"Accept": JSON_RESULTS})
        for path in QUERIES
    ]
    for page in (
        "/id/place/lingang",
        "/id/cluster/large-aircraft",
        "/id/place/shanghai",
        "/",
        "/id/place/lingang.ttl",
        "/.well-known/void",
        "/ontology",
    ):
        items.append(
            encode("GET", page, host, {"Accept": "text/html" if "." not in page else "*/*"})
        )
    weights = [1 / rank for rank in range(1, len(items) + 1)]
    order = random.Random(seed).choices(range(len(items)), weights=weights, k=200_000)
    return lambda n: HttpRequest(items[order[n % len(order)]], "mix")


# --- the drills ------------------------------------------------------------------------------


def load_drill(space: Workspace, seconds: float, clients: int = 16) -> Drill:
    """16 clients on the mix for ``seconds``: no errors, and memory flat after the warm-up."""
    drill = Drill("load")
    with serving(space, *NO_CLIENT_LIMITS) as server:
        host = server.endpoint.authority
        requests = mix(7, host)
        run_phase(
            server.endpoint.host,
            server.endpoint.port,
            requests,
            clients,
            100_000,
            min(5.0, seconds / 4),
        )
        warm = rss_bytes(server.pids())
        result = run_phase(
            server.endpoint.host, server.endpoint.port, requests, clients, 5_000_000, seconds
        )
        end = rss_bytes(server.pids())
    growth = (end - warm) / warm
    drill.figures.update(
        {
            "requests": (
                f"{result.completed:,} in {result.elapsed:.1f} s "
                f"({result.completed / result.elapsed:,.0f}/s)"
            ),
            "errors": str(result.errors)
            + (f" {dict(result.error_kinds)}" if result.errors else ""),
            "p50 / p99": (
                f"{percentile(result.latencies, 0.5) or 0:.4f} / "
                f"{percentile(result.latencies, 0.99) or 0:.4f} s"
            ),
            "RSS after warm-up / at end": (
                f"{warm / 2**20:.0f} / {end / 2**20:.0f} MB ({growth:+.1%})"
            ),
        }
    )
    drill.check(result.errors == 0, f"{result.errors} failed requests: {result.error_kinds}")
    drill.check(result.completed > 0, "no request answered")
    drill.check(growth <= 0.10, f"memory grew {growth:.1%} (more than 10%)")
    return drill


def abuse_drill(space: Workspace, simple_count: int) -> Drill:
    """Two runaway queries and a burst over the rate limit, while a third client asks simple
    queries: theirs keep answering; each runaway is cancelled at the timeout, its worker replaced.

    Clients are told apart by X-Forwarded-For, from loopback as a trusted proxy."""
    drill = Drill("abuse")
    timeout = 2.0
    with serving(
        space,
        "--query-timeout",
        str(timeout),
        "--rate-concurrent",
        "2",
        "--query-workers",
        "4",
        *BEHIND_A_PROXY,
    ) as server:
        quiet = simple_latencies(server, simple_count, "quiet")
        workers_before = set(query_workers(server))
        runaways: list[tuple[int, float]] = []
        burst: Counter[int] = Counter()

        def runaway(n: int) -> None:
            started = time.perf_counter()
            status = get(
                server, query_path(f"{CROSS_PRODUCT} # runaway {n}"), "10.0.0.1", timeout=30
            )[0]
            runaways.append((status, time.perf_counter() - started))

        def burst_one(n: int) -> None:
            burst[
                get(server, query_path(f"{CROSS_PRODUCT} # burst {n}"), "10.0.0.2", timeout=30)[0]
            ] += 1

        threads = [threading.Thread(target=runaway, args=(n,)) for n in range(2)]
        threads += [threading.Thread(target=burst_one, args=(n,)) for n in range(12)]
        for thread in threads:
            thread.start()
        time.sleep(0.2)
        abused = simple_latencies(server, simple_count, "abused")
        for thread in threads:
            thread.join()
        time.sleep(0.5)  # replacements spawn
        workers_after = set(query_workers(server))
        after = simple_latencies(server, 10, "after")
    quiet_p99 = percentile([s for s, _ in quiet], 0.99) or 0.0
    abused_p99 = percentile([s for s, _ in abused], 0.99) or 0.0
    failed = [status for _, status in quiet + abused + after if status != 200]
    drill.figures.update(
        {
            "simple p99 quiet / abused": f"{quiet_p99 * 1000:.1f} / {abused_p99 * 1000:.1f} ms",
            "runaways": ", ".join(
                f"{status} after {elapsed:.2f} s" for status, elapsed in runaways
            ),
            "burst answers": ", ".join(
                f"{count} x {status}" for status, count in sorted(burst.items())
            ),
            "query workers replaced": (
                f"{len(workers_before - workers_after)} of {len(workers_before)}"
            ),
        }
    )
    drill.target(
        "simple p99 abused / quiet", abused_p99 / quiet_p99 if quiet_p99 else 0.0, 3.0, "x"
    )
    drill.check(not failed, f"simple queries failed: {Counter(failed)}")
    drill.check(
        len(runaways) == 2 and all(status == 503 for status, _ in runaways),
        f"runaways were not all cancelled: {runaways}",
    )
    drill.check(
        all(elapsed < timeout + 3 for _, elapsed in runaways),
        f"a runaway outlived the timeout by more than 3 s: {runaways}",
    )
    drill.check(burst.get(429, 0) > 0, f"the burst was never refused: {dict(burst)}")
    drill.check(set(burst) <= {429, 503}, f"the burst got other answers: {dict(burst)}")
    drill.check(
        len(workers_before - workers_after) >= 2,
        f"cancelled workers not replaced: before {workers_before}, after {workers_after}",
    )
    drill.check(
        len(workers_after) == len(workers_before),
        f"{len(workers_after)} workers after, not {len(workers_before)}",
    )
    return drill


def simple_latencies(server: Server, count: int, tag: str) -> list[tuple[float, int]]:
    """``count`` simple queries one after another, each unique (no cache): (seconds, status)."""
    out = []
    for n in range(count):
        started = time.perf_counter()
        status = get(server, query_path(f"{SIMPLE} # {tag} {n}"), "10.0.0.3")[0]
        out.append((time.perf_counter() - started, status))
    return out


def get(
    server: Server,
    path: str,
    client: str | None = None,
    timeout: float = 30,
    accept: str = JSON_RESULTS,
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": accept, **({"X-Forwarded-For": client} if client else {})}
    return request(server, "GET", path, headers=headers, timeout=timeout)


def request(
    server: Server,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    source: str | None = None,
    timeout: float = 30.0,
) -> tuple[int, dict[str, str], bytes]:
    """One request on a fresh connection (from the local address ``source``, if given);
    status 0 if it failed."""
    connection = http.client.HTTPConnection(
        server.endpoint.host,
        server.endpoint.port,
        timeout=timeout,
        source_address=(source, 0) if source else None,
    )
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    except OSError:
        return 0, {}, b""
    finally:
        connection.close()


def fuzz_drill(space: Workspace, count: int, seed: int = 11) -> Drill:
    """``count`` malformed requests: no 5xx, no crash, every error in the one error shape."""
    drill = Drill("bad input")
    statuses: Counter[int] = Counter()
    malformed: list[str] = []
    with serving(space, "--query-timeout", "5", *NO_CLIENT_LIMITS) as server:
        workers = set(query_workers(server))
        rng = random.Random(seed)
        for n in range(count):
            request = fuzzed_request(rng, server.endpoint.authority)
            status, headers, body = raw_exchange(server, request)
            statuses[status] += 1
            problem = (
                None if request.startswith(b"HEAD ") else malformed_error(status, headers, body)
            )
            if problem:
                malformed.append(f"#{n} {status}: {problem}: {request[:120]!r}")
        alive = server.process is not None and server.process.poll() is None and healthy(server)
        same_workers = set(query_workers(server)) == workers
    fives = sum(c for s, c in statuses.items() if s >= 500)
    drill.figures.update(
        {
            "requests": f"{count:,}",
            "statuses": ", ".join(f"{s}: {c}" for s, c in sorted(statuses.items())),
            "5xx": str(fives),
            "badly formed errors": str(len(malformed)),
            "server alive after": "yes" if alive else "NO",
            "query workers lost": "none" if same_workers else "some",
        }
    )
    drill.check(fives == 0, f"{fives} answers were 5xx")
    drill.check(0 not in statuses, f"{statuses[0]} requests got no HTTP answer")
    drill.figures["cut off while sending"] = str(statuses.pop(CUT_OFF, 0))
    drill.check(not malformed, "errors not in the one shape: " + "; ".join(malformed[:5]))
    drill.check(alive, "the server did not survive")
    return drill


MUTATIONS = "{}()<>?\"'\\#.;,*@^$%&|!~`\x00\x7f\u00e9\u4e2d\ud7ff"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "BREW", "HEAD")
PATHS = (
    "/sparql",
    "/store",
    "/id/place/lingang",
    "/id/%ff/%00",
    "/download/../manifest.json",
    "/.well-known/void",
    "/query",
    "/id/place/" + "x" * 3000,
    "//sparql",
    "/sparql/",
)


def fuzzed_request(rng: random.Random, host: str) -> bytes:
    """One request, malformed in one or more ways chosen by ``rng``."""
    text = rng.choice(QUERIES).read_text(encoding="utf-8")
    for _ in range(rng.randint(0, 6)):  # mutate the query
        at = rng.randrange(len(text))
        text = (
            text[:at] + rng.choice([rng.choice(MUTATIONS), "", text[at : at + 40]]) + text[at + 1 :]
        )
    encoded = text.encode("utf-8", "surrogatepass")
    if rng.random() < 0.15:  # invalid UTF-8
        at = rng.randrange(len(encoded) + 1)
        encoded = encoded[:at] + bytes([rng.choice([0xFF, 0xC3, 0x80, 0xED])]) + encoded[at:]
    kind = rng.random()
    method = rng.choice(METHODS) if kind < 0.2 else ("POST" if kind < 0.6 else "GET")
    path = rng.choice(PATHS) if rng.random() < 0.2 else "/sparql"
    headers = {
        "Accept": rng.choice(
            [
                JSON_RESULTS,
                "text/csv",
                "*/*",
                "text/html",
                "application/x-nothing",
                "text/*;q=0.5, */*;q=garbage",
                ";;;",
                "application/json",
            ]
        )
    }
    body = b""
    if method == "POST":
        style = rng.random()
        if style < 0.4:
            headers["Content-Type"] = "application/sparql-query" + rng.choice(
                ["", "; charset=latin-1", "; charset=utf-8"]
            )
            body = encoded
        elif style < 0.8:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = (
                b"query="
                + quote(encoded, safe="").encode()
                + rng.choice([b"", b"&query=x", b"&%zz", b"&update=x"])
            )
        else:
            headers["Content-Type"] = rng.choice(["text/plain", "multipart/form-data", "", "\x7f"])
            body = encoded
        if rng.random() < 0.05:
            body = b"query=" + b"A" * rng.choice([200_000, 2_000_000])  # over the size limits
    else:
        path += (
            "?query="
            + quote(encoded, safe="")
            + rng.choice(["", "&query=again", "&format=nonsense", "&%"])
        )
    if rng.random() < 0.05:
        headers["Content-Length"] = rng.choice(["-1", "abc", "99999999999"])
    if rng.random() < 0.05:
        headers["X-Junk"] = "x" * rng.choice([10, 9000])
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    if body and "Content-Length" not in headers:
        lines.append(f"Content-Length: {len(body)}")
    return "\r\n".join(lines).encode("utf-8", "surrogateescape") + b"\r\n\r\n" + body


CUT_OFF = -1  # the server closed the connection while the request was still being sent


def raw_exchange(server: Server, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send bytes as they are; the answer's status, headers and body.  Status 0: no answer;
    CUT_OFF: none read because the server closed while the (over-long or badly framed)
    request was still being sent, which resets the connection before its answer is read."""
    method = request.split(b" ", 1)[0].decode("latin-1")
    head, _, body = request.partition(b"\r\n\r\n")
    sent = False
    try:
        with socket.create_connection(
            (server.endpoint.host, server.endpoint.port), timeout=30
        ) as sock:
            try:
                if _early_answer_likely(head, body):
                    # As a client sending Expect: 100-continue would: an answer to the head
                    # alone (400, 413) is read before a body the server will not take is sent.
                    sock.sendall(head + b"\r\n\r\n")
                    early, _, _ = select.select([sock], [], [], 0.2)
                    if not early:
                        sock.sendall(body)
                else:
                    sock.sendall(request)
                sent = True
            except OSError:
                pass  # the server may close early on a body it will not read; read its answer
            response = http.client.HTTPResponse(sock, method=method)
            try:
                response.begin()
                body = response.read()
                return response.status, {k.lower(): v for k, v in response.getheaders()}, body
            finally:
                response.close()  # its file holds the socket open past the `with`
    except (OSError, http.client.HTTPException):
        return (0 if sent else CUT_OFF), {}, b""


def _early_answer_likely(head: bytes, body: bytes) -> bool:
    """A body over the server's limits, or a Content-Length that does not frame it."""
    declared = [
        line.split(b":", 1)[1].strip()
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    ]
    return len(body) > 1_000_000 or any(value != str(len(body)).encode() for value in declared)


def malformed_error(status: int, headers: dict[str, str], body: bytes) -> str | None:
    """What is wrong with an error response, or None: JSON errors are {"ok": false, "status",
    "error"} with the response's status; plain ones say something; no traceback anywhere."""
    if status < 400:
        return None
    if b"Traceback" in body or b'File "' in body:
        return "a traceback"
    media = headers.get("content-type", "").split(";")[0]
    if media == "application/json":
        try:
            document = json.loads(body)
        except ValueError:
            return "JSON that does not parse"
        if (
            document.get("ok") is not False
            or document.get("status") != status
            or not document.get("error")
        ):
            return f"JSON not in the error shape: {body[:100]!r}"
        return None
    if media in ("text/plain", "text/html") and body.strip():
        return None
    if status == 400 and not media and not body:
        return None  # uvicorn's own answer to a request it cannot parse as HTTP at all
    return f"an error as {media or 'no media type'}: {body[:80]!r}"


def rebuild_drill(space: Workspace, clients: int = 4) -> Drill:
    """`shkg build` of a changed graph while clients query: no failure, and every answer from
    the build its ETag names (the label of Lingang tells the two releases apart)."""
    drill = Drill("rebuild under load")
    old_label, new_label = "Lingang", "Lingang (drill)"
    query = (
        "SELECT ?label WHERE { <https://w3id.org/shkg/id/place/lingang> "
        '<http://www.w3.org/2000/01/rdf-schema#label> ?label FILTER(LANG(?label) = "en") }'
    )
    old = current_build(space)
    seen: list[tuple[int, str, str]] = []
    stop = threading.Event()
    with serving(space, *NO_CLIENT_LIMITS) as server:

        def client(offset: int) -> None:
            n = offset
            while not stop.is_set():
                status, headers, body = get(server, query_path(f"{query} # {n}"))
                build_id = headers.get("etag", '""').strip('"').split("-")[0]
                labels = (
                    "|".join(
                        sorted(b["label"]["value"] for b in json.loads(body)["results"]["bindings"])
                    )
                    if status == 200
                    else ""
                )
                seen.append((status, build_id, labels))
                n += clients

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for thread in threads:
            thread.start()
        time.sleep(1.0)
        places = space.root / "graph" / "entities" / "places.ttl"
        text = places.read_text(encoding="utf-8")
        for predicate in ("rdfs:label", "skos:prefLabel"):
            text = text.replace(
                f'{predicate} "{old_label}"@en ;', f'{predicate} "{new_label}"@en ;'
            )
        places.write_text(text, encoding="utf-8")
        started = time.perf_counter()
        new = build(space)
        built = time.perf_counter() - started
        switched = wait_until(lambda: health_build(server) == new, 30)
        switch_seconds = time.perf_counter() - started - built
        time.sleep(1.0)
        stop.set()
        for thread in threads:
            thread.join()
    expected = {old: old_label, new: new_label}
    failed = [s for s, _, _ in seen if s != 200]
    mixed = [(b, label) for s, b, label in seen if s == 200 and expected.get(b) != label]
    by_build = Counter(b for s, b, _ in seen if s == 200)
    drill.figures.update(
        {
            "requests": f"{len(seen):,} ({by_build[old]:,} old, {by_build[new]:,} new)",
            "failed": str(len(failed)),
            "answers not from their ETag's build": str(len(mixed)),
            "build / switch after build": f"{built:.1f} s / {switch_seconds:.2f} s",
        }
    )
    drill.check(old != new, "the rebuild did not change the build id")
    drill.check(switched, "the server did not move to the new release")
    drill.check(not failed, f"failed requests: {Counter(failed)}")
    drill.check(not mixed, f"answers not from their build: {mixed[:3]}")
    drill.check(by_build[old] > 0 and by_build[new] > 0, f"answers per build: {dict(by_build)}")
    return drill


def health_build(server: Server) -> str | None:
    status, _, body = get(server, "/healthz", accept="application/json")
    return json.loads(body)["build_id"] if status == 200 else None


def log_errors(server: Server) -> str:
    """The end of the server's log, for a failure message."""
    lines = server.log_path.read_text(errors="replace").splitlines()
    return "log: " + (" / ".join(lines[-15:])[-2000:] or "empty")


def wait_until(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def crash_drill(space: Workspace, tries: int, seed: int = 5) -> Drill:
    """kill -9 of `shkg build` at random points: the previous release goes on serving and the
    next build succeeds; kill -9 of query workers and of a server process: the server recovers."""
    drill = Drill("crash")
    first = current_build(space)
    build_seconds = timed(lambda: build(space))
    rng = random.Random(seed)
    kills: list[float] = []
    with serving(space, "--workers", "2", "--query-workers", "2", *NO_CLIENT_LIMITS) as server:
        for attempt in range(tries):
            process = subprocess.Popen(
                build_command(space), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            )
            delay = rng.uniform(0.05, build_seconds)
            time.sleep(delay)
            finished_first = process.poll() is not None
            process.kill()
            _, errors = process.communicate()
            drill.check(
                not finished_first or process.returncode == 0,
                f"try {attempt}: the build failed before the kill: {errors.decode()[-500:]}",
            )
            kills.append(delay)
            current = current_build(space)
            drill.check(
                current == first, f"try {attempt}: current release is {current}, not {first}"
            )
            status = get(server, query_path(f"{SIMPLE} # crash {attempt}"))[0]
            drill.check(
                status == 200, f"try {attempt}: the server answered {status} after the kill"
            )
            if finished_first:
                kills[-1] = -1.0  # the build ended before the kill: it published normally
        after = build(space)
        leftovers = [
            p.name for p in (space.var / "releases").iterdir() if p.name.startswith(".building-")
        ]
        drill.check(after == first, "the build after the kills failed")
        drill.check(not leftovers, f"work directories left behind: {leftovers}")

        # kill -9 of every query worker of the server, then of one of its server processes
        workers = query_workers(server)
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        died = [get(server, query_path(f"{SIMPLE} # after workers died {n}")) for n in range(20)]
        drill.check(
            all(status == 200 for status, _, _ in died),
            "after the query workers were killed: "
            f"{[(status, body[:200]) for status, _, body in died if status != 200]}; "
            f"{log_errors(server)}",
        )
        replaced = wait_until(
            lambda: (
                len(query_workers(server)) == len(workers)
                and not set(query_workers(server)) & set(workers)
            ),
            30,
        )
        drill.check(replaced, "killed query workers were not all replaced")
        processes = uvicorn_processes(server)
        os.kill(processes[0], signal.SIGKILL)
        recovered = wait_until(lambda: len(uvicorn_processes(server)) == len(processes), 30)
        answers = [
            get(server, query_path(f"{SIMPLE} # after a server process died {n}"))[0]
            for n in range(20)
        ]
        drill.check(recovered, "the killed server process was not restarted")
        drill.check(
            all(a == 200 for a in answers),
            f"after a server process was killed: {Counter(answers)}; {log_errors(server)}",
        )
    drill.figures.update(
        {
            "build killed after (s)": ", ".join(
                "ended first" if k < 0 else f"{k:.2f}" for k in kills
            ),
            "release after each kill": "unchanged" if drill.ok else "see failures",
            "next build": "succeeded" if after == first else "FAILED",
            "query workers killed / replaced": (
                f"{len(workers)} / {'all' if replaced else 'NOT all'}"
            ),
            "server processes": (
                f"{len(processes)}, one killed, {'restarted' if recovered else 'NOT restarted'}"
            ),
        }
    )
    return drill


def failover_drill(space: Workspace, seconds: float, clients: int = 8) -> Drill:
    """Two replicas behind nginx (deploy/nginx.conf, both its upstream), under load through
    it: one is killed (kill -9 of its whole process tree) and, a while later, started again.

    Target: no failed request (nginx tries an idempotent request that fails to connect, or
    whose replica dies under it, on the other one).  Printed: the latency before, while one is
    down, and once it is back; and how soon the restarted replica takes traffic again, read
    from its own request counter."""
    drill = Drill("failover")
    ports = [free_port(), free_port()]
    # As in production: nginx is a trusted proxy, so each client is itself, not nginx.
    replicas = [shkg_server(space, port, *NO_CLIENT_LIMITS, *BEHIND_A_PROXY) for port in ports]
    proxy: subprocess.Popen[bytes] | None = None
    phases: list[tuple[float, float, PhaseResult]] = []
    crashed: list[str] = []  # the load's own failure, if it had one
    stop = threading.Event()
    try:
        for replica in replicas:
            replica.start(*ASK_PROBE)
        proxy, proxy_port = start_proxy(space, ports, (), one_client_address=True)
        requests = mix(13, f"127.0.0.1:{proxy_port}")
        offset = [0]

        def next_request(n: int) -> HttpRequest:
            return requests(offset[0] + n)

        def load() -> None:
            try:
                while not stop.is_set():
                    started = time.monotonic()
                    result = run_phase("127.0.0.1", proxy_port, next_request, clients, 100_000, 0.5)
                    offset[0] += result.completed + result.errors
                    phases.append((started, time.monotonic(), result))
            except Exception as error:  # noqa: BLE001 - reported as the drill's failure
                crashed.append(f"{type(error).__name__}: {error}")

        loader = threading.Thread(target=load, daemon=True)
        began = time.monotonic()
        loader.start()
        time.sleep(seconds / 4)
        victim = replicas[0]
        killed_at = time.monotonic()
        for pid in victim.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(seconds / 4)
        victim.stop()  # reaps it and any process of its tree left
        restarted_at = time.monotonic()
        victim.start(*ASK_PROBE)
        back_at = time.monotonic()
        before = served(victim)
        took_traffic: float | None = None
        while time.monotonic() < back_at + seconds / 2:
            if took_traffic is None and served(victim) > before:
                took_traffic = time.monotonic() - back_at
            time.sleep(0.05)
        stop.set()
        loader.join(30)
        drill.check(not loader.is_alive(), "the load did not end")
        ended = time.monotonic()
        share = served(victim) - before
    finally:
        stop.set()
        if proxy is not None:
            proxy.terminate()
            proxy.wait(10)
        for replica in replicas:
            replica.stop()

    def during(start: float, end: float) -> PhaseResult:
        """The half-second phases that ended in [start, end): the one cut by the kill counts
        as down."""
        merged = PhaseResult()
        for _, phase_end, result in phases:
            if start <= phase_end < end:
                merged.merge(result)
        return merged

    stages = {
        "both up": during(began, killed_at),
        "one killed and down": during(killed_at, back_at),
        "both up again": during(back_at, ended + 60),
    }
    total = PhaseResult()
    for _, _, result in phases:
        total.merge(result)
    drill.figures["requests"] = (
        f"{total.completed:,} in {ended - began:.1f} s through nginx, {clients} clients"
    )
    drill.figures["failed requests"] = str(total.errors) + (
        f" {dict(total.error_kinds)}" if total.errors else ""
    )
    for stage, result in stages.items():
        drill.figures[f"p50 / p99, {stage}"] = (
            f"{percentile(result.latencies, 0.5) or 0:.4f} / "
            f"{percentile(result.latencies, 0.99) or 0:.4f} s "
            f"({result.completed:,} requests, {result.errors} failed)"
        )
    drill.figures["down for"] = (
        f"{restarted_at - killed_at:.1f} s, then {back_at - restarted_at:.2f} s to start"
    )
    drill.figures["restarted replica took traffic after"] = (
        f"{took_traffic:.1f} s ({share:,} requests by the end)"
        if took_traffic is not None
        else "never"
    )
    drill.check(not crashed, f"the load stopped: {crashed}")
    drill.check(total.errors == 0, f"{total.errors} failed requests: {total.error_kinds}")
    drill.check(stages["one killed and down"].completed > 0, "nothing answered while one was down")
    drill.check(took_traffic is not None, "the restarted replica took no traffic")
    return drill


def served(server: Server) -> int:
    """The requests to /sparql and pages a server has answered, from its own /metrics."""
    _, _, body = get(server, "/metrics", accept="text/plain")
    return int(
        sum(
            float(line.rsplit(" ", 1)[1])
            for line in body.decode().splitlines()
            if line.startswith("shkg_requests_total{") and 'route="/metrics"' not in line
        )
    )


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


# --- the command ----------------------------------------------------------------------------

DRILLS: dict[str, Callable[[Workspace, bool], Drill]] = {
    "load": lambda space, quick: load_drill(space, 10 if quick else 60),
    "abuse": lambda space, quick: abuse_drill(space, 100 if quick else 300),
    "fuzz": lambda space, quick: fuzz_drill(space, 1_000 if quick else 10_000),
    "rebuild": lambda space, quick: rebuild_drill(space),
    "crash": lambda space, quick: crash_drill(space, 3 if quick else 10),
    "failover": lambda space, quick: failover_drill(space, 16 if quick else 40),
}


def all_drills() -> dict[str, Callable[[Workspace, bool], Drill]]:
    """These drills and the attack drills of bench/attacks.py (which build on this module)."""
    from .attacks import ATTACKS

    return {**DRILLS, **ATTACKS}


def run(names: list[str], quick: bool) -> list[Drill]:
    results = []
    for name in names:
        with workspace() as space:
            started = time.perf_counter()
            drill = all_drills()[name](space, quick)
            drill.figures["took"] = f"{time.perf_counter() - started:.0f} s"
            results.append(drill)
            print(format_drill(drill), flush=True)
    return results


def format_drill(drill: Drill) -> str:
    lines = [
        f"## {drill.name}: {'ok' if drill.ok else 'FAILED'}",
        "",
        "| figure | value |",
        "|---|---|",
    ]
    lines += [f"| {label} | {value} |" for label, value in drill.figures.items()]
    lines += [f"- failure: {failure}" for failure in drill.failures]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.drills", description=__doc__.split("\n")[0]
    )
    known = all_drills()
    parser.add_argument(
        "drills", nargs="*", metavar="DRILL", help=f"any of {', '.join(known)} (default: all)"
    )
    parser.add_argument("--quick", action="store_true", help="smaller drills, about a minute")
    parser.add_argument(
        "--through-proxy",
        action="store_true",
        help="every server behind nginx with deploy/nginx.conf, as in production",
    )
    args = parser.parse_args(argv)
    if args.through_proxy:
        os.environ[THROUGH_PROXY] = "1"
    unknown = [name for name in args.drills if name not in known]
    if unknown:
        parser.error(f"no drill named {', '.join(unknown)}: choose from {', '.join(known)}")
    results = run(args.drills or list(known), args.quick)
    return 0 if all(d.ok for d in results) else 1


if __name__ == "__main__":
    sys.exit(main())

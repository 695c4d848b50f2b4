"""Attack drills: what one hostile client on the open internet can try, and what it costs
everyone else.

Each drill starts a real `shkg serve` with its default settings, measures a well-behaved
client (the *probe*: simple queries, each unique so the cache cannot answer, from its own
loopback address 127.0.0.2) while nobody else is there, then while the attack runs, and
reports the probe's p99 both ways, its errors, what the attacker got, the server's memory
and CPU, and whether the server's log holds a traceback or a 5xx.  `python -m bench.drills`
runs them with the other drills; `tests/e2e/test_drills.py` runs each quick.

The attacker connects from 127.0.0.1 and the probe from 127.0.0.2: two clients, as the
server's per-client limits see them, without trusting any proxy header.
"""

from __future__ import annotations

import http.client
import http.server
import multiprocessing
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Protocol
from urllib.parse import quote, urlencode

import pyoxigraph

from .drills import (
    CROSS_PRODUCT,
    SIMPLE,
    Drill,
    Workspace,
    healthy,
    query_path,
    query_workers,
    request,
    serving,
)
from .loadgen import percentile
from .servers import Server, _stat, hwm_bytes, rss_bytes

PROBE_ADDRESS = "127.0.0.2"
# An attack runs to its end, or is told to stop after this long.
ATTACK_SECONDS = 60.0
# The server process's memory ceiling the README promises (the query workers have theirs).
SERVER_CEILING = 300 * 2**20
TICKS = 100  # clock ticks a second (os.sysconf("SC_CLK_TCK") on Linux)


# --- the well-behaved client, and what the server looks like --------------------------------


# The probe's pace: a person at a query page, or a program that is not in a hurry.
PROBE_INTERVAL = 0.05


def probe(server: Server, count: int, tag: str) -> list[tuple[float, int]]:
    """``count`` simple queries, one every :data:`PROBE_INTERVAL` at most: (seconds, status)
    each."""
    out = []
    for n in range(count):
        time.sleep(PROBE_INTERVAL)
        started = time.perf_counter()
        status = request(
            server,
            "GET",
            query_path(f"{SIMPLE} # probe {tag} {n} {time.time_ns()}"),
            headers={"Accept": "application/sparql-results+json"},
            source=PROBE_ADDRESS,
        )[0]
        out.append((time.perf_counter() - started, status))
    return out


def main_cpu(server: Server) -> float:
    """CPU seconds the server process itself (not its query workers) has used."""
    fields = _stat(server.pid)
    return sum(int(value) for value in fields[11:13]) / TICKS if fields else 0.0


def log_text(server: Server) -> str:
    return server.log_path.read_text(encoding="utf-8", errors="replace")


class Stop(Protocol):
    """When the attack should stop (a multiprocessing event)."""

    def is_set(self) -> bool: ...


@dataclass
class Attack:
    """What an attack reports: figures, and the checks particular to it."""

    figures: dict[str, str] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)

    def check(self, condition: bool, failure: str) -> None:
        if not condition:
            self.failures.append(failure)


def attack_drill(
    space: Workspace,
    name: str,
    attack: Callable[[Server, Stop], Attack],
    probes: int,
    *options: str,
) -> Drill:
    """Probe quiet, probe under ``attack`` (run on a thread until the probe is done), then
    check: no probe errors, no 5xx or traceback in the log, the probe's p99 within 3x quiet
    (a target: printed, deciding nothing on a shared machine), every worker back."""
    drill = Drill(name)
    with serving(space, *options) as server:
        probe(server, 5, "warm")
        cpu_quiet = main_cpu(server)
        quiet = probe(server, probes, "quiet")
        # What the server spends on one probe, to leave the probe out of the attack's cost.
        per_probe = (main_cpu(server) - cpu_quiet) / len(quiet)
        workers_before = len(query_workers(server))
        cpu_before = main_cpu(server)
        # The attacker runs in a process of its own, at a lower priority, as if on another
        # machine: in this one its threads would take the probe's interpreter lock, and its
        # CPU the cores the server needs, and the probe would time the attacker, not the server.
        context = multiprocessing.get_context("fork")
        stop = context.Event()
        theirs, ours = context.Pipe(duplex=False)
        attacker = context.Process(target=_attacker, args=(attack, server, stop, ours))
        attacker.start()
        ours.close()
        time.sleep(0.3)
        # The probe goes on for as long as the attack does (at least ``probes`` queries).
        under = probe(server, probes, "under")
        deadline = time.monotonic() + ATTACK_SECONDS
        while attacker.is_alive() and time.monotonic() < deadline:
            under += probe(server, 10, "under")
        stop.set()
        outcome = [theirs.recv()] if theirs.poll(120) else []
        attacker.join(10)
        if attacker.is_alive():
            attacker.kill()
        cpu_used = max(main_cpu(server) - cpu_before - per_probe * len(under), 0.0)
        recovered = _wait(lambda: len(query_workers(server)) == workers_before, 15)
        after = probe(server, 5, "after")
        rss = rss_bytes(server.pids())
        peak = hwm_bytes([server.pid])
        alive = healthy(server)
        log = log_text(server)
    quiet_p99 = percentile([s for s, _ in quiet], 0.99) or 0.0
    under_p99 = percentile([s for s, _ in under], 0.99) or 0.0
    failed = Counter(status for _, status in quiet + under + after if status != 200)
    drill.figures["probe p99 quiet / under attack"] = (
        f"{quiet_p99 * 1000:.1f} / {under_p99 * 1000:.1f} ms"
    )
    drill.figures["probe errors"] = str(sum(failed.values())) + (
        f" {dict(failed)}" if failed else ""
    )
    drill.figures["server process CPU spent on the attack"] = f"{cpu_used:.2f} s"
    drill.figures["RSS of every process at end / server process peak"] = (
        f"{rss / 2**20:.0f} / {peak / 2**20:.0f} MB"
    )
    drill.target(
        "probe p99 under attack / quiet", under_p99 / quiet_p99 if quiet_p99 else 0.0, 3.0, "x"
    )
    if outcome:
        drill.figures.update(outcome[0].figures)
        for failure in outcome[0].failures:
            drill.check(False, failure)
    else:
        drill.check(False, "the attack did not finish")
    drill.check(not failed, f"the probe failed: {dict(failed)}")
    drill.check(alive, "the server did not answer /healthz after the attack")
    drill.check(
        peak <= SERVER_CEILING,
        f"the server process peaked at {peak / 2**20:.0f} MB, over its ceiling",
    )
    drill.check(recovered, f"query workers not back to {workers_before}")
    drill.check("Traceback" not in log, "a traceback in the server's log")
    drill.check(" 500 " not in log and '"status": 500' not in log, "a 500 in the server's log")
    return drill


def _attacker(
    attack: Callable[[Server, Stop], Attack], server: Server, stop: Stop, out: Connection
) -> None:
    os.nice(10)
    try:
        result = attack(server, stop)
    except Exception as error:  # noqa: BLE001 - reported as the drill's failure
        result = Attack(failures=[f"the attack itself failed: {error!r}"])
    out.send(result)
    out.close()


def _wait(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _form(**fields: str | list[str]) -> bytes:
    return urlencode(fields, doseq=True).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# --- finding 3: the query checker ------------------------------------------------------------

# `a.a.a...`: once quadratic to lex (16 KB took 1.3 s), and checked in the server process
# when sent twice in one request.
PATHOLOGICAL = "a" + ".a" * 12_000


def checker_attack(server: Server, stop: Stop, rounds: int) -> Attack:
    """Pathological texts, as several `query` parameters (refused unread) and as one (read in
    a query worker, in linear time), over and over until the probe is done."""
    result = Attack()
    statuses: Counter[int] = Counter()
    sent = 0
    for _ in range(rounds):
        if stop.is_set():
            break
        for body in (
            _form(query=[PATHOLOGICAL, PATHOLOGICAL]),
            _form(query=[PATHOLOGICAL] * 3),
            _form(query=PATHOLOGICAL),
        ):
            statuses[request(server, "POST", "/sparql", body, FORM, "127.0.0.1")[0]] += 1
            sent += 1
    answers = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
    result.figures["attacker"] = f"{sent} requests of 24-72 KB: {answers}"
    result.check(set(statuses) <= {400, 429}, f"unexpected answers: {dict(statuses)}")
    return result


# --- finding 4: memory -------------------------------------------------------------------------

MEMORY_BOMB = (
    'SELECT (STRLEN(?v20) AS ?n) WHERE { BIND("'
    + "x" * 1000
    + '" AS ?v0) '
    + " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(20))
    + " }"
)


def memory_attack(server: Server, stop: Stop) -> Attack:
    """The 1.7 KB query that doubles a string twenty times, sent twice at once (the limit of
    one client), while the probe runs: each stopped at the workers' memory ceiling."""
    result = Attack()
    statuses: Counter[int] = Counter()
    peak_worker = 0
    sampling = threading.Event()

    def sample() -> None:
        nonlocal peak_worker
        while not sampling.is_set():
            for pid in query_workers(server):
                peak_worker = max(peak_worker, rss_bytes([pid]))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()

    def bomb() -> None:
        statuses[
            request(server, "POST", "/sparql", _form(query=MEMORY_BOMB), FORM, "127.0.0.1")[0]
        ] += 1

    rounds = 0
    while not stop.is_set() and rounds < 2:
        bombs = [threading.Thread(target=bomb) for _ in range(2)]
        for thread in bombs:
            thread.start()
        for thread in bombs:
            thread.join()
        rounds += 1
    sampling.set()
    sampler.join()
    result.figures["attacker"] = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
    result.figures["largest query worker seen"] = f"{peak_worker / 2**20:.0f} MB (ceiling 2048)"
    result.check(statuses.get(503, 0) > 0, f"no bomb was stopped: {dict(statuses)}")
    result.check(set(statuses) <= {503, 429}, f"unexpected answers: {dict(statuses)}")
    result.check(peak_worker <= 2200 * 2**20, f"a worker grew to {peak_worker / 2**20:.0f} MB")
    return result


# --- finding 6: starving the defaults ----------------------------------------------------------


def starve_attack(server: Server, stop: Stop) -> Attack:
    """Eight runaway cross products at once, then 45 at once, each with a different forged
    X-Forwarded-For: one client to the limits whatever it claims; /healthz stays quick."""
    result = Attack()
    statuses: Counter[int] = Counter()
    health: list[float] = []

    def runaway(n: int) -> None:
        status = request(
            server,
            "GET",
            query_path(f"{CROSS_PRODUCT} # {n} {time.time_ns()}"),
            headers={"X-Forwarded-For": f"10.9.{n // 256}.{n % 256}"},
            source="127.0.0.1",
        )[0]
        statuses[status] += 1

    for burst in (8, 45):
        if stop.is_set():
            break
        threads = [threading.Thread(target=runaway, args=(n,)) for n in range(burst)]
        for thread in threads:
            thread.start()
        for _ in range(5):
            started = time.perf_counter()
            request(server, "GET", "/healthz", source="127.0.0.3")
            health.append(time.perf_counter() - started)
        for thread in threads:
            thread.join()
    result.figures["attacker"] = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
    result.figures["/healthz under attack, slowest"] = f"{max(health, default=0) * 1000:.1f} ms"
    result.check(statuses.get(429, 0) > 0, f"forged clients were not limited: {dict(statuses)}")
    result.check(set(statuses) <= {429, 503}, f"unexpected answers: {dict(statuses)}")
    result.check(max(health, default=0) < 1.0, f"/healthz took {max(health):.2f} s")
    return result


# --- finding 7: heavy routes -------------------------------------------------------------------


def heavy_routes_attack(server: Server, stop: Stop, seconds: float) -> Attack:
    """Four clients ask for the whole default graph, in every format, over and over."""
    result = Attack()
    statuses: Counter[int] = Counter()
    formats = ("turtle", "nt", "jsonld", "rdfxml")
    ends = time.monotonic() + seconds

    def hammer(n: int) -> None:
        k = 0
        while time.monotonic() < ends and not stop.is_set():
            fmt = formats[(n + k) % len(formats)]
            path = f"/store?default&format={fmt}" if k % 2 else f"/store?format=nquads&{k}"
            statuses[request(server, "GET", path, source="127.0.0.1")[0]] += 1
            k += 1

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.figures["attacker"] = ", ".join(f"{n} x {s}" for s, n in sorted(statuses.items()))
    # 0: a connection dropped unread, the client being over its request rate.
    result.check(set(statuses) <= {0, 200, 429}, f"unexpected answers: {dict(statuses)}")
    return result


# --- findings 8-12: answers that must not be what they were ------------------------------------


class _Upstream(http.server.BaseHTTPRequestHandler):
    """An allowed SERVICE endpoint that fails, with words of its own in the body."""

    def do_GET(self) -> None:  # noqa: N802 - the name http.server calls
        body = b"<script>UPSTREAM-SECRET</script>"
        self.send_response(500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_POST = do_GET  # noqa: N815

    def log_message(self, format: str, *args: object) -> None:
        pass


def edges_drill(space: Workspace, quick: bool) -> Drill:
    upstream = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    url = f"http://127.0.0.1:{upstream.server_address[1]}/sparql"
    threading.Thread(target=upstream.serve_forever, daemon=True).start()
    try:
        return attack_drill(
            space,
            "attack: bad answers (8-12)",
            lambda server, stop: edges_attack(server, stop, url),
            10 if quick else 50,
            "--federation-allowlist",
            url,
        )
    finally:
        upstream.shutdown()
        upstream.server_close()


def edges_attack(server: Server, stop: Stop, upstream: str) -> Attack:
    """Each request once: the answer it must get, and nothing of it echoed."""
    result = Attack()
    relay = "SELECT * WHERE { SERVICE <" + upstream + "> { ?s ?p ?o } }"
    injected = "/id/place/x%0a%3Curn:evil%3E%20%3Curn:p%3E%20%22injected%22%20.%0a%23"
    cases: list[tuple[str, str, str, bytes | None, dict[str, str], set[int]]] = [
        ("8 bad graph IRI", "GET", "/store?graph=x", None, {}, {400}),
        ("8 graph IRI with a space", "GET", "/store?graph=a%20b", None, {}, {400}),
        ("8 empty graph IRI", "GET", "/store?graph=", None, {}, {400}),
        (
            "9 `*` for a missing page",
            "GET",
            "/id/place/does-not-exist",
            None,
            {"If-None-Match": "*"},
            {404},
        ),
        (
            "9 `*` for a missing graph",
            "GET",
            "/store?graph=https://nope.example/g",
            None,
            {"If-None-Match": "*"},
            {404},
        ),
        ("10 Turtle 404 injection", "GET", injected, None, {"Accept": "text/turtle"}, {404}),
        (
            "11 Host reflected",
            "GET",
            "/.well-known/void",
            None,
            {"Host": "evil.example", "Accept": "text/turtle"},
            {200},
        ),
        ("12 update as a query", "GET", "/sparql?query=" + quote("CLEAR ALL"), None, {}, {400}),
        ("11 upstream error relayed", "GET", "/sparql?query=" + quote(relay), None, {}, {502}),
    ]
    for label, method, path, body, headers, expected in cases:
        status, _, answer = request(server, method, path, body, headers, "127.0.0.1")
        text = answer.decode("utf-8", "replace")
        ok = status in expected and not any(
            word in text for word in ("evil", "injected", "UPSTREAM-SECRET")
        )
        if label.startswith("10") and ok:
            ok = not list(pyoxigraph.parse(answer, format=pyoxigraph.RdfFormat.TURTLE))
        result.figures[f"finding {label}"] = f"{status}{'' if ok else ' (WRONG)'}"
        result.check(ok, f"{label}: {status} {text[:120]!r}")
    # 8: a client that leaves in the middle of its body.
    with socket.create_connection((server.endpoint.host, server.endpoint.port), 5) as sock:
        sock.sendall(
            b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded"
            b"\r\nContent-Length: 1000\r\n\r\nquery=SELECT"
        )
        time.sleep(0.2)
    time.sleep(0.3)
    result.figures["finding 8 client leaves mid-body"] = "logged, not an error"
    return result


ATTACKS: dict[str, Callable[[Workspace, bool], Drill]] = {
    "checker": lambda space, quick: attack_drill(
        space,
        "attack: query checker (3)",
        lambda server, stop: checker_attack(server, stop, 10 if quick else 100),
        20 if quick else 100,
    ),
    "memory": lambda space, quick: attack_drill(
        space, "attack: memory (4)", memory_attack, 20 if quick else 100
    ),
    "starve": lambda space, quick: attack_drill(
        space, "attack: starving the defaults (6)", starve_attack, 20 if quick else 100
    ),
    "heavy-routes": lambda space, quick: attack_drill(
        space,
        "attack: heavy routes (7)",
        lambda server, stop: heavy_routes_attack(server, stop, 3 if quick else 8),
        20 if quick else 100,
    ),
    "edges": edges_drill,
}


# --- findings 1, 2 and 5: the connection itself -------------------------------------------------


def _raw(
    server: Server, source: str = "127.0.0.1", receive_buffer: int | None = None
) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if receive_buffer:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
    sock.bind((source, 0))
    sock.settimeout(10)
    sock.connect((server.endpoint.host, server.endpoint.port))
    return sock


def _status_of(sock: socket.socket, wait: float = 5.0) -> int:
    """The status the server answered on ``sock`` (0: none, the connection just closed)."""
    sock.settimeout(wait)
    try:
        head = sock.recv(64)
    except OSError:
        return 0
    parts = head.split(b" ", 2)
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0


def big_header_attack(server: Server, stop: Stop, megabytes: int) -> Attack:
    """One connection sends a header of ``megabytes`` MB in 1 MiB writes (finding 1)."""
    result = Attack()
    sock = _raw(server)
    started = time.perf_counter()
    sent = 0
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ")
        chunk = b"a" * 2**20
        for _ in range(megabytes):
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass  # the server closed the connection: what it should do
    status = _status_of(sock)
    sock.close()
    result.figures["attacker"] = (
        f"{status or 'closed'} after {sent / 2**20:.0f} of {megabytes} MB sent, "
        f"{time.perf_counter() - started:.2f} s"
    )
    # Refused, or the connection cut before the whole header went in.  (nginx answers 400 at
    # once and then reads on, discarding, so the whole header may go in.)
    result.check(
        status in (400, 431) or (status == 0 and sent < megabytes * 2**20),
        f"{status or 'no answer'} after {sent} bytes",
    )
    return result


def slowloris_attack(server: Server, stop: Stop, count: int, seconds: float) -> Attack:
    """``count`` connections each: idle, a head dripped a byte a second, a body dripped, from
    one client, more than it may hold (finding 2).  Dripped for ``seconds`` + 2 s; then the
    attacker stops, and within ``seconds`` + 5 s every connection must be closed.

    `shkg serve` alone closes them all while they drip (its head and body deadlines are
    totals); nginx closes idle ones and slow heads, and holds slow bodies (its body timeout
    is between reads) until the dripping stops, without passing them on."""
    result = Attack()
    socks: list[tuple[str, socket.socket]] = []
    refused = 0
    for _ in range(count):
        for kind in ("idle", "head", "body"):
            try:
                sock = _raw(server)
            except OSError:
                refused += 1
                continue
            if kind == "body":
                sock.sendall(
                    b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query"
                    b"\r\nContent-Length: 100000\r\n\r\nSELECT"
                )
            elif kind == "head":
                sock.sendall(b"GET /healthz HTTP/1.1\r\nHo")
            socks.append((kind, sock))
    started = time.monotonic()
    closed_at: dict[int, float] = {}

    def look(drip: bool) -> None:
        for index, (kind, sock) in enumerate(socks):
            if index in closed_at:
                continue
            try:
                if drip and kind != "idle":
                    sock.send(b"s")  # one more byte, a byte a second
                sock.setblocking(False)
                data = sock.recv(4096)
                sock.setblocking(True)
                if data == b"" or data.startswith((b"HTTP/1.1 408", b"HTTP/1.1 503")):
                    closed_at[index] = time.monotonic() - started
            except BlockingIOError:
                sock.setblocking(True)
            except OSError:
                closed_at[index] = time.monotonic() - started

    while time.monotonic() - started < seconds + 2 and len(closed_at) < len(socks):
        look(drip=True)
        time.sleep(1.0)
    closed_dripping = Counter(socks[index][0] for index in closed_at)
    stopped = time.monotonic()
    while time.monotonic() - stopped < seconds + 5 and len(closed_at) < len(socks):
        look(drip=False)
        time.sleep(0.5)
    for _, sock in socks:
        sock.close()
    kinds = Counter(kind for kind, _ in socks)
    still_open = len(socks) - len(closed_at)
    result.figures["attacker"] = f"{len(socks)} connections opened ({refused} refused at connect)"
    result.figures["closed by the server while dripping"] = ", ".join(
        f"{closed_dripping[kind]} of {kinds[kind]} {kind}" for kind in ("idle", "head", "body")
    )
    result.figures["still open after the attacker stopped"] = (
        f"{still_open}; the last closed {max(closed_at.values(), default=0):.1f} s in"
    )
    result.check(
        still_open == 0, f"{still_open} connections outlived the attack by {seconds + 5:g} s"
    )
    return result


def slow_reader_attack(server: Server, stop: Stop, count: int, seconds: float) -> Attack:
    """``count`` connections ask for the whole dataset (megabytes) and read nothing, with a
    4 KB receive buffer (finding 5): the server's memory stays flat and they are dropped."""
    result = Attack()
    before = rss_bytes([server.pid])
    socks = []
    for n in range(count):
        sock = _raw(server, receive_buffer=4096)
        sock.sendall(f"GET /store?format=nquads&n={n} HTTP/1.1\r\nHost: x\r\n\r\n".encode("ascii"))
        socks.append(sock)
    time.sleep(1.0)
    during = rss_bytes([server.pid])
    dropped = _wait(lambda: all(_dropped(sock) for sock in socks), seconds + 5)
    for sock in socks:
        sock.close()
    after = rss_bytes([server.pid])
    result.figures["attacker"] = f"{count} unread downloads of the whole dataset"
    result.figures["server RSS before / during / after"] = (
        f"{before / 2**20:.0f} / {during / 2**20:.0f} / {after / 2**20:.0f} MB"
    )
    result.check(dropped, f"unread connections not dropped within {seconds + 5:g} s")
    result.check(
        during - before < 64 * 2**20, f"the server grew {(during - before) / 2**20:.0f} MB"
    )
    return result


def _dropped(sock: socket.socket) -> bool:
    """Whether the server dropped the connection (reading what it sent until the end)."""
    sock.setblocking(False)
    try:
        while True:
            data = sock.recv(2**20)
            if not data:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True
    finally:
        sock.setblocking(True)


CONNECTION_ATTACKS: dict[str, Callable[[Workspace, bool], Drill]] = {
    "big-header": lambda space, quick: attack_drill(
        space,
        "attack: a huge request header (1)",
        lambda server, stop: big_header_attack(server, stop, 10 if quick else 100),
        20 if quick else 100,
    ),
    "slowloris": lambda space, quick: attack_drill(
        space,
        "attack: slow and idle connections (2)",
        lambda server, stop: slowloris_attack(
            server, stop, 20 if quick else 200, 3 if quick else 30
        ),
        20 if quick else 100,
        *(("--head-timeout", "2", "--body-timeout", "3") if quick else ()),
    ),
    "slow-readers": lambda space, quick: attack_drill(
        space,
        "attack: clients that never read (5)",
        lambda server, stop: slow_reader_attack(server, stop, 10, 3 if quick else 30),
        20 if quick else 100,
        *(("--write-timeout", "3") if quick else ()),
    ),
}
ATTACKS.update(CONNECTION_ATTACKS)

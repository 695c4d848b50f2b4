"""The servers under test: child processes on 127.0.0.1, measured through /proc, stopped by pid.

A server's figures are those of its whole process tree: our server runs its query workers
(and multiprocessing's resource tracker) as child processes, so its memory and CPU are the
sums over the tree, found by walking /proc for descendants of the server's pid.
"""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Self

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
STOP_SECONDS = 10.0


@dataclass(frozen=True)
class Endpoint:
    """Where a server answers SPARQL: host, port and the query path."""

    host: str
    port: int
    sparql_path: str

    @property
    def authority(self) -> str:
        return f"{self.host}:{self.port}"


def _stat(pid: int) -> list[str] | None:
    """The fields of /proc/PID/stat after the command name, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            fields = _stat(int(name))
            if fields:
                children.setdefault(int(fields[1]), []).append(int(name))
    return children


def tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    children = _children_map()
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def _status_kib(pid: int, key: str) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def rss_bytes(pids: list[int]) -> int:
    return sum(_status_kib(pid, "VmRSS") for pid in pids) * 1024


def hwm_bytes(pids: list[int]) -> int:
    """Sum of each process's own peak (VmHWM): an upper bound of the tree's peak."""
    return sum(_status_kib(pid, "VmHWM") for pid in pids) * 1024


def cpu_seconds(pids: list[int]) -> float:
    """User plus system CPU of these processes, and of their children already reaped."""
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += sum(int(value) for value in fields[11:15])  # utime stime cutime cstime
    return total / TICKS


def start_time(pid: int) -> str | None:
    """When the process started (clock ticks since boot), to tell a pid reused later apart."""
    fields = _stat(pid)
    return fields[19] if fields else None


@dataclass
class Server:
    """One server under test: how to start it, and the process while it runs."""

    name: str
    command: list[str]
    endpoint: Endpoint
    log_path: Path
    cwd: Path | None = None
    # How long an abandoned query may keep it busy: a server with a query timeout of its own
    # settles within it; one without (rdflib-endpoint) is restarted soon instead.
    settle_seconds: float = 12.0
    env: dict[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    first_answer_seconds: float | None = None
    restarts: int = 0
    # Every process of the tree seen while it ran, with its start time, so that a worker left
    # behind at the end is stopped by its own pid (and only if that pid is still the same one).
    seen: dict[int, str] = field(default_factory=dict)

    def start(self, probe: bytes, headers: dict[str, str], seconds: float = 60.0) -> float:
        """Spawn the server; return the seconds from spawn to its first 200 to ``probe``."""
        started = time.perf_counter()
        # A file, not a pipe: a chatty server never blocks; the child keeps its own copy.
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                self.command,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.cwd,
                env={**os.environ, **self.env},
            )
        self.remember()
        deadline = started + seconds
        while time.perf_counter() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"{self.name} exited with {self.process.returncode}; see {self.log_path}"
                )
            if _answers(self.endpoint, probe, headers):
                elapsed = time.perf_counter() - started
                self.remember()
                return elapsed
            time.sleep(0.01)
        raise RuntimeError(f"{self.name} gave no answer within {seconds:g} s; see {self.log_path}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def pids(self) -> list[int]:
        process = self.process  # read once: the sampler thread may look while stop() runs
        return tree(process.pid) if process is not None else []

    def remember(self, pids: list[int] | None = None) -> None:
        for pid in self.pids() if pids is None else pids:
            stamp = start_time(pid)
            if stamp:
                self.seen[pid] = stamp

    def stop(self, grace: float = STOP_SECONDS) -> None:
        """SIGTERM by pid, SIGKILL after ``grace`` seconds; then any process of its tree left."""
        if self.process is None:
            return
        self.remember()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid, stamp in list(self.seen.items()):
            if pid != self.process.pid and start_time(pid) == stamp:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.process = None
        self.seen.clear()

    def restart(self, probe: bytes, headers: dict[str, str]) -> None:
        self.stop(grace=1.0)  # it is busy with work nobody waits for: no need to let it finish
        self.start(probe, headers)
        self.restarts += 1

    def busy(self, window: float = 0.1) -> float:
        """The tree's CPU use over ``window`` seconds, in cores."""
        pids = self.pids()
        before = cpu_seconds(pids)
        time.sleep(window)
        return (cpu_seconds(pids) - before) / window

    def settle(self, idle_cores: float = 0.05) -> bool:
        """Wait until the server is idle (still computing an abandoned query, say), at most
        ``settle_seconds``; whether it is."""
        deadline = time.perf_counter() + self.settle_seconds
        while time.perf_counter() < deadline:
            if self.busy() < idle_cores:
                return True
        return False


def _answers(endpoint: Endpoint, body: bytes, headers: dict[str, str]) -> bool:
    connection = http.client.HTTPConnection(endpoint.host, endpoint.port, timeout=5)
    try:
        connection.request("POST", endpoint.sparql_path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        connection.close()


class RssSampler:
    """Samples the resident memory of each server's tree a few times a second, in a thread.

    ``peaks[server]`` is the highest sum seen over the whole run; ``window`` the highest since
    the last ``reset_window()``, per server, for figures per workload.
    """

    def __init__(self, servers: list[Server], interval: float = 0.2) -> None:
        self.servers = servers
        self.interval = interval
        self.peaks: dict[str, int] = {}
        self.window: dict[str, int] = {}
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        for server in list(self.servers):
            if server.process is None:
                continue
            pids = server.pids()
            server.remember(pids)  # query workers replaced after a timeout have new pids
            value = rss_bytes(pids)
            with self._lock:
                self.peaks[server.name] = max(self.peaks.get(server.name, 0), value)
                self.window[server.name] = max(self.window.get(server.name, 0), value)

    def reset_window(self) -> None:
        with self._lock:
            self.window.clear()

    def window_peak(self, name: str) -> int:
        with self._lock:
            return self.window.get(name, 0)


def virtuoso_config(directory: Path, http_port: int, sql_port: int) -> Path:
    """A virtuoso.ini for Virtuoso Open Source over a new database of its own in
    ``directory``: HTTP on 127.0.0.1:``http_port`` (SPARQL at /sparql, the Graph Store at
    /sparql-graph-crud-auth), its SQL server on 127.0.0.1:``sql_port``; answers of up to a
    million rows (its default, 10,000, would cut them)."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "www").mkdir(exist_ok=True)
    files = {
        "DatabaseFile": ".db",
        "ErrorLogFile": ".log",
        "LockFile": ".lck",
        "TransactionFile": ".trx",
        "xa_persistent_file": ".pxa",
    }
    settings: dict[str, dict[str, object]] = {
        "Database": {key: directory / f"virtuoso{suffix}" for key, suffix in files.items()},
        "TempDatabase": {
            "DatabaseFile": directory / "virtuoso-temp.db",
            "TransactionFile": directory / "virtuoso-temp.trx",
        },
        "Parameters": {
            "ServerPort": f"127.0.0.1:{sql_port}",
            "DisableUnixSocket": 1,
            "DirsAllowed": directory,
            "NumberOfBuffers": 10000,
            "MaxDirtyBuffers": 6000,
            # ORDER BY with a LIMIT above this is refused (default 10,000).
            "MaxSortedTopRows": 10000000,
        },
        "HTTPServer": {
            "ServerPort": f"127.0.0.1:{http_port}",
            "ServerRoot": directory / "www",
            "ServerThreads": 10,
            "MaxClientConnections": 10,
        },
        "SPARQL": {"ResultSetMaxRows": 1000000, "MaxQueryExecutionTime": 60},
    }
    ini = directory / "virtuoso.ini"
    ini.write_text(
        "".join(
            f"[{section}]\n" + "".join(f"{key} = {value}\n" for key, value in keys.items())
            for section, keys in settings.items()
        ),
        encoding="utf-8",
    )
    return ini

"""The server's settings, declared once: name, type, default and help.

Each setting can be given as a command-line option (``--query-timeout 5``) or an environment
variable (``SHKG_QUERY_TIMEOUT=5``); the option wins.  The README's settings table is made
from these declarations and a test fails when it drifts.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from shkg.errors import SettingError

ENV_PREFIX = "SHKG_"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    host: str = _setting("127.0.0.1", "Address to listen on.")
    port: int = _setting(8000, "Port to listen on.")
    workers: int = _setting(
        1, "Server processes (uvicorn workers); each opens the same read-only store."
    )
    query_workers: int = _setting(
        4,
        "Query processes per server process. Queries run there so that a runaway query can be "
        "killed at its timeout; 0 runs queries in the server process, without timeouts.",
    )
    query_timeout: float = _setting(10.0, "Seconds a query may run before it is cancelled (503).")
    max_rows: int = _setting(
        10_000,
        "Most solutions (or triples) a query result holds; a longer "
        "result is cut and marked (header SHKG-Truncated).",
    )
    max_result_bytes: int = _setting(
        50_000_000,
        "Most bytes of a query result; a larger one is cut at the last whole row and marked.",
    )
    max_query_bytes: int = _setting(100_000, "Longest query text accepted, in bytes (413 above).")
    max_body_bytes: int = _setting(
        1_000_000, "Largest request body accepted, in bytes (413 above)."
    )
    federation_allowlist: tuple[str, ...] = _setting(
        (),
        "Comma-separated SPARQL endpoint IRIs that SERVICE may call; empty refuses every SERVICE.",
    )
    query_memory_mb: int | None = _setting(
        2048,
        "Most data memory one query process may use, in MB; a query that needs more is stopped "
        "(503) and its process replaced. Empty for no limit.",
    )
    queue_seconds: float = _setting(
        2.0,
        "Seconds a query may wait for a free query process (then 503), or for one of its "
        "client's queries to end when the client is at --rate-concurrent (then 429).",
    )
    queue_length: int = _setting(
        8,
        "Most queries that may wait at once for a free query process (more: 503), and per "
        "client for one of its own to end (more: 429).",
    )
    rate_concurrent: int | None = _setting(
        2,
        "Most queries one client (IP address; IPv6: its /64) may have running at once; "
        "empty for no limit.",
    )
    rate_query_seconds: float | None = _setting(
        30.0,
        "Query seconds one client may use per minute (its queries' wall time); empty for no limit.",
    )
    max_head_bytes: int = _setting(
        65_536,
        "Largest request head (request line and headers), in bytes; larger is refused (431). "
        "A query longer than about a third of this goes by POST.",
    )
    head_timeout: float = _setting(
        10.0, "Seconds a connection has to send a whole request head (408 after)."
    )
    body_timeout: float = _setting(
        30.0, "Seconds a request has to send its whole body after its head (408 after)."
    )
    write_timeout: float = _setting(
        30.0, "Seconds a client may leave a response unread before it is dropped."
    )
    client_requests_per_second: float | None = _setting(
        50.0,
        "Requests one client (IP address; IPv6: its /64) may make a second, on average; bursts "
        "of twice that pass. More are answered 429 before they reach the application. Empty "
        "for no limit.",
    )
    max_connections: int = _setting(
        512, "Most open connections per server process; more are refused (503)."
    )
    max_client_connections: int = _setting(
        32,
        "Most open connections one client (IP address; IPv6: its /64) may hold; more are "
        "refused (503).",
    )
    forwarded_allow_ips: tuple[str, ...] = _setting(
        (),
        "Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are trusted (the client is then the address they name); empty "
        "trusts none, so every client is the address that connected.",
    )
    public_url: str | None = _setting(
        None,
        "The URL the server is reached at (such as https://kg.example.org/), written in every "
        "absolute link it makes: VoID, the service description, the JSON-LD context. Empty: "
        "http://HOST:PORT/. The request's Host header is never used.",
    )
    cache_bytes: int = _setting(
        64_000_000, "Memory for cached query results, in bytes; 0 turns the cache off."
    )
    cache_max_age: int = _setting(
        300, "Seconds clients and proxies may reuse a response (Cache-Control max-age)."
    )
    backend: str | None = _setting(
        None,
        "SPARQL 1.1 query endpoint that holds the release (loaded with `shkg publish`) and "
        "answers in its stead; empty reads the embedded store.",
    )
    access_log: bool = _setting(True, "Write one JSON line per request to standard error.")
    root: str | None = _setting(None, "Project directory (default: the current directory).")
    var: str | None = _setting(None, "Release directory (default: ROOT/var).")

    @classmethod
    def from_sources(
        cls, options: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
    ) -> Settings:
        """Settings from explicit options over environment variables over defaults."""
        environ = os.environ if environ is None else environ
        options = options or {}
        values: dict[str, Any] = {}
        for item in dataclasses.fields(cls):
            if options.get(item.name) is TURNED_OFF:
                values[item.name] = None
            elif options.get(item.name) is not None:
                values[item.name] = options[item.name]
            elif env_name(item.name) in environ:
                values[item.name] = parse_value(item, environ[env_name(item.name)])
        return cls(**values)

    def to_environ(self) -> dict[str, str]:
        """The settings as environment variables, for server processes started by uvicorn."""
        result = {}
        for item in dataclasses.fields(self):
            value = getattr(self, item.name)
            result[env_name(item.name)] = format_value(value)
        return result


SETTING_NAMES = tuple(item.name for item in dataclasses.fields(Settings))


class _TurnedOff:
    """What an option given as `off` (or empty) parses to: no limit, as against not given."""

    def __repr__(self) -> str:
        return "off"


TURNED_OFF: Any = _TurnedOff()


def env_name(name: str) -> str:
    return ENV_PREFIX + name.upper()


def option_name(name: str) -> str:
    return "--" + name.replace("_", "-")


def parse_value(item: dataclasses.Field[Any], text: str) -> Any:
    """A setting's value from its text form; raises ValueError naming the setting."""
    kind = str(item.type)
    text = text.strip()
    try:
        if "| None" in kind and text in ("", "off", "none"):
            return None
        if kind.startswith("tuple"):
            return tuple(part.strip() for part in text.split(",") if part.strip())
        if kind.startswith("bool"):
            if text.lower() in ("1", "true", "yes", "on"):
                return True
            if text.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(text)
        if kind.startswith("int"):
            return int(text)
        if kind.startswith("float"):
            return float(text)
        return text
    except ValueError:
        raise SettingError(
            f"{option_name(item.name)} / {env_name(item.name)}: {text!r} is not a valid {kind}"
        ) from None


def format_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ",".join(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def add_options(parser: argparse.ArgumentParser, names: tuple[str, ...] | None = None) -> None:
    """Add an option per setting (or per named setting); its default stays None (= not given)."""
    for item in dataclasses.fields(Settings):
        if names is not None and item.name not in names:
            continue
        shown = format_value(item.default) or "empty"

        def convert(text: str, item: dataclasses.Field[Any] = item) -> Any:
            try:
                value = parse_value(item, text)
            except ValueError as error:
                raise argparse.ArgumentTypeError(str(error)) from None
            # An option's None means "not given"; "off" given is told apart from it.
            return TURNED_OFF if value is None else value

        parser.add_argument(
            option_name(item.name),
            dest=item.name,
            type=convert,
            default=None,
            metavar=item.name.upper(),
            help=f"{item.metadata['help']} (default {shown}; env {env_name(item.name)})",
        )


def markdown_table() -> str:
    """The settings table the README carries."""
    rows = ["| option | environment | default | meaning |", "|---|---|---|---|"]
    for item in dataclasses.fields(Settings):
        default = format_value(item.default) or "(empty)"
        rows.append(
            f"| `{option_name(item.name)}` | `{env_name(item.name)}` | `{default}` | "
            f"{item.metadata['help']} |"
        )
    return "\n".join(rows)

"""Which SERVICE endpoints a query may call: only those in the endpoint's allowlist.

pyoxigraph carries out SERVICE itself.  ``Store.query`` sends an HTTP POST to whatever IRI the
query names, from the server, before a single row is returned, so on a public endpoint SERVICE
lets anyone make this server send requests: to 127.0.0.1, to the private network, to a cloud
metadata address (server-side request forgery).  pyoxigraph 0.5.13 has no option to turn
SERVICE off, to restrict it, or to give it a timeout of its own (a slow service holds the query
for as long as it keeps the connection open, until the worker running the query is killed at
the query timeout); it does not follow redirects.  So the query text is checked
before it is run: every SERVICE must name an IRI, and that IRI must be in the allowlist.

An allowlist entry matches one IRI exactly, after lower-casing the scheme and the host, with
no prefix matching: allowing ``http://a.example/sparql`` does not allow
``http://a.example/sparql/../admin`` or ``http://a.example/sparql?x``.  A SERVICE whose endpoint
is a variable is refused whatever the allowlist says, since its IRI is only known while the
query runs.  An empty allowlist refuses every SERVICE.

The check is only as good as the lexer's agreement with pyoxigraph's parser, which is why
:mod:`shkg.lexer` refuses the spellings the two could read differently.  Blocking outbound
traffic from the server at the network level is the defence that does not depend on parsing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from shkg import namespaces as ns
from shkg.errors import MalformedQuery, ServiceRefused
from shkg.query.lexer import Lexed, LexError, service_targets

_AUTHORITY = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*):(?://(?P<authority>[^/?#]*))?")


def check_federation(
    query: str | Lexed,
    allowlist: Sequence[str],
    *,
    base: str = ns.BASE,
    prefixes: Mapping[str, str] | None = None,
) -> None:
    """Refuse a query with a SERVICE outside ``allowlist``: ServiceRefused (BadRequest if the
    text cannot be lexed).

    ``base`` and ``prefixes`` are what the query is run with, so that relative IRIs and
    prefixed names resolve here as pyoxigraph will resolve them.
    """
    try:
        targets = service_targets(query, base, prefixes)
    except LexError as error:
        raise MalformedQuery(
            f"malformed query at line {error.line}, column {error.column}: {error.message}",
            line=error.line,
            column=error.column,
        ) from None
    allowed = {normalise(entry) for entry in allowlist}
    for target in targets:
        if target is None:
            raise ServiceRefused(
                "SERVICE with a variable for its endpoint is refused: the endpoint "
                "must be an IRI in this endpoint's federation allowlist "
                f"(allowed: {_listing(allowlist)})"
            )
        if normalise(target) not in allowed:
            raise ServiceRefused(
                f"SERVICE <{target}> is not in this endpoint's federation allowlist "
                f"(allowed: {_listing(allowlist)})"
            )


def normalise(iri: str) -> str:
    """An IRI with its scheme and host in lower case, and nothing else changed.

    Only these two are case-insensitive (RFC 3986, 6.2.2.1); anything else that could be
    "normalised" (dot segments, percent-encoding, default ports, an empty query) is left as
    it is so that it cannot be used to make one IRI pass for another.
    """
    match = _AUTHORITY.match(iri)
    if not match:
        return iri
    authority = match.group("authority")
    if authority is None:
        return match.group("scheme").lower() + iri[match.end("scheme") :]
    userinfo, at, host = authority.rpartition("@")
    return (
        match.group("scheme").lower()
        + "://"
        + userinfo
        + at
        + host.lower()
        + iri[match.end("authority") :]
    )


def _listing(allowlist: Sequence[str]) -> str:
    return ", ".join(f"<{entry}>" for entry in allowlist) if allowlist else "none"

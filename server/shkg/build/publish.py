"""``shkg publish``: load a release into another store through the SPARQL 1.1 Graph Store Protocol.

One ``PUT`` per named graph (``URL?graph=IRI``, N-Triples), which replaces that graph in the
target and leaves every other graph there alone.  The protocol has no transactions, so a
publish that fails half-way leaves the target partly loaded; ``shkg serve --backend`` checks
that the target holds the release graph (which names the release, and is sent last) and every
graph's size, and refuses to start on a target that fails either; publishing again repairs it.

A target that asks for credentials (Virtuoso's ``/sparql-graph-crud-auth``, a store behind a
proxy) gets them as it asks: HTTP Digest, the scheme Virtuoso uses, or Basic (see
:class:`Credentials`).  The password never appears on a command line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator

import httpx
import pyoxigraph

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.errors import ShkgError

TIMEOUT_SECONDS = 300.0
PASSWORD_VARIABLE = "SHKG_PUBLISH_PASSWORD"


class PublishError(ShkgError):
    """The target could not be reached, or refused a graph."""


class Credentials(httpx.Auth):
    """A user name and password, answered to the scheme the target challenges with: Digest
    (the challenge is remembered, so later requests carry the answer at once) or Basic (sent
    with every later request).  A target that asks for neither gets no password.  Basic sends
    the password as it is, so it is answered only over https or to this machine; a Basic
    challenge over plain http from elsewhere (the target's, or someone's between) is refused.
    """

    def __init__(self, user: str, password: str) -> None:
        self._digest = httpx.DigestAuth(user, password)
        self._basic = httpx.BasicAuth(user, password)
        self._scheme = "digest"

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if self._scheme == "basic":
            yield from self._basic.auth_flow(request)
            return
        digest = self._digest.auth_flow(request)
        response = yield next(digest)
        try:
            yield digest.send(response)
        except StopIteration:  # no Digest challenge: answer a Basic one, or none
            challenges = ",".join(response.headers.get_list("www-authenticate"))
            if response.status_code != 401 or not _BASIC.search(challenges):
                return
            if request.url.scheme != "https" and request.url.host not in _THIS_MACHINE:
                raise PublishError(
                    f"{request.url}: asks for a password in clear (HTTP Basic) over plain "
                    "http: publish over https"
                ) from None
            self._scheme = "basic"
            yield from self._basic.auth_flow(request)


_BASIC = re.compile(r"(?:^|,)\s*basic\b", re.IGNORECASE)
_THIS_MACHINE = frozenset({"127.0.0.1", "::1", "localhost"})


def publish_release(
    release: Release,
    target: str,
    log: Callable[[str], None],
    timeout: float = TIMEOUT_SECONDS,
    credentials: Credentials | None = None,
) -> int:
    """PUT each named graph of ``release`` to the Graph Store at ``target``; the triples sent."""
    graphs = release.manifest.graphs
    store = release.open_store()
    sent = 0
    try:
        url = httpx.URL(target)
    except (httpx.InvalidURL, ValueError, TypeError) as error:
        raise PublishError(f"{target!r} is not a usable URL: {error}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise PublishError(f"{target!r} is not an http(s) URL")
    with httpx.Client(timeout=timeout, headers={"User-Agent": "shkg"}, auth=credentials) as client:
        # The release graph last: a target that holds it holds every other graph of the release.
        for iri, size in sorted(
            graphs.items(), key=lambda item: (item[0] == ns.RELEASE_GRAPH, item[0])
        ):
            body = store.dump(
                format=pyoxigraph.RdfFormat.N_TRIPLES, from_graph=pyoxigraph.NamedNode(iri)
            )
            assert body is not None
            try:
                response = client.put(
                    target,
                    params={"graph": iri},
                    content=body,
                    headers={"Content-Type": "application/n-triples"},
                )
            except httpx.HTTPError as error:
                raise PublishError(
                    f"{target}: cannot PUT graph <{iri}>: {error}{_partly(sent)}"
                ) from None
            if response.status_code not in (200, 201, 204):
                text = response.text.strip()[:500]
                if response.status_code == 401:
                    text = (
                        "the user name or password was refused"
                        if credentials
                        else f"it asks for credentials: give --user and set {PASSWORD_VARIABLE}"
                    )
                elif response.is_redirect:  # PUT is not replayed to another address unasked
                    text = f"redirected to {response.headers.get('location')}: publish there"
                raise PublishError(
                    f"{target}: PUT of graph <{iri}> answered {response.status_code}"
                    f"{': ' + text if text else ''}{_partly(sent)}"
                )
            sent += size
            log(f"{iri}: {size} triples")
    return sent


def _partly(sent: int) -> str:
    return f" (after {sent} triples in earlier graphs: publish again to finish)" if sent else ""

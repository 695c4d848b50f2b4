"""``shkg publish``: load a release into another store through the SPARQL 1.1 Graph Store Protocol.

One ``PUT`` per named graph (``URL?graph=IRI``, N-Triples), which replaces that graph in the
target and leaves every other graph there alone.  The protocol has no transactions, so a
publish that fails half-way leaves the target partly loaded; ``shkg serve --backend`` checks
that the target holds the release graph (which names the release, and is sent last) and every
graph's size, and refuses to start on a target that fails either; publishing again repairs it.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pyoxigraph

from shkg import namespaces as ns
from shkg.build.release import Release
from shkg.errors import ShkgError

TIMEOUT_SECONDS = 300.0


class PublishError(ShkgError):
    """The target could not be reached, or refused a graph."""


def publish_release(
    release: Release, target: str, log: Callable[[str], None], timeout: float = TIMEOUT_SECONDS
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
    with httpx.Client(timeout=timeout, headers={"User-Agent": "shkg"}) as client:
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
                if response.is_redirect:  # PUT is not replayed to another address unasked
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

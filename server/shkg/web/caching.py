"""HTTP caching: ETags derived from the build and the request, and a bounded result cache.

A release never changes, so a query's answer is a function of the build, the query text, the
dataset it names and the format asked for.  The ETag hashes exactly those; a client sending it
back in If-None-Match gets 304 without the query being run again.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from fastapi.responses import FileResponse, Response

T = TypeVar("T")


def etag(build_id: str, *parts: str | Sequence[str] | None) -> str:
    """A strong ETag for what this build answers to a request made of these parts."""
    digest = hashlib.sha256(build_id.encode())
    for part in parts:
        values = [part] if isinstance(part, str) or part is None else list(part)
        for value in values:
            digest.update(b"\x1f" + (value or "").encode("utf-8", "surrogatepass"))
        digest.update(b"\x1e")
    return f'"{build_id}-{digest.hexdigest()[:24]}"'


def matches(if_none_match: str | None, tag: str) -> bool:
    """Whether an If-None-Match header names the ETag (weak comparison, as RFC 9110 asks);
    `*` is :class:`Conditional`'s to judge, as it depends on whether the resource exists."""
    if not if_none_match:
        return False
    return any(
        candidate.strip().removeprefix("W/") == tag for candidate in if_none_match.split(",")
    )


# For what a name never stops meaning (a dump file named by its checksum's manifest entry).
IMMUTABLE = "public, max-age=31536000, immutable"


@dataclass(frozen=True)
class Conditional:
    """The caching headers of one response, and whether the client already holds it.

    Every cacheable response of the app is made through one of these, so ETag, 304 and
    Cache-Control are decided in one place::

        validators = service.conditional(request, "page", key, media)
        if validators.current():
            return validators.not_modified()
        ...
        return validators.respond(body, media)
    """

    headers: dict[str, str]
    # The request's If-None-Match names this ETag: answer 304 without a body.
    fresh: bool
    # The request's If-None-Match is `*`: 304 if the resource exists, else what it would be
    # without the header (RFC 9110, 13.1.2): a 404 stays a 404.
    star: bool = False

    def current(self, exists: bool = True) -> bool:
        """Whether the client's copy is current: 304 rather than a body."""
        return self.fresh or (self.star and exists)

    def not_modified(self) -> Response:
        return Response(status_code=304, headers=self.headers)

    def respond(self, body: bytes | str | None, media_type: str) -> Response:
        return Response(content=body, media_type=media_type, headers=self.headers)


def conditional(
    if_none_match: str | None, tag: str, cache_control: str, extra: dict[str, str] | None = None
) -> Conditional:
    """The validators for a response with this ETag and Cache-Control (plus ``extra``
    headers), fresh when ``if_none_match`` matches the tag."""
    headers = {"ETag": tag, "Cache-Control": cache_control, **(extra or {})}
    star = (if_none_match or "").strip() == "*"
    return Conditional(headers, matches(if_none_match, tag), star)


class ResultCache(Generic[T]):
    """A thread-safe LRU cache bounded by the total size of its values, in bytes."""

    def __init__(self, capacity_bytes: int) -> None:
        self.capacity = capacity_bytes
        self._entries: OrderedDict[str, tuple[T, int]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> T | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry[0]

    def put(self, key: str, value: T, size: int) -> None:
        # One entry may take at most an eighth of the cache, so a few huge results cannot
        # flush everything else out.
        if size > self.capacity // 8:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self._size -= old[1]
            self._entries[key] = (value, size)
            self._size += size
            while self._size > self.capacity and self._entries:
                _, (_, evicted) = self._entries.popitem(last=False)
                self._size -= evicted

    @property
    def size(self) -> int:
        return self._size

    def __len__(self) -> int:
        return len(self._entries)


def static_file(path: Path, media_type: str, max_age: int) -> Response:
    """One of the site's own files (a script, the editor's assets), cached ``max_age``
    seconds and never sniffed as another type."""
    return FileResponse(
        path,
        media_type=media_type,
        headers={
            "Cache-Control": f"public, max-age={max_age}",
            "X-Content-Type-Options": "nosniff",
        },
    )

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
from typing import Generic, TypeVar

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
    """Whether an If-None-Match header matches the ETag (weak comparison, as RFC 9110 asks)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(
        candidate.strip().removeprefix("W/") == tag for candidate in if_none_match.split(",")
    )


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

"""Serving each new release as it is published, without a restart and without a failed request.

``shkg build`` publishes a release by repointing ``var/current`` (see :mod:`shkg.build.release`).
:class:`ReleaseSwitcher` is the ASGI app ``shkg serve`` runs: it hands each request to the app
of the release it serves, looks at ``var/current`` at most once every ``check_seconds`` while
requests come, and when the link has moved, opens the new release beside the old one, on a
thread of its own (its store, its query workers; with a backend, once the backend proves to
hold it).  Only when the new app is ready does it take the requests that arrive from then on;
requests already running finish on the old app, which is closed when the last of them ends.
So every response comes wholly from one release, old or new, as its ETag (which begins with
the build id) says.  A release that cannot be opened is logged and tried again later, and the
old one goes on serving.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from starlette.types import Receive, Scope, Send

from shkg.build.release import Release, current_release, release_at

LOG = logging.getLogger("shkg")
CHECK_SECONDS = 1.0
# After a release failed to open, wait this long before trying the same one again.
RETRY_SECONDS = 5.0


@dataclass
class _Serving:
    """One release's app, and how many requests it is answering now."""

    app: FastAPI
    release: Release
    target: str
    active: int = 0
    retired: bool = False
    closed: bool = field(default=False)


class ReleaseSwitcher:
    """The ASGI app of ``shkg serve``: the current release's app, replaced when a new one is
    published.  ``make_app(release)`` builds a release's app; ``close_app(app)`` stops what it
    started (its query workers)."""

    def __init__(
        self,
        var: Path,
        make_app: Callable[[Release], FastAPI],
        close_app: Callable[[FastAPI], None],
        check_seconds: float = CHECK_SECONDS,
    ) -> None:
        self._var = Path(var)
        self._make_app = make_app
        self._close_app = close_app
        self._check_seconds = check_seconds
        target = self._target()
        release = current_release(self._var)
        self._serving = _Serving(make_app(release), release, target)
        self._next_check = time.monotonic() + check_seconds
        self._opening = False  # a thread is opening a new release
        self._failed: tuple[str, float] | None = None  # a target that failed, and when to retry
        self._lock = threading.Lock()  # guards _opening and _failed

    @property
    def release(self) -> Release:
        return self._serving.release

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        self._maybe_check()
        serving = self._serving  # this request is answered by this release, whatever follows
        serving.active += 1
        try:
            await serving.app(scope, receive, send)
        finally:
            serving.active -= 1
            if serving.retired and serving.active == 0:
                self._close_later(serving)

    # --- noticing a new release ------------------------------------------------------------

    def _target(self) -> str:
        try:
            return os.readlink(self._var / "current")
        except OSError:
            return ""

    def _maybe_check(self) -> None:
        now = time.monotonic()
        if now < self._next_check:
            return
        self._next_check = now + self._check_seconds
        target = self._target()
        if not target or target == self._serving.target:
            return
        with self._lock:
            if self._opening or (
                self._failed and self._failed[0] == target and now < self._failed[1]
            ):
                return
            self._opening = True
        loop = asyncio.get_running_loop()
        threading.Thread(
            target=self._open, args=(target, loop), name="shkg-release-switch", daemon=True
        ).start()

    def _open(self, target: str, loop: asyncio.AbstractEventLoop) -> None:
        """On its own thread: open the new release, then let the event loop switch to it."""
        try:
            # The release `current` pointed to when it was read, not whatever it points to now.
            release = release_at((self._var / target).resolve())
            app = self._make_app(release)
        except Exception as error:  # noqa: BLE001 - logged; the old release goes on serving
            LOG.warning(
                "release %s could not be opened, still serving %s: %s",
                target,
                self._serving.release.path.name,
                error,
            )
            with self._lock:
                self._failed = (target, time.monotonic() + RETRY_SECONDS)
                self._opening = False
            return
        try:
            loop.call_soon_threadsafe(self._switch, _Serving(app, release, target))
        except RuntimeError:  # the loop closed meanwhile: the server is stopping
            self._close_app(app)
            with self._lock:
                self._opening = False

    def _switch(self, new: _Serving) -> None:
        """On the event loop: new requests go to ``new``; the old app closes once idle."""
        old, self._serving = self._serving, new
        with self._lock:
            self._opening = False
            self._failed = None
        LOG.warning("now serving release %s (was %s)", new.release.path.name, old.release.path.name)
        old.retired = True
        if old.active == 0:
            self._close_later(old)

    def _close_later(self, serving: _Serving) -> None:
        """Close an app off the event loop (stopping workers waits for them)."""
        if serving.closed:
            return
        serving.closed = True
        threading.Thread(
            target=self._close_app, args=(serving.app,), name="shkg-release-close", daemon=True
        ).start()

    # --- lifespan --------------------------------------------------------------------------

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                serving = self._serving
                serving.closed = True
                await asyncio.to_thread(self._close_app, serving.app)
                await send({"type": "lifespan.shutdown.complete"})
                return

"""One error hierarchy: every error a user can cause says what went wrong and where.

``ShkgError`` is the root; ``str(error)`` is the whole message and ``exit_code`` what the
command line exits with.  Its branch ``HttpError`` carries an HTTP ``status`` (and may carry a
``retry_after``): the app's one mapper (:func:`shkg.web.app.create_app`) turns any of them into
the one error body, and counts it by its type (``rejection``, or a timeout), never by its text.
Errors are values end to end: a query worker sends the error object itself back to the server
process (they pickle with their fields), not a class name to look up.

A server fault is never one of these: it stays an exception and becomes a 500 without details.
"""

from __future__ import annotations

from typing import Any

READ_ONLY = "this endpoint is read-only: SPARQL updates are refused"


class ShkgError(Exception):
    """Base class. ``str(error)`` is the whole message shown to the user."""

    exit_code = 1


# --- the build and the command line ----------------------------------------------------------


class InputError(ShkgError):
    """A project file is missing, malformed, or contradicts another (file and line in the text)."""


class ValidationFailed(ShkgError):
    """The data does not conform to the SHACL shapes."""


class QuoteMismatch(ShkgError):
    """A quote's text is not found in its seed at the recorded position."""


class BuildLocked(ShkgError):
    """Another build holds the lock on the release directory."""


class NoRelease(ShkgError):
    """No build has been published yet."""


class SettingError(ShkgError, ValueError):
    """A setting's value (option or environment variable) cannot be read."""


class BackendError(ShkgError):
    """The SPARQL backend named by ``--backend`` cannot serve this release."""


# --- what a request can cause ---------------------------------------------------------------


class HttpError(ShkgError):
    """An error a client caused, or that the service reports, with its HTTP status.

    ``rejection`` names the ``shkg_rejections_total`` label the app counts it under (None:
    not counted as a rejection).
    """

    status = 400
    rejection: str | None = None

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled with both fields, so a worker's error arrives whole in the server process.
        return (type(self), (self.message, self.retry_after))


class BadRequest(HttpError):
    status = 400


class MalformedQuery(BadRequest):
    """A query that is not SPARQL, with where the parser stopped (1-based line and column, in
    characters), when it says so: the error body carries them for editors to highlight."""

    def __init__(
        self,
        message: str,
        retry_after: int | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, retry_after)
        self.line = line
        self.column = column

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.retry_after, self.line, self.column))


class Forbidden(HttpError):
    status = 403


class UpdateRefused(Forbidden):
    """A SPARQL update, or a write to the graph store: this endpoint is read-only."""

    rejection = "update"

    def __init__(self, message: str = READ_ONLY, retry_after: int | None = None) -> None:
        super().__init__(message, retry_after)


class UpdateAsQuery(BadRequest):
    """A SPARQL update sent as a query: not a legal query, so 400 (as the SPARQL 1.1 Protocol
    asks), and refused in any case."""

    rejection = "update"

    def __init__(self, message: str = "", retry_after: int | None = None) -> None:
        super().__init__(message or f"an update is not a query; {READ_ONLY}", retry_after)


class ServiceRefused(Forbidden):
    """A SERVICE call to an endpoint outside the federation allowlist."""

    rejection = "federation"


class NotFound(HttpError):
    status = 404


class MethodNotAllowed(HttpError):
    status = 405


class NotAcceptable(HttpError):
    status = 406


class PayloadTooLarge(HttpError):
    status = 413
    rejection = "413"


class UnsupportedMediaType(HttpError):
    status = 415


class TooManyRequests(HttpError):
    """A client went over its rate limit; ``retry_after`` says when to come back (seconds)."""

    status = 429
    rejection = "429"


class ServiceUnavailable(HttpError):
    """No worker was free in time, the service is starting or stopping, or the backend is
    busy; ``retry_after`` may be set."""

    status = 503


class QueryTimedOut(ServiceUnavailable):
    """The query ran longer than the time limit and was cancelled."""


class QueryOutOfMemory(ServiceUnavailable):
    """The query needed more memory than a query worker may use, and was stopped."""

    rejection = "memory"


class BadGateway(HttpError):
    """A SERVICE endpoint the query called (one in the allowlist), or the backend, failed."""

    status = 502

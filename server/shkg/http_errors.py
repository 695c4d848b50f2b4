"""Errors a client can cause, or that the service reports, each with its HTTP status.

One mapper in the app turns them into the one error body.  A server fault is never one of
these: it stays an exception and becomes a 500 without details.
"""

from __future__ import annotations


class ClientError(Exception):
    status = 400

    def __init__(self, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


class BadRequest(ClientError):
    status = 400


class Forbidden(ClientError):
    status = 403


class NotFound(ClientError):
    status = 404


class MethodNotAllowed(ClientError):
    status = 405


class NotAcceptable(ClientError):
    status = 406


class PayloadTooLarge(ClientError):
    status = 413


class UnsupportedMediaType(ClientError):
    status = 415


class TooManyRequests(ClientError):
    """A client went over its rate limit; ``retry_after`` says when to come back (seconds)."""

    status = 429


class ServiceUnavailable(ClientError):
    """The query ran out of time, or no worker was free in time; ``retry_after`` may be set."""

    status = 503


class BadGateway(ClientError):
    """A SERVICE endpoint the query called (one in the federation allowlist) failed."""

    status = 502

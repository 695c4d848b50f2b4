"""Errors a client can cause, each with its HTTP status; one mapper turns them into responses."""

from __future__ import annotations


class ClientError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


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


class UnsupportedMediaType(ClientError):
    status = 415

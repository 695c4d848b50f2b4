"""The one error hierarchy: every request error has a status, crosses a process boundary whole,
and is counted by its type."""

from __future__ import annotations

import pickle

import pytest

from shkg import errors
from shkg.errors import HttpError, ShkgError


def _subclasses(cls: type[HttpError]) -> list[type[HttpError]]:
    found: list[type[HttpError]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


HTTP_ERRORS = _subclasses(HttpError)


def test_every_error_is_a_shkg_error_with_an_exit_code() -> None:
    classes: list[type[HttpError]] = [HttpError, *HTTP_ERRORS]
    for cls in classes:
        assert issubclass(cls, ShkgError) and cls.exit_code == 1
        assert 400 <= cls.status < 600


@pytest.mark.parametrize("cls", HTTP_ERRORS, ids=lambda cls: cls.__name__)
def test_an_error_pickles_with_its_type_and_fields(cls: type[HttpError]) -> None:
    # What a query worker sends back to the server process.
    error = cls("what went wrong, and where", 7)
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is cls
    assert (again.message, again.retry_after, str(again)) == (
        "what went wrong, and where",
        7,
        "what went wrong, and where",
    )


def test_rejections_are_named_by_type() -> None:
    assert errors.UpdateRefused().rejection == "update"
    assert errors.UpdateRefused().message == errors.READ_ONLY
    assert errors.ServiceRefused("x").rejection == "federation"
    assert errors.PayloadTooLarge("x").rejection == "413"
    assert errors.TooManyRequests("x").rejection == "429"
    assert errors.BadRequest("x").rejection is None
    assert issubclass(errors.QueryTimedOut, errors.ServiceUnavailable)

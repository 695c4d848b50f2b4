"""Which interface language a request gets: ``?lang=`` (the switch on every page), then the
cookie the switch leaves, then ``Accept-Language``.  See :mod:`shkg.render.i18n`.

A page's body depends on the language, so each page's ETag includes it and its responses say
``Vary: Accept, Accept-Language, Cookie``.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from fastapi import Request
from fastapi.responses import Response

from shkg.render import i18n

COOKIE = "shkg-lang"
VARY = "Accept, Accept-Language, Cookie"


def chosen(request: Request) -> str:
    asked = request.query_params.get("lang") or request.cookies.get(COOKIE)
    return i18n.negotiate(asked, request.headers.get("accept-language"))


def remember(request: Request, response: Response) -> Response:
    """Keep a choice made with the switch (``?lang=``) for the pages that follow."""
    asked = request.query_params.get("lang")
    if asked in i18n.LANGUAGES and request.cookies.get(COOKIE) != asked:
        response.set_cookie(COOKIE, asked, max_age=365 * 86400, samesite="lax")
    return response


def rendering(request: Request, keep_query: bool = True) -> AbstractContextManager[None]:
    """Render for this request: in its language, with its query string for the language switch
    to keep (not for a page kept in the result cache, whose body must not depend on it)."""
    return i18n.language(chosen(request), request.url.query if keep_query else "")

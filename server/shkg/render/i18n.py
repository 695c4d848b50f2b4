"""The interface in English and Chinese: a gettext message catalogue and Babel's locale data.

Interface text (headings, buttons, column names, unit and comparator words) is written in
English in the code, marked with :func:`_`, and translated by the catalogue
``shkg/locale/{language}/LC_MESSAGES/messages.po`` (package data, read with Babel when first
needed).  The data is never translated here: a resource's Chinese name comes only from its
``@zh`` label (the links table), and an English one is shown where it has none.

The language of a page is chosen per request (:func:`negotiate`) and set for the rendering
code by :func:`language`, a context variable, so the renderers need no extra argument.
Numbers are formatted for people with Babel: compact words in English (350 billion yuan,
1.2 million), 万 and 亿 in Chinese (3500亿元), never hand-rolled.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import io
import urllib.parse
from collections.abc import Iterator
from contextvars import ContextVar
from decimal import Decimal
from gettext import NullTranslations
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal
from babel.support import Translations

from shkg import namespaces as ns

LANGUAGES = ("en", "zh")
DEFAULT = "en"
LOCALES = Path(__file__).resolve().parents[1] / "locale"
# The Babel locale of each interface language (Simplified Chinese as used in Shanghai).
_BABEL = {"en": "en", "zh": "zh_Hans_CN"}
_current: ContextVar[str] = ContextVar("language", default=DEFAULT)
# The query string of the page being rendered, which the language switch keeps.
_query: ContextVar[str] = ContextVar("query", default="")


def N_(message: str) -> str:  # noqa: N802 - the name message extractors look for
    """Marks ``message`` for the catalogue where it is defined; :func:`_` translates it where
    it is shown."""
    return message


QUDT_UNIT = "http://qudt.org/vocab/unit/"
# Unit words placed after the number ("350 billion yuan"); "%" is written without a space.
# A unit not named here is written with its label, as the data gives it.
UNIT_WORDS = {
    QUDT_UNIT + "CCY_CNY": N_("yuan"),
    QUDT_UNIT + "CCY_USD": N_("US dollars"),
    QUDT_UNIT + "W": N_("watts"),
    QUDT_UNIT + "NanoM": N_("nanometres"),
    ns.ID + "unit/percentage-point": N_("percentage points"),
}
# What a unit is called on its own (a table's unit column).
UNIT_NAMES = {
    **UNIT_WORDS,
    QUDT_UNIT + "NUM": N_("count"),
    QUDT_UNIT + "UNITLESS": N_("ratio"),
    QUDT_UNIT + "PERCENT": N_("percent"),
}
# Counts and ratios: the metric names what is counted, the number needs no word.
NO_UNIT_WORD = {QUDT_UNIT + "NUM", QUDT_UNIT + "UNITLESS"}
PERCENT = QUDT_UNIT + "PERCENT"
COMPARATOR_WORDS = {
    ns.ID + "comparator/about": N_("about"),
    ns.ID + "comparator/at-least": N_("at least"),
    ns.ID + "comparator/at-most": N_("at most"),
    ns.ID + "comparator/exactly": "",
    ns.ID + "comparator/more-than": N_("more than"),
    ns.ID + "comparator/nearly": N_("nearly"),
    ns.ID + "comparator/order-of": N_("of the order of"),
}


def _(message: str) -> str:
    """``message`` in the current language (itself when the catalogue lacks it)."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(_current.get()).ngettext(singular, plural, n)


def current() -> str:
    return _current.get()


@contextlib.contextmanager
def language(code: str, query: str = "") -> Iterator[None]:
    """Render in ``code`` (one of :data:`LANGUAGES`) inside the block; ``query`` is the page's
    query string, which the language switch keeps (its filters, its search)."""
    token = _current.set(code if code in LANGUAGES else DEFAULT)
    kept = _query.set(query)
    try:
        yield
    finally:
        _query.reset(kept)
        _current.reset(token)


def switch_href(code: str) -> str:
    """The link to this page in language ``code``: its query string with ``lang`` set."""
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(_query.get()) if k != "lang"]
    return "?" + urllib.parse.urlencode([*pairs, ("lang", code)])


@functools.cache
def translations(code: str) -> NullTranslations:
    """The catalogue of ``code``, compiled in memory from its .po file, once per process."""
    path = LOCALES / code / "LC_MESSAGES" / "messages.po"
    if code == DEFAULT or not path.is_file():
        return NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=_BABEL[code])
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled)


def negotiate(asked: str | None, accept_language: str | None) -> str:
    """The interface language: ``asked`` (the switch's ``lang=``, or the cookie it set) when it
    is one we have, else the best of ``Accept-Language`` we have, else English."""
    if asked in LANGUAGES:
        return asked
    best, best_q = DEFAULT, 0.0
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        for param in params.split(";"):
            key, _eq, value = param.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        # Earlier entries win ties, as the header's order expresses preference too.
        adjusted = q - position * 1e-6
        if primary in LANGUAGES and q > 0 and adjusted > best_q:
            best, best_q = primary, adjusted
    return best


def number(value: Decimal | int) -> str:
    """A number for people: 2,700; 350 billion; 1.2 million; 3500亿; 120万."""
    code = _current.get()
    locale = _BABEL[code]
    threshold = 10_000 if code == "zh" else 1_000_000
    if abs(Decimal(value)) >= threshold and _exact_compact(value):
        return format_compact_decimal(
            value,
            format_type="long" if code == "en" else "short",
            locale=locale,
            fraction_digits=3,
        )
    return format_decimal(value, locale=locale)


def _exact_compact(value: Decimal | int) -> bool:
    """Whether three decimals of the compact form say the number exactly (they do for every
    figure written in words, like 1.25 trillion; a count like 2,712,345 stays in digits)."""
    digits = Decimal(value).normalize().as_tuple()
    exponent = int(digits.exponent) if isinstance(digits.exponent, int) else 0
    significant = len(digits.digits) + min(exponent, 0)
    return significant <= 4 or exponent >= 3


def unit_name(unit: str) -> str | None:
    """A unit's name in the current language, when it is one the interface names."""
    return _(UNIT_NAMES[unit]) if unit in UNIT_NAMES else None


def amount(
    value: Decimal | int,
    unit: str | None = None,
    comparator: str | None = None,
    unit_label: str | None = None,
) -> str:
    """A value with its comparator and unit in words: "more than 350 billion yuan",
    "超过3500亿元", "33.4%"."""
    text = number(value)
    if unit == PERCENT:
        text += "%"
    elif unit and unit not in NO_UNIT_WORD:
        word = _(UNIT_WORDS[unit]) if unit in UNIT_WORDS else (unit_label or "")
        if word:
            text += word if _current.get() == "zh" else " " + word
    words = COMPARATOR_WORDS.get(comparator or "", "")
    if not words:  # none, or "exactly": the number alone says it
        return text
    words = _(words)
    return words + text if _current.get() == "zh" else f"{words} {text}"


MARKERS = {"_": 1, "N_": 1, "ngettext": 2}


def marked_messages(sources: list[Path]) -> list[tuple[str, str | None, str]]:
    """The messages the code marks for translation, in order of first use: (message, plural or
    None, where).  Read with :mod:`ast`, so calls inside f-strings count too; a marker called
    with anything but string constants is left out (it translates a message marked elsewhere)."""
    found: dict[tuple[str, str | None], str] = {}
    for path in sources:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        calls = sorted(
            (node for node in ast.walk(tree) if isinstance(node, ast.Call)),
            key=lambda node: (node.lineno, node.col_offset),
        )
        for node in calls:
            if not (isinstance(node.func, ast.Name) and node.func.id in MARKERS):
                continue
            texts = [
                arg.value
                for arg in node.args[: MARKERS[node.func.id]]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
            ]
            if len(texts) != MARKERS[node.func.id]:
                continue
            key = (texts[0], texts[1] if len(texts) > 1 else None)
            found.setdefault(key, f"{path.name}:{node.lineno}")
    return [(message, plural, where) for (message, plural), where in found.items()]

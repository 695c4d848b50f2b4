"""The interface's languages: negotiation, numbers for people, and a complete catalogue."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from shkg import namespaces as ns
from shkg.render import i18n

SOURCES = sorted((Path(i18n.__file__).parents[1]).rglob("*.py"))
CNY = "http://qudt.org/vocab/unit/CCY_CNY"


@pytest.mark.parametrize(
    ("asked", "header", "expected"),
    [
        (None, None, "en"),
        (None, "zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        (None, "en-GB,en;q=0.9,zh;q=0.8", "en"),
        (None, "fr-FR,fr;q=0.9,zh-TW;q=0.5", "zh"),
        (None, "fr-FR", "en"),
        (None, "fr, en, zh", "en"),
        (None, "fr, zh, en", "zh"),
        (None, "zh;q=0, en;q=0.1", "en"),
        (None, "zh;q=nonsense", "en"),
        ("zh", "en", "zh"),
        ("xx", "zh", "zh"),
    ],
)
def test_the_language_is_the_switch_then_accept_language(
    asked: str | None, header: str | None, expected: str
) -> None:
    assert i18n.negotiate(asked, header) == expected


@pytest.mark.parametrize(
    ("lang", "value", "unit", "comparator", "expected"),
    [
        ("en", "350000000000", CNY, None, "350 billion yuan"),
        ("en", "1200000", "http://qudt.org/vocab/unit/NUM", "more-than", "more than 1.2 million"),
        ("en", "2700", None, "more-than", "more than 2,700"),
        ("en", "33.4", "http://qudt.org/vocab/unit/PERCENT", None, "33.4%"),
        ("en", "1250000000000", CNY, "about", "about 1.25 trillion yuan"),
        ("en", "2712345", None, None, "2,712,345"),
        ("zh", "350000000000", CNY, None, "3500亿元"),
        ("zh", "1200000", "http://qudt.org/vocab/unit/NUM", "more-than", "超过120万"),
        ("zh", "850000000000", CNY, "at-least", "至少8500亿元"),
    ],
)
def test_amounts_are_written_for_people_in_each_language(
    lang: str, value: str, unit: str | None, comparator: str | None, expected: str
) -> None:
    with i18n.language(lang):
        written = i18n.amount(
            Decimal(value), unit, ns.ID + "comparator/" + comparator if comparator else None
        )
    assert written == expected


def test_the_language_is_only_set_inside_its_block() -> None:
    with i18n.language("zh"):
        assert i18n._("Targets") == "目标"
    assert i18n._("Targets") == "Targets"
    with i18n.language("xx"):  # a language we lack: English
        assert i18n.current() == "en"


def test_every_marked_message_has_a_chinese_translation_with_the_same_placeholders() -> None:
    with (i18n.LOCALES / "zh" / "LC_MESSAGES" / "messages.po").open("rb") as source:
        catalog = read_po(source, locale="zh")
    marked = i18n.marked_messages(SOURCES)
    assert len(marked) > 50
    placeholder = re.compile(r"%\(\w+\)s")
    for message, _plural, where in marked:
        entry = catalog.get(message)
        assert entry is not None, f"{message!r} ({where}) is not in the catalogue"
        assert not entry.fuzzy, f"{message!r} ({where}) is marked fuzzy, so it is not used"
        string = str(entry.string[0] if isinstance(entry.string, tuple | list) else entry.string)
        assert string, f"{message!r} ({where}) is not translated"
        assert sorted(placeholder.findall(string)) == sorted(placeholder.findall(message))


def test_markers_inside_f_strings_are_found(tmp_path: Path) -> None:
    source = tmp_path / "page.py"
    source.write_text(
        'x = f"<h1>{esc(_(\'Browse\'))}</h1>"\ny = N_("Targets")\nz = _(variable)\n'
        'n = ngettext("%(n)s row", "%(n)s rows", 2)\n',
        encoding="utf-8",
    )
    found = [(m, p) for m, p, _ in i18n.marked_messages([source])]
    assert found == [("Browse", None), ("Targets", None), ("%(n)s row", "%(n)s rows")]

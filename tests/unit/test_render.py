"""Rendering on its own, over small in-memory stores: what data can do to a page."""

from __future__ import annotations

import json
import re

from pyoxigraph import Literal, NamedNode, Quad, Store

from shkg import namespaces as ns
from shkg.render import html, tables

LABEL = NamedNode(ns.RDFS + "label")


def _store(*quads: Quad) -> Store:
    store = Store()
    store.extend(quads)
    return store


def test_embedded_json_ld_cannot_end_its_script_element() -> None:
    iri = NamedNode(ns.ID + "place/test")
    hostile = "</script><!--<script>alert(1)</script>-->&amp;"
    store = _store(Quad(iri, LABEL, Literal("test"), NamedNode(ns.GRAPH + "entities")))
    embedded = json.dumps({"@id": iri.value, "text": hostile})
    page = html.resource_page(store, iri, embedded)
    scripts = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert len(scripts) == 1
    assert "<" not in scripts[0] and ">" not in scripts[0] and "&" not in scripts[0]
    assert json.loads(scripts[0]) == {"@id": iri.value, "text": hostile}
    assert "<!--" not in page


def test_a_kind_that_is_not_a_path_segment_is_never_queried() -> None:
    store = _store(
        Quad(NamedNode(ns.ID + "place/a"), LABEL, Literal("a"), NamedNode(ns.GRAPH + "entities"))
    )
    assert tables.listing(store, "place") is not None
    for kind in ('a"b', "place/", "place) } #", "", "x" * 60):
        assert tables.listing(store, kind) is None, kind

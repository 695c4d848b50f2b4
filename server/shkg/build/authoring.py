"""Helpers for writing the graph by hand: `shkg add-article` (a new seed, catalogued, with an
article file to fill) and `shkg quote` (a quote resource for a passage of a seed).

A quote is found by its exact text, never by offsets typed by hand: the text must stand in the
seed exactly once, and the resource printed carries both selectors (the exact text with some
context before and after, and the start and end offsets in code points).
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from shkg import namespaces as ns
from shkg.build.sources import Seed
from shkg.errors import InputError
from shkg.project import Project

CONTEXT = 32  # characters of oa:prefix and oa:suffix


def find_seed(seeds: list[Seed], key: str) -> Seed:
    """The seed with this key (``18db54f95c37712d``), file stem or file name."""
    for seed in seeds:
        if key in (seed.key, seed.path.name, seed.path.stem):
            return seed
    known = ", ".join(seed.key for seed in seeds)
    raise InputError(f"no seed with key {key!r} (known: {known})")


def locate(seed: Seed, exact: str) -> int:
    """The start of ``exact`` in the seed, which must hold it exactly once."""
    if not exact.strip():
        raise InputError("the quoted text is empty")
    first = seed.text.find(exact)
    if first < 0:
        raise InputError(f"{seed.path.name}: the text is not in the seed: {exact!r}")
    again = seed.text.find(exact, first + 1)
    if again >= 0:
        raise InputError(
            f"{seed.path.name}: the text stands more than once (at {first} and {again}): "
            "quote a longer passage"
        )
    return first


def quote_turtle(seed: Seed, exact: str) -> str:
    """The Turtle (and TriG) of a quote resource for ``exact`` in ``seed``."""
    start = locate(seed, exact)
    end = start + len(exact)
    prefix = seed.text[max(0, start - CONTEXT) : start]
    suffix = seed.text[end : end + CONTEXT]
    iri = f"quote:{seed.key}-{start}-{end}"
    return (
        f"{iri} a shkg:Quote ; oa:hasSource article:{seed.key} ;\n"
        f"    oa:hasSelector [ a oa:TextQuoteSelector ; oa:exact {_string(exact)} ;\n"
        f"            oa:prefix {_string(prefix)} ; oa:suffix {_string(suffix)} ] ,\n"
        f"        [ a oa:TextPositionSelector ; oa:start {start} ; oa:end {end} ] .\n"
    )


def quote_iri(seed: Seed, start: int, end: int) -> str:
    return f"{ns.ID}quote/{seed.key}-{start}-{end}"


def _string(text: str) -> str:
    escaped = (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


# ---------------------------------------------------------------- shkg add-article

_DATE_FORMS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}$"), "date"),
    (re.compile(r"^\d{4}-\d{2}$"), "gYearMonth"),
    (re.compile(r"^\d{4}$"), "gYear"),
)


@dataclass(frozen=True)
class AddedArticle:
    key: str
    seed: Path
    article_file: Path


def add_article(
    project: Project,
    source: Path,
    title: str,
    date: str,
    publisher: str | None = None,
    url: str | None = None,
) -> AddedArticle:
    """Copy ``source`` into seeds/, describe it in the catalogue and start its article file.

    The key is the start of the text's SHA-256, so one text has one key; the seed's number is
    the next free one.  Nothing is written unless every input is good, and the three files are
    each replaced in one step.
    """
    try:
        data = source.read_bytes()
    except OSError as error:
        raise InputError(f"{source}: cannot read: {error.strerror}") from None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{source}: not UTF-8 text (byte {error.start})") from None
    if not data.strip():
        raise InputError(f"{source}: empty")
    if not title.strip():
        raise InputError("--title: empty")
    datatype = next((kind for pattern, kind in _DATE_FORMS if pattern.match(date)), None)
    if datatype is None:
        raise InputError(f"--date: {date!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
    digest = hashlib.sha256(data).hexdigest()
    key = digest[:16]
    for existing in sorted(project.seeds.glob("*.txt")):
        if hashlib.sha256(existing.read_bytes()).hexdigest() == digest:
            raise InputError(f"{source}: the same text is already {project.relative(existing)}")
    numbers = [int(p.name[:3]) for p in project.seeds.glob("*.txt") if p.name[:3].isdigit()]
    seed = project.seeds / f"{max(numbers, default=-1) + 1:03d}_{key}.txt"
    article_file = project.root / "graph" / "articles" / f"{key}.trig"
    if article_file.exists():
        raise InputError(f"{project.relative(article_file)}: already exists")
    lines = [
        f"article:{key} a shkg:SourceDocument ;",
        f"    shkg:seedFile {_string(seed.name)} ;",
        f"    shkg:sha256 {_string(digest)} ;",
        f"    dcterms:title {_string(title.strip())}@en ;",
        f"    schema:datePublished {_string(date)}^^xsd:{datatype} ;",
    ]
    if publisher:
        lines.append(f"    schema:publisher {_organization(project, publisher)} ;")
    if url:
        if not re.match(r"^https?://[^\s<>\"{}|\\^`]+$", url):
            raise InputError(f"--url: {url!r} is not an http(s) URL")
        lines.append(f"    schema:url <{url}> ;")
    lines.append('    dcterms:language "en" .')
    catalogue = (
        project.catalogue.read_text(encoding="utf-8").rstrip("\n")
        + "\n\n"
        + "\n".join(lines)
        + "\n"
    )
    skeleton = _skeleton(key, seed.name, title.strip(), date)
    _replace(seed, data)
    _replace(article_file, skeleton.encode("utf-8"))
    _replace(project.catalogue, catalogue.encode("utf-8"))
    return AddedArticle(key, seed, article_file)


def _organization(project: Project, publisher: str) -> str:
    """``organization:slug`` for a publisher given by slug, prefixed name or IRI; it must exist."""
    import rdflib

    slug = publisher.removeprefix(ns.ID + "organization/").removeprefix("organization:")
    entities = rdflib.Graph()
    for path in project.entity_files:
        entities.parse(path, format="turtle")
    if (rdflib.URIRef(f"{ns.ID}organization/{slug}"), None, None) not in entities:
        raise InputError(
            f"--publisher: no organization:{slug} in graph/entities/ (add it there first)"
        )
    return f"organization:{slug}"


def _skeleton(key: str, file_name: str, title: str, date: str) -> str:
    prefixes = [
        ("shkg", ns.SHKG),
        ("rdfs", ns.RDFS),
        ("xsd", ns.XSD),
        ("skos", ns.SKOS),
        ("dcterms", ns.DCTERMS),
        ("org", ns.ORG),
        ("schema", ns.SCHEMA),
        ("prov", ns.PROV),
        ("oa", ns.OA),
        ("unit", ns.UNIT),
        *((kind, f"{ns.ID}{kind}/") for kind in ns.ID_KINDS),
    ]
    width = max(len(name) for name, _ in prefixes) + 1
    head = "\n".join(f"@prefix {name + ':':<{width}} <{iri}> ." for name, iri in prefixes)
    return (
        f"{head}\n\n"
        f"# What seeds/{file_name} ({title!r}, {date}) states. Named graph:\n"
        f"# {ns.article_graph(key)}\n#\n"
        "# For each sentence: `shkg quote " + key + ' "the sentence"` prints its quote; paste it\n'
        "# here, followed by a graph named by that quote holding what the sentence states:\n#\n"
        f"#   quote:{key}-START-END {{\n"
        "#       figure:NNN-slug a shkg:Observation ; ... .\n"
        "#   }\n#\n"
        f"# `shkg coverage {key}` lists the sentences still to cover (graph/README.md).\n"
    )


def _replace(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path`` and rename it over ``path``."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)

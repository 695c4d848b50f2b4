"""Serialising query results ourselves, one whole row at a time, so a result can be cut.

pyoxigraph serialises a result in one go, so it can neither stop after N rows nor at a byte
budget.  These writers produce the W3C formats row by row (SPARQL 1.1 Query Results JSON and
XML, SPARQL 1.1 CSV and TSV) and match pyoxigraph 0.5's own output byte for byte, except where
its output is not what the specifications require (see each writer), so clients see no
difference.

A cut result is never a silent partial result: :class:`Written` says ``truncated``, the app
turns that into a header, and the JSON format also says so in the body, with a top-level
member standard clients ignore::

    {"truncated": {"max_rows": 10000}, "head": ..., "results": {"bindings": [...]}}

(``{"max_bytes": N}`` when the byte budget cut it).  It comes first because streaming parsers,
pyoxigraph's among them, stop reading at the end of the bindings and reject anything after.
A cut is always at a whole row: the document is closed properly and parses like any other.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from json.encoder import encode_basestring

import pyoxigraph

Term = pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal | pyoxigraph.Triple

XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
RESULTS_NS = "http://www.w3.org/2005/sparql-results#"
ITS_NS = "http://www.w3.org/2005/11/its"


@dataclass(frozen=True)
class Limits:
    """How much one answer may hold; ``None`` means no limit.

    ``max_rows`` counts solutions (SELECT) or triples (CONSTRUCT, DESCRIBE); ``max_bytes`` is
    the body's size.  The head and closing of a results document are always sent, so a budget
    too small for even those yields an empty, well-formed document marked truncated.
    """

    max_rows: int | None = 10_000
    max_bytes: int | None = 50_000_000

    def __post_init__(self) -> None:
        for name in ("max_rows", "max_bytes"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative, got {value}")


@dataclass(frozen=True)
class Written:
    body: bytes
    rows: int
    truncated: bool


Row = Sequence[Term | None]


class SolutionsWriter:
    """One results format: the text before, for each row, and after the rows.

    ``head`` is given None for a whole result, else the limit that cut it, as ``(name,
    value)``.  ``row`` is given the values in the order of the variables, None where
    unbound, and whether it is the first row (JSON separates rows with commas).
    """

    def __init__(self, variables: Sequence[str]) -> None:
        self.variables = list(variables)

    def head(self, cut: tuple[str, int] | None) -> str:
        raise NotImplementedError

    def row(self, values: Row, first: bool) -> str:
        raise NotImplementedError

    def tail(self) -> str:
        raise NotImplementedError


# --- JSON --------------------------------------------------------------------------------

# Python's non-ASCII JSON string encoder escapes exactly as pyoxigraph does: " \ and C0
# controls (\b \f \n \r \t short, the rest as lower-case \u00XX); DEL, U+2028 and all other
# characters stay as they are.
_json_string = encode_basestring


def _json_term(term: Term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return '{"type":"uri","value":' + _json_string(term.value) + "}"
    if isinstance(term, pyoxigraph.BlankNode):
        return '{"type":"bnode","value":' + _json_string(term.value) + "}"
    if isinstance(term, pyoxigraph.Literal):
        text = '{"type":"literal","value":' + _json_string(term.value)
        if term.language is not None:
            text += ',"xml:lang":' + _json_string(term.language)
            if term.direction is not None:
                text += ',"its:dir":' + _json_string(term.direction.value)
        elif term.datatype.value != XSD_STRING:
            text += ',"datatype":' + _json_string(term.datatype.value)
        return text + "}"
    return (
        '{"type":"triple","value":{"subject":'
        + _json_term(term.subject)
        + ',"predicate":'
        + _json_term(term.predicate)
        + ',"object":'
        + _json_term(term.object)
        + "}}"
    )


class JsonWriter(SolutionsWriter):
    """SPARQL 1.1 Query Results JSON, compact, bindings in the order of the variables."""

    def head(self, cut: tuple[str, int] | None) -> str:
        names = ",".join(_json_string(name) for name in self.variables)
        notice = (
            "" if cut is None else '"truncated":{' + _json_string(cut[0]) + ":" + str(cut[1]) + "},"
        )
        return "{" + notice + '"head":{"vars":[' + names + ']},"results":{"bindings":['

    def row(self, values: Row, first: bool) -> str:
        members = ",".join(
            _json_string(name) + ":" + _json_term(value)
            for name, value in zip(self.variables, values, strict=True)
            if value is not None
        )
        return ("{" if first else ",{") + members + "}"

    def tail(self) -> str:
        return "]}}"


# --- XML ---------------------------------------------------------------------------------

_XML_ESCAPES = {
    "<": "&lt;",
    ">": "&gt;",
    "&": "&amp;",
    "'": "&apos;",
    '"': "&quot;",
    # pyoxigraph 0.5.13 writes a CR inside a value as is, and XML parsers turn it
    # into LF: a character reference keeps the value (later oxigraph does this too).
    "\r": "&#13;",
}
# Characters XML 1.0 cannot carry at all, not even as references; pyoxigraph writes them as
# they are and so makes the whole document ill-formed.  U+FFFD keeps the document readable.
_XML_SPECIAL = re.compile("[<>&'\"\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_XML_BOUND_SPACE = {"\t": "&#9;", "\n": "&#10;", "\r": "&#13;", " ": "&#32;"}


def _xml_escape(text: str) -> str:
    return _XML_SPECIAL.sub(lambda m: _XML_ESCAPES.get(m.group(), "\ufffd"), text)


def _xml_literal_text(value: str) -> str:
    # Whitespace at either end becomes references, as pyoxigraph does, so parsers that trim
    # text keep it.
    inner = value.strip("\t\n\r ")
    if inner == value:
        return _xml_escape(value)
    start = len(value) - len(value.lstrip("\t\n\r "))
    end = start + len(inner)
    return (
        "".join(_XML_BOUND_SPACE[c] for c in value[:start])
        + _xml_escape(inner)
        + "".join(_XML_BOUND_SPACE[c] for c in value[end:])
    )


def _xml_term(term: Term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return "<uri>" + _xml_escape(term.value) + "</uri>"
    if isinstance(term, pyoxigraph.BlankNode):
        return "<bnode>" + _xml_escape(term.value) + "</bnode>"
    if isinstance(term, pyoxigraph.Literal):
        start = "<literal"
        if term.language is not None:
            start += ' xml:lang="' + _xml_escape(term.language) + '"'
            if term.direction is not None:
                start += (
                    ' its:dir="'
                    + term.direction.value
                    + '" xmlns:its="'
                    + ITS_NS
                    + '" its:version="2.0"'
                )
        elif term.datatype.value != XSD_STRING:
            start += ' datatype="' + _xml_escape(term.datatype.value) + '"'
        return start + ">" + _xml_literal_text(term.value) + "</literal>"
    return (
        "<triple><subject>"
        + _xml_term(term.subject)
        + "</subject><predicate>"
        + _xml_term(term.predicate)
        + "</predicate><object>"
        + _xml_term(term.object)
        + "</object></triple>"
    )


class XmlWriter(SolutionsWriter):
    """SPARQL Query Results XML, without whitespace between elements."""

    def head(self, cut: tuple[str, int] | None) -> str:
        names = "".join('<variable name="' + _xml_escape(name) + '"/>' for name in self.variables)
        return (
            '<?xml version="1.0"?><sparql xmlns="'
            + RESULTS_NS
            + '"><head>'
            + names
            + "</head><results>"
        )

    def row(self, values: Row, first: bool) -> str:
        bindings = "".join(
            '<binding name="' + _xml_escape(name) + '">' + _xml_term(value) + "</binding>"
            for name, value in zip(self.variables, values, strict=True)
            if value is not None
        )
        return "<result>" + bindings + "</result>"

    def tail(self) -> str:
        return "</results></sparql>"


# --- CSV ---------------------------------------------------------------------------------


def _csv_value(term: Term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return "_:" + term.value
    if isinstance(term, pyoxigraph.Literal):
        return term.value
    return " ".join(_csv_value(part) for part in (term.subject, term.predicate, term.object))


def _csv_field(term: Term) -> str:
    # RFC 4180 quoting for every field.  pyoxigraph quotes only literals, so an IRI with a
    # comma (which IRIs may contain) would split the row: quoting it is the one difference.
    value = _csv_value(term)
    if any(c in value for c in '",\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


class CsvWriter(SolutionsWriter):
    """SPARQL 1.1 CSV: plain values (no types or languages), RFC 4180 quoting, CRLF."""

    def head(self, cut: tuple[str, int] | None) -> str:
        return ",".join(self.variables) + "\r\n"

    def row(self, values: Row, first: bool) -> str:
        return ",".join("" if value is None else _csv_field(value) for value in values) + "\r\n"

    def tail(self) -> str:
        return ""


# --- TSV ---------------------------------------------------------------------------------

_TSV_STRING_ESCAPES = str.maketrans(
    {"\t": "\\t", "\n": "\\n", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
)
# The Turtle forms of numbers and booleans, which TSV writes bare (ASCII digits only).
_TSV_BARE = {
    XSD + "boolean": re.compile("true|false"),
    XSD + "integer": re.compile("[+-]?[0-9]+"),
    XSD + "decimal": re.compile(r"[+-]?[0-9]*\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)[eE][+-]?[0-9]+"),
}


def _tsv_string(value: str) -> str:
    return '"' + value.translate(_TSV_STRING_ESCAPES) + '"'


def _tsv_term(term: Term) -> str:
    if isinstance(term, pyoxigraph.NamedNode):
        return "<" + term.value + ">"
    if isinstance(term, pyoxigraph.BlankNode):
        return "_:" + term.value
    if isinstance(term, pyoxigraph.Literal):
        if term.language is not None:
            direction = "" if term.direction is None else "--" + term.direction.value
            return _tsv_string(term.value) + "@" + term.language + direction
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return _tsv_string(term.value)
        bare = _TSV_BARE.get(datatype)
        if bare is not None and bare.fullmatch(term.value):
            return term.value
        return _tsv_string(term.value) + "^^<" + datatype + ">"
    return (
        "<<( "
        + _tsv_term(term.subject)
        + " "
        + _tsv_term(term.predicate)
        + " "
        + _tsv_term(term.object)
        + " )>>"
    )


class TsvWriter(SolutionsWriter):
    """SPARQL 1.1 TSV: terms as in N-Triples / Turtle, a ``?var`` header, LF line ends."""

    def head(self, cut: tuple[str, int] | None) -> str:
        return "\t".join("?" + name for name in self.variables) + "\n"

    def row(self, values: Row, first: bool) -> str:
        return "\t".join("" if value is None else _tsv_term(value) for value in values) + "\n"

    def tail(self) -> str:
        return ""


WRITERS: dict[pyoxigraph.QueryResultsFormat, type[SolutionsWriter]] = {
    pyoxigraph.QueryResultsFormat.JSON: JsonWriter,
    pyoxigraph.QueryResultsFormat.XML: XmlWriter,
    pyoxigraph.QueryResultsFormat.CSV: CsvWriter,
    pyoxigraph.QueryResultsFormat.TSV: TsvWriter,
}


def write_solutions(
    results_format: pyoxigraph.QueryResultsFormat,
    variables: Sequence[str],
    rows: Iterable[Row],
    limits: Limits,
) -> Written:
    """Serialise solutions row by row, stopping at ``limits``; each row is the values of
    ``variables`` in order (a pyoxigraph QuerySolution is one).

    At most ``max_rows + 1`` rows are read: the extra one only shows there are more.  Rows
    are added while the body, closed, stays within ``max_bytes``; when a cut is needed the
    rows that leave no room for the notice saying so (JSON only) are dropped again.
    """
    writer = WRITERS[results_format](variables)
    budget = limits.max_bytes
    whole_head, tail = writer.head(None).encode(), writer.tail().encode()
    bytes_head = writer.head(("max_bytes", budget)).encode() if budget is not None else b""
    notice = len(bytes_head) - len(whole_head)  # what saying "cut by bytes" adds
    chunks: list[bytes] = []
    size = len(whole_head) + len(tail)  # of the whole document, were it closed now
    safe = 0  # rows that fit with the byte-cut notice too
    cut: str | None = None
    for values in rows:
        if limits.max_rows is not None and len(chunks) >= limits.max_rows:
            cut = "max_rows"
            break
        chunk = writer.row(values, not chunks).encode()
        if budget is not None and size + len(chunk) > budget:
            cut = "max_bytes"
            break
        chunks.append(chunk)
        size += len(chunk)
        if budget is None or size + notice <= budget:
            safe = len(chunks)
    if cut is None:
        return Written(whole_head + b"".join(chunks) + tail, len(chunks), False)
    if cut == "max_rows":
        assert limits.max_rows is not None
        rows_head = writer.head(("max_rows", limits.max_rows)).encode()
        if budget is None or size - len(whole_head) + len(rows_head) <= budget:
            return Written(rows_head + b"".join(chunks) + tail, len(chunks), True)
    # Cut by bytes: keep the rows that leave room for the notice that says so.
    del chunks[safe:]
    return Written(bytes_head + b"".join(chunks) + tail, safe, True)


def write_triples(
    rdf_format: pyoxigraph.RdfFormat, triples: Iterable[pyoxigraph.Triple], limits: Limits
) -> Written:
    """Serialise at most ``max_rows`` triples with pyoxigraph, cut to ``max_bytes``.

    Graph formats group triples (Turtle, RDF/XML), so a whole triple is not a span of bytes:
    the largest prefix of the triples that fits is found by bisection, serialising each try.
    The size only grows with the number of triples, so bisection finds the largest.
    """
    taken = list(triples if limits.max_rows is None else islice(triples, limits.max_rows + 1))
    truncated = limits.max_rows is not None and len(taken) > limits.max_rows
    if truncated:
        del taken[limits.max_rows :]
    body = _serialize(rdf_format, taken)
    budget = limits.max_bytes
    if budget is None or len(body) <= budget or not taken:
        return Written(body, len(taken), truncated)
    low, high = 0, len(taken) - 1  # the answer n lies in [low, high]: taken[:low] fits
    best = _serialize(rdf_format, [])
    while low < high:
        middle = (low + high + 1) // 2
        attempt = _serialize(rdf_format, taken[:middle])
        if len(attempt) <= budget:
            low, best = middle, attempt
        else:
            high = middle - 1
    return Written(best, low, True)


def _serialize(rdf_format: pyoxigraph.RdfFormat, triples: list[pyoxigraph.Triple]) -> bytes:
    body = pyoxigraph.serialize(triples, format=rdf_format)
    assert body is not None
    return body

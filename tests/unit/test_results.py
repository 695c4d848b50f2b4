"""Our results writers against pyoxigraph's, and cutting results at whole rows."""

from __future__ import annotations

import csv
import io
import json
import threading
from collections.abc import Iterator
from typing import Any
from xml.etree import ElementTree

import pyoxigraph
import pytest

from shkg.build.release import Release
from shkg.query import sparql
from shkg.query.results import WRITERS, Limits, write_solutions, write_triples
from shkg.query.sparql import QueryFailed, QueryRequest, answer

FORMATS = list(WRITERS)
PARSABLE = [
    pyoxigraph.QueryResultsFormat.JSON,
    pyoxigraph.QueryResultsFormat.XML,
    pyoxigraph.QueryResultsFormat.TSV,
]
NO_LIMITS = Limits(max_rows=None, max_bytes=None)
PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
# Strings and terms a writer must escape, in a query over the real store.
SPECIAL = (
    PREFIXES
    + r"""SELECT ?i ?value ?other WHERE {
  VALUES (?i ?value ?other) {
    (1 "tab\there" UNDEF)
    (2 "line\nbreak and\n\nmore" "")
    (3 'quote " and \\ backslash' "comma, here")
    (4 " leading and trailing " "\t\n boundary whitespace \n")
    (5 "<tag> & 'apos' ]]>" "中文 emoji 😀 \u007F del \u2028 sep \u0085 nel")
    (6 "x"@en-GB "y"@zh-Hans)
    (7 "1.5"^^xsd:decimal "1e3"^^xsd:double)
    (8 "+5"^^xsd:integer "abc"^^xsd:integer)
    (9 "true"^^xsd:boolean "1"^^xsd:boolean)
    (10 "2024-01-01"^^xsd:date ".5E-2"^^xsd:double)
    (11 "1."^^xsd:decimal "-0.0"^^xsd:decimal)
    (12 <https://example.org/a?b=c&d='e'> "x"^^<https://example.org/type?a&b>)
    (UNDEF UNDEF UNDEF)
  }
} ORDER BY ?i"""
)
QUERIES = {
    "languages": PREFIXES + "SELECT ?s ?label WHERE { ?s rdfs:label ?label } ORDER BY ?s ?label",
    "datatypes": PREFIXES
    + """SELECT ?s ?p ?o WHERE { ?s ?p ?o
        FILTER(isLiteral(?o) && datatype(?o) != xsd:string && lang(?o) = "") } ORDER BY ?s ?p ?o""",
    "blank nodes": """SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isBlank(?s) || isBlank(?o)) }
        ORDER BY ?s ?p ?o""",
    "unbound": """SELECT ?s ?missing ?o WHERE { ?s ?p ?o OPTIONAL { ?s <urn:x:none> ?missing } }
        ORDER BY ?s ?p ?o LIMIT 200""",
    "everything": "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g ?s ?p ?o",
    "special characters": SPECIAL,
    # XML 1.0 cannot carry these at all: see test_xml_stays_well_formed_with_control_characters.
    "control characters": r"""SELECT ?v WHERE { VALUES ?v {
        "\u0000 nul \u0001 \u0008 backspace \u000B \u000C formfeed \u001F" } }""",
    "no rows": "SELECT ?x ?y WHERE { FILTER(false) }",
    "no variables": "SELECT * WHERE { }",
}


@pytest.fixture(scope="module")
def store(release: Release) -> pyoxigraph.Store:
    return release.open_store()


def query(store: pyoxigraph.Store, text: str) -> Any:
    return store.query(text, use_default_graph_as_union=True)


def ours(
    store: pyoxigraph.Store,
    text: str,
    form: pyoxigraph.QueryResultsFormat,
    limits: Limits = NO_LIMITS,
) -> Any:
    result = query(store, text)
    return write_solutions(form, [v.value for v in result.variables], result, limits)


def theirs(store: pyoxigraph.Store, text: str, form: pyoxigraph.QueryResultsFormat) -> bytes:
    body = query(store, text).serialize(format=form)
    assert body is not None
    return bytes(body)


def solutions(store: pyoxigraph.Store, text: str) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in query(store, text)]


def parsed(body: bytes, form: pyoxigraph.QueryResultsFormat) -> list[tuple[Any, ...]]:
    result = pyoxigraph.parse_query_results(body, format=form)
    assert isinstance(result, pyoxigraph.QuerySolutions)
    return [tuple(row) for row in result]


@pytest.mark.parametrize(
    ("name", "form"),
    [
        (name, form)
        for name in QUERIES
        for form in FORMATS
        if (name, form) != ("control characters", pyoxigraph.QueryResultsFormat.XML)
    ],
    ids=lambda value: value if isinstance(value, str) else value.name,
)
@pytest.mark.slow
def test_same_bytes_as_pyoxigraph(
    store: pyoxigraph.Store, name: str, form: pyoxigraph.QueryResultsFormat
) -> None:
    written = ours(store, QUERIES[name], form)
    assert written.body == theirs(store, QUERIES[name], form)
    assert written.rows == len(solutions(store, QUERIES[name])) and not written.truncated


def test_the_comparisons_cover_what_they_claim(store: pyoxigraph.Store) -> None:
    assert len(solutions(store, QUERIES["languages"])) > 100
    assert {
        t.language
        for row in solutions(store, QUERIES["languages"])
        for t in row
        if isinstance(t, pyoxigraph.Literal)
    } >= {"en", "zh"}
    assert len(solutions(store, QUERIES["blank nodes"])) > 100
    assert any(t is None for row in solutions(store, QUERIES["unbound"]) for t in row)


@pytest.mark.parametrize("form", PARSABLE, ids=lambda f: f.name)
def test_special_characters_parse_back(
    store: pyoxigraph.Store, form: pyoxigraph.QueryResultsFormat
) -> None:
    assert parsed(ours(store, SPECIAL, form).body, form) == solutions(store, SPECIAL)


def test_csv_parses_back_as_plain_values(store: pyoxigraph.Store) -> None:
    body = ours(store, SPECIAL, pyoxigraph.QueryResultsFormat.CSV).body
    table = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
    expected = [
        ["" if t is None else getattr(t, "value", "") for t in row]
        for row in solutions(store, SPECIAL)
    ]
    assert table == [["i", "value", "other"], *expected]


# Where pyoxigraph 0.5.13's output is not what the specifications require, ours differs.


def test_xml_keeps_carriage_returns(store: pyoxigraph.Store) -> None:
    text = 'SELECT ?v WHERE { VALUES ?v { "a\\rb" } }'
    body = ours(store, text, pyoxigraph.QueryResultsFormat.XML).body
    assert b"a&#13;b" in body
    assert "a\rb" in [e.text for e in ElementTree.fromstring(body).iter() if e.text]
    # pyoxigraph writes the CR as is, which XML parsers read as a line feed.
    theirs_body = theirs(store, text, pyoxigraph.QueryResultsFormat.XML)
    assert "a\nb" in [e.text for e in ElementTree.fromstring(theirs_body).iter() if e.text]


def test_xml_stays_well_formed_with_control_characters(store: pyoxigraph.Store) -> None:
    text = 'SELECT ?v WHERE { VALUES ?v { "bell\\u0007 and \\u0001" } }'
    body = ours(store, text, pyoxigraph.QueryResultsFormat.XML).body
    values = [e.text for e in ElementTree.fromstring(body).iter() if e.text]
    assert "bell\ufffd and \ufffd" in values
    with pytest.raises(ElementTree.ParseError):
        ElementTree.fromstring(theirs(store, text, pyoxigraph.QueryResultsFormat.XML))


def test_csv_quotes_iris_with_commas(store: pyoxigraph.Store) -> None:
    text = "SELECT ?v ?w WHERE { VALUES (?v ?w) { (<https://example.org/a,b> 1) } }"
    body = ours(store, text, pyoxigraph.QueryResultsFormat.CSV).body
    assert body == b'v,w\r\n"https://example.org/a,b",1\r\n'
    assert list(csv.reader(io.StringIO(body.decode(), newline="")))[1] == [
        "https://example.org/a,b",
        "1",
    ]
    assert theirs(store, text, pyoxigraph.QueryResultsFormat.CSV).endswith(
        b"https://example.org/a,b,1\r\n"
    )


def test_rdf_12_terms_match_pyoxigraph() -> None:
    """Triple terms and base directions, which the release does not hold, in a store that does."""
    store = pyoxigraph.Store()
    ex = "https://example.org/"
    objects: list[pyoxigraph.Literal | pyoxigraph.Triple] = [
        pyoxigraph.Literal("ar", language="ar", direction=pyoxigraph.BaseDirection.RTL),
        pyoxigraph.Triple(
            pyoxigraph.NamedNode(ex + "x"),
            pyoxigraph.NamedNode(ex + "y"),
            pyoxigraph.Literal("z", language="en"),
        ),
        pyoxigraph.Triple(
            pyoxigraph.BlankNode("b"),
            pyoxigraph.NamedNode(ex + "y"),
            pyoxigraph.Literal(
                "12", datatype=pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
            ),
        ),
    ]
    for number, value in enumerate(objects):
        store.add(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode(f"{ex}s{number}"), pyoxigraph.NamedNode(ex + "p"), value
            )
        )
    text = "SELECT ?s ?o WHERE { ?s <https://example.org/p> ?o } ORDER BY ?s"
    for form in FORMATS:
        assert ours(store, text, form).body == theirs(store, text, form), form


# --- cutting by rows -----------------------------------------------------------------------

CLUSTERS = (
    PREFIXES
    + """SELECT ?c ?label WHERE {
  ?c a <https://w3id.org/shkg/ontology#IndustrialCluster> ; rdfs:label ?label } \
ORDER BY ?c ?label"""
)


def rows_of(body: bytes, form: pyoxigraph.QueryResultsFormat) -> list[Any]:
    if form == pyoxigraph.QueryResultsFormat.CSV:
        return list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))[1:]
    return parsed(body, form)


@pytest.mark.parametrize("form", FORMATS, ids=lambda f: f.name)
def test_cut_by_rows(store: pyoxigraph.Store, form: pyoxigraph.QueryResultsFormat) -> None:
    total = len(solutions(store, CLUSTERS))
    assert total > 5
    written = ours(store, CLUSTERS, form, Limits(max_rows=5, max_bytes=None))
    assert written.truncated and written.rows == 5
    assert len(rows_of(written.body, form)) == 5
    if form in PARSABLE:
        assert rows_of(written.body, form) == solutions(store, CLUSTERS)[:5]
    if form == pyoxigraph.QueryResultsFormat.JSON:
        document = json.loads(written.body)
        assert document["truncated"] == {"max_rows": 5}
        assert len(document["results"]["bindings"]) == 5


@pytest.mark.parametrize("form", FORMATS, ids=lambda f: f.name)
def test_exactly_max_rows_is_not_truncated(
    store: pyoxigraph.Store, form: pyoxigraph.QueryResultsFormat
) -> None:
    total = len(solutions(store, CLUSTERS))
    written = ours(store, CLUSTERS, form, Limits(max_rows=total, max_bytes=None))
    assert not written.truncated and written.rows == total
    assert written.body == theirs(store, CLUSTERS, form)


def test_zero_rows_allowed(store: pyoxigraph.Store) -> None:
    written = ours(store, CLUSTERS, pyoxigraph.QueryResultsFormat.JSON, Limits(max_rows=0))
    assert written.truncated and written.rows == 0
    assert json.loads(written.body)["results"]["bindings"] == []


def test_limits_must_not_be_negative() -> None:
    with pytest.raises(ValueError):
        Limits(max_rows=-1)


# --- cutting by bytes ----------------------------------------------------------------------


@pytest.mark.parametrize("form", FORMATS, ids=lambda f: f.name)
def test_cut_by_bytes_at_the_last_whole_row(
    store: pyoxigraph.Store, form: pyoxigraph.QueryResultsFormat
) -> None:
    whole = theirs(store, SPECIAL, form)
    expected = solutions(store, SPECIAL)
    writer = WRITERS[form](["i", "value", "other"])
    tail = len(writer.tail().encode())
    chunks = [len(writer.row(row, n == 0).encode()) for n, row in enumerate(expected)]
    previous = 0
    for budget in range(50, len(whole) + 1, 7):
        written = ours(store, SPECIAL, form, Limits(max_rows=None, max_bytes=budget))
        head = len(writer.head(("max_bytes", budget)).encode())
        assert written.rows >= previous
        previous = written.rows
        if budget < head + tail:  # not even an empty document fits: it is sent anyway
            assert written.truncated and written.rows == 0 and len(written.body) == head + tail
            continue
        assert len(written.body) <= budget
        if form in PARSABLE:
            assert rows_of(written.body, form) == expected[: written.rows]
        if not written.truncated:
            assert written.body == whole
            continue
        # The next row would not have fitted with the notice that says it was cut.
        assert head + sum(chunks[: written.rows + 1]) + tail > budget
        if form == pyoxigraph.QueryResultsFormat.JSON:
            assert json.loads(written.body)["truncated"] == {"max_bytes": budget}
        if form == pyoxigraph.QueryResultsFormat.CSV:
            assert len(rows_of(written.body, form)) == written.rows
    assert ours(store, SPECIAL, form, Limits(max_bytes=len(whole))).body == whole
    assert ours(store, SPECIAL, form, Limits(max_bytes=len(whole) - 1)).truncated


def test_cut_by_rows_then_bytes_says_bytes(store: pyoxigraph.Store) -> None:
    form = pyoxigraph.QueryResultsFormat.JSON
    roomy = ours(store, CLUSTERS, form, Limits(max_rows=5, max_bytes=None))
    tight = ours(store, CLUSTERS, form, Limits(max_rows=5, max_bytes=len(roomy.body) - 1))
    assert tight.truncated and tight.rows < 5
    assert json.loads(tight.body)["truncated"] == {"max_bytes": len(roomy.body) - 1}


def test_budget_below_the_skeleton_still_gives_a_document(store: pyoxigraph.Store) -> None:
    written = ours(store, CLUSTERS, pyoxigraph.QueryResultsFormat.XML, Limits(max_bytes=10))
    assert written.truncated and written.rows == 0
    assert parsed(written.body, pyoxigraph.QueryResultsFormat.XML) == []


# --- graphs and ASK through answer() -------------------------------------------------------

CONSTRUCT = "CONSTRUCT WHERE { ?c a <https://w3id.org/shkg/ontology#IndustrialCluster> ; ?p ?o }"


@pytest.mark.parametrize("media", list(sparql.GRAPH_FORMATS))
def test_graph_cut_by_rows_and_bytes(store: pyoxigraph.Store, media: str) -> None:
    form = sparql.GRAPH_FORMATS[media]
    whole = answer(store, QueryRequest(query=CONSTRUCT, accept=media), NO_LIMITS)
    assert not whole.truncated and whole.rows is not None and whole.rows > 20
    assert whole.body == query(store, CONSTRUCT).serialize(format=form)

    by_rows = answer(store, QueryRequest(query=CONSTRUCT, accept=media), Limits(max_rows=20))
    assert by_rows.truncated and by_rows.rows == 20
    assert len(list(pyoxigraph.parse(by_rows.body, format=form))) == 20

    budget = len(whole.body) // 3
    by_bytes = answer(
        store, QueryRequest(query=CONSTRUCT, accept=media), Limits(max_rows=None, max_bytes=budget)
    )
    assert by_bytes.truncated and by_bytes.rows is not None and 0 < by_bytes.rows < whole.rows
    assert len(by_bytes.body) <= budget
    assert len(list(pyoxigraph.parse(by_bytes.body, format=form))) == by_bytes.rows
    triples = list(query(store, CONSTRUCT))
    one_more = pyoxigraph.serialize(triples[: by_bytes.rows + 1], format=form)
    assert one_more is not None and len(one_more) > budget


def test_graph_exactly_fitting_is_whole(store: pyoxigraph.Store) -> None:
    triples = list(query(store, CONSTRUCT))
    body = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE)
    assert body is not None
    written = write_triples(
        pyoxigraph.RdfFormat.TURTLE,
        iter(triples),
        Limits(max_rows=len(triples), max_bytes=len(body)),
    )
    assert written.body == body and not written.truncated


def test_ask_is_pyoxigraphs(store: pyoxigraph.Store) -> None:
    for media, form in sparql.RESULTS_FORMATS.items():
        got = answer(
            store, QueryRequest(query="ASK { ?s ?p ?o }", accept=media), Limits(max_rows=0)
        )
        assert got.body == query(store, "ASK { ?s ?p ?o }").serialize(format=form)
        assert got.rows is None and not got.truncated


def test_answer_reports_rows_and_truncation(store: pyoxigraph.Store) -> None:
    got = answer(store, QueryRequest(query=CLUSTERS, format="json"), Limits(max_rows=3))
    assert got.truncated and got.rows == 3 and got.media_type == "application/sparql-results+json"
    assert json.loads(got.body)["truncated"] == {"max_rows": 3}
    whole = answer(store, QueryRequest(query=CLUSTERS, format="tsv"))
    assert not whole.truncated and whole.rows == len(solutions(store, CLUSTERS))


# --- no pyoxigraph result escapes in a traceback ---------------------------------------------


def test_failure_while_writing_keeps_the_result_on_its_thread(
    store: pyoxigraph.Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(form: Any, variables: Any, rows: Iterator[Any], limits: Limits) -> Any:
        next(iter(rows))
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(sparql, "write_solutions", failing)
    caught: list[BaseException] = []
    try:
        answer(store, QueryRequest(query=CLUSTERS))
    except QueryFailed as error:
        caught.append(error)
    assert caught and "disk on fire" in str(caught[0])
    assert caught[0].__context__ is None and caught[0].__cause__ is None
    # Dropping the error on another thread must not drop a QuerySolutions there (pyoxigraph
    # would raise, and the unraisable error fails the test run).
    thread = threading.Thread(target=caught.clear)
    thread.start()
    thread.join()
    assert not caught

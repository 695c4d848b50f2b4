import pytest

from shkg.query.negotiation import choose, choose_format, parse_accept

OFFERED = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]


def test_no_accept_gets_our_default() -> None:
    assert choose(None, OFFERED) == "application/sparql-results+json"
    assert choose("", OFFERED) == "application/sparql-results+json"


def test_star_gets_our_default() -> None:
    assert choose("*/*", OFFERED) == "application/sparql-results+json"


def test_substar() -> None:
    assert choose("text/*", OFFERED) == "text/csv"


def test_explicit_priority_by_q() -> None:
    assert choose("application/sparql-results+json;q=0.5, text/csv", OFFERED) == "text/csv"


def test_implicit_priority_more_specific_range_wins() -> None:
    # text/csv is refused explicitly even though */* would accept it.
    assert choose("text/csv;q=0, */*;q=0.1", ["text/csv", "text/turtle"]) == "text/turtle"


def test_parameters_are_ignored_but_q_is_read() -> None:
    assert (
        choose("text/csv; charset=utf-8; q=0.9, application/sparql-results+xml; q=0.8", OFFERED)
        == "text/csv"
    )


def test_nothing_acceptable() -> None:
    assert choose("image/png", OFFERED) is None
    assert choose("text/csv;q=0", ["text/csv"]) is None


def test_malformed_ranges_are_skipped() -> None:
    assert [r.type for r in parse_accept("garbage, text/csv")] == ["text"]
    assert choose("text/csv;q=abc", ["text/csv"]) is None


RESULTS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv"]
GRAPHS = ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"]


@pytest.mark.parametrize(
    ("name", "offered", "chosen"),
    [
        # SPARQLWrapper's names: `xml` and `json` mean results for SELECT, a graph for CONSTRUCT.
        ("xml", RESULTS, "application/sparql-results+xml"),
        ("xml", GRAPHS, "application/rdf+xml"),
        ("json", RESULTS, "application/sparql-results+json"),
        ("json", GRAPHS, "application/ld+json"),
        ("json-ld", GRAPHS, "application/ld+json"),
        ("rdf+xml", GRAPHS, "application/rdf+xml"),
        ("rdf", GRAPHS, "application/rdf+xml"),
        ("n3", GRAPHS, "text/turtle"),
        ("TURTLE", GRAPHS, "text/turtle"),
        ("nt", GRAPHS, "application/n-triples"),
        ("csv", RESULTS, "text/csv"),
        # A media type names itself.
        ("application/sparql-results+xml", RESULTS, "application/sparql-results+xml"),
        ("text/turtle", GRAPHS, "text/turtle"),
    ],
)
def test_a_format_name_picks_among_what_is_offered(
    name: str, offered: list[str], chosen: str
) -> None:
    assert choose_format(name, "text/csv", offered) == chosen


@pytest.mark.parametrize("name", ["n3x", "html", "csv", "", "  "])
def test_an_unknown_or_unoffered_format_leaves_it_to_accept(name: str) -> None:
    assert choose_format(name, "application/n-triples", GRAPHS) == "application/n-triples"
    assert choose_format(name, "text/csv", GRAPHS) is None

from shkg.query.negotiation import choose, parse_accept

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

"""The SPARQL tokenizer: tricky inputs, updates, SERVICE targets, and properties over
generated text."""

from __future__ import annotations

import re
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shkg.query import lexer
from shkg.query.lexer import Kind, LexError, Token, is_update, service_targets, tokens

BASE = "https://w3id.org/shkg/"


def texts(query: str) -> list[str]:
    return [token.text for token in tokens(query)]


def kinds(query: str) -> list[tuple[str, str]]:
    return [(token.kind.value, token.text) for token in tokens(query)]


# ------------------------------------------------------------------ tokens


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Keywords inside strings, IRIs and comments stay there.
        ('"SERVICE <http://x/>"', [("STRING_LITERAL2", '"SERVICE <http://x/>"')]),
        ("'INSERT DATA { }'", [("STRING_LITERAL1", "'INSERT DATA { }'")]),
        ("<http://x/SERVICE#INSERT>", [("IRIREF", "<http://x/SERVICE#INSERT>")]),
        ("?s # SERVICE <http://x/> {}\n?o", [("VAR", "?s"), ("VAR", "?o")]),
        # A comment ends at a carriage return too.
        ("?s # note\rSERVICE", [("VAR", "?s"), ("KEYWORD", "SERVICE")]),
        # `#` inside an IRI or a string is not a comment.
        ("<http://x/#a> '#b'", [("IRIREF", "<http://x/#a>"), ("STRING_LITERAL1", "'#b'")]),
        # Long strings: quotes inside, lines inside, escapes.
        (
            "'''it's ''quoted'' \n over lines'''",
            [("STRING_LITERAL_LONG1", "'''it's ''quoted'' \n over lines'''")],
        ),
        (
            '"""say ""hi"" # not a comment"""',
            [("STRING_LITERAL_LONG2", '"""say ""hi"" # not a comment"""')],
        ),
        ('"""a\\"""" ?x', [("STRING_LITERAL_LONG2", '"""a\\""""'), ("VAR", "?x")]),
        ("'''''x'''", [("STRING_LITERAL_LONG1", "'''''x'''")]),
        ("'' \"\"", [("STRING_LITERAL1", "''"), ("STRING_LITERAL2", '""')]),
        ("'''''' ?x", [("STRING_LITERAL_LONG1", "''''''"), ("VAR", "?x")]),
        (
            r"'it\'s' 'a\u0027b' 'tab\t'",
            [
                ("STRING_LITERAL1", r"'it\'s'"),
                ("STRING_LITERAL1", r"'a\u0027b'"),
                ("STRING_LITERAL1", r"'tab\t'"),
            ],
        ),
        # Prefixed names: dots inside but not at the end, escapes, percent-encoding, the empty
        # prefix.
        ("ex:a.b.", [("PNAME_LN", "ex:a.b"), ("PUNCT", ".")]),
        ("ex.1:x", [("PNAME_LN", "ex.1:x")]),
        (r"ex:a\#b ex:c\'d", [("PNAME_LN", r"ex:a\#b"), ("PNAME_LN", r"ex:c\'d")]),
        (r"ex:%41\~\.x ex:", [("PNAME_LN", r"ex:%41\~\.x"), ("PNAME_NS", "ex:")]),
        (":x : ex:1:2", [("PNAME_LN", ":x"), ("PNAME_NS", ":"), ("PNAME_LN", "ex:1:2")]),
        ("schema:Service", [("PNAME_LN", "schema:Service")]),
        ("wd:Q1中文 中:x", [("PNAME_LN", "wd:Q1中文"), ("PNAME_LN", "中:x")]),
        # Variables, blank nodes, language tags, numbers.
        ("?x $y ?été ?1", [("VAR", "?x"), ("VAR", "$y"), ("VAR", "?été"), ("VAR", "?1")]),
        (
            "_:b1 _:a.b.",
            [("BLANK_NODE_LABEL", "_:b1"), ("BLANK_NODE_LABEL", "_:a.b"), ("PUNCT", ".")],
        ),
        (
            "'x'@en-GB 'y'@ar--rtl",
            [
                ("STRING_LITERAL1", "'x'"),
                ("LANGTAG", "@en-GB"),
                ("STRING_LITERAL1", "'y'"),
                ("LANGTAG", "@ar--rtl"),
            ],
        ),
        (
            "1 1.5 .5 1. 1e9 1.5E-3 .5e+2",
            [
                ("INTEGER", "1"),
                ("DECIMAL", "1.5"),
                ("DECIMAL", ".5"),
                ("INTEGER", "1"),
                ("PUNCT", "."),
                ("DOUBLE", "1e9"),
                ("DOUBLE", "1.5E-3"),
                ("DOUBLE", ".5e+2"),
            ],
        ),
        ("-1", [("PUNCT", "-"), ("INTEGER", "1")]),
        # Keywords in any case; `a`; punctuation, longest first.
        (
            "select DISTINCT ?x WhErE",
            [("KEYWORD", "select"), ("KEYWORD", "DISTINCT"), ("VAR", "?x"), ("KEYWORD", "WhErE")],
        ),
        ("?s a ?o", [("VAR", "?s"), ("KEYWORD", "a"), ("VAR", "?o")]),
        ("^^ && || != >= ( )", [("PUNCT", m) for m in ("^^", "&&", "||", "!=", ">=", "(", ")")]),
        (
            "?s ex:p+/^ex:q? ?o",
            [
                ("VAR", "?s"),
                ("PNAME_LN", "ex:p"),
                ("PUNCT", "+"),
                ("PUNCT", "/"),
                ("PUNCT", "^"),
                ("PNAME_LN", "ex:q"),
                ("PUNCT", "?"),
                ("VAR", "?o"),
            ],
        ),
        (
            "<< ?s ?p ?o >> {| |} ~",
            [
                ("PUNCT", "<<"),
                ("VAR", "?s"),
                ("VAR", "?p"),
                ("VAR", "?o"),
                ("PUNCT", ">>"),
                ("PUNCT", "{|"),
                ("PUNCT", "|}"),
                ("PUNCT", "~"),
            ],
        ),
        # \u escapes inside an IRI are part of it.
        (r"<http://x/\u0041>", [("IRIREF", r"<http://x/\u0041>")]),
    ],
)
def test_tokens(query: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # `<` between operands of an expression is less-than, however much it looks like an IRI.
        ("FILTER(?a<?b&&?b>?c)", ["FILTER", "(", "?a", "<", "?b", "&&", "?b", ">", "?c", ")"]),
        ("FILTER(1<2)SERVICE:x#>\n{}", ["FILTER", "(", "1", "<", "2", ")", "SERVICE:x", "{", "}"]),
        ("FILTER(1<'a>')", ["FILTER", "(", "1", "<", "'a>'", ")"]),
        ("FILTER(STR(?x)<=?y)", ["FILTER", "(", "STR", "(", "?x", ")", "<=", "?y", ")"]),
        (
            "BIND((?a)<(?b) AS ?c)",
            ["BIND", "(", "(", "?a", ")", "<", "(", "?b", ")", "AS", "?c", ")"],
        ),
        (
            "SELECT ?x (?a<?b AS ?c) {}",
            ["SELECT", "?x", "(", "?a", "<", "?b", "AS", "?c", ")", "{", "}"],
        ),
        ("{} ORDER BY (?a<?b)", ["{", "}", "ORDER", "BY", "(", "?a", "<", "?b", ")"]),
        # After an operator, a comma or `(` it starts an IRI.
        ("FILTER(?x = <a#b>)", ["FILTER", "(", "?x", "=", "<a#b>", ")"]),
        (
            "FILTER(?x IN (<a#b>, <c'd>))",
            ["FILTER", "(", "?x", "IN", "(", "<a#b>", ",", "<c'd>", ")", ")"],
        ),
        (
            "FILTER(COUNT(DISTINCT <a#b>))",
            ["FILTER", "(", "COUNT", "(", "DISTINCT", "<a#b>", ")", ")"],
        ),
        ("FILTER <f#n>(?x)", ["FILTER", "<f#n>", "(", "?x", ")"]),
        # In patterns it is always an IRI: collections, VALUES rows, paths, triple terms.
        ("?s <p#q> (<a#1> <a#2>)", ["?s", "<p#q>", "(", "<a#1>", "<a#2>", ")"]),
        (
            "VALUES (?a ?b) { (<a#1> <a#2>) }",
            ["VALUES", "(", "?a", "?b", ")", "{", "(", "<a#1>", "<a#2>", ")", "}"],
        ),
        ("?s (<p#1>|<p#2>) ?o", ["?s", "(", "<p#1>", "|", "<p#2>", ")", "?o"]),
        (
            "?s ?p <<( <a#1> <b#2> <c#3> )>>",
            ["?s", "?p", "<<", "(", "<a#1>", "<b#2>", "<c#3>", ")", ">>"],
        ),
        (
            "FILTER EXISTS { ?s <p#1> <o#1> }",
            ["FILTER", "EXISTS", "{", "?s", "<p#1>", "<o#1>", "}"],
        ),
    ],
)
def test_less_than_or_iri(query: str, expected: list[str]) -> None:
    assert texts(query) == expected


@pytest.mark.parametrize(
    ("query", "position", "message"),
    [
        ('SELECT * WHERE { ?s ?p "abc }', (1, 24), "unterminated string"),
        ("SELECT * WHERE {\n  ?s ?p 'abc\n}", (2, 9), "unterminated string"),
        ("SELECT * WHERE {\n  ?s ?p '''abc\n", (2, 9), "unterminated string"),
        ("'''a''''", (1, 8), "unterminated string"),
        ("SELECT * WHERE { ?s ?p <http://x/", (1, 24), "unterminated IRI"),
        ("SELECT * WHERE { ?s ?p <http://x/\n> }", (1, 24), "unterminated IRI"),
        ("?s ?p <http://x/a b>", (1, 18), "not allowed in an IRI"),
        (r"'a\qb'", (1, 3), "invalid escape"),
        ("?s ?p ?o ; \\u0053ERVICE", (1, 12), "unexpected character"),
        ("$ ", (1, 1), "variable"),
        ("?s ?p 'x'@ ", (1, 10), "language tag"),
        ("?s\u00a0?p", (1, 3), "unexpected character"),
        # `(` after an IRI after a keyword other than FILTER, or after a word that is not a
        # function: pyoxigraph's parse alone would say what `<` is.
        ("GRAPH <g> (?x <a#b>)", (1, 15), "IRI or less-than"),
        ("{ truea (<x> <y#z>) }", (1, 14), "IRI or less-than"),
        ("{ truea (1 <y'z>) }", (1, 12), "IRI or less-than"),
    ],
)
def test_lex_errors(query: str, position: tuple[int, int], message: str) -> None:
    with pytest.raises(LexError) as caught:
        tokens(query)
    assert (caught.value.line, caught.value.column) == position
    assert message in caught.value.message
    assert str(caught.value).startswith(f"{position[0]}:{position[1]}: ")


def test_token_positions() -> None:
    query = "PREFIX ex: <http://x/>\r\nSELECT ?s\n  WHERE { ?s ex:p 'v' }"
    found: dict[str, tuple[int, int, int]] = {}
    for token in tokens(query):
        found.setdefault(token.text, (token.offset, token.line, token.column))
    assert found["PREFIX"] == (0, 1, 1)
    assert found["SELECT"] == (24, 2, 1)
    assert found["?s"] == (31, 2, 8)
    assert found["WHERE"] == (36, 3, 3)
    assert found["'v'"] == (query.index("'v'"), 3, 19)


# ------------------------------------------------------------------ is_update


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("INSERT DATA { <a> <b> <c> }", True),
        ("PREFIX ex: <http://x/>\nBASE <http://y/>\ndelete where { ?s ?p ?o }", True),
        ("# a comment\n  WITH <g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", True),
        ("LOAD <http://x/data>", True),
        ("CLEAR ALL ; LOAD <x>", True),
        ("CREATE GRAPH <g>", True),
        ("drop silent graph <g>", True),
        ("COPY <a> TO <b>", True),
        ("MOVE DEFAULT TO <b>", True),
        ("ADD <a> TO <b>", True),
        # A query that ends with `;` and an update is an update (and then malformed).
        ("SELECT * WHERE { ?s ?p ?o } ; PREFIX ex: <x> DROP ALL", True),
        # Broken text is judged on what comes before the fault.
        ("INSERT DATA { <a> <b> 'unterminated }", True),
        ("SELECT * WHERE { ?s ?p 'INSERT' }", False),
        ('SELECT * WHERE { ?s ?p """\nDELETE\n""" }', False),
        ("SELECT * WHERE { ?s <http://x/INSERT> ?o }", False),
        ("# DELETE everything\nSELECT * WHERE { ?s ?p ?o }", False),
        ("PREFIX insert: <http://x/> SELECT * WHERE { ?s insert:x ?o }", False),
        ("SELECT * WHERE { ?s ?p ?o ; ?q ?r . ?x ?y ?z } ; ", False),
        ("SELECT (GROUP_CONCAT(?x ; SEPARATOR=',') AS ?y) WHERE { ?s ?p ?x }", False),
        ("ASK { ?s ?p ?o }", False),
        ("", False),
        ("'unterminated", False),
    ],
)
def test_is_update(query: str, expected: bool) -> None:
    assert is_update(query) is expected


# ------------------------------------------------------------------ service_targets


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "SELECT * WHERE { SERVICE <http://a.example/sparql> { ?s ?p ?o } }",
            ["http://a.example/sparql"],
        ),
        ("select * where { service <http://a.example/sparql> { } }", ["http://a.example/sparql"]),
        ("SELECT * WHERE { SERVICE SILENT ?x { } }", [None]),
        ("SELECT * WHERE { SERVICE ?x { } SERVICE SILENT <http://b/> { } }", [None, "http://b/"]),
        ("SELECT * WHERE { SERVICE<http://a/>{} }", ["http://a/"]),
        ("SELECT * WHERE { SERVICE # why\n <http://a/> {} }", ["http://a/"]),
        # Relative IRIs: against the dataset's base, then against each BASE in turn.
        ("SELECT * WHERE { SERVICE <sparql> { } }", [BASE + "sparql"]),
        (
            "BASE <http://a.example/x/> SELECT * WHERE { SERVICE <../sparql> { } }",
            ["http://a.example/sparql"],
        ),
        (
            "BASE <http://a.example/x/> BASE <y/> SELECT * WHERE { SERVICE <z> { } }",
            ["http://a.example/x/y/z"],
        ),
        (
            "BASE <http://a.example/> SELECT * WHERE { SERVICE <//b.example/s> { } }",
            ["http://b.example/s"],
        ),
        # An IRI with a scheme is kept as it is, dot segments and all.
        ("BASE <https://a.example/> SELECT * WHERE { SERVICE <https:x> { } }", ["https:x"]),
        ("SELECT * WHERE { SERVICE <http://a/s/../t> { } }", ["http://a/s/../t"]),
        # Prefixed names, with the prefix resolved against the BASE in force where it is declared.
        (
            "PREFIX ex: <http://a.example/> SELECT * WHERE { SERVICE ex:sparql { } }",
            ["http://a.example/sparql"],
        ),
        (
            "BASE <http://a/> PREFIX r: <rel/> SELECT * WHERE { SERVICE r:x { } }",
            ["http://a/rel/x"],
        ),
        ("PREFIX r: <rel/> BASE <http://a/> SELECT * WHERE { SERVICE r:x { } }", [BASE + "rel/x"]),
        (
            "PREFIX p: <http://a/> PREFIX p: <http://b/> SELECT * WHERE { SERVICE p:x { } }",
            ["http://b/x"],
        ),
        (
            "PREFIX : <http://a/> SELECT * WHERE { SERVICE : { } SERVICE :s { } }",
            ["http://a/", "http://a/s"],
        ),
        (r"PREFIX ex: <http://a/> SELECT * WHERE { SERVICE ex:a\.b%41 { } }", ["http://a/a.b%41"]),
        # \u escapes in an IRI are decoded, as pyoxigraph decodes them.
        (r"SELECT * WHERE { SERVICE <http://a/sp\u0061rql> { } }", ["http://a/sparql"]),
        # SERVICE in strings, IRIs, comments and longer names is not a SERVICE.
        ("SELECT * WHERE { ?s ?p 'SERVICE <http://a/> {}' }", []),
        ("PREFIX ex: <http://a/> SELECT * WHERE { ?s ex:p (ex:a ex:b) FILTER(?x < 3) }", []),
        (
            "SELECT * WHERE { ?s ?p ?o FILTER(regex(STR(?o), 'x', 'i')) } "
            "ORDER BY DESC(?o) LIMIT 1",
            [],
        ),
        ("SELECT * WHERE { ?s ?p '''x ' SERVICE <http://a/> {} '' ''' }", []),
        ("SELECT * WHERE { ?s a <http://www.w3.org/ns/sparql-service-description#Service> }", []),
        ("SELECT * WHERE { # SERVICE <http://a/> {}\n ?s ?p ?o }", []),
        (
            "PREFIX sd: <http://www.w3.org/ns/sparql-service-description#> "
            "SELECT * { ?s a sd:Service }",
            [],
        ),
        ("SELECT ?SERVICE WHERE { ?SERVICE ?p ?o }", []),
        (
            "SELECT * WHERE { SERVICE <http://a/> { SERVICE <http://b/> { } } }",
            ["http://a/", "http://b/"],
        ),
    ],
)
def test_service_targets(query: str, expected: list[str | None]) -> None:
    assert service_targets(query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("SELECT * WHERE { SERVICE nope:x { } }", "undeclared prefix `nope:`"),
        ("SELECT * WHERE { SERVICE { } }", "must be followed by an IRI or a variable"),
        ("SELECT * WHERE { SERVICE", "must be followed by an IRI or a variable"),
        ("SELECT * WHERE { SERVICE 'x' { } }", "must be followed by an IRI or a variable"),
        ("BASE ex: SELECT * {}", "BASE must be followed by an IRI"),
        ("PREFIX ex <x> SELECT * {}", "PREFIX must be followed"),
        # pyoxigraph reads these as two words, the second SERVICE, and calls the endpoint after it.
        ("PREFIX ex: <http://a/> SELECT * WHERE { SERVICEex:x { } }", "has SERVICE in its prefix"),
        (
            "SELECT * WHERE { ?s ?p trueSERVICE <http://a/> { } }",
            "`trueSERVICE` is not a SPARQL keyword",
        ),
        (
            "SELECT * WHERE { ?s ?p falseSERVICE<http://a/>{} }",
            "`falseSERVICE` is not a SPARQL keyword",
        ),
        (
            "PREFIX ex: <http://a/> SELECT * WHERE { ?s ?p trueSERVICEex:y {} }",
            "has SERVICE in its prefix",
        ),
        (
            "PREFIX ex: <http://a/> SELECT * WHERE { ?s ?p trueex:y {} }",
            "undeclared prefix `trueex:`",
        ),
        # `truea (` is `true a (`: a collection, where `<y#z>` is an IRI, not `<` and a comment.
        ("SELECT * WHERE { truea (<x> <y>) }", "`truea` is not a SPARQL keyword"),
        ("SELECT * WHERE { ?s ?p ?o } LIMITS 1", "`LIMITS` is not a SPARQL keyword"),
        ("SELECT * WHERE { ?s A ?o }", "`A` is not a SPARQL keyword"),
        # The price: prefixes named after services are refused too.
        (
            "PREFIX service: <http://a/> SELECT * WHERE { ?s service:p ?o }",
            "has SERVICE in its prefix",
        ),
        (
            "PREFIX silent: <http://ok/> PREFIX : <http://a/> "
            "SELECT * WHERE { SERVICE silent:x { } }",
            "reads as SILENT",
        ),
        (
            "PREFIX SILENTex: <http://ok/> SELECT * WHERE { SERVICE SILENTex:x { } }",
            "reads as SILENT",
        ),
        ("SELECT * WHERE { FILTER(1<2) ?s ?p ?o } ; \\", "unexpected character"),
        (r"SELECT * WHERE { SERVICE <http://a/\UFFFFFFFF> { } }", "not a Unicode character"),
        ("BASE <http://[::1/> SELECT * WHERE { SERVICE <x> { } }", "cannot resolve <x>"),
        ("SELECT * WHERE { SERVICE <//[x/y> { } }", "cannot resolve <//[x/y>"),
    ],
)
def test_service_targets_refuses(query: str, message: str) -> None:
    with pytest.raises(LexError, match=re.escape(message)):
        service_targets(query)


def test_service_targets_uses_given_base_and_prefixes() -> None:
    query = "SELECT * WHERE { SERVICE <s> { } SERVICE q:t { } }"
    assert service_targets(query, "http://b/", {"q": "http://q/"}) == ["http://b/s", "http://q/t"]


# ------------------------------------------------------------------ properties

NO_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)
IRI_CHARS = st.characters(
    codec="utf-8",
    exclude_categories=NO_SURROGATES,
    exclude_characters='<>"{}|^`\\' + "".join(map(chr, range(0x21))),
)
PNAME = (
    r"(?:[A-Za-z](?:[A-Za-z0-9.-]{0,4}[A-Za-z0-9])?)?"
    r":(?:[A-Za-z0-9](?:[A-Za-z0-9.]{0,4}[A-Za-z0-9])?)?"
)


def quoted(quote: str, body: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return body.map(lambda text: quote + text + quote)


def long_body(quote: str) -> st.SearchStrategy[str]:
    """Text for a long string: quotes inside, in ones and twos, but never last."""
    body = st.from_regex(f"(?:{quote}{{0,2}}[^{quote}\\\\])*", fullmatch=True)
    return body.filter(lambda text: len(text) < 20)


TOKEN_TEXTS = st.one_of(
    st.text(IRI_CHARS, max_size=12).map(lambda text: f"<{text}>"),
    st.sampled_from(
        [
            "SELECT",
            "select",
            "WHERE",
            "SERVICE",
            "service",
            "SILENT",
            "INSERT",
            "a",
            "FILTER",
            "OPTIONAL",
            "UNION",
            "GRAPH",
            "true",
            "LIMIT",
        ]
    ),
    st.from_regex(r"[?$][A-Za-z_][A-Za-z0-9_]{0,5}", fullmatch=True),
    st.from_regex(PNAME, fullmatch=True),
    st.from_regex(r"_:[A-Za-z0-9]{1,5}", fullmatch=True),
    quoted(
        "'",
        st.text(
            st.characters(exclude_characters="'\\\r\n", exclude_categories=NO_SURROGATES),
            max_size=10,
        ),
    ),
    quoted(
        '"',
        st.text(
            st.characters(exclude_characters='"\\\r\n', exclude_categories=NO_SURROGATES),
            max_size=10,
        ),
    ),
    quoted("'''", long_body("'")),
    quoted('"""', long_body('"')),
    st.from_regex(r"[0-9]{1,4}(?:\.[0-9]{1,3})?(?:[eE][+-]?[0-9]{1,2})?", fullmatch=True),
    st.from_regex(r"@[a-z]{2}(?:-[A-Z]{2})?", fullmatch=True),
    st.sampled_from(["{", "}", ".", ";", ",", "*", "[", "]", "=", "!=", "&&", "^^", "/", "|", "+"]),
)
SEPARATORS = st.sampled_from([" ", "\n", "\t", "\r\n", "  ", " # a comment\n", "#SERVICE <x> 'q\r"])


@settings(database=None, deadline=None, max_examples=300)
@given(st.lists(st.tuples(TOKEN_TEXTS, SEPARATORS), max_size=25), st.sampled_from(["", " ", "# c"]))
def test_generated_queries_round_trip(pieces: list[tuple[str, str]], tail: str) -> None:
    """Tokens' texts, with the whitespace and comments between them, reproduce the text."""
    query = "".join(text + separator for text, separator in pieces) + tail
    found = tokens(query)
    assert [token.text for token in found] == [text for text, _ in pieces]
    assert _rebuild(query, found) == query


@settings(database=None, deadline=None, max_examples=500)
@given(
    st.text(max_size=80) | st.text(st.sampled_from("<>?$'\"#\\\n\r(){}[]:._@aeS1 uU0"), max_size=60)
)
def test_arbitrary_text_only_raises_lex_error(text: str) -> None:
    try:
        found = tokens(text)
    except LexError as error:
        assert 1 <= error.line and 1 <= error.column and 0 <= error.offset <= len(text)
    else:
        assert _rebuild(text, found) == text
    assert isinstance(is_update(text), bool)
    try:
        service_targets(text)
    except LexError:
        pass


IRI_TEXT = st.lists(
    st.sampled_from(
        [
            *"abc:/?#[]@!$&'()*+,;=%.-_~0189é",
            r"\u0041",
            r"\UFFFFFFFF",
            r"\U0010FFFF",
            r"\uD800",
            "//",
            "..",
            "[::1]",
            "%zz",
        ]
    ),
    max_size=12,
).map("".join)


@settings(database=None, deadline=None, max_examples=300)
@given(IRI_TEXT, IRI_TEXT, IRI_TEXT, st.sampled_from(["<{}>", "p:{}", "SILENT <{}>", "?v"]))
def test_service_targets_only_raises_lex_error(
    base: str, prefix: str, target: str, form: str
) -> None:
    """Whatever the IRIs, resolving them fails with LexError or gives an IRI for each SERVICE."""
    local = re.sub(r"[^A-Za-z0-9]", "", target) or "x"
    service = form.format(local if form.startswith("p:") else target)
    query = f"BASE <{base}> PREFIX p: <{prefix}> SELECT * WHERE {{ SERVICE {service} {{ }} }}"
    try:
        found = service_targets(query)
    except LexError:
        return
    assert len(found) == 1 and (found[0] is None) == (form == "?v")


def _rebuild(text: str, found: list[Token]) -> str:
    """The text again, from the tokens and the gaps between them, which must be blank or
    comments."""
    out, at = [], 0
    for token in found:
        gap = text[at : token.offset]
        assert re.fullmatch(r"(?:[ \t\r\n]+|#[^\r\n]*)*", gap), gap
        out += [gap, token.text]
        at = token.end
    assert re.fullmatch(r"(?:[ \t\r\n]+|#[^\r\n]*)*", text[at:])
    return "".join(out) + text[at:]


def test_kinds_are_the_grammar_terminals() -> None:
    assert {kind.value for kind in Kind} >= {
        "IRIREF",
        "PNAME_NS",
        "PNAME_LN",
        "VAR",
        "LANGTAG",
        "STRING_LITERAL_LONG2",
        "DOUBLE",
        "KEYWORD",
        "PUNCT",
    }


def test_lexing_is_linear_in_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    # `a.a.a...` once made the prefixed-name pattern run from every `a` to the end of the run
    # and back (16 KB took over a second).  Count, rather than time: the run pattern looks at
    # each character at most once, and the prefixed-name pattern (which may scan a whole run)
    # is tried only where a `:` ends a run.
    seen: list[int] = []
    pname_tries = [0]

    class Counting:
        def __init__(self, real: re.Pattern[str], runs: bool) -> None:
            self.real, self.runs = real, runs

        def match(self, text: str, pos: int) -> re.Match[str] | None:
            found = self.real.match(text, pos)
            if self.runs:
                seen.append(found.end() - pos if found else 0)
            else:
                pname_tries[0] += 1
            return found

    monkeypatch.setattr(lexer, "_PREFIX_RUN", Counting(lexer._PREFIX_RUN, True))
    monkeypatch.setattr(lexer, "_PNAME", Counting(lexer._PNAME, False))
    for text in ("a" + ".a" * 10_000, "ex:a " + "b.c " * 2_000 + "x.y:z"):
        seen.clear()
        pname_tries[0] = 0
        assert tokens(text)
        assert sum(seen) <= len(text)
        assert pname_tries[0] <= text.count(":")

"""A tokenizer for SPARQL 1.1 query and update text, and what the endpoint reads from its tokens.

The terminals are the W3C grammar's (section 19.8), plus the few punctuation marks of SPARQL 1.2
that pyoxigraph accepts (``<<``, ``>>``, ``{|``, ``|}``, ``~``, ``@lang--ltr``).  Whitespace and
comments are skipped; every other character of the text belongs to exactly one token, so a
keyword inside a string, an IRI or a comment is never mistaken for one.

:func:`service_targets` guards a security check (:mod:`shkg.federation`), so where this lexer and
pyoxigraph's parser could read the same text differently it fails closed with a
:class:`LexError` instead of guessing.  Three such places were found by trying pyoxigraph 0.5.13:

* ``<`` is both the start of an IRI and the less-than operator, and the two readings disagree
  about what is inside a string or a comment afterwards (``FILTER(1<2)SERVICE:x#>`` calls
  ``:x``).  The lexer tracks whether a ``(`` opens an expression, so it reads ``<`` as an
  operator exactly where pyoxigraph must.
* pyoxigraph matches a keyword without looking for the end of the word, and reads the start
  of a prefixed name with an undeclared prefix as other words: ``SERVICEex:x``,
  ``?s ?p trueSERVICE <x> {}``, ``trueSERVICEex:x`` and ``SERVICE silent:x`` (SILENT, then
  ``:x``) all call a service, and ``truea (<x> <y#z>)`` is ``true a (...)``.
  :func:`service_targets` refuses words that are not SPARQL keywords, prefixed names with an
  undeclared prefix or with SERVICE in the prefix, and SERVICE targets that start with SILENT.
* A comment ends at a carriage return as well as at a line feed.

Every query that made pyoxigraph send a request in a differential fuzz (about 20,000 of
them, built from these pieces) was refused.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from urllib.parse import urljoin

from shkg import namespaces as ns


class Kind(StrEnum):
    """Token kinds, named after the grammar's terminals where it has one."""

    IRIREF = "IRIREF"
    PNAME_NS = "PNAME_NS"
    PNAME_LN = "PNAME_LN"
    BLANK_NODE_LABEL = "BLANK_NODE_LABEL"
    VAR = "VAR"
    STRING_LITERAL1 = "STRING_LITERAL1"
    STRING_LITERAL2 = "STRING_LITERAL2"
    STRING_LITERAL_LONG1 = "STRING_LITERAL_LONG1"
    STRING_LITERAL_LONG2 = "STRING_LITERAL_LONG2"
    INTEGER = "INTEGER"
    DECIMAL = "DECIMAL"
    DOUBLE = "DOUBLE"
    LANGTAG = "LANGTAG"
    KEYWORD = "KEYWORD"
    PUNCT = "PUNCT"


STRINGS = frozenset(
    {
        Kind.STRING_LITERAL1,
        Kind.STRING_LITERAL2,
        Kind.STRING_LITERAL_LONG1,
        Kind.STRING_LITERAL_LONG2,
    }
)
PNAMES = frozenset({Kind.PNAME_NS, Kind.PNAME_LN})

# The first keyword of an update operation (SPARQL 1.1 Update, section 3).
UPDATE_KEYWORDS = frozenset(
    {
        "INSERT",
        "DELETE",
        "LOAD",
        "CLEAR",
        "CREATE",
        "DROP",
        "COPY",
        "MOVE",
        "ADD",
        "WITH",
    }
)
# Functions and aggregates: a `(` after one opens an expression.  SPARQL 1.1 section 17, with
# SPARQL 1.2's additions and pyoxigraph's ADJUST.
FUNCTION_KEYWORDS = frozenset(
    {
        "STR",
        "LANG",
        "LANGMATCHES",
        "LANGDIR",
        "DATATYPE",
        "BOUND",
        "IRI",
        "URI",
        "BNODE",
        "RAND",
        "ABS",
        "CEIL",
        "FLOOR",
        "ROUND",
        "CONCAT",
        "STRLEN",
        "UCASE",
        "LCASE",
        "ENCODE_FOR_URI",
        "CONTAINS",
        "STRSTARTS",
        "STRENDS",
        "STRBEFORE",
        "STRAFTER",
        "YEAR",
        "MONTH",
        "DAY",
        "HOURS",
        "MINUTES",
        "SECONDS",
        "TIMEZONE",
        "TZ",
        "NOW",
        "UUID",
        "STRUUID",
        "MD5",
        "SHA1",
        "SHA256",
        "SHA384",
        "SHA512",
        "COALESCE",
        "IF",
        "STRLANG",
        "STRLANGDIR",
        "STRDT",
        "SAMETERM",
        "ISIRI",
        "ISURI",
        "ISBLANK",
        "ISLITERAL",
        "ISNUMERIC",
        "ISTRIPLE",
        "HASLANG",
        "HASLANGDIR",
        "TRIPLE",
        "SUBJECT",
        "PREDICATE",
        "OBJECT",
        "REGEX",
        "SUBSTR",
        "REPLACE",
        "ADJUST",
        "COUNT",
        "SUM",
        "MIN",
        "MAX",
        "AVG",
        "SAMPLE",
        "GROUP_CONCAT",
    }
)
# Every keyword of the grammar, in upper case (`a` aside, which is lower case only).
KEYWORDS = (
    FUNCTION_KEYWORDS
    | UPDATE_KEYWORDS
    | frozenset(
        {
            "BASE",
            "PREFIX",
            "VERSION",
            "SELECT",
            "DISTINCT",
            "REDUCED",
            "AS",
            "CONSTRUCT",
            "WHERE",
            "DESCRIBE",
            "ASK",
            "FROM",
            "NAMED",
            "GROUP",
            "BY",
            "HAVING",
            "ORDER",
            "ASC",
            "DESC",
            "LIMIT",
            "OFFSET",
            "VALUES",
            "UNDEF",
            "OPTIONAL",
            "GRAPH",
            "SERVICE",
            "SILENT",
            "BIND",
            "MINUS",
            "UNION",
            "FILTER",
            "NOT",
            "IN",
            "EXISTS",
            "TRUE",
            "FALSE",
            "LATERAL",
            "SEPARATOR",
            "INTO",
            "TO",
            "DATA",
            "USING",
            "DEFAULT",
            "ALL",
        }
    )
)


@dataclass(frozen=True, slots=True)
class Token:
    kind: Kind
    text: str
    offset: int
    line: int
    column: int

    @property
    def end(self) -> int:
        return self.offset + len(self.text)

    def is_keyword(self, *words: str) -> bool:
        """Whether this is one of these keywords (given in upper case); keywords ignore case."""
        return self.kind is Kind.KEYWORD and self.text.upper() in words

    def is_punct(self, *marks: str) -> bool:
        return self.kind is Kind.PUNCT and self.text in marks


class LexError(ValueError):
    """Text that is not a sequence of SPARQL tokens, or that this module will not guess about."""

    def __init__(self, message: str, line: int, column: int, offset: int) -> None:
        super().__init__(f"{line}:{column}: {message}")
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset


# --- Terminals (SPARQL 1.1 section 19.8) --------------------------------------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
    "\u200c-\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
    "\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = (
    f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"
)
_HEX_ESCAPE = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"

_PREFIX_RUN = re.compile(f"[{_PN_CHARS}.]*")
_PNAME = re.compile(f"(?:{_PN_PREFIX})?:(?P<local>{_PN_LOCAL})?")
_VAR = re.compile(f"[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*")
_BLANK_NODE_LABEL = re.compile(f"_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?")
# SPARQL 1.2's LANG_DIR: a language tag with an optional base direction.
_LANGTAG = re.compile(r"@[a-zA-Z]+(?:-[a-zA-Z0-9]+)*(?:--[a-zA-Z]+)?")
_DOUBLE = re.compile(r"(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)[eE][+-]?[0-9]+")
_DECIMAL = re.compile(r"[0-9]*\.[0-9]+")
_INTEGER = re.compile(r"[0-9]+")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
# IRIREF's characters, plus the \u and \U escapes pyoxigraph accepts (and decodes) in IRIs.
_IRI_BODY = re.compile(f'(?:[^<>"{{}}|^`\\\\\x00-\x20]|{_HEX_ESCAPE})*')
_HEX_ESCAPES = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_STRING_ESCAPE = re.compile(f"\\\\[tbnrf\"'\\\\]|{_HEX_ESCAPE}")
_WHITESPACE = re.compile(r"(?:[ \t\r\n]+|#[^\r\n]*)+")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_PUNCTUATION = (
    "^^",
    "&&",
    "||",
    "!=",
    "<=",
    ">=",
    ">>",
    "{|",
    "|}",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    ".",
    ",",
    ";",
    "*",
    "+",
    "-",
    "/",
    "|",
    "^",
    "!",
    "=",
    ">",
    "?",
    "~",
)
_STRING_KINDS = {
    ("'", False): Kind.STRING_LITERAL1,
    ('"', False): Kind.STRING_LITERAL2,
    ("'", True): Kind.STRING_LITERAL_LONG1,
    ('"', True): Kind.STRING_LITERAL_LONG2,
}
_OPENERS = {"(": ")", "[": "]", "{": "}", "{|": "|}"}
_CLOSERS = frozenset({")", "]", "}", "|}"})


# --- Which `(` opens an expression --------------------------------------------------------


class _Frame(Enum):
    TOP = "top"  # outside any bracket
    BRACE = "brace"  # a group, template or data block: `{ }`, `{| |}`
    BRACKET = "bracket"  # a blank node's property list: `[ ]`
    EXPRESSION = "expression"  # FILTER(...), BIND(...), a function's arguments, SELECT (...)
    TERMS = "terms"  # a collection, a path group, a VALUES row, a triple term
    UNSURE = "unsure"  # one of the two, and only pyoxigraph's parse would tell


class _Clause(Enum):
    PATTERN = "pattern"
    SELECT = "select"  # between SELECT and its WHERE: `(expr AS ?v)` are expressions
    MODIFIERS = "modifiers"  # GROUP BY, HAVING, ORDER BY: conditions are expressions


@dataclass
class _Open:
    frame: _Frame
    clause: _Clause = _Clause.PATTERN


class _Scanner:
    """One pass over one text; `scan` yields its tokens and raises LexError where it stops."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line_starts = [0] + [m.end() for m in _LINE_BREAK.finditer(text)]
        self.stack = [_Open(_Frame.TOP)]
        self.previous: list[Token] = []  # the last two tokens, most recent last
        # The run of prefix characters last measured (see `prefix_run_end`): [start, end).
        self.run = (0, 0)

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def error(self, message: str, offset: int) -> LexError:
        line, column = self.position(offset)
        return LexError(message, line, column, offset)

    def token(self, kind: Kind, start: int, end: int) -> Token:
        line, column = self.position(start)
        return Token(kind, self.text[start:end], start, line, column)

    def scan(self) -> Iterator[Token]:
        text, pos = self.text, 0
        while True:
            skipped = _WHITESPACE.match(text, pos)
            if skipped:
                pos = skipped.end()
            if pos >= len(text):
                return
            token = self.next_token(pos)
            self.track(token)
            yield token
            pos = token.end

    def next_token(self, pos: int) -> Token:
        text, char = self.text, self.text[pos]
        if char == "<":
            return self.less_than(pos)
        if char in "'\"":
            return self.string(pos)
        if char in "?$":
            var = _VAR.match(text, pos)
            if var:
                return self.token(Kind.VAR, pos, var.end())
            if char == "?":  # a property path's zero-or-one
                return self.token(Kind.PUNCT, pos, pos + 1)
            raise self.error("`$` must start a variable name", pos)
        if text.startswith("_:", pos):
            label = _BLANK_NODE_LABEL.match(text, pos)
            if not label:
                raise self.error("`_:` must start a blank node label", pos)
            return self.token(Kind.BLANK_NODE_LABEL, pos, label.end())
        if char == "@":
            tag = _LANGTAG.match(text, pos)
            if not tag:
                raise self.error("`@` must start a language tag", pos)
            return self.token(Kind.LANGTAG, pos, tag.end())
        if char.isascii() and (char.isdigit() or char == "."):
            for kind, pattern in (
                (Kind.DOUBLE, _DOUBLE),
                (Kind.DECIMAL, _DECIMAL),
                (Kind.INTEGER, _INTEGER),
            ):
                number = pattern.match(text, pos)
                if number:
                    return self.token(kind, pos, number.end())
        end = self.prefix_run_end(pos)
        # A prefixed name's `:` can only be where the run of prefix characters ends: try the
        # pattern only then (else `a.a.a...` would run it to the end of the run and back, from
        # every `a` in turn: quadratic).
        pname = _PNAME.match(text, pos) if text.startswith(":", end) else None
        if pname:
            kind = Kind.PNAME_LN if pname.group("local") else Kind.PNAME_NS
            return self.token(kind, pos, pname.end())
        word = _WORD.match(text, pos)
        if word:
            return self.token(Kind.KEYWORD, pos, word.end())
        for mark in _PUNCTUATION:
            if text.startswith(mark, pos):
                return self.token(Kind.PUNCT, pos, pos + len(mark))
        raise self.error(f"unexpected character {char!r}", pos)

    def prefix_run_end(self, pos: int) -> int:
        """Where the run of characters a prefix may hold (PN_CHARS and `.`) that goes on from
        ``pos`` ends.  Every position inside one run shares its end, so each run is measured
        once, and the lexer stays linear in the length of the text."""
        start, end = self.run
        if not start <= pos < end:
            end = _PREFIX_RUN.match(self.text, pos).end()  # type: ignore[union-attr]
            self.run = (pos, end)
        return end

    def string(self, pos: int) -> Token:
        text, quote = self.text, self.text[pos]
        long = text.startswith(quote * 3, pos)
        kind = _STRING_KINDS[quote, long]
        at = pos + (3 if long else 1)
        while at < len(text):
            char = text[at]
            if char == "\\":
                escape = _STRING_ESCAPE.match(text, at)
                if not escape:
                    raise self.error("invalid escape sequence in a string", at)
                at = escape.end()
            elif long and text.startswith(quote * 3, at):
                # The grammar ends a long string at its first unescaped triple quote, as
                # pyoxigraph does: `'''a''''` is `'''a'''` then a stray `'`.
                return self.token(kind, pos, at + 3)
            elif not long and char == quote:
                return self.token(kind, pos, at + 1)
            elif not long and char in "\r\n":
                break
            else:
                at += 1
        raise self.error("unterminated string", pos)

    def less_than(self, pos: int) -> Token:
        """`<` starts an IRI, `<<`, or is the less-than operator, by where it stands."""
        text = self.text
        operator = self.less_than_is_operator()
        if operator is True:
            return self.token(Kind.PUNCT, pos, pos + (2 if text.startswith("<=", pos) else 1))
        body = _IRI_BODY.match(text, pos + 1)
        assert body is not None  # the pattern matches the empty string
        if text.startswith(">", body.end()):
            if operator is None and any(c in text[pos : body.end()] for c in "#'"):
                # Read as `<` then tokens, the `#` or `'` would start a comment or a string
                # and the two readings would disagree about everything after it.
                raise self.error(
                    "`<` could be an IRI or less-than here; put a space after "
                    "it if it is less-than, or write the IRI as a prefixed name",
                    pos,
                )
            return self.token(Kind.IRIREF, pos, body.end() + 1)
        if text.startswith("<<", pos):
            return self.token(Kind.PUNCT, pos, pos + 2)
        if operator is None:
            return self.token(Kind.PUNCT, pos, pos + (2 if text.startswith("<=", pos) else 1))
        if body.end() >= len(text) or text[body.end()] in "\r\n":
            raise self.error("unterminated IRI", pos)
        raise self.error(f"character {text[body.end()]!r} is not allowed in an IRI", body.end())

    def less_than_is_operator(self) -> bool | None:
        """True where `<` can only be less-than, False where only an IRI, None where unsure."""
        frame = self.stack[-1].frame
        if frame not in (_Frame.EXPRESSION, _Frame.UNSURE):
            return False  # no expression outside parentheses
        ends = _ends_operand(self.previous[-1]) if self.previous else False
        if frame is _Frame.EXPRESSION:
            return ends
        return False if ends is False else None

    def track(self, token: Token) -> None:
        """Follow brackets and clauses, for `less_than`."""
        top = self.stack[-1]
        if token.kind is Kind.KEYWORD and top.frame in (_Frame.TOP, _Frame.BRACE):
            word = token.text.upper()
            if word == "SELECT":
                top.clause = _Clause.SELECT
            elif word in ("WHERE", "CONSTRUCT", "DESCRIBE", "ASK"):
                top.clause = _Clause.PATTERN
            elif word in ("GROUP", "ORDER", "HAVING"):
                top.clause = _Clause.MODIFIERS
        elif token.kind is Kind.PUNCT:
            if token.text in _OPENERS:
                if token.text == "(":
                    self.stack.append(_Open(self.paren_frame()))
                else:
                    if top.clause is _Clause.SELECT:
                        top.clause = _Clause.PATTERN  # WHERE is optional
                    frame = _Frame.BRACKET if token.text == "[" else _Frame.BRACE
                    self.stack.append(_Open(frame))
            elif token.text in _CLOSERS:
                if len(self.stack) > 1:
                    self.stack.pop()
            elif token.text == ";" and top.frame is _Frame.TOP:
                top.clause = _Clause.PATTERN  # the next operation of an update
        self.previous = [*self.previous[-1:], token]

    def paren_frame(self) -> _Frame:
        """What the `(` just read opens."""
        enclosing = self.stack[-1]
        before = self.previous[-1] if self.previous else None
        if before is not None and before.is_punct("<<"):
            return _Frame.TERMS  # SPARQL 1.2's triple term `<<( s p o )>>`
        if enclosing.frame in (_Frame.EXPRESSION, _Frame.TERMS, _Frame.UNSURE):
            return enclosing.frame
        if enclosing.clause in (_Clause.SELECT, _Clause.MODIFIERS):
            return _Frame.EXPRESSION
        if before is None:
            return _Frame.UNSURE
        if before.kind is Kind.KEYWORD:
            # `?s a (...)` and `VALUES (?x ?y)` hold terms; FILTER(, BIND(, STR( expressions.
            # Any other word is a mistake, or words pyoxigraph would read apart (`truea (`
            # is `true a (`), so only its parse would tell.
            if before.text == "a" or before.is_keyword("VALUES"):
                return _Frame.TERMS
            if before.is_keyword("FILTER", "BIND", *FUNCTION_KEYWORDS):
                return _Frame.EXPRESSION
            return _Frame.UNSURE
        if before.kind is Kind.IRIREF or before.kind in PNAMES:
            # In a pattern a function is called only straight after FILTER; an IRI followed
            # by `(` is otherwise a predicate and a collection.
            earlier = self.previous[0] if len(self.previous) == 2 else None
            if earlier is not None and earlier.is_keyword("FILTER"):
                return _Frame.EXPRESSION
            if earlier is not None and earlier.kind is Kind.KEYWORD:
                return _Frame.UNSURE
            return _Frame.TERMS
        return _Frame.TERMS


def _ends_operand(token: Token) -> bool | None:
    """Whether an expression operand can end with this token (None: a keyword we cannot tell)."""
    if token.kind is Kind.PUNCT:
        return token.text in (")", "]", ">>")
    if token.kind is Kind.KEYWORD:
        if token.text.upper() in ("TRUE", "FALSE"):
            return True
        return False if token.is_keyword("DISTINCT") else None
    return True


# --- Public functions ----------------------------------------------------------------------


@dataclass(frozen=True)
class Lexed:
    """One text, lexed once: its tokens up to the first fault, and that fault (or None).

    The endpoint asks several questions of one query (is it an update? which SERVICEs does
    it call? did a failure come from one?); it lexes the text once into this value and asks
    them all of it.  Every function below takes the text or its ``Lexed``.
    """

    text: str
    found: tuple[Token, ...]
    error: LexError | None

    @classmethod
    def of(cls, text: str | Lexed) -> Lexed:
        if isinstance(text, Lexed):
            return text
        found: list[Token] = []
        try:
            for token in _Scanner(text).scan():
                found.append(token)  # noqa: PERF402 - the tokens before a fault are kept too
        except LexError as error:
            return cls(text, tuple(found), error.with_traceback(None))
        return cls(text, tuple(found), None)


def tokens(text: str | Lexed) -> list[Token]:
    """The tokens of SPARQL query or update text, without whitespace and comments.

    Raises LexError (with line:column) at the first thing that is not a token: an unterminated
    string or IRI, an invalid escape, a character SPARQL has no use for, or a `<` that could be
    an IRI or less-than and whose two readings would differ about what is a comment or string.
    """
    lexed = Lexed.of(text)
    if lexed.error is not None:
        # A fresh one each time: the kept one stays without a traceback.
        error = lexed.error
        raise LexError(error.message, error.line, error.column, error.offset)
    return list(lexed.found)


def is_update(text: str | Lexed) -> bool:
    """Whether the request is a SPARQL Update rather than a query.

    True when an operation's first keyword after its prologue (BASE, PREFIX, VERSION) is an
    update keyword, for the first operation or any after a top-level `;`.  Never raises: text
    that stops lexing is judged on the tokens before the fault, so a broken update still
    counts as an update.
    """
    depth = 0
    at_operation_start = True
    for token in _tokens_until_error(text):
        if token.kind is Kind.PUNCT and token.text in _OPENERS:
            depth += 1
        elif token.kind is Kind.PUNCT and token.text in _CLOSERS:
            depth = max(depth - 1, 0)
        elif depth == 0 and token.is_punct(";"):
            at_operation_start = True
            continue
        if not at_operation_start:
            continue
        in_prologue = (
            token.is_keyword("BASE", "PREFIX", "VERSION")
            or token.kind in STRINGS
            or token.kind in (Kind.IRIREF, Kind.PNAME_NS)
        )
        if in_prologue:
            continue
        if token.is_keyword(*UPDATE_KEYWORDS):
            return True
        at_operation_start = False
    return False


QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})


def query_form(text: str | Lexed) -> str | None:
    """The query's form, SELECT, ASK, CONSTRUCT or DESCRIBE: its first keyword after the
    prologue.  None when the text has none there (an update, or text that does not lex that
    far).  Text not yet lexed is read no further than that keyword."""
    found = text.found if isinstance(text, Lexed) else _Scanner(text).scan()
    try:
        for token in found:
            if token.is_keyword("BASE", "PREFIX", "VERSION") or token.kind in (
                *STRINGS,
                Kind.IRIREF,
                Kind.PNAME_NS,
            ):
                continue
            word = token.text.upper() if token.kind is Kind.KEYWORD else ""
            return word if word in QUERY_FORMS else None
    except LexError:
        return None
    return None


def service_targets(
    text: str | Lexed, base: str = ns.BASE, prefixes: Mapping[str, str] | None = None
) -> list[str | None]:
    """The endpoint each SERVICE names, in order: an absolute IRI, or None for a variable.

    Relative IRIs resolve against the text's BASE declarations, in order, starting from
    ``base`` (the base the query is run with); prefixed names expand with the text's PREFIX
    declarations over ``prefixes`` (any the query is run with).

    Raises LexError where the text cannot be lexed, has a SERVICE without an IRI or a variable
    after it, or has a word pyoxigraph could read differently (see the module's docstring): a
    word that is not a SPARQL keyword, a prefixed name with an undeclared prefix or with SERVICE
    in its prefix, or a SERVICE target starting with SILENT.  Such a query is malformed, or
    relies on pyoxigraph reading words apart.
    """
    found: list[str | None] = []
    current_base = base
    declared = dict(prefixes or {})
    items = tokens(text)
    index = 0
    while index < len(items):
        token = items[index]
        following = items[index + 1 : index + 3]
        if token.is_keyword("BASE"):
            if not following or following[0].kind is not Kind.IRIREF:
                raise _error_at(token, "BASE must be followed by an IRI")
            current_base = _resolve(current_base, following[0])
            index += 2
            continue
        if token.is_keyword("PREFIX"):
            if (
                len(following) < 2
                or following[0].kind is not Kind.PNAME_NS
                or following[1].kind is not Kind.IRIREF
            ):
                raise _error_at(token, "PREFIX must be followed by a prefix name and an IRI")
            _refuse_misreadable(following[0], None)
            declared[following[0].text[:-1]] = _resolve(current_base, following[1])
            index += 3
            continue
        _refuse_misreadable(token, declared)
        if token.is_keyword("SERVICE"):
            target = following[0] if following else None
            if target is not None and target.is_keyword("SILENT"):
                target = following[1] if len(following) > 1 else None
            elif target is not None and target.text.upper().startswith("SILENT"):
                # pyoxigraph reads `SERVICE silent:x` as SERVICE SILENT :x.
                raise _error_at(
                    target,
                    f"`{target.text}` after SERVICE reads as SILENT "
                    "followed by something else; put a space after SILENT",
                )
            found.append(_service_target(token, target, current_base, declared))
        index += 1
    return found


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def has_relative_iri(text: str | Lexed) -> bool:
    """Whether any IRI written in the text (``<...>``) is relative, so needs a base to resolve.
    Text that stops lexing counts its IRIs up to the fault, and then says True, to be safe."""
    try:
        return any(
            token.kind is Kind.IRIREF and not _SCHEME.match(iri_value(token))
            for token in tokens(text)
        )
    except LexError:
        return True


def iri_value(token: Token) -> str:
    """An IRIREF's IRI, its \\u and \\U escapes decoded (still relative if it was)."""

    def decode(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF:
            raise _error_at(token, f"`{match.group()}` is not a Unicode character")
        return chr(code)

    return _HEX_ESCAPES.sub(decode, token.text[1:-1])


def expand(token: Token, prefixes: Mapping[str, str]) -> str:
    """A prefixed name's IRI; raises LexError for an undeclared prefix."""
    prefix, _, local = token.text.partition(":")
    if prefix not in prefixes:
        raise _error_at(token, f"undeclared prefix `{prefix}:`")
    return prefixes[prefix] + re.sub(r"\\(.)", r"\1", local)


# --- Helpers -------------------------------------------------------------------------------

# An IRI with a scheme is absolute; urljoin would resolve `https:x` against an https base
# where RFC 3986 (and pyoxigraph) keep it as it is.
_HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _resolve(base: str, reference: Token) -> str:
    """The IRI of an IRIREF, resolved against ``base`` if relative."""
    iri = iri_value(reference)
    if _HAS_SCHEME.match(iri):
        return iri
    try:
        return urljoin(base, iri)
    except ValueError as error:  # an authority urllib cannot split, such as `//[x/`
        raise _error_at(reference, f"cannot resolve <{iri}> against <{base}>: {error}") from None


def _service_target(
    service: Token, target: Token | None, base: str, prefixes: Mapping[str, str]
) -> str | None:
    if target is None or not (target.kind in (Kind.VAR, Kind.IRIREF) or target.kind in PNAMES):
        raise _error_at(service, "SERVICE must be followed by an IRI or a variable")
    if target.kind is Kind.VAR:
        return None
    if target.kind is Kind.IRIREF:
        return _resolve(base, target)
    return expand(target, prefixes)


def _refuse_misreadable(token: Token, declared: Mapping[str, str] | None) -> None:
    """Refuse words that pyoxigraph could split into others, SERVICE among them.

    pyoxigraph matches keywords without a word boundary, and when a prefixed name's prefix is
    not declared it tries reading the name's start as something else: `trueSERVICE <x> {}` is
    `true SERVICE <x> {}`, and `trueSERVICEex:y` with `ex:` declared is `true SERVICE ex:y`.
    A word that is a keyword, and a name whose prefix is declared, are read whole.
    """
    if token.kind is Kind.KEYWORD:
        if token.text != "a" and token.text.upper() not in KEYWORDS:
            raise _error_at(token, f"`{token.text}` is not a SPARQL keyword")
    elif token.kind in PNAMES:
        prefix = token.text.partition(":")[0]
        if "SERVICE" in prefix.upper():
            raise _error_at(
                token,
                f"`{token.text}` has SERVICE in its prefix, which can be read "
                "as the SERVICE keyword; rename the prefix",
            )
        if declared is not None and prefix not in declared:
            raise _error_at(token, f"undeclared prefix `{prefix}:`")


def _error_at(token: Token, message: str) -> LexError:
    return LexError(message, token.line, token.column, token.offset)


def _tokens_until_error(text: str | Lexed) -> Iterator[Token]:
    yield from Lexed.of(text).found

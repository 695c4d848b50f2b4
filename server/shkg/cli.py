"""The `shkg` command line: build, validate, serve, query, publish, coverage, add-article, quote."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from shkg import __version__
from shkg.errors import BadRequest, ShkgError
from shkg.project import Project
from shkg.settings import SETTING_NAMES, TURNED_OFF, add_options


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.handler(args)
        return code
    except ShkgError as error:
        print(f"shkg {args.command}: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _project(args: argparse.Namespace) -> Project:
    def given(value: str | None) -> str | None:
        return None if value is TURNED_OFF else value

    return Project.locate(given(args.root), given(args.var))


def cmd_build(args: argparse.Namespace) -> int:
    from shkg.build.pipeline import build

    release = build(_project(args), _log)
    print(release.path)
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from shkg.build.pipeline import check_project

    check_project(_project(args), _log)
    print("valid")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from shkg.build.release import current_release
    from shkg.settings import Settings
    from shkg.web.connections import GuardedHttpProtocol

    settings = Settings.from_sources(vars(args))
    project = _project(args)
    release = current_release(project.var)  # fail here, with a clear message, if none
    if settings.backend:  # and here if the backend does not hold it
        from shkg.run.backends import open_remote

        open_remote(settings.backend, settings.query_timeout, release.manifest).close()
    # Server processes read their settings from the environment (uvicorn may start several).
    os.environ.update(settings.to_environ())
    os.environ.update({"SHKG_ROOT": str(project.root), "SHKG_VAR": str(project.var)})
    _log(f"serving release {release.path.name} on http://{settings.host}:{settings.port}/sparql")
    uvicorn.run(
        "shkg.web.app:app_from_environment",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=args.log_level,
        access_log=False,
        # X-Forwarded-For names the client only when it comes from a proxy said to be ours;
        # uvicorn would otherwise trust it from 127.0.0.1, so any local process could pose as
        # any number of clients to the rate limits.
        # uvicorn's HTTP protocol with limits on heads, bodies, slowness and connections.
        http=GuardedHttpProtocol,
        proxy_headers=bool(settings.forwarded_allow_ips),
        forwarded_allow_ips=list(settings.forwarded_allow_ips) or None,
    )
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    from shkg.build.release import current_release
    from shkg.query.sparql import Limits, QueryRequest, answer

    text = Path(args.file).read_text(encoding="utf-8") if args.file else args.query
    if not text:
        raise BadRequest("give a query, or --file with a query")
    release = current_release(_project(args).var)
    # Without --format: tab-separated rows for SELECT and ASK, Turtle for graphs.
    accept = None if args.format else "text/tab-separated-values, text/turtle"
    # A local user asked for this query: no row or size limits.
    result = answer(
        release.open_store(),
        QueryRequest(query=text, format=args.format, accept=accept, federation_allowlist=None),
        Limits(max_rows=None, max_bytes=None),
    )
    sys.stdout.buffer.write(result.body)
    if not result.body.endswith(b"\n"):
        sys.stdout.buffer.write(b"\n")
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    from shkg.build.publish import PASSWORD_VARIABLE, Credentials, PublishError, publish_release
    from shkg.build.release import current_release

    credentials = None
    if args.user:
        password = os.environ.get(PASSWORD_VARIABLE)
        if password is None and sys.stdin.isatty():
            password = getpass.getpass(f"password of {args.user} at {args.to}: ")
        if password is None:
            raise PublishError(f"--user {args.user}: set {PASSWORD_VARIABLE} to the password")
        credentials = Credentials(args.user, password)
    release = current_release(_project(args).var)
    sent = publish_release(release, args.to, _log, credentials=credentials)
    print(
        f"published release {release.build_id}: {sent} triples in "
        f"{len(release.manifest.graphs)} named graphs to {args.to}"
    )
    return 0


def cmd_coverage(args: argparse.Namespace) -> int:
    from shkg.build.coverage import coverage_report

    report = coverage_report(_project(args), args.seed)
    print(report.format(show_covered=args.all))
    return 1 if report.missing or report.unused_waivers else 0


def cmd_add_article(args: argparse.Namespace) -> int:
    from shkg.build.authoring import add_article

    project = _project(args)
    added = add_article(project, Path(args.file), args.title, args.date, args.publisher, args.url)
    print(
        f"added {project.relative(added.seed)} (key {added.key}), catalogued in "
        f"{project.relative(project.catalogue)}; "
        f"write its facts in {project.relative(added.article_file)}"
    )
    return 0


def cmd_quote(args: argparse.Namespace) -> int:
    from shkg.build.authoring import find_seed, quote_turtle
    from shkg.build.pipeline import read_project

    seeds = read_project(_project(args)).seeds
    print(quote_turtle(find_seed(seeds, args.seed), args.text), end="")
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shkg", description="Shanghai Industry Knowledge Graph: build, check and serve it."
    )
    parser.add_argument("--version", action="version", version=f"shkg {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--root", help="project directory (default: $SHKG_ROOT or the current directory)"
    )
    common.add_argument("--var", help="release directory (default: ROOT/var)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser(
        "build", parents=[common], help="check the data and publish a new release"
    )
    build.set_defaults(handler=cmd_build)

    validate = commands.add_parser(
        "validate", parents=[common], help="parse, SHACL-validate and check quotes without building"
    )
    validate.set_defaults(handler=cmd_validate)

    serve = commands.add_parser(
        "serve", parents=[common], help="serve the current release over HTTP"
    )
    add_options(serve, tuple(name for name in SETTING_NAMES if name not in ("root", "var")))
    serve.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    serve.set_defaults(handler=cmd_serve)

    query = commands.add_parser(
        "query", parents=[common], help="run a SPARQL query on the current release"
    )
    query.add_argument("query", nargs="?", help="the query text")
    query.add_argument("--file", "-f", help="read the query from this file")
    query.add_argument(
        "--format",
        help="json, xml, csv, tsv (SELECT/ASK; default tsv); "
        "turtle, ntriples, jsonld, rdfxml (graphs; default turtle)",
    )
    query.set_defaults(handler=cmd_query)

    publish = commands.add_parser(
        "publish",
        parents=[common],
        help="load the current release into a SPARQL store "
        "(Graph Store Protocol, one PUT per named graph)",
    )
    publish.add_argument(
        "--to",
        required=True,
        metavar="URL",
        help="the target's Graph Store endpoint, e.g. http://127.0.0.1:7878/store "
        "(Oxigraph) or http://127.0.0.1:8890/sparql-graph-crud-auth (Virtuoso)",
    )
    publish.add_argument(
        "--user",
        help="the user name to answer the target's Digest or Basic challenge with; the "
        "password comes from SHKG_PUBLISH_PASSWORD (or is asked for on a terminal)",
    )
    publish.set_defaults(handler=cmd_publish)

    coverage = commands.add_parser(
        "coverage",
        parents=[common],
        help="list every sentence of the seeds not yet covered by a fact or "
        "waived, and a table per seed; exits 1 if one is missing",
    )
    coverage.add_argument(
        "seed",
        nargs="?",
        metavar="KEY",
        help="only this seed (its key, e.g. 18db54f95c37712d, or file name)",
    )
    coverage.add_argument(
        "--all",
        action="store_true",
        help="also list covered and waived sentences, with what covers them",
    )
    coverage.set_defaults(handler=cmd_coverage)

    add = commands.add_parser(
        "add-article",
        parents=[common],
        help="copy a new article's text into seeds/, catalogue it with its SHA-256 "
        "and write its article file to fill",
    )
    add.add_argument("file", help="the article's text (UTF-8), copied byte for byte")
    add.add_argument(
        "--title", required=True, help="the article's title (in [brackets] if the text prints none)"
    )
    add.add_argument("--date", required=True, help="publication date: YYYY-MM-DD, YYYY-MM or YYYY")
    add.add_argument("--publisher", help="an organisation of graph/entities/, e.g. china-daily")
    add.add_argument("--url", help="where the article was published")
    add.set_defaults(handler=cmd_add_article)

    quote = commands.add_parser(
        "quote",
        parents=[common],
        help="print the quote resource (both selectors) for a passage of a seed, "
        "refusing text that is absent or stands more than once",
    )
    quote.add_argument("seed", metavar="KEY", help="the seed's key, e.g. 18db54f95c37712d")
    quote.add_argument("text", help="the exact text of the passage, usually a whole sentence")
    quote.set_defaults(handler=cmd_quote)
    return parser


if __name__ == "__main__":
    sys.exit(main())

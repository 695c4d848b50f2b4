"""`shkg build` and `shkg validate`: read, check, infer, load, dump, publish.

Reading and checking (:func:`check_project`) is shared by both commands; only a build goes on
to write a release (:func:`build`).  Every step raises a :class:`~shkg.errors.ShkgError`
naming the file, node or quote at fault, and nothing is published unless all steps pass.
"""

from __future__ import annotations

import hashlib
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph
import rdflib
from rdflib.namespace import RDF

from shkg import __version__, graphstore, search
from shkg import namespaces as ns
from shkg.build.articles import read_article, read_readings
from shkg.build.checks import Problem, check_quotes, check_references, quotes_in
from shkg.build.inference import entailments
from shkg.build.release import (
    MANIFEST,
    Release,
    build_lock,
    publish,
    start_release,
    write_dumps,
)
from shkg.build.sources import NamedGraph, Seed, parse_turtle, read_links, read_seeds
from shkg.build.validation import load_shapes, validate
from shkg.errors import InputError, QuoteMismatch, ValidationFailed
from shkg.manifest import Manifest
from shkg.project import Project

Log = Callable[[str], None]

SCHEMA_TEXT = rdflib.URIRef(ns.SCHEMA + "text")
# The classes whose instances are kinds, not single things (their Wikidata items are classes or
# fields): linked with skos:exactMatch, every other resource with owl:sameAs.
KINDS_OF_THINGS = ("Industry", "IndustryGroup", "Product", "Metric")
PROV = rdflib.Namespace(ns.PROV)


@dataclass
class CheckedProject:
    """The inputs of a build, read and checked."""

    graphs: list[NamedGraph]
    seeds: list[Seed]
    input_hash: str
    quotes: int
    defined_in: dict[str, list[str]] = field(default_factory=dict)
    # Per article graph: its rdf:Statement nodes, added to the graph when the release is written
    # (after SHACL and inference, which have nothing to say about them).
    statements: dict[str, rdflib.Graph] = field(default_factory=dict)
    # Per article graph: each quoted sentence and the triples it states.
    sentences: dict[str, dict[rdflib.URIRef, rdflib.Graph]] = field(default_factory=dict)

    def union(self, leave_out: tuple[str, ...] = ()) -> rdflib.Graph:
        merged = rdflib.Graph()
        for named in self.graphs:
            if named.iri in leave_out:
                continue
            for triple in named.graph:
                merged.add(triple)
        return merged


def read_project(project: Project) -> CheckedProject:
    """Parse every input file into its named graph; check seeds against the catalogue."""
    graphs: list[NamedGraph] = []
    defined_in: dict[str, list[str]] = {}

    def read(iri: str, files: list[Path]) -> NamedGraph:
        named = NamedGraph(iri=iri, graph=rdflib.Graph(), files=files)
        for path in files:
            one = parse_turtle(path, project)
            for subject in set(one.subjects()):
                defined_in.setdefault(str(subject), []).append(project.relative(path))
            for triple in one:
                named.graph.add(triple)
        graphs.append(named)
        return named

    if not project.ontology_files:
        raise InputError("ontology/: no Turtle files")
    read(ns.ONTOLOGY_GRAPH, project.ontology_files)
    catalogue = read(ns.CATALOGUE_GRAPH, [project.catalogue])
    seeds = read_seeds(project, catalogue.graph)
    entities = read(ns.ENTITIES_GRAPH, project.entity_files)
    keys = {seed.key: seed for seed in seeds}
    described = {subject for named in graphs for subject in named.graph.subjects()}
    entity_nodes = set(entities.graph.subjects())
    statements: dict[str, rdflib.Graph] = {}
    sentences: dict[str, dict[rdflib.URIRef, rdflib.Graph]] = {}
    for path in project.article_files:
        if path.stem not in keys:
            raise InputError(
                f"{project.relative(path)}: no seed with key {path.stem!r} in the catalogue"
            )
        iri = ns.article_graph(path.stem)
        article = read_article(path, project, keys[path.stem].article, described, entity_nodes)
        for subject in set(article.graph.subjects()):
            defined_in.setdefault(str(subject), []).append(project.relative(path))
        graphs.append(NamedGraph(iri=iri, graph=article.graph, files=[path]))
        statements[iri] = article.statements
        sentences[iri] = article.sentences
    for seed in seeds:
        # The article's whole text, so that its page (and any client) can show every quoted
        # sentence in place: the quotes' oa:start and oa:end count characters of this text.
        catalogue.graph.add(
            (rdflib.URIRef(seed.article), SCHEMA_TEXT, rdflib.Literal(seed.text, lang="en"))
        )
        # Each article's graph is derived from the article, so a consumer can tell from a
        # GRAPH clause alone which source a triple comes from.
        catalogue.graph.add(
            (
                rdflib.URIRef(ns.article_graph(seed.key)),
                PROV.wasDerivedFrom,
                rdflib.URIRef(seed.article),
            )
        )
    if project.readings.exists():
        graphs.append(
            NamedGraph(
                iri=ns.READINGS_GRAPH,
                graph=read_readings(project.readings, project),
                files=[project.readings],
            )
        )
    typed = {str(s) for named in graphs for s in named.graph.subjects(RDF.type, None)}
    # Kinds of things, linked to Wikidata with skos:exactMatch (see read_links).
    concepts = {
        str(s)
        for named in graphs
        for kind in KINDS_OF_THINGS
        for s in named.graph.subjects(RDF.type, rdflib.URIRef(ns.SHKG + kind))
    }
    links = read_links(project, typed, concepts)
    graphs.append(
        NamedGraph(iri=ns.LINKS_GRAPH, graph=links, files=[project.links_table, project.links_map])
    )
    return CheckedProject(
        graphs=graphs,
        seeds=seeds,
        input_hash=_input_hash(project),
        quotes=0,
        defined_in=defined_in,
        statements=statements,
        sentences=sentences,
    )


def check_project(project: Project, log: Log) -> CheckedProject:
    """Read the project and run every check a release must pass."""
    checked = read_project(project)
    union = checked.union()
    log(
        f"read {sum(len(g.files) for g in checked.graphs)} files into "
        f"{len(checked.graphs)} graphs, {len(union)} triples"
    )

    problems = check_references(union)
    if problems:
        raise InputError(_report("undefined references", problems, checked))

    ontology = next(g.graph for g in checked.graphs if g.iri == ns.ONTOLOGY_GRAPH)
    shapes = rdflib.Graph()
    for path in project.shape_files:
        shapes += load_shapes(path)
    started = time.monotonic()
    result = validate(union, shapes, ontology)
    if not result.conforms:
        lines = [Problem(_where(v.focus_node, checked), v.format()) for v in result.violations]
        raise ValidationFailed(_report("SHACL violations", lines, checked))
    log(f"SHACL: conforms ({len(shapes)} shape triples, {time.monotonic() - started:.1f} s)")

    problems = check_quotes(union, checked.seeds)
    if problems:
        raise QuoteMismatch(_report("quotes not found in their seeds", problems, checked))
    checked.quotes = len(quotes_in(union))
    log(f"quotes: {checked.quotes} checked against {len(checked.seeds)} seeds")
    return checked


def build(project: Project, log: Log) -> Release:
    """Check, infer, load a new store, write dumps, and publish it as the current release."""
    with build_lock(project.var):
        checked = check_project(project, log)
        # The Wikidata links stay out of inference: owl:sameAs would copy every statement about
        # a linked entity onto the Wikidata IRI, which adds nothing a federating query needs.
        inferred = entailments(checked.union(leave_out=(ns.LINKS_GRAPH,)))
        checked.graphs.append(NamedGraph(iri=ns.INFERRED_GRAPH, graph=inferred))
        log(f"inference: {len(inferred)} entailed triples")
        checked.graphs.append(
            NamedGraph(iri=ns.RELEASE_GRAPH, graph=release_graph(build_id(checked)))
        )

        work = start_release(project.var)
        try:
            release = _write_release(work, checked, project, log)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        log(f"published release {release.path.name}")
        return release


def _write_release(work: Path, checked: CheckedProject, project: Project, log: Log) -> Release:
    store = pyoxigraph.Store(str(work / "store"))
    counts: dict[str, int] = {}
    for named in checked.graphs:
        if named.iri in checked.statements:
            named.graph += checked.statements[named.iri]
        data = named.graph.serialize(format="nt", encoding="utf-8")
        store.bulk_load(
            data, format=pyoxigraph.RdfFormat.N_TRIPLES, to_graph=pyoxigraph.NamedNode(named.iri)
        )
        counts[named.iri] = len(named.graph)
    store.flush()
    store.optimize()
    quads = len(store)
    triples = _distinct_triples(store)
    log(f"store: {quads} quads in {len(counts)} named graphs, {triples} distinct triples")

    short_names = {iri.removeprefix(ns.GRAPH): iri for iri in counts}
    dumps = write_dumps(store, work / "dumps", short_names)
    answers = graphstore.write_all(store, work / graphstore.GRAPH_STORE, list(counts))
    index = search.write_index(store, work / search.SEARCH_FILE)
    log(f"search index: {index.names} names of {index.resources} resources in {index.seconds} s")
    del store

    created = datetime.now(UTC)
    manifest = Manifest(
        build_id=build_id(checked),
        input_sha256=checked.input_hash,
        created=created.isoformat(timespec="seconds"),
        software_version=__version__,
        quads=quads,
        triples=triples,
        graphs=counts,
        quotes=checked.quotes,
        seeds={seed.key: seed.path.name for seed in checked.seeds},
        shacl_conforms=True,
        dumps=tuple(dumps),
        graph_store=tuple(answers),
        search=index.entry(work / search.SEARCH_FILE),
    )
    manifest.write(work / MANIFEST)
    name = f"{created.strftime('%Y%m%dT%H%M%S%fZ')}-{build_id(checked)}"
    release = publish(work, name, project.var)
    return release


def build_id(checked: CheckedProject) -> str:
    """The release's id: the start of the hash of every input, so one set of inputs, one id."""
    return checked.input_hash[:16]


def release_graph(version: str) -> rdflib.Graph:
    """The graph saying which release this is, so that a store can be asked whether it holds
    this very release (see :func:`shkg.run.backends.check_holds_release`), not just one as large."""
    graph = rdflib.Graph()
    graph.add(
        (rdflib.URIRef(ns.DATASET), rdflib.URIRef(ns.DCAT + "version"), rdflib.Literal(version))
    )
    return graph


def _distinct_triples(store: pyoxigraph.Store) -> int:
    """Triples in the union of the named graphs (the endpoint's default graph), each once."""
    result = store.query(
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
        use_default_graph_as_union=True,
    )
    assert isinstance(result, pyoxigraph.QuerySolutions)
    count = next(iter(result))["n"]
    assert isinstance(count, pyoxigraph.Literal)
    return int(count.value)


def _input_hash(project: Project) -> str:
    """SHA-256 over every input file (path and bytes) and the software version."""
    digest = hashlib.sha256(__version__.encode())
    files = [
        *project.ontology_files,
        project.catalogue,
        *sorted(project.seeds.glob("*.txt")),
        *project.entity_files,
        *project.article_files,
        *project.shape_files,
        *([project.readings] if project.readings.exists() else []),
        project.links_table,
        project.links_map,
    ]
    for path in files:
        digest.update(project.relative(path).encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def _where(node: str, checked: CheckedProject) -> str:
    files = checked.defined_in.get(node)
    return f"{', '.join(sorted(set(files)))}" if files else "(generated)"


def _report(title: str, problems: list[Problem], checked: CheckedProject) -> str:
    shown = problems[:50]
    more = f"\n  ... and {len(problems) - len(shown)} more" if len(problems) > len(shown) else ""
    return f"{title} ({len(problems)}):\n" + "\n".join(f"  {p}" for p in shown) + more

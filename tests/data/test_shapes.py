"""Tests of the SHACL shapes (shapes/shkg-shapes.ttl) and of shkg.validation.

Every file in tests/fixtures/shapes/valid/ must conform.  Every file in
tests/fixtures/shapes/invalid/ starts with one or more lines ``# violates: shapes:SomeShape``
and must violate exactly those shapes: it is a valid fixture with one fault, so it fails for that
fault alone.  A result of a property shape or a nested shape counts for the named node shape
that holds it (``Violation.shape``).
"""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import pytest
import rdflib
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS

ROOT = Path(__file__).resolve().parents[2]
try:
    from shkg.build.validation import ValidationResult, load_shapes, validate
except ImportError:  # the package is not installed: use the source tree
    sys.path.insert(0, str(ROOT / "server"))
    from shkg.build.validation import ValidationResult, load_shapes, validate

SHAPES_FILE = ROOT / "shapes" / "shkg-shapes.ttl"
ONTOLOGY_FILE = ROOT / "ontology" / "shkg.ttl"
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
VALID = sorted((FIXTURES / "valid").glob("*.ttl"))
INVALID = sorted((FIXTURES / "invalid").glob("*.ttl"))

SHAPES_NS = "https://w3id.org/shkg/shapes#"
SHKG_NS = "https://w3id.org/shkg/ontology#"
HEADER = re.compile(r"^# violates: shapes:(\w+)\s*$")

# Terms of standard vocabularies that the shapes may use as classes.
STANDARD_CLASSES = {
    SKOS.Concept,
    SKOS.ConceptScheme,
    rdflib.URIRef("http://xmlns.com/foaf/0.1/Person"),
    rdflib.URIRef("http://www.w3.org/ns/org#Membership"),
    rdflib.URIRef("http://www.w3.org/ns/org#Role"),
    rdflib.URIRef("http://www.w3.org/ns/org#Post"),
    rdflib.URIRef("http://www.w3.org/ns/org#Organization"),
    rdflib.URIRef("http://www.w3.org/ns/org#FormalOrganization"),
    rdflib.URIRef("http://www.w3.org/ns/org#OrganizationalUnit"),
    rdflib.URIRef("http://www.w3.org/2006/time#ProperInterval"),
    rdflib.URIRef("http://www.w3.org/2006/time#Instant"),
    rdflib.URIRef("http://www.w3.org/ns/oa#TextQuoteSelector"),
    rdflib.URIRef("http://www.w3.org/ns/oa#TextPositionSelector"),
}


@cache
def shapes_graph() -> rdflib.Graph:
    return load_shapes(SHAPES_FILE)


@cache
def ontology_graph() -> rdflib.Graph:
    return rdflib.Graph().parse(ONTOLOGY_FILE, format="turtle")


@cache
def result_for(path: Path) -> ValidationResult:
    data = rdflib.Graph().parse(path, format="turtle")
    return validate(data, shapes_graph(), ontology_graph())


def header_shapes(path: Path) -> set[str]:
    """The shapes named by the ``# violates:`` lines at the top of a fixture."""
    named: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        match = HEADER.match(line)
        if match:
            named.add(SHAPES_NS + match.group(1))
        elif not line.startswith("#"):
            break
    return named


def node_shapes() -> set[str]:
    graph = shapes_graph()
    return {str(s) for s in graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, rdflib.URIRef)}


def local(iri: str) -> str:
    return iri.rsplit("#", 1)[-1]


# ---------------------------------------------------------------- fixtures


def test_fixture_folders_are_not_empty() -> None:
    assert VALID, "no valid fixtures"
    assert INVALID, "no invalid fixtures"


@pytest.mark.parametrize("path", VALID, ids=[p.stem for p in VALID])
def test_valid_fixture_conforms(path: Path) -> None:
    result = result_for(path)
    assert result.conforms, result.format()
    assert result.violations == ()


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
@pytest.mark.slow
def test_invalid_fixture_violates_its_shapes(path: Path) -> None:
    named = header_shapes(path)
    assert named, f"{path.name} has no '# violates: shapes:...' header line"
    unknown = named - node_shapes()
    assert not unknown, f"{path.name} names shapes that do not exist: {sorted(map(local, unknown))}"
    result = result_for(path)
    assert not result.conforms, f"{path.name} conforms"
    missing = named - result.shapes
    assert not missing, (
        f"{path.name} does not violate {sorted(map(local, missing))}; "
        f"it violates:\n{result.format()}"
    )


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_fixture_fails_only_for_its_reason(path: Path) -> None:
    extra = result_for(path).shapes - header_shapes(path)
    assert not extra, (
        f"{path.name} also violates {sorted(map(local, extra))}:\n{result_for(path).format()}"
    )


def test_every_node_shape_has_an_invalid_fixture() -> None:
    covered = set().union(*(header_shapes(p) for p in INVALID))
    uncovered = node_shapes() - covered
    assert not uncovered, f"no invalid fixture names {sorted(map(local, uncovered))}"


def test_every_sparql_constraint_fires() -> None:
    graph = shapes_graph()
    with_sparql = {str(s) for s in graph.subjects(SH.sparql, None)}
    fired = {
        v.shape
        for p in INVALID
        for v in result_for(p).violations
        if v.component == "SPARQLConstraintComponent"
    }
    assert with_sparql, "the shapes define no SHACL-SPARQL constraint"
    silent = with_sparql - fired
    assert not silent, f"no invalid fixture triggers SPARQL in {sorted(map(local, silent))}"


# ---------------------------------------------------------------- the shapes graph


def test_shapes_graph_is_valid_shacl() -> None:
    from pyshacl import validate as pyshacl_validate

    conforms, _report, text = pyshacl_validate(
        rdflib.Graph(), shacl_graph=shapes_graph(), meta_shacl=True, advanced=True
    )
    assert conforms, text


def test_node_shapes_are_named_and_labelled() -> None:
    graph = shapes_graph()
    for shape in graph.subjects(RDF.type, SH.NodeShape):
        assert isinstance(shape, rdflib.URIRef), f"anonymous node shape {shape}"
        assert str(shape).startswith(SHAPES_NS), shape
        assert str(shape).endswith("Shape"), shape
        assert graph.value(shape, RDFS.label) is not None, f"{local(str(shape))} has no rdfs:label"
        assert graph.value(shape, SH.targetClass) is not None, f"{shape} has no sh:targetClass"


def test_property_shapes_are_anonymous() -> None:
    """Property shapes are mapped to the node shape holding them, so they have no IRI."""
    graph = shapes_graph()
    for prop in graph.objects(None, SH.property):
        assert isinstance(prop, rdflib.BNode), f"property shape {prop} has an IRI"


def test_shape_classes_exist() -> None:
    graph = shapes_graph()
    ontology = ontology_graph()
    declared = set(ontology.subjects(RDF.type, OWL.Class))
    used = set(graph.objects(None, SH.targetClass)) | set(graph.objects(None, SH["class"]))
    for cls in sorted(used, key=str):
        assert isinstance(cls, rdflib.URIRef), cls
        if str(cls).startswith(SHKG_NS):
            assert cls in declared, f"{cls} is not declared in ontology/shkg.ttl"
        else:
            assert cls in STANDARD_CLASSES, f"{cls} is neither an shkg class nor a standard class"


def test_every_ontology_class_used_by_data_has_a_shape() -> None:
    """Every shkg class is the target of a shape, directly or through a super-class."""
    graph = shapes_graph()
    ontology = ontology_graph()
    targets = set(graph.objects(None, SH.targetClass))
    abstract = {rdflib.URIRef(SHKG_NS + "QuantitativeStatement")}
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if cls in abstract:
            continue
        supers = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        assert supers & targets, f"no shape targets {cls} or a super-class of it"


def test_sparql_prefixes_are_declared() -> None:
    graph = shapes_graph()
    constraints = list(graph.objects(None, SH.sparql))
    assert constraints
    for constraint in constraints:
        prefixes_node = graph.value(constraint, SH.prefixes)
        assert prefixes_node is not None, "sh:sparql without sh:prefixes"
        declared = {
            str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
            for d in graph.objects(prefixes_node, SH.declare)
        }
        query = str(graph.value(constraint, SH.select))
        used = set(re.findall(r"(?<![\w<#/])([A-Za-z][\w-]*):[A-Za-z]", query))
        undeclared = sorted(used - declared.keys())
        assert not undeclared, f"undeclared prefixes {undeclared} in {query}"
        assert "$this" in query


# ---------------------------------------------------------------- shkg.validation


def test_report_is_sorted_and_deterministic() -> None:
    path = FIXTURES / "invalid" / "place-cycle.ttl"
    data = rdflib.Graph().parse(path, format="turtle")
    first = validate(data, shapes_graph(), ontology_graph())
    second = validate(data, shapes_graph(), ontology_graph())
    assert first == second
    keys = [(v.focus_node, v.shape) for v in first.violations]
    assert keys == sorted(keys)
    assert len(first.violations) == 3


def test_format_has_one_line_per_violation() -> None:
    result = result_for(FIXTURES / "invalid" / "figure-value-zero.ttl")
    lines = result.format().splitlines()
    assert len(lines) == len(result.violations) == 1
    violation = result.violations[0]
    assert violation.severity == "Violation"
    assert violation.shape == SHAPES_NS + "ObservationShape"
    assert violation.path == SHKG_NS + "value"
    assert lines[0].startswith(
        "focus <https://w3id.org/shkg/id/figure/000-ic-scale-2024>: "
        f"shape <{SHAPES_NS}ObservationShape> path <{SHKG_NS}value>: "
    )


def test_blank_focus_node_is_described_by_its_owner() -> None:
    result = result_for(FIXTURES / "invalid" / "selector-negative-start.ttl")
    (violation,) = result.violations
    assert violation.focus_node == (
        "[<https://w3id.org/shkg/id/quote/18db54f95c37712d-3735-4349>"
        " <http://www.w3.org/ns/oa#hasSelector>]"
    )


def test_dataset_is_validated_as_the_union_of_its_graphs() -> None:
    """A figure in one named graph, its quote and source in another, still conforms."""
    source = rdflib.Graph().parse(FIXTURES / "valid" / "figure.ttl", format="turtle")
    dataset = rdflib.Dataset()
    entities = dataset.graph(rdflib.URIRef("https://w3id.org/shkg/graph/entities"))
    article = dataset.graph(rdflib.URIRef("https://w3id.org/shkg/graph/18db54f95c37712d"))
    figure_ns = "https://w3id.org/shkg/id/figure/"
    for triple in source:
        subject = triple[0]
        in_article = str(subject).startswith(figure_ns) or isinstance(subject, rdflib.BNode)
        (article if in_article else entities).add(triple)
    assert len(entities) and len(article)
    result = validate(dataset, shapes_graph(), ontology_graph())
    assert result.conforms, result.format()


def test_validate_does_not_modify_its_inputs() -> None:
    data = rdflib.Graph().parse(FIXTURES / "valid" / "designation.ttl", format="turtle")
    sizes = (len(data), len(shapes_graph()), len(ontology_graph()))
    validate(data, shapes_graph(), ontology_graph())
    assert (len(data), len(shapes_graph()), len(ontology_graph())) == sizes


def test_subclasses_need_the_ontology() -> None:
    """Without the ontology a shkg:District is not known to be a shkg:Place."""
    data = rdflib.Graph().parse(FIXTURES / "invalid" / "place-label-missing.ttl", format="turtle")
    assert not validate(data, shapes_graph(), ontology_graph()).conforms
    assert validate(data, shapes_graph(), None).conforms

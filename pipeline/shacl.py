"""Check a DCAT catalogue against both official DCAT-AP 3.0.1 SHACL shape sets, offline.

Three runs of pySHACL (no inference, no advanced features):
1. `dcat-ap-3.0.1/shapes.ttl` + `range.ttl` (the `html/shacl` set): any sh:Violation fails
   with ValidationFailed, one line per finding;
2. `dcat-ap-3.0.1-shacl/dcat-ap-SHACL.ttl` + `ranges.ttl` (the single-file `shacl` set): the
   same, after the workaround of `_usable`;
3. `shapes_recommended.ttl`: its findings (sh:Warning) are returned as readable lines.
The shape graphs are parsed once per process.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from .errors import ValidationFailed

SHACL_DIR = Path(__file__).resolve().parent.parent / "schemas" / "shacl"
MANDATORY = ("dcat-ap-3.0.1/shapes.ttl", "dcat-ap-3.0.1/range.ttl")
SINGLE_FILE = ("dcat-ap-3.0.1-shacl/dcat-ap-SHACL.ttl", "dcat-ap-3.0.1-shacl/ranges.ttl")
RECOMMENDED = ("dcat-ap-3.0.1/shapes_recommended.ttl",)


@cache
def shapes_graph(names: tuple[str, ...]) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHACL_DIR / name, format="turtle")
    return _usable(graph)


def _usable(shapes: Graph) -> Graph:
    """Workaround for the single-file set as published (upstream issue SEMICeu/DCAT-AP#448):
    `dcat-ap-SHACL.ttl` links node shapes with sh:property to property shapes that have no
    sh:path, and `ranges.ttl` links to property shapes defined nowhere (so they have no path
    either); pySHACL refuses such a shapes graph. Those links constrain nothing, so they are
    dropped; every other shape is used as published. A no-op for the other sets."""
    for node, shape in list(shapes.subject_objects(SH.property)):
        if shapes.value(shape, SH.path) is None:
            shapes.remove((node, SH.property, shape))
    return shapes


def check_catalog(graph: Graph, path: str | Path | None = None) -> list[str]:
    """Raise ValidationFailed on any DCAT-AP violation; return the recommended-shape warnings
    (and any non-violation finding of the mandatory shapes) as readable lines."""
    violations, notes = _run(graph, MANDATORY)
    single_file, single_notes = _run(graph, SINGLE_FILE)
    violations, notes = sorted(set(violations + single_file)), sorted(set(notes + single_notes))
    if violations:
        raise ValidationFailed(f"the DCAT catalogue violates DCAT-AP 3.0.1 "
                               f"({len(violations)} finding(s))", violations, path)
    warnings, infos = _run(graph, RECOMMENDED)
    return notes + warnings + infos


def _run(graph: Graph, names: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(violations, other findings) of one pySHACL run, each as sorted readable lines."""
    _, report, _ = validate(graph, shacl_graph=shapes_graph(names), inference="none",
                            advanced=False, abort_on_first=False, allow_warnings=True,
                            allow_infos=True, meta_shacl=False)
    prefixes = _prefixes(graph)
    violations, others = set(), {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus, finding = _describe(report, result, prefixes)
        if report.value(result, SH.resultSeverity) == SH.Violation:
            violations.add(f"{finding[0]}: {focus}: {finding[1]}")
        else:                       # the same finding on many nodes is one line
            others.setdefault(finding, set()).add(focus)
    return sorted(violations), sorted(_on_nodes(finding, nodes) for finding, nodes in others.items())


def _on_nodes(finding: tuple[str, str], nodes: set[str], shown: int = 2) -> str:
    if len(nodes) == 1:
        return f"{finding[0]}: {next(iter(nodes))}: {finding[1]}"
    listed = ", ".join(sorted(nodes)[:shown]) + (", …" if len(nodes) > shown else "")
    return f"{finding[0]}: {finding[1]} (on {len(nodes)} nodes: {listed})"


def _describe(report: Graph, result: Node,
              prefixes: list[tuple[str, str]]) -> tuple[str, tuple[str, str]]:
    """(focus node, (severity, path: message (value))) of one finding, readable."""
    def short(node) -> str:
        if node is None:
            return "-"
        if isinstance(node, URIRef):
            text = str(node)
            for prefix, namespace in prefixes:
                if text.startswith(namespace) and len(text) > len(namespace):
                    return f"{prefix}:{text[len(namespace):]}"
            return f"<{text}>"
        return repr(str(node))

    severity = report.value(result, SH.resultSeverity)
    focus = report.value(result, SH.focusNode)
    path = report.value(result, SH.resultPath)
    # a message naming its focus node reads the same for every node it applies to
    messages = sorted(str(m).replace(f"<{focus}>", "the node")
                      for m in report.objects(result, SH.resultMessage))
    value = report.value(result, SH.value)
    level = str(severity).rsplit("#", 1)[-1] if severity is not None else "Result"
    line = f"{short(path)}: {'; '.join(messages) or 'constraint not met'}"
    if value is not None and value != focus:
        line += f" (value {short(value)})"
    return short(focus), (level, line)


def _prefixes(graph: Graph) -> list[tuple[str, str]]:
    """The graph's prefixes, longest namespace first (for compact readable IRIs)."""
    pairs = [(prefix, str(ns)) for prefix, ns in graph.namespaces() if prefix]
    return sorted(pairs, key=lambda pair: -len(pair[1]))


"""Check a DCAT catalogue against the vendored DCAT-AP 3.0.1 SHACL shapes, offline.

Two runs of pySHACL (no inference, no advanced features):
1. `shapes.ttl` + `range.ttl`: any sh:Violation fails with ValidationFailed, one line per finding;
2. `shapes_recommended.ttl`: its findings (sh:Warning) are returned as readable lines.
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

SHACL_DIR = Path(__file__).resolve().parent.parent / "schemas" / "shacl" / "dcat-ap-3.0.1"
MANDATORY = ("shapes.ttl", "range.ttl")
RECOMMENDED = ("shapes_recommended.ttl",)


@cache
def shapes_graph(names: tuple[str, ...]) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(SHACL_DIR / name, format="turtle")
    return graph


def check_catalog(graph: Graph, path: str | Path | None = None) -> list[str]:
    """Raise ValidationFailed on any DCAT-AP violation; return the recommended-shape warnings
    (and any non-violation finding of the mandatory shapes) as readable lines."""
    violations, notes = _run(graph, MANDATORY)
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


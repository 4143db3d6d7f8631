"""Check a DCAT catalogue against both official DCAT-AP 3.0.1 SHACL shape sets, offline.

Three shape sets, each checked by pySHACL (no inference, no advanced features):
1. `dcat-ap-3.0.1/shapes.ttl` + `range.ttl` (the `html/shacl` set): any sh:Violation fails
   with ValidationFailed, one line per finding;
2. `dcat-ap-3.0.1-shacl/dcat-ap-SHACL.ttl` + `ranges.ttl` (the single-file `shacl` set): the
   same, after the workaround of `_usable`;
3. `shapes_recommended.ttl`: its findings (sh:Warning) are returned as readable lines.
The shape graphs are parsed once per process. The catalogue is checked in parts (see
shacl_parts.py: the same findings as the whole graph), in forked worker processes where there
is more than one core; with a cache (partcache.py), each part's findings are kept under the
digest of its triples, so a republish checks only the parts that changed.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH
from rdflib.term import Node

from .errors import ValidationFailed
from .fingerprint import library_versions, tree_digest
from .forked import fork_cores
from .heap import collector_paused
from .partcache import CacheStats, PartCache
from .rdf.stream import worker_pool
from .shacl_parts import (TARGETS, Part, gather, likeness, literal_blind, node_local,
                          parts_graph, split)

CODE = Path(__file__).resolve()
SHACL_DIR = CODE.parent.parent / "schemas" / "shacl"
LIBRARIES = ("pyshacl", "rdflib")
MANDATORY = ("dcat-ap-3.0.1/shapes.ttl", "dcat-ap-3.0.1/range.ttl")
SINGLE_FILE = ("dcat-ap-3.0.1-shacl/dcat-ap-SHACL.ttl", "dcat-ap-3.0.1-shacl/ranges.ttl")
RECOMMENDED = ("dcat-ap-3.0.1/shapes_recommended.ttl",)
SHAPE_SETS = (MANDATORY, SINGLE_FILE, RECOMMENDED)
PARTS = 8                   # parts checked (at most; a few per worker evens out their load)
GROUP_TRIPLES = 10_000      # below this many triples per group, one group per core (group_count)
# Annotations that validate nothing (SHACL 2.3.2 non-validating characteristics, RDFS
# documentation); pySHACL reads every predicate of a shape each time it checks a node.
ANNOTATIONS = {SH.name, SH.description, SH.order, SH.group, RDFS.label, RDFS.comment,
               RDFS.seeAlso}

Finding = tuple[bool, str, tuple[str, str]]     # (a violation, focus node, (severity, line))
_JOB: tuple = ()            # (catalogue, parts, groups): what forked workers inherit


_SHAPES: dict[tuple[str, ...], Graph] = {}     # each shape set's graph, made once per process


def shapes_graph(names: tuple[str, ...]) -> Graph:
    """The shape set's graph without annotations, in rdflib's context-free store (pySHACL
    reads the shapes graph for every node it checks; that store answers fastest)."""
    return _shape_graph(names, PartCache(None), CacheStats())


def pyshacl_validate():
    """pySHACL's validate, imported when a part is first checked (before the workers fork): a
    republish whose parts are all in the cache loads neither pySHACL nor the SPARQL engine of
    rdflib it brings."""
    from pyshacl import validate
    return validate


def load_shapes(cache: PartCache, stats: CacheStats) -> None:
    """Every shape set's graph made in this process, its triples taken from the cache when
    there (parsed and trimmed, the three sets take 0.22 s; from the cache 0.02 s)."""
    for names in SHAPE_SETS:
        _shape_graph(names, cache, stats)


def _shape_graph(names: tuple[str, ...], cache: PartCache, stats: CacheStats) -> Graph:
    graph = _SHAPES.get(names)
    if graph is None:
        graph = _SHAPES[names] = _lean_graph(*cache.made(
            _shape_entry(cache, names), tuple, lambda: _shape_triples(names), stats))
    return graph


def _shape_entry(cache: PartCache, names: tuple[str, ...]) -> str:
    return cache.entry("shape-set", *names) if cache.folder is not None else ""


def _shape_triples(names: tuple[str, ...]) -> tuple[list, list]:
    """(namespaces, triples) of the shape set as used: parsed, made usable and targeted
    (_usable, _targeted), without annotations."""
    graph = Graph()
    for name in names:
        graph.parse(SHACL_DIR / name, format="turtle")
    triples = [triple for triple in _targeted(_usable(graph)) if triple[1] not in ANNOTATIONS]
    return list(graph.namespaces()), triples          # pySHACL's messages use the prefixes


def _lean_graph(namespaces: list, triples: list) -> Graph:
    lean = Graph(store="SimpleMemory", bind_namespaces="none")
    for prefix, namespace in namespaces:
        lean.bind(prefix, namespace)
    for triple in triples:
        lean.add(triple)
    return lean


def _targeted(shapes: Graph) -> Graph:
    """The property shapes of a node shape with targets given those targets instead of the
    sh:property link: the same checks of the same focus nodes with the same results (a node
    conforms to a node shape's sh:property iff it conforms to the property shape), but
    pySHACL then checks a property shape on all its focus nodes at once rather than node by
    node. Not done for a closed or deactivated node shape, which needs its links."""
    for node, shape in list(shapes.subject_objects(SH.property)):
        found = [(p, o) for p in TARGETS for o in shapes.objects(node, p)]
        if not found or (node, SH.closed, Literal(True)) in shapes \
                or (node, SH.deactivated, Literal(True)) in shapes:
            continue
        for predicate, target in found:
            shapes.add((shape, predicate, target))
        shapes.remove((node, SH.property, shape))
    return shapes


@cache
def targeted_shapes(names: tuple[str, ...]) -> set[Node]:
    shapes = shapes_graph(names)
    return {shape for predicate in TARGETS for shape in shapes.subjects(predicate)}


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


def check_catalog(graph: Graph, path: str | Path | None = None,
                  cache: PartCache | None = None) -> list[str]:
    """Raise ValidationFailed on any DCAT-AP violation; return the recommended-shape warnings
    (and any non-violation finding of the mandatory shapes) as readable lines. With a cache,
    the parts checked before are taken from it, and once the catalogue conforms the entries
    this check did not use are removed. `graph`: an rdflib
    Graph, or any iterable of triples with a Graph's namespaces() (dcat.CatalogTriples)."""
    cache = cache or PartCache(None)
    found, stats = check_parts(graph, cache)
    (violations, notes), (single_file, single_notes) = (_readable(found[names])
                                                        for names in (MANDATORY, SINGLE_FILE))
    violations, notes = sorted(set(violations + single_file)), sorted(set(notes + single_notes))
    if violations:
        raise ValidationFailed(f"the DCAT catalogue violates DCAT-AP 3.0.1 "
                               f"({len(violations)} finding(s))", violations, path)
    cache.prune(stats.used)
    warnings, infos = _readable(found[RECOMMENDED])
    return notes + warnings + infos


def catalogue_cache(folder: Path | None) -> PartCache:
    """The checked parts' entries in folder (None: no cache), under the version of this code,
    of the shape sets and of pySHACL and rdflib."""
    return PartCache(folder, _version() if folder is not None else "")


@cache
def _version() -> str:
    return f"{tree_digest(CODE, CODE.with_name('shacl_parts.py'), SHACL_DIR)}:" \
           f"{library_versions(LIBRARIES)}"


def check_parts(graph: Graph, cache: PartCache | None = None) \
        -> tuple[dict[tuple[str, ...], set[Finding]], CacheStats]:
    """The findings of every shape set on the catalogue, part by part: each part's taken from
    the cache under its digest, or checked (the parts missed gathered into at most PARTS
    pySHACL runs, in worker processes) and stored there. Where the shapes are literal-blind,
    of the parts missed that are alike (shacl_parts.likeness) one is checked, and the others
    only if it has findings."""
    cache, stats = cache or PartCache(None), CacheStats()
    checks = _node_local(cache, stats)
    if all(local for local, _, _ in checks):
        with collector_paused(keep=True):           # the parts: many small objects, no cycles
            parts = split(graph, set().union(*(inverse for _, inverse, _ in checks)))
    else:
        parts = [Part(None, list(graph))]
    prefixes, blind = _prefixes(graph), all(blind for _, _, blind in checks)
    texts: dict = {}
    names = [cache.entry("shacl-part", part.digest(texts, blind), prefixes) if cache.folder else ""
             for part in parts]
    found = [cache.load(name, stats) if name else None for name in names]
    missed = [index for index, findings in enumerate(found) if findings is None]
    if missed:                              # made here once, before the workers fork
        load_shapes(cache, stats)
        pyshacl_validate()
    stats.used.update(_shape_entry(cache, names) for names in SHAPE_SETS)   # kept for the next
    alike = _alike(parts, missed) if blind and len(missed) > 1 else {index: [] for index in missed}
    checked = _check(graph, parts, list(alike))
    again = [other for index, others in alike.items() if any(checked[index][0].values())
             for other in others]           # like a part with findings: each checked itself
    checked.update(_check(graph, parts, again))
    for index, others in alike.items():
        for other in others:
            if other not in checked:        # like a part without any finding: none either
                checked[other] = (checked[index][0], False)
    for index, (findings, names_a_literal) in checked.items():
        found[index] = findings
        # under a blind digest, a finding naming a literal would be stale for the next part
        # with that digest: such findings are checked again each time
        if names[index] and not (blind and names_a_literal):
            cache.store(names[index], findings, stats)
    # the parts checked and taken from the cache (none of either without a cache)
    stats.chunks_built, stats.chunks_reused = \
        (len(missed), len(parts) - len(missed)) if cache.folder is not None else (0, 0)
    return {names: set().union(*(part[names] for part in found)) for names in SHAPE_SETS}, stats


def _alike(parts: list[Part], missed: list[int]) -> dict[int, list[int]]:
    """The parts missed, by kind (shacl_parts.likeness): the first of each kind -> the others."""
    kinds: dict[tuple, list[int]] = {}
    for index, kind in zip(missed, likeness([parts[i] for i in missed])):
        kinds.setdefault(kind, []).append(index)
    return {first: others for first, *others in kinds.values()}


def _check(graph: Graph, parts: list[Part], indexes: list[int]) -> dict[int, tuple[dict, bool]]:
    """The findings of these parts and whether they name a literal, checked in groups in
    worker processes."""
    global _JOB
    to_check = [parts[i] for i in indexes]
    groups = [[indexes[i] for i in group] for group in gather(to_check, group_count(to_check))] \
        if indexes else []
    _JOB = (graph, parts, groups)
    try:
        with worker_pool(len(groups)) as pool:
            results = list(pool.map(_check_group, range(len(groups)))) if pool \
                else [_check_group(index) for index in range(len(groups))]
    finally:
        _JOB = ()
    return {index: checked for group, result in zip(groups, results)
            for index, checked in zip(group, result)}


def group_count(parts: list[Part]) -> int:
    """The groups the parts are checked in: up to PARTS for a whole catalogue, one per core for
    the few parts a republish changes (each pySHACL run costs the same whatever its size, three
    per group: one per shape set)."""
    triples = sum(len(part.triples) for part in parts)
    return max(1, min(PARTS, max(fork_cores(), triples // GROUP_TRIPLES)))


def _node_local(cache: PartCache, stats: CacheStats) -> list[tuple[bool, set[Node], bool]]:
    """shacl_parts.node_local and literal_blind of each shape set, kept in the cache (its
    version covers the shape files): a republish whose parts are all found there parses no
    shapes at all."""
    name = cache.entry("shapes-local-blind") if cache.folder else ""

    def made() -> list:
        load_shapes(cache, stats)           # (and kept for a run that checks parts)
        return [(*node_local(shapes_graph(names)), literal_blind(shapes_graph(names)))
                for names in SHAPE_SETS]
    return cache.made(name, list, made, stats)


def _check_group(index: int) -> list[tuple[dict[tuple[str, ...], set[Finding]], bool]]:
    """The findings of each part of one group, checked together, and whether any of them
    names a literal."""
    graph, parts, groups = _JOB
    members = [parts[i] for i in groups[index]]
    data, prefixes = parts_graph(members, graph), _prefixes(graph)
    runs = [_by_part(data, names, members, prefixes) for names in SHAPE_SETS]
    return [(dict(zip(SHAPE_SETS, (found[position] for found, _ in runs))),
             any(position in naming for _, naming in runs)) for position in range(len(members))]


def _by_part(graph: Graph, names: tuple[str, ...], members: list[Part],
             prefixes: list[tuple[str, str]]) -> tuple[list[set[Finding]], set[int]]:
    """The findings of one pySHACL run on the union of parts, each given to its part: those
    of the shapes with targets to the part owning the focus node (none: not counted), those of
    shapes checked on a value node (sh:node ...) to the part owning it, else to every part
    that holds it; and the parts given a finding that names a literal."""
    owner = {node: position for position, part in enumerate(members) for node in part.owned or ()}
    found: list[set[Finding]] = [set() for _ in members]
    naming: set[int] = set()
    for focus, targeted, finding, literal in _results(graph, names, prefixes):
        if members[0].owned is None:
            positions = [0]
        elif focus in owner:
            positions = [owner[focus]]
        elif targeted:
            positions = []
        else:
            positions = [i for i, part in enumerate(members)
                         if any(focus in (s, o) for s, _, o in part.triples)]
        for position in positions:
            found[position].add(finding)
        if literal:
            naming.update(positions)
    return found, naming


def _run(graph: Graph, names: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(violations, other findings) of one shape set on the whole graph, as readable lines."""
    return _readable(_findings(graph, names, _prefixes(graph)))


def _findings(graph: Graph, names: tuple[str, ...],
              prefixes: list[tuple[str, str]]) -> set[Finding]:
    """The findings of one shape set on the whole graph."""
    return {finding for _, _, finding, _ in _results(graph, names, prefixes)}


def _results(graph: Graph, names: tuple[str, ...],
             prefixes: list[tuple[str, str]]) -> list[tuple[Node, bool, Finding, bool]]:
    """(focus node, whether the shape has targets, finding, whether it names a literal) of
    each result of one pySHACL run."""
    validate = pyshacl_validate()
    _, report, _ = validate(graph, shacl_graph=shapes_graph(names), inference="none",
                            advanced=False, abort_on_first=False, allow_warnings=True,
                            allow_infos=True, meta_shacl=False)
    results, targeted = [], targeted_shapes(names)
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus, finding = _describe(report, result, prefixes)
        violation = report.value(result, SH.resultSeverity) == SH.Violation
        named = (report.value(result, SH.focusNode), report.value(result, SH.value))
        results.append((named[0], report.value(result, SH.sourceShape) in targeted,
                        (violation, focus, finding), any(isinstance(n, Literal) for n in named)))
    return results


def _readable(found: set[Finding]) -> tuple[list[str], list[str]]:
    """(violations, other findings) as sorted readable lines; the same other finding on many
    nodes is one line."""
    violations, others = set(), {}
    for violation, focus, finding in found:
        if violation:
            violations.add(f"{finding[0]}: {focus}: {finding[1]}")
        else:
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
    """The graph's prefixes, longest namespace first (for compact readable IRIs), in an order
    that does not depend on the order of binding (they are part of a cache key)."""
    pairs = [(prefix, str(ns)) for prefix, ns in graph.namespaces() if prefix]
    return sorted(pairs, key=lambda pair: (-len(pair[1]), pair))


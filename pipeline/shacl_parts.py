"""A DCAT catalogue cut into parts that SHACL can check one by one, with the same findings.

Every subject of the catalogue is owned by one part: each dataset (an object of dcat:dataset)
owns itself and the nodes only it reaches (its distributions, their checksums, a plan's own
authority...); the catalog, its services and the nodes several datasets share (licence,
contact point, media types...) make the common part. A part's graph holds its owned subjects'
triples, the rdf:type triples of every node they refer to, the class hierarchy
(rdfs:subClassOf) and, for a shape's inverse path, the triples pointing at an owned node with
the types of their subjects. A finding of a shape with targets counts only on an owned focus
node: the other nodes of a part appear with their types alone (for sh:class) and are checked by
their owner; those of the shapes checked on a value node (sh:node ...) count wherever they
arise.

That is the whole graph as far as a shape looks from an owned node when the shapes are
node-local: targets are sh:targetClass only, paths are predicates or inverse predicates, and no
shape checked on a value node (sh:node, sh:or ... under a property shape) follows a path of its
own or has targets. `node_local` checks this of the shapes graph; where it does not hold the
catalogue is one part. A part's findings so depend on its triples alone: they are kept under
its digest (`Part.digest`), and the parts to check are gathered into a few groups (`gather`),
a union of parts being a part.

Parts that are the same up to the names of their nodes (one plan's dataset and another's, with
their distributions) get the same findings up to those names, so a run that must check many
(a first publish) checks one of each kind (`likeness`): where that one has no finding, nor
have the others.

Where the shapes look at a literal only for its kind, datatype and language (`literal_blind`:
no constraint on values, such as sh:pattern, sh:in or sh:minInclusive), a part's findings do
not depend on which well-typed literals it holds, only on how many distinct ones of each
datatype and language each subject has for each predicate: the digest can then be taken with
such literals blinded (`Part.digest(blind=True)`), so that a part whose dates, sizes and
checksums alone changed (every edition's) is found in the cache. A finding naming a literal
would then be stale: the caller keeps no such findings under a blind digest.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCAT, RDF, RDFS, SH, XSD
from rdflib.term import Node

TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
NESTED = (SH.node, SH["not"], SH.qualifiedValueShape, SH.property)
LISTS = (SH["or"], SH["and"], SH.xone)
OWNED = URIRef("urn:x-shacl-part:owned")     # marks an owned node in a part's digest
BLINDED = "urn:x-shacl-part:literal:"        # stands for a literal in a blind digest
# The SHACL Core parameters that look at a value beyond its kind, datatype and language (value
# range, string-based, property-pair, sh:in, sh:hasValue, qualified counts of conforming values)
# and those running SPARQL or other code: with none of them, the shapes are literal-blind.
VALUE_PARAMETERS = {SH[name] for name in (
    "minExclusive", "minInclusive", "maxExclusive", "maxInclusive", "minLength", "maxLength",
    "pattern", "flags", "languageIn", "uniqueLang", "equals", "disjoint", "lessThan",
    "lessThanOrEquals", "hasValue", "in", "qualifiedValueShape", "qualifiedMinCount",
    "qualifiedMaxCount", "sparql", "select", "ask", "rule", "target", "js", "expression")}
DASH = "http://datashapes.org/dash#"
# The Python type pySHACL requires of a well-typed literal's value for sh:datatype (its
# DatatypeConstraintComponent); other datatypes ask only that the literal be well-typed.
NATURAL_TYPES = {XSD.string: str, XSD.integer: int, XSD.float: float, XSD.decimal: Decimal,
                 XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}


@dataclass
class Part:
    owned: frozenset[Node] | None      # None: every node (a catalogue not cut)
    triples: list[tuple[Node, Node, Node]]

    def digest(self, texts: dict[Node, str] | None = None, blind: bool = False) -> str:
        """SHA-256 of the part in a canonical form, the same for the same part in any run: its
        triples and a mark on each owned node as sorted N-Triples lines, blank nodes (if any)
        labelled from the part's content by rdflib's canonical labelling. `texts` holds the
        N-Triples of the terms met so far (parts share most terms: each is written once).
        blind: the well-typed literals blinded (see the module's docstring)."""
        triples = self.triples + [(node, OWNED, OWNED) for node in self.owned or ()]
        if blind:
            triples = blinded(triples)
        if any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in triples):
            canonical = Graph()
            for triple in triples:
                canonical.add(triple)
            triples, texts = list(to_canonical_graph(canonical)), {}
        texts = {} if texts is None else texts
        lines = sorted({" ".join([texts.get(term) or texts.setdefault(term, term.n3())
                                  for term in triple]) for triple in triples})
        whole = "whole\n" if self.owned is None else ""
        return hashlib.sha256((whole + "\n".join(lines)).encode("utf-8")).hexdigest()


def blinded(triples: list) -> list:
    """The triples with each well-typed literal replaced by a mark of its datatype, language
    and rank among the distinct such literals its subject has for its predicate: what
    literal-blind shapes see of them (how many distinct values of which datatype and
    language), whatever the values."""
    kept, literals = [], defaultdict(set)
    for triple in triples:
        mark = blind_mark(triple[2]) if isinstance(triple[2], Literal) else None
        if mark is not None:
            literals[(triple[0], triple[1], *mark)].add(triple[2])
        else:
            kept.append(triple)
    for (subject, predicate, datatype, language), values in literals.items():
        kept += [(subject, predicate, URIRef(f"{BLINDED}{datatype or ''}@{language}#{rank}"))
                 for rank in range(len(values))]
    return kept


def likeness(parts: list[Part]) -> list[tuple]:
    """A key per part, equal for parts that are the same graph up to the names of their nodes
    and the values of their well-typed literals, as far as node-local, literal-blind shapes can
    tell (they count values and look at types: equal keys, the same findings up to names).
    Colour refinement (Weisfeiler-Leman) over all the parts at once: each node starts from its
    kind and whether its part owns it, and is refined by the predicate and colour (or label)
    of every triple in or out of it, until no colour splits further; classes (objects of
    rdf:type, either side of rdfs:subClassOf) keep their names and literals their blind marks.
    A key is the part's multiset of colours and its triples between named terms."""
    numbers: dict = {}

    def number(key) -> int:
        found = numbers.get(key)
        if found is None:
            found = numbers[key] = len(numbers)
        return found
    graphs = [_coloured(part, number) for part in parts]
    kinds = len({c for colour, _, _ in graphs for c in colour.values()})
    while True:
        for graph in graphs:
            colour, edges, _ = graph
            graph[0] = {node: number((own, tuple(sorted(
                (predicate, other_label if other_label is not None else colour[other])
                for predicate, other, other_label in edges[node])))) for node, own in colour.items()}
        refined = len({c for colour, _, _ in graphs for c in colour.values()})
        if refined == kinds:
            break
        kinds = refined
    return [(tuple(sorted(colour.values())), between) for colour, _, between in graphs]


def _coloured(part: Part, number) -> list:
    """[first colour of each node, its triples as (predicate, other end, its label or None),
    the triples between named terms] of a part (see likeness)."""
    owned = part.owned or frozenset()
    named = {o for _, p, o in part.triples if p == RDF.type}
    named |= {term for s, p, o in part.triples if p == RDFS.subClassOf for term in (s, o)}
    labels: dict = {}

    def label(term) -> int | None:          # None: a node, coloured
        if term in named:
            return number(("class", str(term)))
        if isinstance(term, Literal):
            mark = blind_mark(term)
            return number(("literal", *mark) if mark is not None else ("ill-typed", term.n3()))
        return None
    edges: dict = defaultdict(list)
    for s, p, o in part.triples:
        s_label = labels[s] if s in labels else labels.setdefault(s, label(s))
        o_label = labels[o] if o in labels else labels.setdefault(o, label(o))
        if s_label is None:
            edges[s].append((number(("out", str(p))), o, o_label))
        if o_label is None:
            edges[o].append((number(("in", str(p))), s, s_label))
    colour = {node: number((isinstance(node, BNode), node in owned))
              for node, node_label in labels.items() if node_label is None}
    between = tuple(sorted((labels[s], str(p), labels[o]) for s, p, o in part.triples
                           if labels[s] is not None and labels[o] is not None))
    return [colour, edges, between]


def blind_mark(literal: Literal) -> tuple | None:
    """What literal-blind shapes see of a well-typed literal: its datatype and language (as
    rdflib compares language tags); None for an ill-typed one (its value is seen)."""
    return (literal.datatype, (literal.language or "").lower()) if well_typed(literal) else None


def well_typed(literal: Literal) -> bool:
    """Whether pySHACL's sh:datatype finds the literal a value of its own datatype, as its
    DatatypeConstraintComponent decides: not found ill-typed by rdflib (None: made from a
    Python value, or of a datatype rdflib does not know), and with a value of the Python type
    it requires of some datatypes (a plain or language-tagged string always is one)."""
    datatype = literal.datatype
    if datatype is None:
        return True
    if literal.ill_typed is True:
        return False
    natural = NATURAL_TYPES.get(datatype)
    return natural is None or isinstance(literal.value, natural)


def literal_blind(shapes: Graph) -> bool:
    """Whether the shapes see of a literal only its kind, datatype and language, and only as a
    value of its own subject: they are node-local (a path of several steps would count the
    literals of several subjects together) and use no parameter that looks at a value
    (VALUE_PARAMETERS, DASH's)."""
    return node_local(shapes)[0] and not any(
        predicate in VALUE_PARAMETERS or str(predicate).startswith(DASH)
        for predicate in set(shapes.predicates()))


def parts_graph(parts: list[Part], prefixes: Graph) -> Graph:
    """The union of parts (itself a part) as a graph with the namespaces of `prefixes`."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in prefixes.namespaces():
        graph.bind(prefix, namespace)
    for part in parts:
        for triple in part.triples:
            graph.add(triple)
    return graph


def node_local(shapes: Graph) -> tuple[bool, set[Node]]:
    """(whether the shapes look only at a focus node and its values, the predicates of their
    inverse paths)."""
    if any((None, predicate, None) in shapes for predicate in (*TARGETS[1:], SH.sparql)):
        return False, set()
    if (None, RDF.type, RDFS.Class) in shapes:          # implicit class targets
        return False, set()
    inverse = set()
    for shape, path in shapes.subject_objects(SH.path):
        if isinstance(path, BNode):
            predicate = shapes.value(path, SH.inversePath)
            if not isinstance(predicate, URIRef) or len(list(shapes.predicates(path))) != 1:
                return False, set()
            inverse.add(predicate)
        if any((nested, predicate, None) in shapes for nested in _nested(shapes, shape)
               for predicate in (SH.path, *TARGETS)):
            return False, set()
    return True, inverse


def _nested(shapes: Graph, shape: Node) -> set[Node]:
    """The shapes checked on the value nodes of a property shape, at any depth."""
    found: set[Node] = set()
    todo = [shape]
    while todo:
        node = todo.pop()
        members = [o for p in NESTED for o in shapes.objects(node, p)]
        members += [m for p in LISTS for items in shapes.objects(node, p)
                    for m in Collection(shapes, items)]
        for member in members:
            if member not in found:
                found.add(member)
                todo.append(member)
    return found


def split(graph, inverse: set[Node]) -> list[Part]:
    """The catalogue's parts: the common part, then one per dataset (by the datasets' IRIs).
    `graph`: an rdflib Graph or any other iterable of triples, read once."""
    by_subject = _by_subject(graph)
    pointing: dict[Node, list] = defaultdict(list)       # the inverse paths' triples by object
    hierarchy, seeds = [], set()
    watched = {*inverse, RDFS.subClassOf, DCAT.dataset}   # one lookup per triple: terms hash slowly
    for triples in by_subject.values():
        for triple in triples:
            if triple[1] not in watched:
                continue
            if triple[1] in inverse:
                pointing[triple[2]].append(triple)
            if triple[1] == RDFS.subClassOf:
                hierarchy.append(triple)
            elif triple[1] == DCAT.dataset:
                seeds.add(triple[2])
    owned: dict[int, set[Node]] = defaultdict(set)
    for subject, owner in _owners(sorted(seeds), by_subject).items():
        owned[owner].add(subject)
    return [Part(frozenset(owned[owner]), _triples(by_subject, pointing, owned[owner]) + hierarchy)
            for owner in sorted(owned)]


def gather(parts: list[Part], groups: int) -> list[list[int]]:
    """The indexes of parts gathered into at most `groups` groups of similar size (largest
    first, each to the lightest group), each group in index order."""
    members: list[list[int]] = [[] for _ in range(max(1, groups))]
    loads = [0] * len(members)
    for index in sorted(range(len(parts)), key=lambda i: (-len(parts[i].triples), i)):
        lightest = loads.index(min(loads))
        members[lightest].append(index)
        loads[lightest] += len(parts[index].triples)
    return [sorted(group) for group in members if group]


def _by_subject(graph) -> dict[Node, list]:
    """The graph's triples by subject, read once (faster than a lookup per node)."""
    index: dict[Node, list] = defaultdict(list)
    for triple in graph:
        index[triple[0]].append(triple)
    return index


def _owners(seeds: list[Node], by_subject: dict[Node, list]) -> dict[Node, int]:
    """Owner of every subject: 1 + the index of the one dataset (of the sorted seeds) that
    reaches it, else 0."""
    reached: dict[Node, set[int]] = defaultdict(set)
    stops = set(seeds)
    for index, seed in enumerate(seeds, start=1):
        todo, seen = [seed], {seed}
        while todo:
            node = todo.pop()
            reached[node].add(index)
            for _, _, value in by_subject.get(node, ()):
                if isinstance(value, (URIRef, BNode)) and value not in seen and value not in stops:
                    seen.add(value)
                    todo.append(value)
    owners = {}
    for subject in by_subject:
        found = reached.get(subject, ())
        owners[subject] = next(iter(found)) if len(found) == 1 else 0
    return owners


def _triples(by_subject: dict[Node, list], pointing: dict[Node, list], owned: set[Node]) -> list:
    """The owned subjects' triples, those of the inverse paths into them, and the types of
    every node these refer to."""
    triples = {t for subject in owned for t in by_subject[subject]}
    triples |= {t for node in owned for t in pointing.get(node, ())}
    referred = {node for s, _, o in triples for node in (s, o) if isinstance(node, (URIRef, BNode))}
    triples |= {t for node in referred - owned for t in by_subject.get(node, ()) if t[1] == RDF.type}
    return list(triples)

"""One RDF graph of a publication, built from the validated table rows (never raw text).

Simple columns follow the declarative `rdf` annotations of the Table Schemas (predicate,
language, concept scheme, link); the structure the tables only imply is added here:
plan → field → item → initiative, departments and divisions as W3C ORG organisations,
references, glossary terms, indicator observations (RDF Data Cube) and PROV-O provenance.
URIs depend only on identifiers and labels, so the same input gives the same URIs whatever
the row order; they and the literals are written by terms.py.
"""

from __future__ import annotations

from rdflib import Graph

from ..assemble import Plan
from ..config import Config
from . import vocabulary
from .terms import (DCAT, DCTERMS, FOAF, ORG, PROV, QB, RDF, SDMX_DIMENSION, SDMX_MEASURE, SKOS, SPDX, XSD,
                    Literal, Names, URIRef, decimal_literal, department_path, initiative_path,
                    is_literal, link, organization_scope, plan_path, publisher_path, slug,
                    source_path, template_fields)
from .vocabulary import bind_prefixes, default_graph_iri, plan_graph_iri, vocabulary_namespace

SCHEMES = {  # concept scheme slug: (ja, en)
    "method": ("性質・手法", "Methods"),
    "status": ("新規・継続", "Status"),
    "medium": ("媒体", "Media"),
    "section-kind": ("記述の種別", "Section kinds"),
    "value-kind": ("値の種別", "Value kinds"),
    "glossary": ("用語", "Glossary terms"),
}
VALUE_KINDS = {"baseline": ("現状値", "baseline"), "target": ("目標値", "target")}


class GraphBuilder:
    def __init__(self, config: Config, schemas: dict[str, dict]):
        self.base = Names(config.base_uri)
        self.pv = Names(vocabulary_namespace(config.base_uri))
        self.config = config
        self.schemas = schemas
        self.lines: set[str] = set()
        self.shapes: set[tuple[str, str]] = set()   # (predicate, "<" or a literal's tail)
        self._curies: dict[str, str] = {}
        self._described: set[str] = set()
        self._columns: dict[str, list[tuple[str, dict, str]]] = {}
        # plan_id -> the URI path its organisations are minted under (`organization/lg-040002`):
        # department names repeat across publishers, so they never merge by name alone
        self.org_scope: dict[str, str] = {}

    def first_time(self, node: str) -> bool:
        """True once per node: the triples that describe a shared node (a concept, an
        organisation, a field) are added once, not for every row that links to it."""
        if node in self._described:
            return False
        self._described.add(node)
        return True

    # ---- URIs ---------------------------------------------------------------
    def uri(self, path: str) -> URIRef:
        return self.base[path]

    def curie(self, text: str) -> str:
        """`dcterms:title` or `pv:method` as a full IRI (cached)."""
        if text not in self._curies:
            self._curies[text] = str(vocabulary.curie(text, vocabulary_namespace(str(self.base))))
        return self._curies[text]

    def concept(self, scheme: str, label: str) -> URIRef:
        node = self.uri(f"concept/{scheme}/{slug(label)}")
        if not self.first_time(node):
            return node
        self.add(node, RDF.type, SKOS.Concept)
        self.add(node, SKOS.prefLabel, Literal(label, lang="ja"))
        self.add(node, SKOS.inScheme, self.scheme(scheme))
        return node

    def scheme(self, name: str) -> URIRef:
        node = self.uri(f"scheme/{name}")
        if not self.first_time(node):
            return node
        ja, en = SCHEMES[name]
        self.add(node, RDF.type, SKOS.ConceptScheme)
        self.add(node, SKOS.prefLabel, Literal(ja, lang="ja"))
        self.add(node, SKOS.prefLabel, Literal(en, lang="en"))
        return node

    def organization(self, path: str, label: str) -> URIRef:
        node = self.uri(path)
        if not self.first_time(node):
            return node
        self.add(node, RDF.type, ORG.Organization)
        self.add(node, SKOS.prefLabel, Literal(label, lang="ja"))
        return node

    def add(self, s, p, o) -> None:
        if o[0] == '"':
            self.lines.add(f"<{s}> <{p}> {o} .")
            self.shapes.add((p, o[o.rindex('"') + 1:]))
        else:
            self.lines.add(f"<{s}> <{p}> <{o}> .")
            self.shapes.add((p, "<"))

    def columns(self, table: str) -> list[tuple[str, dict, str]]:
        """(name, rdf mapping, type) of the columns of a table that the schema maps to RDF."""
        if table not in self._columns:
            self._columns[table] = [(f["name"], f["rdf"], f["type"])
                                    for f in self.schemas[table]["fields"] if f.get("rdf")]
        return self._columns[table]

    # ---- declarative mapping -------------------------------------------------
    def map_row(self, table: str, row: dict) -> URIRef:
        """Triples for the annotated columns of one row; returns the row's subject."""
        schema = self.schemas[table]
        template = schema["rdf"]["subject"]
        subject = self.uri(template.format(**{k: slug(row[k]) for k in template_fields(template)}))
        self.add(subject, RDF.type, self.curie(schema["rdf"]["class"]))
        for name, mapping, field_type in self.columns(table):
            value = row[name]
            if value is None or value == "" or value == []:
                continue
            for item in value if isinstance(value, list) else [value]:
                self.map_value(subject, mapping, field_type, item, row["plan_id"])
        return subject

    def map_value(self, subject: URIRef, mapping: dict, field_type: str, value, plan_id: str) -> None:
        predicate = self.curie(mapping["predicate"])
        if "concept" in mapping:
            obj = self.concept(mapping["concept"], value)
        elif "organization" in mapping:
            obj = self.organization(f"{self.org_scope[plan_id]}/{mapping['organization']}/{slug(value)}", value)
        elif "ref" in mapping:
            obj = self.uri(mapping["ref"].format(value=slug(value), plan_id=slug(plan_id)))
        elif mapping.get("link"):
            obj = link(value)
        else:
            obj = literal(value, field_type, mapping)
        if mapping.get("inverse"):
            self.add(obj, predicate, subject)
        else:
            self.add(subject, predicate, obj)


def literal(value, field_type: str, mapping: dict) -> str:
    if "lang" in mapping:
        return Literal(value, lang=mapping["lang"])
    if "datatype" in mapping:
        return Literal(str(value), datatype=vocabulary.curie(mapping["datatype"], None))
    if field_type == "number":
        return decimal_literal(value)
    if field_type == "integer":
        return Literal(int(value), datatype=XSD.integer)
    return Literal(value)


def build_graph(tables: dict[str, list[dict]], sources: list[dict], plans: dict[str, Plan],
                config: Config, schemas: dict[str, dict]) -> Graph:
    """The publication's graph as an rdflib Graph (for tests and small uses)."""
    graph = Graph()
    bind_prefixes(graph, vocabulary_namespace(config.base_uri))
    graph.parse(data="\n".join(build_ntriples(tables, sources, plans, config, schemas)), format="nt")
    return graph


def build_ntriples(tables: dict[str, list[dict]], sources: list[dict], plans: dict[str, Plan],
                   config: Config, schemas: dict[str, dict]) -> list[str]:
    """The publication's graph as sorted N-Triples lines: plan, fields, items, initiatives and
    everything they link to. Written as text directly, which is fast and stable at scale.

    The rows may be any part of a publication that holds whole plans with their sources; a
    plan's title, publisher and period are those of `plans` (assemble.group_plans), as in the
    tables. The lines of the parts, merged without duplicates, and publication_lines are the
    lines of the whole."""
    lines = build_ntriples_and_shapes(tables, sources, plans, config, schemas)[0]
    return sorted({*lines, *publication_lines(config)})


def publication_lines(config: Config) -> list[str]:
    """What the publication's graph says of itself, beside its plans' lines: its licence."""
    return [f"<{default_graph_iri(config)}> <{DCTERMS.license}> <{config.license.url}> ."]


def build_ntriples_and_shapes(tables: dict[str, list[dict]], sources: list[dict],
                              plans: dict[str, Plan], config: Config, schemas: dict[str, dict]
                              ) -> tuple[list[str], set[tuple[str, str]]]:
    """The lines of the plans' graphs (build_ntriples without publication_lines), and the
    (predicate, object shape) pairs of its lines: "<" for a resource, else the literal's tail
    after its closing quote (`@ja`, `^^<…#decimal>`, ``)."""
    builder = GraphBuilder(config, schemas)
    return sorted(_lines(builder, tables, sources, plans)), builder.shapes


def _lines(b: GraphBuilder, tables: dict[str, list[dict]], sources: list[dict],
           plans: dict[str, Plan]) -> set[str]:
    source_nodes = {s["file"].rsplit("/", 1)[-1]: _source(b, s) for s in sources}
    nodes, publishers = {}, {}
    for plan_id in dict.fromkeys(s["plan_id"] for s in sources):
        plan = plans[plan_id]
        nodes[plan_id], publishers[plan_id] = _plan(b, plan), _publisher(b, plan)
        # the named graph a store loads the plan's graph.nt into states its licence
        b.add(URIRef(plan_graph_iri(b.config, plan_id)), DCTERMS.license,
              URIRef(b.config.license.url))
        b.org_scope[plan_id] = organization_scope(plan_id, plan.publisher, plan.publisher_code)
        if publishers[plan_id] is not None:
            b.add(nodes[plan_id], DCTERMS.publisher, publishers[plan_id])
    for row in tables["initiatives"]:
        node = b.map_row("initiatives", row)
        item = _field_and_item(b, row, nodes[row["plan_id"]])
        b.add(node, DCTERMS.isPartOf, item)
        b.add(item, DCTERMS.hasPart, node)
        b.add(node, b.pv.priorityGoalsUnknown, Literal(True))
        _responsible(b, node, row, publishers[row["plan_id"]])
        _provenance(b, node, row, source_nodes)
    for row in tables["schedules"]:
        node = b.map_row("schedules", row)
        b.add(node, b.pv.continued, Literal(row["raw"] == "→"))
        _provenance(b, node, row, source_nodes)
    _indicators(b, tables["indicators"], source_nodes)
    for row in tables["references"]:
        _reference(b, row)
    for row in tables["sites"]:         # (a field's 情報発信サイト等)
        node = b.map_row("sites", row)
        b.add(node, DCTERMS.isPartOf, _field(b, row["plan_id"], row["field_no"],
                                             nodes[row["plan_id"]]))
        _responsible(b, node, row, publishers[row["plan_id"]])
        _provenance(b, node, row, source_nodes)
    for row in tables["sections"]:
        node = b.map_row("sections", row)
        parent = b.uri(f"{plan_path(row['plan_id'])}/item/{row['field_no']}-{row['item_no']}") \
            if row["item_no"] else _field(b, row["plan_id"], row["field_no"], nodes[row["plan_id"]])
        b.add(node, DCTERMS.isPartOf, parent)
        _provenance(b, node, row, source_nodes)
    for row in tables["terms"]:
        _term(b, row)
    return b.lines


def _source(b: GraphBuilder, source: dict) -> URIRef:
    """The raw text file as a prov:Entity with its sha256 checksum."""
    node = b.uri(source_path(source["file"]))
    b.add(node, RDF.type, PROV.Entity)
    b.add(node, RDF.type, FOAF.Document)
    b.add(node, DCTERMS.title, Literal(source["title"], lang="ja"))
    checksum = b.uri(f"{source_path(source['file'])}/sha256")
    b.add(node, SPDX.checksum, checksum)
    b.add(checksum, RDF.type, SPDX.Checksum)
    b.add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
    b.add(checksum, SPDX.checksumValue, Literal(source["sha256"], datatype=XSD.hexBinary))
    if source.get("path", "").startswith("http"):
        b.add(node, DCTERMS.source, link(source["path"]))
    return node


def _plan(b: GraphBuilder, plan: Plan) -> URIRef:
    node = b.uri(plan_path(plan.plan_id))
    b.add(node, RDF.type, b.pv.Plan)
    b.add(node, DCTERMS.title, Literal(plan.title, lang="ja"))
    if plan.period_start_fy:
        for year in (plan.period_start_fy, plan.period_end_fy):
            b.add(node, b.pv.fiscalYear, Literal(str(year), datatype=XSD.gYear))
    return node


def _owner(plan: Plan) -> dict:
    return {"publisher": plan.publisher, "publisher_code": plan.publisher_code}


def _publisher(b: GraphBuilder, plan: Plan) -> URIRef | None:
    if not plan.publisher:
        return None
    node = b.organization(publisher_path(_owner(plan)), plan.publisher)
    if plan.publisher_code:
        b.add(node, DCTERMS.identifier, Literal(plan.publisher_code))
    return node


def _field(b: GraphBuilder, plan_id: str, field_no, plan: URIRef) -> URIRef:
    """The plan's field (分野) numbered field_no, part of the plan."""
    field = b.uri(f"{plan_path(plan_id)}/field/{field_no}")
    if b.first_time(field):
        b.add(field, RDF.type, b.pv.Field)
        b.add(field, SKOS.notation, Literal(str(field_no)))
        b.add(field, DCTERMS.isPartOf, plan)
        b.add(plan, DCTERMS.hasPart, field)
    return field


def _field_and_item(b: GraphBuilder, row: dict, plan: URIRef) -> URIRef:
    scope = plan_path(row["plan_id"])
    field = _field(b, row["plan_id"], row["field_no"], plan)
    b.add(field, DCTERMS.title, Literal(row["field_title"], lang="ja"))
    item = b.uri(f"{scope}/item/{row['field_no']}-{row['item_no']}")
    if b.first_time(item):
        b.add(item, RDF.type, b.pv.Item)
        b.add(item, SKOS.notation, Literal(f"{row['field_no']}-{row['item_no']}"))
        b.add(item, DCTERMS.isPartOf, field)
        b.add(field, DCTERMS.hasPart, item)
    if row["item_title"]:
        b.add(item, DCTERMS.title, Literal(row["item_title"], lang="ja"))
    return item


def _responsible(b: GraphBuilder, node: URIRef, row: dict, publisher: URIRef | None) -> None:
    """担当: division subOrganizationOf department subOrganizationOf the publisher."""
    if not row["department"]:
        return
    scope = b.org_scope[row["plan_id"]]
    department = b.organization(department_path(scope, row["department"]), row["department"])
    if publisher is not None:
        b.add(department, ORG.subOrganizationOf, publisher)
        b.add(publisher, ORG.hasSubOrganization, department)
    unit = department
    if row["division"]:
        unit = b.organization(f"{department_path(scope, row['department'])}/{slug(row['division'])}",
                              row["division"])
        b.add(unit, ORG.subOrganizationOf, department)
        b.add(department, ORG.hasSubOrganization, unit)
    b.add(node, b.pv.responsibleUnit, unit)


def _provenance(b: GraphBuilder, node: URIRef, row: dict, sources: dict[str, URIRef]) -> None:
    """record prov:wasDerivedFrom <source/FILE/lines/59-70>, a part of the source file."""
    source = sources.get(row["source"])
    if source is None:
        return
    part = URIRef(f"{source}/lines/{row['source_lines']}")
    start, _, end = row["source_lines"].partition("-")
    b.add(node, PROV.wasDerivedFrom, part)
    b.add(part, RDF.type, b.pv.SourcePart)
    b.add(part, RDF.type, PROV.Entity)
    b.add(part, DCTERMS.isPartOf, source)
    b.add(part, b.pv.lineRange, Literal(row["source_lines"]))
    b.add(part, b.pv.startLine, Literal(int(start), datatype=XSD.positiveInteger))
    b.add(part, b.pv.endLine, Literal(int(end), datatype=XSD.positiveInteger))


def _indicators(b: GraphBuilder, rows: list[dict], sources: dict[str, URIRef]) -> None:
    """Indicators with baseline and target as RDF Data Cube observations."""
    if not rows:
        return
    dataset, structure = b.uri("cube/indicators"), b.uri("cube/indicators/structure")
    b.add(dataset, RDF.type, QB.DataSet)
    b.add(dataset, QB.structure, structure)
    b.add(dataset, DCTERMS.title, Literal("指標の現状値と目標値", lang="ja"))
    b.add(dataset, DCTERMS.title, Literal("Indicator baselines and targets", lang="en"))
    b.add(structure, RDF.type, QB.DataStructureDefinition)
    components = [(QB.dimension, b.pv.indicator), (QB.dimension, b.pv.valueKind),
                  (QB.dimension, SDMX_DIMENSION.refPeriod), (QB.measure, SDMX_MEASURE.obsValue),
                  (QB.attribute, b.pv.unit), (QB.attribute, b.pv.valueText),
                  (QB.attribute, b.pv.valueNote), (QB.attribute, b.pv.dateText),
                  (QB.attribute, DCTERMS.temporal)]       # a value dated by a period: no refPeriod
    for order, (role, prop) in enumerate(components, 1):
        component = b.uri(f"cube/indicators/structure/component/{order}")
        b.add(structure, QB.component, component)
        b.add(component, role, prop)
        b.add(component, QB.order, Literal(order))
    for row in rows:
        indicator = b.map_row("indicators", row)
        initiative = b.uri(initiative_path(row["plan_id"], row["initiative_id"]))
        b.add(initiative, b.pv.indicator, indicator)
        _provenance(b, indicator, row, sources)
        for kind, (ja, en) in VALUE_KINDS.items():
            _observation(b, dataset, indicator, row, kind, ja, en)


def _observation(b, dataset, indicator, row, kind, ja, en) -> None:
    """The baseline or target as printed: its text, value, unit and note, its date, or both
    (a value lost in the text leaves the date printed in its label). The day it names is its
    sdmx-dimension:refPeriod; a period it names (`H26年度`) its dcterms:temporal, with the
    first and last day (dcat:startDate, dcat:endDate)."""
    if not any(row[f"{kind}_{column}"] for column in ("text", "date", "date_text")):
        return
    obs = URIRef(f"{indicator}/{kind}")
    value_kind = b.uri(f"concept/value-kind/{kind}")
    if b.first_time(value_kind):
        b.add(value_kind, RDF.type, SKOS.Concept)
        b.add(value_kind, SKOS.prefLabel, Literal(ja, lang="ja"))
        b.add(value_kind, SKOS.prefLabel, Literal(en, lang="en"))
        b.add(value_kind, SKOS.inScheme, b.scheme("value-kind"))
    b.add(obs, RDF.type, QB.Observation)
    b.add(obs, QB.dataSet, dataset)
    b.add(obs, b.pv.indicator, indicator)
    b.add(obs, b.pv.valueKind, value_kind)
    if row[f"{kind}_text"]:
        b.add(obs, b.pv.valueText, Literal(row[f"{kind}_text"], lang="ja"))
    if row[f"{kind}_value"] is not None:
        b.add(obs, SDMX_MEASURE.obsValue, decimal_literal(row[f"{kind}_value"]))
    if row[f"{kind}_unit"]:
        b.add(obs, b.pv.unit, Literal(row[f"{kind}_unit"], lang="ja"))
    if row[f"{kind}_note"]:
        b.add(obs, b.pv.valueNote, Literal(row[f"{kind}_note"], lang="ja"))
    if row[f"{kind}_date"] is not None:
        b.add(obs, SDMX_DIMENSION.refPeriod, Literal(row[f"{kind}_date"], datatype=XSD.date))
    start, end = row[f"{kind}_period_start"], row[f"{kind}_period_end"]
    if start is not None and start != end:       # a fiscal year, a year, a month: no day
        period = URIRef(f"{obs}/period")
        b.add(obs, DCTERMS.temporal, period)
        b.add(period, RDF.type, DCTERMS.PeriodOfTime)
        b.add(period, DCAT.startDate, Literal(start, datatype=XSD.date))
        b.add(period, DCAT.endDate, Literal(end, datatype=XSD.date))
    if row[f"{kind}_date_text"]:
        b.add(obs, b.pv.dateText, Literal(row[f"{kind}_date_text"], lang="ja"))


def _reference(b: GraphBuilder, row: dict) -> None:
    """参考: dcterms:references to an initiative, a named document or a URL."""
    plan = plan_path(row["plan_id"])
    source = b.uri(initiative_path(row["plan_id"], row["from_id"]))
    if row["to_id"]:
        target = b.uri(initiative_path(row["to_plan_id"], row["to_id"]))
    elif row["url"] and not is_literal(link(row["url"])):
        target = URIRef(row["url"])
        b.add(target, RDF.type, FOAF.Document)
    else:           # a document by its name; an initiative not published; a URL no IRI
        cited = f"{row['cited_id']} " if row["cited_id"] and row["cited_id"] != row["label"] else ""
        target = b.uri(f"{plan}/document/{slug(cited + row['label'])}")
        b.add(target, RDF.type, FOAF.Document)
        b.add(target, DCTERMS.title, Literal(row["label"], lang="ja"))
        if row["cited_id"]:         # (its number as printed, as references.csv's cited_id)
            b.add(target, DCTERMS.identifier, Literal(row["cited_id"]))
        if row["url"]:              # (a literal of xsd:anyURI, as printed)
            b.add(target, b.curie("schema:url"), link(row["url"]))
    b.add(source, DCTERMS.references, target)


def _term(b: GraphBuilder, row: dict) -> None:
    paths = {"initiative": "initiative", "section": "section", "site": "site", "indicator": "indicator"}
    ident = row["record_id"]
    if row["record_kind"] == "indicator":     # `2-1-12#1`: the indicator `2-1-12-1` of the graph
        initiative, _, seq = ident.rpartition("#")
        ident = f"{initiative}-{seq}"
    record = b.uri(f"{plan_path(row['plan_id'])}/{paths[row['record_kind']]}/{slug(ident)}")
    b.add(record, DCTERMS.subject, b.concept("glossary", row["term"]))

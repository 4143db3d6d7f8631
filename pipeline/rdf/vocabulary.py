"""The plan vocabulary (pv:): only the terms no standard vocabulary has, with ja/en labels.

Everything else reuses dcterms, skos, org, foaf, schema, qb, prov, dcat and the SDMX
components of the RDF Data Cube.
"""

from __future__ import annotations

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

ORG = Namespace("http://www.w3.org/ns/org#")
QB = Namespace("http://purl.org/linked-data/cube#")
SCHEMA = Namespace("https://schema.org/")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")

PREFIXES = {
    "dcterms": DCTERMS, "skos": SKOS, "org": ORG, "foaf": FOAF, "schema": SCHEMA, "qb": QB,
    "prov": PROV, "dcat": DCAT, "rdfs": RDFS, "xsd": XSD, "owl": OWL, "spdx": SPDX,
    "sdmx-dimension": SDMX_DIMENSION, "sdmx-measure": SDMX_MEASURE,
}

# name: (kind, ja label, en label, comment (en), domain, range)
TERMS: dict[str, tuple] = {
    "Plan": ("class", "計画", "Plan", "A published plan of a local government, e.g. an ICT promotion plan.", None, None),
    "Field": ("class", "分野", "Field", "A field (分野) of a plan.", None, None),
    "Item": ("class", "項目", "Item", "An item (項目) within a field of a plan.", None, None),
    "Initiative": ("class", "取組", "Initiative", "An initiative (取組) listed under an item of a plan.", None, None),
    "Indicator": ("class", "指標", "Indicator", "An indicator (指標) that measures an initiative, with baseline and target observations.", None, None),
    "SchedulePhase": ("class", "スケジュール", "Schedule phase", "What an initiative does in one period column of its schedule (スケジュール).", None, None),
    "Section": ("class", "記述", "Narrative section", "A narrative part (現状、課題と取組の方向性) or a topic column (トピックス) of a plan.", None, None),
    "SourcePart": ("class", "出典箇所", "Source part", "A line range of a source text file from which a record was extracted.", None, None),
    "method": ("object", "性質・手法", "method", "The kind of means (性質・手法) an initiative uses, a concept of the method scheme.", "Initiative", "skos:Concept"),
    "status": ("object", "新規・継続", "status", "Whether an initiative is new (新) or continued (継続), a concept of the status scheme. Absent when the plan prints neither.", "Initiative", "skos:Concept"),
    "actor": ("object", "主体", "actor", "An organisation that carries out the initiative (主体).", "Initiative", "org:Organization"),
    "responsibleUnit": ("object", "担当", "responsible unit", "The division (課) responsible (担当); it is a sub-organisation of its department (部局).", None, "org:Organization"),
    "indicator": ("object", "指標", "indicator", "An indicator of the initiative; also the dimension of an indicator observation.", None, "Indicator"),
    "initiative": ("object", "取組", "initiative", "The initiative an indicator measures.", "Indicator", "Initiative"),
    "schedule": ("object", "スケジュール", "schedule", "A schedule phase of the initiative.", "Initiative", "SchedulePhase"),
    "valueKind": ("object", "値の種別", "value kind", "Dimension: whether an observation is the baseline (現状値) or the target (目標値).", None, "skos:Concept"),
    "medium": ("object", "媒体", "medium", "A medium badge of a publishing site (ウェブ, メルマガ …).", None, "skos:Concept"),
    "mediaText": ("datatype", "媒体の表記", "media as printed", "The media badges of a publishing site as printed, e.g. ウェブメルマガ, which the medium concepts split into ウェブ and メルマガ.", None, "xsd:string"),
    "sectionKind": ("object", "記述の種別", "section kind", "Narrative part or topic column.", "Section", "skos:Concept"),
    "period": ("datatype", "期間", "period", "The period column label as printed, e.g. H26 or ～H25 (up to FY2013).", "SchedulePhase", "xsd:string"),
    "fiscalYear": ("datatype", "年度", "fiscal year", "The Japanese fiscal year (April to March) as the western year it starts in.", "SchedulePhase", "xsd:gYear"),
    "phase": ("datatype", "実施内容", "phase", "What is done in the period; for a cell covered by the continuation arrow, the phase continued from the left.", "SchedulePhase", "xsd:string"),
    "continued": ("datatype", "継続矢印", "continued", "True when the cell is covered by the continuation arrow (→) rather than a printed phase.", "SchedulePhase", "xsd:boolean"),
    "unit": ("datatype", "単位", "unit", "Attribute: the unit printed after the number (件, %, 所属 …).", None, "xsd:string"),
    "valueText": ("datatype", "値の表記", "value as printed", "Attribute: the value as printed, e.g. 1回/年 (15システム) or 全所属.", None, "xsd:string"),
    "valueNote": ("datatype", "値の補足", "value note", "Attribute: what the printed value adds after number and unit, e.g. (15システム).", None, "xsd:string"),
    "dateText": ("datatype", "時点の表記", "date as printed", "Attribute: the date as printed, e.g. H26年3月末 or 28年度末.", None, "xsd:string"),
    "lineRange": ("datatype", "出典行", "line range", "Line range in the source text file, 1-based and inclusive, e.g. 59-70.", "SourcePart", "xsd:string"),
    "startLine": ("datatype", "開始行", "start line", "First line of the range.", "SourcePart", "xsd:positiveInteger"),
    "endLine": ("datatype", "終了行", "end line", "Last line of the range.", "SourcePart", "xsd:positiveInteger"),
    "priorityGoalOption": ("datatype", "重点目標の選択肢", "priority goal option",
                           "A priority goal (重点目標) printed among the options of the initiative's block, as printed; which options are selected is not stated (priorityGoalsUnknown).", "Initiative", "xsd:string"),
    "priorityGoalsUnknown": ("datatype", "重点目標（不明）", "priority goals unknown",
                             "Always true: which 重点目標 (priority goals) are selected cannot be recovered from the plan's text, so no selection is stated.", "Initiative", "xsd:boolean"),
}


def vocabulary_namespace(base_uri: str) -> Namespace:
    return Namespace(base_uri + "vocab/")


def curie(text: str, pv: Namespace) -> URIRef:
    """`dcterms:title` or `pv:method` -> URIRef."""
    prefix, _, local = text.partition(":")
    return pv[local] if prefix == "pv" else PREFIXES[prefix][local]


def vocabulary_graph(base_uri: str, license_url: str = "") -> Graph:
    """The pv: vocabulary as an OWL ontology with Japanese and English labels, under the
    publication's licence (license_url, when given). The ontology is `<base_uri>vocab` (its
    terms `<base_uri>vocab/<term>`): a URI without a final '/' names documents
    (`id/vocab.ttl`, …) as every other minted URI does, beside the terms' folder."""
    pv = vocabulary_namespace(base_uri)
    graph = Graph()
    bind_prefixes(graph, pv)
    ontology = URIRef(str(pv).rstrip("/"))
    graph.add((ontology, RDF.type, OWL.Ontology))
    if license_url:
        graph.add((ontology, DCTERMS.license, URIRef(license_url)))
    graph.add((ontology, DCTERMS.title, Literal("計画オープンデータ語彙", lang="ja")))
    graph.add((ontology, DCTERMS.title, Literal("Plan open data vocabulary", lang="en")))
    kinds = {"class": OWL.Class, "object": OWL.ObjectProperty, "datatype": OWL.DatatypeProperty}
    for name, (kind, ja, en, comment, domain, range_) in TERMS.items():
        term = pv[name]
        graph.add((term, RDF.type, kinds[kind]))
        graph.add((term, RDFS.isDefinedBy, ontology))
        graph.add((term, RDFS.label, Literal(ja, lang="ja")))
        graph.add((term, RDFS.label, Literal(en, lang="en")))
        graph.add((term, RDFS.comment, Literal(comment, lang="en")))
        if domain:
            graph.add((term, RDFS.domain, curie(domain if ":" in domain else f"pv:{domain}", pv)))
        if range_:
            graph.add((term, RDFS.range, curie(range_ if ":" in range_ else f"pv:{range_}", pv)))
    for name in ("indicator", "valueKind"):
        graph.add((pv[name], RDF.type, QB.DimensionProperty))
    for name in ("unit", "valueText", "valueNote", "dateText"):
        graph.add((pv[name], RDF.type, QB.AttributeProperty))
    return graph


def bind_prefixes(graph: Graph, pv: Namespace) -> None:
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    graph.bind("pv", pv)


def graph_base(config) -> str:
    """`<base_uri>graph/`, under which the publication's and each plan's named graphs are."""
    base = config.base_uri if config.base_uri.endswith(("/", "#")) else config.base_uri + "/"
    return f"{base}graph/"


def default_graph_iri(config) -> str:
    """One named graph per publication: `<base_uri>graph/<name>`. The graph states its own
    licence (`<graph> dcterms:license <licence URL>`) and the SPARQL store loads it under
    this name."""
    return f"{graph_base(config)}{config.name}"


def plan_graph_iri(config, plan_id: str) -> str:
    """One plan's named graph: `<base_uri>graph/plan/<plan_id>`, which states its licence as
    the publication's graph does."""
    return f"{graph_base(config)}plan/{plan_id}"

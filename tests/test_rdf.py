"""Linked data: the published graph, its serialisations, URIs, vocabulary and provenance."""

from __future__ import annotations

import csv
import hashlib
import json
import random
from datetime import date
from decimal import Decimal
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, RDFS

from pipeline.config import load_config
from pipeline.export.datapackage import source_descriptor
from pipeline.export.tables import table_rows
from assembled import build
from pipeline.rdf.graph import build_graph
from pipeline.schema import load_schemas

BASE = Namespace("https://example.org/plan-opendata/id/")
PV = Namespace(str(BASE) + "vocab/")
PLAN = "plan/miyagi-ict-plan-2014-2016/"          # every plan's records are minted under it
ORG = Namespace("http://www.w3.org/ns/org#")
PROV = Namespace("http://www.w3.org/ns/prov#")
FORMATS = {"graph.ttl": "turtle", "graph.nt": "nt", "graph.rdf": "xml", "graph.jsonld": "json-ld"}
OXIGRAPH = {"graph.ttl": pyoxigraph.RdfFormat.TURTLE, "graph.nt": pyoxigraph.RdfFormat.N_TRIPLES,
            "graph.rdf": pyoxigraph.RdfFormat.RDF_XML, "graph.jsonld": pyoxigraph.RdfFormat.JSON_LD}


@pytest.fixture(scope="module")
def built(project_root):
    """The graph as built in memory from the real source, and its inputs."""
    config = load_config(project_root / "pipeline.toml")
    publication = build(project_root / "data" / "raw", config, lambda message: None)
    rows = table_rows(publication)
    sources = [source_descriptor(s) for s in publication.sources]
    return (build_graph(rows, sources, publication.plans, config, load_schemas()), rows, sources,
            publication.plans, config)


def parse(published: Path, name: str) -> Graph:
    graph = Graph()
    path = published / "rdf" / name
    graph.parse(path, format=FORMATS[name])       # the JSON-LD carries its @context inline
    return graph


@pytest.fixture(scope="module")
def turtle(published) -> Graph:
    return parse(published, "graph.ttl")


def publish_changed(tmp_path: Path, project_root: Path, source_text: str,
                    changes: dict[str, str]) -> Path:
    """The real source with each printed text (found once) replaced, published alone into
    `tmp_path/out` (returned) with the project's settings."""
    from pipeline.publish import publish
    text = source_text
    for printed, changed in changes.items():
        assert text.count(printed) == 1, printed
        text = text.replace(printed, changed)
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "plan.txt").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    publish(raw, out, load_config(project_root / "pipeline.toml"), lambda message: None)
    return out


@pytest.mark.parametrize("name", FORMATS)
def test_every_serialisation_is_isomorphic_to_the_built_graph(published, built, name):
    assert isomorphic(parse(published, name), built[0])


@pytest.mark.parametrize("name", FORMATS)
def test_pyoxigraph_reads_the_same_number_of_triples(published, built, name):
    path = published / "rdf" / name
    quads = list(pyoxigraph.parse(path=str(path), format=OXIGRAPH[name]))
    assert len(quads) == len(built[0]) > 2000


def test_jsonld_reads_as_plain_json(published):
    document = json.loads((published / "rdf" / "graph.jsonld").read_text(encoding="utf-8"))
    context = json.loads((published / "rdf" / "context.jsonld").read_text(encoding="utf-8"))
    assert document["@context"] == context["@context"]
    node = next(n for n in document["@graph"] if n["id"] == str(BASE[PLAN + "initiative/2-2-5"]))
    assert node["identifier"] == "2-2-5"
    assert node["title"] == "電子申請オンライン利用の促進"
    assert node["references"] == str(BASE[PLAN + "initiative/2-1-6"])


def test_sparql_finds_33_initiatives(turtle):
    result = turtle.query("""
        PREFIX pv: <https://example.org/plan-opendata/id/vocab/>
        SELECT (COUNT(?i) AS ?n) WHERE { ?i a pv:Initiative }""")
    assert int(next(iter(result))[0]) == 33


def test_sparql_indicator_values_equal_indicators_csv(turtle, published):
    result = turtle.query("""
        PREFIX pv: <https://example.org/plan-opendata/id/vocab/>
        PREFIX qb: <http://purl.org/linked-data/cube#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
        PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
        SELECT ?id ?kind ?text ?value ?date WHERE {
            ?obs a qb:Observation ; pv:indicator ?indicator ; pv:valueKind ?k ;
                 pv:valueText ?text ; sdmx-dimension:refPeriod ?date .
            ?indicator pv:initiative/dcterms:identifier ?initiative ; schema:position ?seq .
            BIND(CONCAT(STR(?initiative), "-", STR(?seq)) AS ?id)
            BIND(REPLACE(STR(?k), "^.*/", "") AS ?kind)
            OPTIONAL { ?obs sdmx-measure:obsValue ?value }
        }""", initNs={"schema": Namespace("https://schema.org/")})
    from_graph = {(str(r.id), str(r.kind)): (str(r.text), None if r.value is None else Decimal(str(r.value)), str(r.date))
                  for r in result}
    with (published / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6 and len(from_graph) == 12
    for row in rows:
        ident = f"{row['initiative_id']}-{row['seq']}"
        for kind in ("baseline", "target"):
            value = Decimal(row[f"{kind}_value"]) if row[f"{kind}_value"] else None
            assert from_graph[(ident, kind)] == (row[f"{kind}_text"], value, row[f"{kind}_date"])
    assert from_graph[("2-2-5-1", "baseline")] == ("38.25%", Decimal("38.25"), "2012-03-31")


def test_sparql_finds_the_reference_2_1_8_to_2_1_9(turtle):
    assert (BASE[PLAN + "initiative/2-1-8"], DCTERMS.references, BASE[PLAN + "initiative/2-1-9"]) in turtle
    assert (BASE[PLAN + "initiative/2-1-8"], DCTERMS.references, BASE[PLAN + "initiative/2-1-10"]) in turtle
    documents = [str(t) for t in turtle.objects(None, DCTERMS.title)
                 if str(t) == "宮城県情報システム最適化計画"]
    assert documents == ["宮城県情報システム最適化計画"]


def test_plan_field_item_initiative_hierarchy(turtle):
    initiative = BASE[PLAN + "initiative/2-1-12"]
    item = turtle.value(initiative, DCTERMS.isPartOf)
    field = turtle.value(item, DCTERMS.isPartOf)
    plan = turtle.value(field, DCTERMS.isPartOf)
    assert (item, field) == (BASE[PLAN + "item/2-1"], BASE[PLAN + "field/2"])
    assert str(turtle.value(plan, DCTERMS.title)) == "みやぎICT推進プラン(2014～2016)"
    assert (plan, RDF.type, PV.Plan) in turtle


def test_division_department_prefecture_are_organisations(turtle):
    unit = turtle.value(BASE[PLAN + "initiative/2-1-12"], PV.responsibleUnit)
    department = turtle.value(unit, ORG.subOrganizationOf)
    prefecture = turtle.value(department, ORG.subOrganizationOf)
    labels = [str(turtle.value(node, URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")))
              for node in (unit, department, prefecture)]
    assert labels == ["情報政策課", "震災復興・企画部", "宮城県"]
    assert str(turtle.value(prefecture, DCTERMS.identifier)) == "040002"
    # organisations are minted under their publisher's 全国地方公共団体コード
    assert [str(node) for node in (prefecture, department)] == [
        str(BASE["organization/lg-040002"]),
        str(BASE["organization/lg-040002/%E9%9C%87%E7%81%BD%E5%BE%A9%E8%88%88%E3%83%BB%E4%BC%81%E7%94%BB%E9%83%A8"])]
    assert all((node, RDF.type, ORG.Organization) in turtle for node in (unit, department, prefecture))


def test_provenance_to_source_lines_and_checksum(turtle, source_path):
    part = turtle.value(BASE[PLAN + "initiative/2-1-1"], PROV.wasDerivedFrom)
    assert str(turtle.value(part, PV.lineRange)) == "59-70"
    source = turtle.value(part, DCTERMS.isPartOf)
    checksum = turtle.value(source, URIRef("http://spdx.org/rdf/terms#checksum"))
    value = turtle.value(checksum, URIRef("http://spdx.org/rdf/terms#checksumValue"))
    assert str(value) == hashlib.sha256(source_path.read_bytes()).hexdigest()


def test_methods_and_status_are_skos_concepts(turtle):
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    status = turtle.value(BASE[PLAN + "initiative/2-1-3"], PV.status)
    assert str(turtle.value(status, skos.prefLabel)) == "新"
    assert (status, skos.inScheme, BASE["scheme/status"]) in turtle
    methods = {str(turtle.value(m, skos.prefLabel)) for m in turtle.objects(BASE[PLAN + "initiative/2-1-8"], PV.method)}
    assert methods == {"システム", "その他"}


def test_the_priority_goal_options_are_in_the_graph_as_printed_the_selection_unknown(turtle):
    """重点目標: the five options 2-2-13 prints (暮らし and くらし as printed), none stated as
    selected; the CSV's priority_goal_options, value for value."""
    initiative = BASE[PLAN + "initiative/2-2-13"]
    options = {(str(o), o.language) for o in turtle.objects(initiative, PV.priorityGoalOption)}
    assert options == {("安全・安心な暮らし", "ja"), ("快適・便利なくらし", "ja"),
                       ("活力ある豊かな地域", "ja"), ("情報活用力の向上", "ja"),
                       ("行政運営の最適化", "ja")}
    assert turtle.value(initiative, PV.priorityGoalsUnknown).toPython() is True


def test_a_sites_media_are_concepts_beside_the_badges_as_printed(turtle):
    """ウェブメルマガ (two badges run together by the text extraction) is split into two media
    concepts; the badges as printed stay beside them, as in sites.csv's media_text."""
    skos = Namespace("http://www.w3.org/2004/02/skos/core#")
    site = BASE[PLAN + "site/2-site-1"]
    media = {str(turtle.value(m, skos.prefLabel)) for m in turtle.objects(site, PV.medium)}
    assert media == {"ウェブ", "メルマガ"}
    assert list(turtle.objects(site, PV.mediaText)) == [Literal("ウェブメルマガ", lang="ja")]


def test_same_input_same_uris_whatever_the_row_order(built, project_root):
    graph, rows, sources, plans, config = built
    shuffled = {table: random.Random(7).sample(table_rows, len(table_rows)) for table, table_rows in rows.items()}
    assert set(build_graph(shuffled, sources, plans, config, load_schemas())) == set(graph)


def test_the_vocabulary_file_states_the_licence(published):
    """rdf/vocabulary.ttl stated none (its URI document id/vocab.ttl did), a fresh-eyes review
    found: every published file states its licence."""
    vocabulary = Graph().parse(published / "rdf" / "vocabulary.ttl")
    assert set(vocabulary.objects(URIRef(str(PV).rstrip("/")), DCTERMS.license)) == {
        URIRef("https://creativecommons.org/licenses/by/4.0/")}


def test_vocabulary_labels_every_pv_term_in_ja_and_en(published, turtle):
    vocabulary = Graph().parse(published / "rdf" / "vocabulary.ttl")
    used = {term for triple in turtle for term in triple
            if isinstance(term, URIRef) and str(term).startswith(str(PV))}
    assert used
    for term in used:
        languages = {label.language for label in vocabulary.objects(term, RDFS.label)}
        assert languages == {"ja", "en"}, term


def test_uris_use_the_configured_placeholder_base(turtle):
    subjects = {str(s) for s in turtle.subjects(RDF.type, PV.Initiative)}
    assert str(BASE[PLAN + "initiative/2-1-12"]) in subjects
    assert all(s.startswith("https://example.org/") for s in subjects)


def test_every_json_file_states_the_licence(published):
    url = "https://creativecommons.org/licenses/by/4.0/"
    files = sorted(p for p in published.rglob("*") if p.suffix in (".json", ".jsonld"))
    assert len(files) > 30
    documents = json.loads((published / "rdf" / "uri-documents.json").read_text(encoding="utf-8"))
    assert documents["license"]["path"] == url              # states the licence of the URIs' documents
    listed = {published / entry["path"] for entry in documents["files"]}
    for path in files:
        if path in listed:
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(document, list):                      # ckan/licenses.json, the register
            assert [entry["url"] for entry in document] == [url], path
        elif "license_url" in document:                     # datasette/metadata.json: name + URL
            assert document["license_url"] == url, path
        elif "license" in document:
            license = document["license"]
            assert (license["path"] if isinstance(license, dict) else license) == url, path
        elif "licenses" in document:                        # datapackage.json
            assert document["licenses"][0]["path"] == url, path
        elif "license_id" in document:                      # CKAN package
            assert document["license_url"] == url, path
        elif path.name == "context.jsonld":                 # a context: its own licence, beside it
            assert set(document) == {"@context", "id", "license"}, path
            assert document["license"] == url, path
        elif path.name == "graph.jsonld":                   # the graph's licence, as a triple
            graph = next(n for n in document["@graph"] if n["id"].endswith("/graph/miyagi-ict-plan"))
            assert graph["license"] == url
        else:                                               # catalog.jsonld states it in RDF
            assert path.name == "catalog.jsonld" and url in path.read_text(encoding="utf-8"), path


def test_a_url_that_is_no_absolute_iri_is_a_literal_in_every_serialisation(
        tmp_path, project_root, source_text):
    """A site's URL printed as `www.…` (no `http://`), as `-` or with a bare `%`: the tables
    keep it as printed, the graph states it as an xsd:anyURI literal, never an IRI that a
    reader drops (such a source once failed the publish with "serialisations differ in triple
    count")."""
    out = publish_changed(tmp_path, project_root, source_text, {
        "URL <http://www.pref.miyagi.jp/site/ej-earthquake/press.html>":
            "URL www.pref.miyagi.jp/site/ej-earthquake/press.html",
        "URL <https://sites.google.com/site/kanshamiyagi/>": "URL -",
        "URL <http://kokoropress.blogspot.jp/>": "URL <http://kokoropress.blogspot.jp/100%>"})
    with (out / "sites.csv").open(encoding="utf-8", newline="") as handle:
        urls = {row["url"] for row in csv.DictReader(handle)}
    assert {"www.pref.miyagi.jp/site/ej-earthquake/press.html", "-"} <= urls
    schema_url = URIRef("https://schema.org/url")
    for name in FORMATS:
        values = set(parse(out, name).objects(None, schema_url))
        assert Literal("-", datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI")) in values
        assert Literal("www.pref.miyagi.jp/site/ej-earthquake/press.html",
                       datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI")) in values
        assert Literal("http://kokoropress.blogspot.jp/100%",      # no valid percent escape
                       datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI")) in values


def test_a_url_with_an_unclosed_ipv6_host_is_published_as_printed(tmp_path, project_root,
                                                                  source_text):
    """`http://[::1/x` (urlsplit raises ValueError) once failed the portal ("site stage failed:
    ValueError: Invalid IPv6 URL"): the tables keep it, the graph states it as a literal, the
    initiative's page shows it as text, not as a link."""
    out = publish_changed(tmp_path, project_root, source_text, {
        "http://www.pref.miyagi.jp/soshiki/iyoho-s/miyagihw.html": "http://[::1/x"})
    with (out / "initiatives.csv").open(encoding="utf-8", newline="") as handle:
        assert next(row["urls"] for row in csv.DictReader(handle) if row["id"] == "2-1-1") == \
            "http://[::1/x"
    page = next(out.glob("initiatives/*/2-1-1.html")).read_text(encoding="utf-8")
    assert "http://[::1/x" in page and 'href="http://[::1/x"' not in page


def test_a_target_printed_without_its_value_keeps_its_date_in_the_graph(
        tmp_path, project_root, source_text):
    """2-2-5's target with its value lost (`目標値(28年度末)` and an empty cell): the tables
    keep its date, 2017-03-31, and the date as printed; so does its observation in the graph,
    which states no value text and no value (it was left out, and the date with it)."""
    out = publish_changed(tmp_path, project_root, source_text, {
        "目標値(28年度末)\n\t\t\t\t43%\n": "目標値(28年度末)\n\t\t\t\t\n"})
    with (out / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["initiative_id"] == "2-2-5")
    assert (row["target_text"], row["target_value"], row["target_date"], row["target_date_text"]) \
        == ("", "", "2017-03-31", "28年度末")
    graph = parse(out, "graph.nt")
    target = URIRef("https://example.org/plan-opendata/id/plan/plan/indicator/2-2-5-1/target")
    sdmx = Namespace("http://purl.org/linked-data/sdmx/2009/")
    assert graph.value(target, URIRef(str(sdmx) + "dimension#refPeriod")).toPython() == \
        date(2017, 3, 31)
    assert str(graph.value(target, PV.dateText)) == "28年度末"
    assert graph.value(target, PV.valueText) is None
    assert graph.value(target, URIRef(str(sdmx) + "measure#obsValue")) is None


def test_a_baseline_dated_by_a_fiscal_year_publishes_its_period_everywhere(
        tmp_path, project_root, source_text):
    """現状値(H23年度): no day, so no ISO date and no refPeriod; the fiscal year is published as
    its first and last day in the tables, as the observation's dcterms:temporal in the graph
    and on the initiative's page, the text as printed beside it."""
    out = publish_changed(tmp_path, project_root, source_text, {"現状値(24年3月末)": "現状値(H23年度)"})
    with (out / "indicators.csv").open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["initiative_id"] == "2-2-5")
    assert (row["baseline_date"], row["baseline_period_start"], row["baseline_period_end"],
            row["baseline_date_text"]) == ("", "2011-04-01", "2012-03-31", "H23年度")
    assert (row["target_date"], row["target_period_start"], row["target_period_end"]) == \
        ("2017-03-31",) * 3
    graph = parse(out, "graph.nt")
    observation = URIRef("https://example.org/plan-opendata/id/plan/plan/indicator/2-2-5-1/baseline")
    dcat = Namespace("http://www.w3.org/ns/dcat#")
    period = graph.value(observation, DCTERMS.temporal)
    assert (graph.value(period, RDF.type), graph.value(period, dcat.startDate).toPython(),
            graph.value(period, dcat.endDate).toPython()) == \
        (DCTERMS.PeriodOfTime, date(2011, 4, 1), date(2012, 3, 31))
    refperiod = URIRef("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod")
    assert graph.value(observation, refperiod) is None
    assert graph.value(URIRef(str(observation)[:-len("baseline")] + "target"), DCTERMS.temporal) \
        is None             # a day: its refPeriod alone
    period = '<time datetime="2011-04-01">2011-04-01</time>～<time datetime="2012-03-31">' \
             '2012-03-31</time>'
    page = next(out.glob("initiatives/*/2-2-5.html")).read_text(encoding="utf-8")
    assert f"{period}<br><small>（表記：H23年度）</small>" in page
    plan_page = next(out.glob("publishers/*/index.html")).read_text(encoding="utf-8")
    assert f"<td>38.25%<br><small>{period}</small></td>" in plan_page
    assert '<td>43%<br><small><time datetime="2017-03-31">2017-03-31</time></small></td>' \
        in plan_page


def test_a_glossary_term_of_an_indicator_is_the_indicators_in_the_tables_and_the_graph(
        tmp_path, project_root, source_text):
    """A term marked in an indicator's name (2-2-5's in a tab row, the second of 2-1-12's in an
    HTML fragment) was published as the initiative's, in a column `indicators` it does not have;
    the schema of terms.csv gives it to the indicator, `2-2-5#1`, and so does the graph, on the
    indicator's own URI (`…/indicator/2-2-5-1`, not `…/indicator/2-2-5%231`)."""
    out = publish_changed(tmp_path, project_root, source_text, {
        "指標\t\t電子申請利用率（県）": "指標\t\t電子申請*利用率（県）",
        "<p>情報セキュリティ外部監査実施回数</p>": "<p>情報セキュリティ外部*監査実施回数</p>"})
    with (out / "terms.csv").open(encoding="utf-8", newline="") as handle:
        rows = [(r["term"], r["record_kind"], r["record_id"], r["column"], r["lines"])
                for r in csv.DictReader(handle) if r["record_id"].startswith(("2-2-5", "2-1-12"))]
    assert sorted(rows) == [("情報セキュリティ外部", "indicator", "2-1-12#2", "name", "446"),
                            ("電子申請", "indicator", "2-2-5#1", "name", "604")]
    graph = parse(out, "graph.nt")
    indicator = URIRef(f"{BASE}plan/plan/indicator/2-2-5-1")
    assert graph.value(indicator, RDF.type) == PV.Indicator
    assert {(s, o) for s, o in graph.subject_objects(DCTERMS.subject)
            if "indicator" in str(s)} == {
        (indicator, URIRef(f"{BASE}concept/glossary/%E9%9B%BB%E5%AD%90%E7%94%B3%E8%AB%8B")),
        (URIRef(f"{BASE}plan/plan/indicator/2-1-12-2"),
         URIRef(f"{BASE}concept/glossary/"
                "%E6%83%85%E5%A0%B1%E3%82%BB%E3%82%AD%E3%83%A5%E3%83%AA%E3%83%86%E3%82%A3%E5%A4%96%E9%83%A8"))}


def test_a_citation_of_no_published_initiative_or_of_a_url_no_iri_keeps_what_was_cited(
        tmp_path, project_root, source_text):
    """A 参考 citing an initiative the plan does not publish (`2-9-9…`) became a document
    titled with the rest of the line, its number nowhere in the graph; one citing a URL that
    is no IRI (`|` in it) a document titled with the URL, the URL not stated as one. The
    document states the number as printed (references.csv's cited_id) and the URL as a literal
    of xsd:anyURI, as the portal sites' URLs are."""
    out = publish_changed(tmp_path, project_root, source_text, {
        "2-2-5電子申請オンライン利用の促進": "2-9-9電子申請オンライン利用の促進",
        "2-1-6宮城県電子申請システムの運用": "2-9-8電子申請オンライン利用の促進",
        "2-1-13情報セキュリティ研修の実施": "2-9-1 3D地図の整備",      # (number and title
        "2-1-12情報セキュリティ監査の実施": "2-9-13D地図の整備",        # joined: one text)
        "<http://www.cas.go.jp/jp/seisaku/bangoseido/index.html>": "<http://www.cas.go.jp/jp/a|b/index.html>"})
    graph = parse(out, "graph.ttl")
    schema_url = URIRef("https://schema.org/url")
    cited = {str(document): (str(graph.value(document, DCTERMS.title)),
                             graph.value(document, DCTERMS.identifier),
                             graph.value(document, schema_url))
             for document in graph.subjects(RDF.type, URIRef("http://xmlns.com/foaf/0.1/Document"))
             if (document, DCTERMS.identifier, None) in graph or (document, schema_url, None) in graph}
    assert sorted(cited.values()) == sorted([
        ("http://www.cas.go.jp/jp/a|b/index.html", None,
         Literal("http://www.cas.go.jp/jp/a|b/index.html",
                 datatype=URIRef("http://www.w3.org/2001/XMLSchema#anyURI"))),
        ("3D地図の整備", Literal("2-9-1"), None),
        ("D地図の整備", Literal("2-9-13"), None),
        ("電子申請オンライン利用の促進", Literal("2-9-8"), None),
        ("電子申請オンライン利用の促進", Literal("2-9-9"), None)])    # (two: one title, two numbers)
    assert all(uri.startswith(str(BASE[PLAN.replace("miyagi-ict-plan-2014-2016", "plan")]))
               for uri in cited)


def test_every_site_is_part_of_its_field_of_its_plan(turtle):
    """The 情報発信サイト等 were linked to nothing: a query could find a plan's sites only by
    reading their URIs. Each is part of its field, as the initiatives' items are."""
    query = """SELECT ?site WHERE { ?site a schema:WebSite ; dcterms:isPartOf ?field .
               ?field dcterms:isPartOf <%s> }""" % BASE["plan/miyagi-ict-plan-2014-2016"]
    sites = {str(row.site).rsplit("/", 1)[-1] for row in turtle.query(
        query, initNs={"dcterms": DCTERMS, "schema": Namespace("https://schema.org/")})}
    assert sites == {f"2-site-{n}" for n in range(1, 9)}
    assert (BASE[PLAN + "site/2-site-1"], DCTERMS.isPartOf, BASE[PLAN + "field/2"]) in turtle

"""Many plans of many publishers in one publication (specification by example).

Two plans of two publishers are built from the real source: Miyagi's field 2 as it is, and the
same text as "Fukushima's" plan (publisher 福島県, 全国地方公共団体コード 070009) with the
summary of 2-1-1 changed. Both number their initiatives from 2-1-1, as real plans do.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Namespace, URIRef

from pipeline.export.site.context import Plan, department_slug

DCAT_NS = Namespace("http://www.w3.org/ns/dcat#")     # plain: pytest probes module attributes
MIYAGI = "miyagi-ict-plan-2014-2016"
FUKUSHIMA = "fukushima-ict-plan-2015-2017"
BASE = "https://example.org/plan-opendata/id/"
PROJECT = Path(__file__).resolve().parent.parent     # run_cli runs here: its pipeline.toml
SUMMARY_2_1_1 = "県内の公共機関(県や市町村等)を結ぶネットワーク"


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def manifest(*entries: dict) -> str:
    lines = []
    for entry in entries:
        lines.append("[[source]]")
        lines += [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in entry.items()]
        lines.append("")
    return "\n".join(lines)


def miyagi_entry(file: str, **extra) -> dict:
    return {"file": file, "title": "みやぎICT推進プラン 分野2", "plan_id": MIYAGI,
            "plan_title": "みやぎICT推進プラン(2014～2016)", "publisher": "宮城県",
            "publisher_code": "040002", "period_start_fy": 2014, "period_end_fy": 2016, **extra}


def fukushima_entry(file: str) -> dict:
    return {"file": file, "title": "福島県ICT計画 分野2", "plan_id": FUKUSHIMA,
            "plan_title": "福島県ICT計画(2015～2017)", "publisher": "福島県",
            "publisher_code": "070009", "period_start_fy": 2015, "period_end_fy": 2017}


def field_3(text: str) -> str:
    """The real field 2 renumbered as field 3 (its page headers say 分野 3)."""
    return text.replace("分野\t2\t", "分野\t3\t").replace("分野 2 ", "分野 3 ")


def raw_of(tmp_path: Path, *files: tuple[str, dict]) -> Path:
    """tmp_path/raw holding each (text, manifest entry) as the entry's file, and the manifest."""
    raw = tmp_path / "raw"
    raw.mkdir(parents=True)
    for text, entry in files:
        (raw / entry["file"]).write_text(text, encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(*(entry for _, entry in files)), encoding="utf-8")
    return raw


def write_two_plans(raw: Path, miyagi: str, fukushima: str) -> None:
    """A raw folder of Miyagi's plan and "Fukushima's" (their texts as given), with the
    manifest naming both."""
    raw.mkdir(parents=True, exist_ok=True)
    (raw / "miyagi.txt").write_text(miyagi, encoding="utf-8")
    (raw / "fukushima.txt").write_text(fukushima, encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(miyagi_entry("miyagi.txt"),
                                               fukushima_entry("fukushima.txt")), encoding="utf-8")


@pytest.fixture(scope="module")
def two_plans(tmp_path_factory, run_cli, source_text) -> Path:
    """Publication of two plans of two publishers with identical numbering."""
    raw = tmp_path_factory.mktemp("two-plans") / "raw"
    assert source_text.count("県内の公共機関") == 1                     # 2-1-1's summary, line 61
    write_two_plans(raw, source_text, source_text.replace("県内の公共機関", "福島県内の公共機関"))
    out = raw.parent / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    return out


def test_two_plans_with_the_same_numbering_publish_together(two_plans):
    rows = read_rows(two_plans / "initiatives.csv")
    assert len(rows) == 66
    first = {r["plan_id"]: r for r in rows if r["id"] == "2-1-1"}
    assert set(first) == {MIYAGI, FUKUSHIMA}
    assert first[MIYAGI]["summary"].startswith(SUMMARY_2_1_1)
    assert first[FUKUSHIMA]["summary"].startswith("福島" + SUMMARY_2_1_1)
    assert first[MIYAGI]["department"] == first[FUKUSHIMA]["department"] == "震災復興・企画部"
    indicators = read_rows(two_plans / "indicators.csv")
    assert {(r["plan_id"], r["baseline_value"]) for r in indicators if r["initiative_id"] == "2-2-5"} \
        == {(MIYAGI, "38.25"), (FUKUSHIMA, "38.25")}


def test_every_table_has_a_plan_id_and_keys_include_it(two_plans):
    for table in ("initiatives", "indicators", "schedules", "references", "sites", "sections", "terms"):
        schema = json.loads((two_plans / "schemas" / f"{table}.json").read_text(encoding="utf-8"))
        assert schema["fields"][0]["name"] == "plan_id"
        assert schema["primaryKey"][0] == "plan_id"
        for key in schema.get("foreignKeys", []):
            assert key["reference"]["fields"] == ["plan_id", "id"]
        rows = read_rows(two_plans / f"{table}.csv")
        assert {r["plan_id"] for r in rows} == {MIYAGI, FUKUSHIMA}, table


def test_references_resolve_inside_their_own_plan(two_plans):
    rows = read_rows(two_plans / "references.csv")
    cited = [r for r in rows if r["from_id"] == "2-1-6" and r["cited_id"] == "2-2-5"]
    assert {(r["plan_id"], r["to_plan_id"], r["to_id"]) for r in cited} == {
        (MIYAGI, MIYAGI, "2-2-5"), (FUKUSHIMA, FUKUSHIMA, "2-2-5")}


def test_uris_are_scoped_by_plan_and_organisations_by_publisher(two_plans):
    graph = (two_plans / "rdf" / "graph.nt").read_text(encoding="utf-8")
    for plan in (MIYAGI, FUKUSHIMA):
        assert f"<{BASE}plan/{plan}/initiative/2-1-1> <http://purl.org/dc/terms/identifier> \"2-1-1\" ." in graph
    assert f"<{BASE}initiative/2-1-1>" not in graph
    # the same department name under two publishers: two organisations, each under its publisher
    for code in ("040002", "070009"):
        department = f"<{BASE}organization/lg-{code}/%E9%9C%87%E7%81%BD%E5%BE%A9%E8%88%88%E3%83%BB%E4%BC%81%E7%94%BB%E9%83%A8>"
        assert (f"{department} <http://www.w3.org/ns/org#subOrganizationOf> "
                f"<{BASE}organization/lg-{code}> .") in graph
    assert (f"<{BASE}plan/{FUKUSHIMA}> <http://purl.org/dc/terms/publisher> "
            f"<{BASE}organization/lg-070009> .") in graph


def test_one_plan_over_two_files_is_one_plan(tmp_path, run_cli, source_text):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2.txt").write_text(source_text, encoding="utf-8")
    (raw / "field3.txt").write_text(field_3(source_text), encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(miyagi_entry("field3.txt"), miyagi_entry("field2.txt")),
                                      encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    rows = read_rows(out / "initiatives.csv")
    assert {r["plan_id"] for r in rows} == {MIYAGI}
    assert {"2-1-1", "3-1-1", "2-3-5", "3-3-5"} <= {r["id"] for r in rows}
    assert len(rows) == 66


def test_a_run_without_a_cache_says_nothing_of_one(tmp_path, run_cli, source_text):
    """`--no-cache` does without the cache: a publish of two files said `cache: 2 document(s)
    extracted (1 process(es)), 0 unchanged taken from the cache` all the same."""
    write_two_plans(tmp_path / "raw", source_text, source_text)
    result = run_cli("publish", "--no-cache", "--raw-dir", tmp_path / "raw",
                     "--out-dir", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "extract: 66 initiatives" in result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith("cache:")]


@pytest.mark.parametrize("pages, landing", [
    (("https://www.pref.miyagi.jp/f2.html", "https://www.pref.miyagi.jp/f3.html"), None),
    (("https://www.pref.miyagi.jp/ict.html",) * 2, "https://www.pref.miyagi.jp/ict.html")])
def test_a_plans_landing_page_is_that_of_every_file_or_none(tmp_path, run_cli, source_text,
                                                             pages, landing):
    """A plan of two fields published on two pages named its first file's page as its own
    (DCAT landing page, CKAN url), one field's page for the whole plan's data."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2.txt").write_text(source_text, encoding="utf-8")
    (raw / "field3.txt").write_text(field_3(source_text), encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(miyagi_entry("field2.txt", page=pages[0]),
                                               miyagi_entry("field3.txt", page=pages[1])),
                                      encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("publish", "--raw-dir", raw, "--out-dir", out).returncode == 0
    package = json.loads((out / "ckan" / f"plan-{MIYAGI}.json").read_text(encoding="utf-8"))
    assert package.get("url") == landing
    assert ("dcat:landingPage" in (out / "catalog.ttl").read_text(encoding="utf-8")) \
        == (landing is not None)


def test_plans_whose_files_interleave_by_name_publish_plan_by_plan(tmp_path, run_cli, source_text):
    """Files named by field, then authority (field2-04-miyagi, field2-07-fukushima,
    field3-04-miyagi): each plan's rows come together in every table, plans in the order of
    their first file (the validation once refused such a publication: `initiatives.csv does
    not hold its rows plan by plan`)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2-04-miyagi.txt").write_text(source_text, encoding="utf-8")
    (raw / "field2-07-fukushima.txt").write_text(source_text, encoding="utf-8")
    (raw / "field3-04-miyagi.txt").write_text(field_3(source_text), encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(
        miyagi_entry("field2-04-miyagi.txt"), fukushima_entry("field2-07-fukushima.txt"),
        miyagi_entry("field3-04-miyagi.txt")), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    rows = read_rows(out / "initiatives.csv")
    assert [(r["plan_id"], r["id"], r["source"]) for r in (rows[0], rows[33], rows[66])] == [
        (MIYAGI, "2-1-1", "field2-04-miyagi.txt"), (MIYAGI, "3-1-1", "field3-04-miyagi.txt"),
        (FUKUSHIMA, "2-1-1", "field2-07-fukushima.txt")]
    assert [r["plan_id"] for r in read_rows(out / "schedules.csv")].index(FUKUSHIMA) == 2 * 93


def test_a_field_whose_items_come_in_two_files_of_one_plan_has_no_gap(tmp_path, run_cli, source_text):
    """Item 2-1 in one file, items 2-2 and 2-3 in another: no item of field 2 is missing from
    the plan, so no warning says so (each file alone would look like a gap)."""
    lines = source_text.split("\n")
    item_2 = next(n for n, line in enumerate(lines) if line.startswith("2 行政情報の発信"))
    assert lines[2] == "分野\t2\t行政の情報化"
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("\n".join(lines[:item_2]), encoding="utf-8")          # item 2-1
    (raw / "b.txt").write_text("\n".join(lines[:3] + lines[item_2:]), encoding="utf-8")  # 2-2, 2-3
    (raw / "sources.toml").write_text(manifest(miyagi_entry("a.txt"), miyagi_entry("b.txt")),
                                      encoding="utf-8")
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert len(read_rows(tmp_path / "out" / "initiatives.csv")) == 33
    assert [line for line in result.stderr.splitlines() if line.startswith("warning:") and
            "DCAT-AP" not in line and "prints no column for fiscal year" not in line] == []
    (raw / "sources.toml").write_text(manifest(miyagi_entry("b.txt")), encoding="utf-8")
    (raw / "a.txt").unlink()                                    # item 2-1 gone from the plan
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", tmp_path / "out")
    assert f"warning: {raw / 'b.txt'}: item 2-1 is missing: field 2 numbers its items up to 3" \
        in result.stderr.splitlines()


def test_a_plan_over_two_files_has_the_title_of_its_plan_where_one_file_leaves_it_unset(
        tmp_path, run_cli, source_text):
    """The graph takes a plan's title from the plan (the first file that sets it), as the
    tables do, not from whichever file is read last."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2.txt").write_text(source_text, encoding="utf-8")
    (raw / "field3.txt").write_text(field_3(source_text), encoding="utf-8")
    untitled = {key: value for key, value in miyagi_entry("field3.txt").items() if key != "plan_title"}
    (raw / "sources.toml").write_text(manifest(miyagi_entry("field2.txt"), untitled), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    plan = f"<{BASE}plan/{MIYAGI}>"
    for graph in (out / "rdf" / "graph.nt", out / "plans" / MIYAGI / "graph.nt"):
        titles = [line for line in graph.read_text(encoding="utf-8").splitlines()
                  if line.startswith(f"{plan} <http://purl.org/dc/terms/title> ")]
        assert titles == [f'{plan} <http://purl.org/dc/terms/title> "みやぎICT推進プラン(2014～2016)"@ja .']
    package = json.loads((out / "ckan" / f"plan-{MIYAGI}.json").read_text(encoding="utf-8"))
    assert "みやぎICT推進プラン(2014～2016)" in package["title"]


def test_a_duplicate_id_inside_one_plan_names_both_files(tmp_path, run_cli, source_text):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "first.txt").write_text(source_text, encoding="utf-8")
    (raw / "second.txt").write_text(source_text, encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(miyagi_entry("first.txt"), miyagi_entry("second.txt")),
                                      encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {raw / 'second.txt'}:59: initiative 2-1-1 of plan {MIYAGI} appears "
                      f"in both first.txt:59 and second.txt:59"], result.stderr
    assert not out.exists()


def test_an_item_printed_over_two_files_of_its_plan_is_no_numbering_gap(tmp_path, source_text):
    """Item 2-2's initiatives 1-10 in one file, 11-14 in the next: each file's numbering was
    checked alone, so the second named 2-2-1 … 2-2-10 as missing (ten warnings), published
    all the same from the first."""
    from assembled import build
    from pipeline.config import Config
    lines = source_text.split("\n")
    assert lines[699].startswith("分野") and lines[702].startswith("11")
    raw = raw_of(tmp_path, ("\n".join(lines[:699]), miyagi_entry("a.txt")),
                 ("\n".join(lines[699:]), miyagi_entry("b.txt")))
    publication = build(raw, Config())
    assert len(publication.tables["initiatives"]) == 33
    assert not [w for w in publication.warnings if "is missing" in w or "has no initiative" in w]


def test_a_site_list_printed_again_in_another_file_of_the_plan_names_both(tmp_path, source_text):
    """A page of sites printed again in another file of the plan: its sites' ids clashed in
    frictionless (`sites, row 10: primary-key …`), naming no file nor line."""
    from assembled import build
    from pipeline.config import Config
    from pipeline.errors import ExtractionError
    lines = source_text.split("\n")
    assert lines[867].startswith("分野") and lines[921].startswith("分野")
    field3 = re.sub(r"^分野([\t |]+)2([\t |]+)", r"分野\g<1>3\g<2>", source_text, flags=re.M)
    raw = raw_of(tmp_path, (source_text, miyagi_entry("a.txt")),
                 ("\n".join(lines[867:921]) + "\n" + field3, miyagi_entry("b.txt")))
    with pytest.raises(ExtractionError) as error:
        build(raw, Config())
    assert str(error.value) == (f"{raw / 'b.txt'}:6: site 2-site-1 of plan {MIYAGI} appears in "
                                "both a.txt:818 and b.txt:6")


@pytest.mark.parametrize("key,first,second,line,said", [
    ("publisher_code", "040002", "070009", 17, "'040002' for field2.txt but '070009'"),
    ("publisher_bbox", [140.2, 37.7, 141.7, 39.0], [140.2, 37.7, 141.7, 39.1], 21,
     "(140.2, 37.7, 141.7, 39.0) for field2.txt but (140.2, 37.7, 141.7, 39.1)"),    # one area
])
def test_files_of_one_plan_must_agree_on_the_publisher(tmp_path, run_cli, source_text, key, first,
                                                       second, line, said):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2.txt").write_text(source_text, encoding="utf-8")
    (raw / "field3.txt").write_text(field_3(source_text), encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(
        miyagi_entry("field2.txt", **{key: first}), miyagi_entry("field3.txt", **{key: second})),
        encoding="utf-8")
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.endswith(
        f"error: {raw / 'sources.toml'}:{line}: plan {MIYAGI}: {key} is {said} for field3.txt "
        "(files of one plan must agree)\n")                                       # its line
    assert (raw / "sources.toml").read_text(encoding="utf-8").splitlines()[line - 1] == \
        f"{key} = {json.dumps(second)}"
    assert not (tmp_path / "out").exists()


def test_a_file_without_manifest_entry_says_which_plan_it_went_to(tmp_path, run_cli, source_text):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "fukushima-field2.txt").write_text(source_text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    assert ("read: fukushima-field2.txt has no entry in sources.toml: published as plan "
            f"fukushima-field2 of 宮城県 (040002), the defaults of {PROJECT / 'pipeline.toml'}") \
        in result.stderr
    assert {r["plan_id"] for r in read_rows(out / "initiatives.csv")} == {"fukushima-field2"}


def test_a_field_opening_with_its_narrative_before_the_first_header(tmp_path, run_cli, source_text):
    """The seed without its first page header (lines 1-4): the item heading and the
    【現状、課題と取組の方向性】 narrative come before any `分野 … 項目 …` header."""
    lines = source_text.split("\n")
    assert lines[2] == "分野\t2\t行政の情報化"
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2.txt").write_text("\n".join(lines[4:]), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    sections = read_rows(out / "sections.csv")
    assert len(sections) == 10
    assert all(r["field_no"] == "2" for r in sections)
    opening = [r for r in sections if r["heading"] == "情報通信ネットワークの安定運用"]
    assert [(r["field_no"], r["item_no"]) for r in opening] == [("2", "1")]
    assert len(read_rows(out / "initiatives.csv")) == 33


def test_each_plan_downloads_alone_and_is_owned_by_its_publisher(two_plans):
    for plan, code in ((MIYAGI, "040002"), (FUKUSHIMA, "070009")):
        rows = read_rows(two_plans / "plans" / plan / "initiatives.csv")
        assert len(rows) == 33 and {r["plan_id"] for r in rows} == {plan}
        combined = [r for r in read_rows(two_plans / "initiatives.csv") if r["plan_id"] == plan]
        assert rows == combined
        graph = (two_plans / "plans" / plan / "graph.nt").read_text(encoding="utf-8")
        other = FUKUSHIMA if plan == MIYAGI else MIYAGI
        assert f"/plan/{plan}/initiative/2-1-1>" in graph and f"/plan/{other}/" not in graph
        package = json.loads((two_plans / "ckan" / f"plan-{plan}.json").read_text(encoding="utf-8"))
        assert package["owner_org"] == f"lg-{code}"
        extras = {e["key"]: e["value"] for e in package["extras"]}
        assert (extras["plan_id"], extras["publisher_code"]) == (plan, code)
        assert extras["spatial_uri"] == f"{BASE}location/{code}"      # the catalogue's, below
        urls = [r["url"] for r in package["resources"]]
        assert len(urls) == 15 and all(f"/plans/{plan}/" in url for url in urls)
    organizations = json.loads((two_plans / "ckan" / "organizations.json").read_text(encoding="utf-8"))
    assert [(o["name"], o["title"]) for o in organizations["organizations"]] == [
        ("lg-040002", "宮城県"), ("lg-070009", "福島県")]
    catalog = (two_plans / "catalog.ttl").read_text(encoding="utf-8")
    assert "organization/lg-070009" in catalog and f"dataset/plan-{FUKUSHIMA}" in catalog
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS
    graph = Graph().parse(data=catalog, format="turtle")
    fukushima = URIRef(f"{BASE}location/070009")
    assert (fukushima, DCTERMS.identifier, Literal("070009")) in graph
    assert (URIRef(f"{BASE}dataset/plan-{FUKUSHIMA}"), DCTERMS.spatial, fukushima) in graph


def test_every_file_of_a_plan_is_marked_with_its_plan_in_datapackage_json(two_plans):
    """Only the CSV slices carried plan_id: a developer filtering the package's resources by
    plan missed each plan's JSON files and graph."""
    package = json.loads((two_plans / "datapackage.json").read_text(encoding="utf-8"))
    for plan in (MIYAGI, FUKUSHIMA):
        own = [r for r in package["resources"] if r["path"].startswith(f"plans/{plan}/")]
        assert len(own) == 15 and {r.get("plan_id") for r in own} == {plan}
        assert sorted(r["path"].rsplit(".", 1)[1] for r in own) == ["csv"] * 7 + ["json"] * 7 + ["nt"]
    assert not [r for r in package["resources"] if "plan_id" in r and not r["path"].startswith("plans/")]


def test_a_source_without_a_page_has_no_path_and_the_portal_names_its_file(two_plans):
    """Sources whose entries give no page or url had their raw files' names as `path`
    (fukushima.txt), which the Data Package spec reads as files of the package, and none is
    published: they have no path; `file` names the raw file, as the plan's dataset page does."""
    package = json.loads((two_plans / "datapackage.json").read_text(encoding="utf-8"))
    assert [(s.get("path"), s["file"], s["title"]) for s in package["sources"]] == [
        (None, "fukushima.txt", "福島県ICT計画 分野2"), (None, "miyagi.txt", "みやぎICT推進プラン 分野2")]
    assert not [s for s in package["sources"] if "path" in s]
    page = (two_plans / "datasets" / f"plan-{FUKUSHIMA}.html").read_text(encoding="utf-8")
    assert "<li>福島県ICT計画 分野2（<code>fukushima.txt</code>）</li>" in page


def test_each_plans_graph_states_its_own_graphs_licence(two_plans):
    """load-store puts plans/<plan_id>/graph.nt into <base_uri>graph/plan/<plan_id>: the
    licence it states is that graph's (it stated only the publication graph's, leaving a plan
    graph, or a plan's file downloaded alone, without one of its own)."""
    licence = "<http://purl.org/dc/terms/license> <https://creativecommons.org/licenses/by/4.0/> ."
    combined = (two_plans / "rdf" / "graph.nt").read_text(encoding="utf-8").splitlines()
    for plan in (MIYAGI, FUKUSHIMA):
        lines = (two_plans / "plans" / plan / "graph.nt").read_text(encoding="utf-8").splitlines()
        own = f"<{BASE}graph/plan/{plan}> {licence}"
        assert own in lines and own in combined
        assert [line for line in lines if line.endswith(licence)] == [own]
    assert f"<{BASE}graph/miyagi-ict-plan> {licence}" in combined


def test_an_authoritys_area_given_in_the_manifest_is_its_locations_geometry(tmp_path, run_cli,
                                                                           source_text):
    """publisher_bbox (west, south, east, north) gives another authority's location what
    spatial_bbox gives the operator's: dcat:bbox and the box's centre as dcat:centroid, and
    the schema.org area of its plan's dataset page. Without it, every publish warned of both
    as missing (DCAT-AP recommended shapes) and nothing in the manifest could say them."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCAT
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "miyagi.txt").write_text(source_text, encoding="utf-8")
    (raw / "fukushima.txt").write_text(source_text, encoding="utf-8")
    fukushima = {**fukushima_entry("fukushima.txt"), "publisher_bbox": [139.1, 36.7, 141.1, 38.0]}
    (raw / "sources.toml").write_text(manifest(miyagi_entry("miyagi.txt"), fukushima),
                                      encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    assert "location/070009" not in result.stderr and \
        "shapes conform (" in result.stderr and " 0 recommendation warnings)" in result.stderr
    graph = Graph().parse(out / "catalog.ttl")
    location = URIRef(f"{BASE}location/070009")
    wkt = "http://www.opengis.net/ont/geosparql#wktLiteral"
    assert (location, DCAT.bbox, Literal(
        "POLYGON((139.1 36.7, 141.1 36.7, 141.1 38.0, 139.1 38.0, 139.1 36.7))", datatype=wkt)) in graph
    assert (location, DCAT.centroid, Literal("POINT(140.1 37.35)", datatype=wkt)) in graph
    page = (out / "datasets" / f"plan-{FUKUSHIMA}.html").read_text(encoding="utf-8")
    (document,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert json.loads(document)["spatialCoverage"] == {
        "@type": "Place", "name": "福島県", "geo": {"@type": "GeoShape", "box": "36.7 139.1 38.0 141.1"}}
    sources = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))["sources"]
    assert {s["file"]: s.get("publisher_bbox") for s in sources} == {
        "fukushima.txt": [139.1, 36.7, 141.1, 38.0], "miyagi.txt": None}
    # CKAN: the same area, as GeoJSON, as ckanext-dcat keeps it (spatial_bbox, spatial_centroid,
    # which it turns into dcat:bbox, dcat:centroid) and ckanext-spatial indexes it (spatial); it
    # had spatial_uri and spatial_text alone
    package = json.loads((out / "ckan" / f"plan-{FUKUSHIMA}.json").read_text(encoding="utf-8"))
    extras = {e["key"]: e["value"] for e in package["extras"]}
    box = {"type": "Polygon", "coordinates": [[
        [139.1, 36.7], [141.1, 36.7], [141.1, 38.0], [139.1, 38.0], [139.1, 36.7]]]}
    assert json.loads(extras["spatial_bbox"]) == json.loads(extras["spatial"]) == box
    assert json.loads(extras["spatial_centroid"]) == {"type": "Point", "coordinates": [140.1, 37.35]}
    miyagi = json.loads((out / "ckan" / f"plan-{MIYAGI}.json").read_text(encoding="utf-8"))
    assert json.loads({e["key"]: e["value"] for e in miyagi["extras"]}["spatial_centroid"]) == {
        "type": "Point", "coordinates": [140.95, 38.4]}             # pipeline.toml's spatial_bbox
    # the combined datasets hold both plans' rows: both areas (they had the operator's alone)
    combined = json.loads((out / "ckan" / "miyagi-ict-plan-initiatives.json").read_text(
        encoding="utf-8"))
    extras = {e["key"]: e["value"] for e in combined["extras"]}
    assert extras["spatial_text"] == "福島県、宮城県" and "spatial_uri" not in extras   # (plans in source order)
    assert json.loads(extras["spatial_bbox"])["coordinates"] == [[
        [139.1, 36.7], [141.7, 36.7], [141.7, 39.1], [139.1, 39.1], [139.1, 36.7]]]
    dataset = URIRef(f"{BASE}dataset/miyagi-ict-plan-initiatives")
    assert set(graph.objects(dataset, URIRef("http://purl.org/dc/terms/spatial"))) == {
        URIRef(f"{BASE}location/040002"), location}
    page = (out / "datasets" / "miyagi-ict-plan-initiatives.html").read_text(encoding="utf-8")
    (document,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    assert [place["name"] for place in json.loads(document)["spatialCoverage"]] == ["福島県", "宮城県"]
    assert '<th scope="row">対象地域</th><td>福島県、宮城県</td>' in page


def test_a_publication_of_another_authoritys_plan_alone_covers_its_territory(tmp_path, run_cli,
                                                                            source_text):
    """With one plan, of another authority than the operator, the combined datasets' CKAN
    extras and portal page named the operator's place and area, the catalogue that authority's."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "fukushima.txt").write_text(source_text, encoding="utf-8")
    fukushima = {**fukushima_entry("fukushima.txt"), "publisher_bbox": [139.1, 36.7, 141.1, 38.0]}
    (raw / "sources.toml").write_text(manifest(fukushima), encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("publish", "--raw-dir", raw, "--out-dir", out).returncode == 0
    combined = json.loads((out / "ckan" / "miyagi-ict-plan-initiatives.json").read_text(
        encoding="utf-8"))
    extras = {e["key"]: e["value"] for e in combined["extras"]}
    assert (extras["publisher_name"], extras["spatial_text"], extras["spatial_uri"]) == (
        "宮城県", "福島県", f"{BASE}location/070009")
    assert json.loads(extras["spatial_centroid"])["coordinates"] == [140.1, 37.35]
    page = (out / "datasets" / "miyagi-ict-plan-initiatives.html").read_text(encoding="utf-8")
    assert '<th scope="row">対象地域</th><td>福島県</td>' in page


@pytest.mark.parametrize("bbox,refused", [([130, 30, 131, 31], True),
                                          ([140.2, 37.7, 141.7, 39.1], False)])
def test_the_operators_area_is_its_spatial_bbox(tmp_path, run_cli, source_text, bbox, refused):
    """An entry of the publication's own publisher (040002) giving another area than
    pipeline.toml's spatial_bbox was published beside it (two areas for one authority: the
    catalogue's, the datapackage's); the same area is accepted."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2.txt").write_text(source_text, encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(miyagi_entry("field2.txt", publisher_bbox=bbox)),
                                      encoding="utf-8")
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", tmp_path / "out")
    assert result.returncode == (1 if refused else 0), result.stderr
    if refused:
        assert result.stderr.endswith(
            f"error: {raw / 'sources.toml'}:10: publisher_code 040002: publisher_bbox is (130, 30, "
            "131, 31) for field2.txt, but the publication's publisher's area is spatial_bbox "
            "(140.2, 37.7, 141.7, 39.1) in the settings: give it there (or leave publisher_bbox "
            "out)\n")


def test_each_plan_slice_is_attributed_to_its_own_plans_sources_alone(two_plans):
    """A plan's JSON slice names its own source only; the combined table names both."""
    miyagi = "出典：宮城県「みやぎICT推進プラン 分野2」を加工して作成"
    fukushima = "出典：福島県「福島県ICT計画 分野2」を加工して作成"
    for table in ("initiatives", "indicators", "sections"):
        for plan, expected in ((MIYAGI, miyagi), (FUKUSHIMA, fukushima)):
            document = json.loads((two_plans / "plans" / plan / f"{table}.json").read_text(
                encoding="utf-8"))
            assert document["attribution"] == expected
            assert {record["plan_id"] for record in document["records"]} == {plan}
        combined = json.loads((two_plans / f"{table}.json").read_text(encoding="utf-8"))
        assert combined["attribution"] == \
            "出典：福島県「福島県ICT計画 分野2」、宮城県「みやぎICT推進プラン 分野2」を加工して作成"


def test_a_plans_dataset_and_files_state_its_own_attribution_in_ckan_and_dcat(two_plans):
    """What the plan's slices say of themselves (their own sources alone), its CKAN package
    and its DCAT dataset and distributions say too; the combined datasets keep both sources."""
    fukushima = "出典：福島県「福島県ICT計画 分野2」を加工して作成"
    both = "出典：福島県「福島県ICT計画 分野2」、宮城県「みやぎICT推進プラン 分野2」を加工して作成"
    package = json.loads((two_plans / "ckan" / f"plan-{FUKUSHIMA}.json").read_text(encoding="utf-8"))
    assert {e["key"]: e["value"] for e in package["extras"]}["attribution"] == fukushima
    assert {r["rights"] for r in package["resources"]} == {fukushima}
    combined = json.loads((two_plans / "ckan" / "miyagi-ict-plan-initiatives.json").read_text(
        encoding="utf-8"))
    assert {r["rights"] for r in combined["resources"]} == {both}
    from rdflib import Graph, URIRef
    from rdflib.namespace import DCAT, DCTERMS, RDFS
    graph = Graph().parse(two_plans / "catalog.ttl", format="turtle")
    dataset = URIRef(f"{BASE}dataset/plan-{FUKUSHIMA}")
    rights = graph.value(dataset, DCTERMS.rights)
    assert rights == URIRef(f"{BASE}rights/attribution/{FUKUSHIMA}")
    assert str(graph.value(rights, RDFS.label)) == fukushima
    files = list(graph.objects(dataset, DCAT.distribution))
    assert len(files) == 15 and {graph.value(f, DCTERMS.rights) for f in files} == {rights}
    page = (two_plans / "datasets" / f"plan-{FUKUSHIMA}.html").read_text(encoding="utf-8")
    assert f'<th scope="row">出典表記</th><td>{fukushima}</td>' in page


def test_a_plans_dataset_page_states_the_plans_publisher_and_period_as_the_catalogue_does(two_plans):
    """The portal's dataset page and its schema.org JSON-LD say what CKAN and DCAT say of a
    plan's dataset: its authority (福島県, 070009) and its plan period (FY2015-2017)."""
    page = (two_plans / "datasets" / f"plan-{FUKUSHIMA}.html").read_text(encoding="utf-8")
    document = json.loads(page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert document["temporalCoverage"] == "2015-04-01/2018-03-31"
    assert (document["publisher"]["name"], document["publisher"]["identifier"]) == ("福島県", "070009")
    assert document["publisher"]["@id"].endswith("/organization/lg-070009")
    assert '<time datetime="2015-04-01">2015-04-01</time> ～ <time datetime="2018-03-31">' in page
    # the page's own table said 宮城県 (the publication's publisher) of Fukushima's plan, and
    # its JSON-LD gave 福島県 Miyagi's bounding box (a fresh-eyes review)
    assert ('<th scope="row">発行者</th><td><span>福島県（全国地方公共団体コード '
            '<span class="code">070009</span>）</span></td>') in page
    assert '<th scope="row">対象地域</th><td>福島県</td>' in page
    assert document["spatialCoverage"] == {"@type": "Place", "name": "福島県"}
    package = json.loads((two_plans / "ckan" / f"plan-{FUKUSHIMA}.json").read_text(encoding="utf-8"))
    extras = {e["key"]: e["value"] for e in package["extras"]}
    assert (extras["temporal_start"], extras["temporal_end"]) == ("2015-04-01", "2018-03-31")
    miyagi = (two_plans / "datasets" / f"plan-{MIYAGI}.html").read_text(encoding="utf-8")
    assert '<time datetime="2014-04-01">2014-04-01</time> ～ <time datetime="2017-03-31">' in miyagi
    assert '<th scope="row">対象地域</th><td>宮城県</td>' in miyagi
    own = json.loads(miyagi.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert own["spatialCoverage"]["geo"]["box"] == "37.7 140.2 39.1 141.7"     # pipeline.toml's


def test_a_plans_dataset_is_drawn_from_its_own_plans_page_in_every_description(tmp_path, run_cli,
                                                                               source_text):
    """CKAN's url, DCAT's landing page and schema.org's isBasedOn of a plan's dataset are its
    own plan's page (the manifest's `page`), not the first source's of the publication."""
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_two_plans(raw, source_text, source_text)
    pages = {MIYAGI: "https://www.pref.miyagi.jp/soshiki/jyoho/indexictplan2014.html",
             FUKUSHIMA: "https://www.pref.fukushima.lg.jp/sec/11025c/ict-plan.html"}
    (raw / "sources.toml").write_text(manifest(
        miyagi_entry("miyagi.txt", page=pages[MIYAGI]),
        {**fukushima_entry("fukushima.txt"), "page": pages[FUKUSHIMA]}), encoding="utf-8")
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    catalog = Graph().parse(out / "catalog.ttl", format="turtle")
    for plan, page in pages.items():
        html = (out / "datasets" / f"plan-{plan}.html").read_text(encoding="utf-8")
        document = json.loads(html.split('<script type="application/ld+json">', 1)[1]
                              .split("</script>", 1)[0])
        package = json.loads((out / "ckan" / f"plan-{plan}.json").read_text(encoding="utf-8"))
        dataset = URIRef(f"{BASE}dataset/plan-{plan}")
        assert document["isBasedOn"] == package["url"] == page
        assert catalog.value(dataset, DCAT_NS.landingPage) == URIRef(page)


def test_a_plan_keeps_its_edition_while_another_plan_changes(tmp_path, run_cli, source_text):
    """plan_editions of datapackage.json: after a republish in which only Fukushima's text
    changed, Miyagi's plan keeps the version and date of the first edition, Fukushima's takes
    the new edition's (and keeps the date it was first published)."""
    raw = tmp_path / "raw"
    write_two_plans(raw, source_text, source_text)
    out = tmp_path / "out"
    first = run_cli("publish", "--raw-dir", raw, "--out-dir", out,
                    env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert first.returncode == 0, first.stderr
    (raw / "fukushima.txt").write_text(source_text.replace("県内の公共機関", "福島県内の公共機関"),
                                       encoding="utf-8")
    second = run_cli("publish", "--raw-dir", raw, "--out-dir", out,
                     env={"SOURCE_DATE_EPOCH": "1800000000"})
    assert second.returncode == 0, second.stderr
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert (package["version"], package["created"]) == ("1.0.1", "2027-01-15T08:00:00Z")
    assert package["plan_editions"] == {
        MIYAGI: {"version": "1.0.0", "issued": "2023-11-14T22:13:20Z",
                 "modified": "2023-11-14T22:13:20Z"},
        FUKUSHIMA: {"version": "1.0.1", "issued": "2023-11-14T22:13:20Z",
                    "modified": "2027-01-15T08:00:00Z"}}
    changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
    assert changes["plans"] == [FUKUSHIMA]


def test_a_plan_keeps_its_edition_while_another_plans_entry_changes_or_a_plan_comes_or_goes(
        tmp_path, run_cli, source_text):
    """Fukushima's entry in sources.toml retitled, then Yamagata's plan added and removed: each
    edition concerns that plan alone, Miyagi's keeps its first edition. The attribution, made
    from every source's entry, changed with each, and every plan took the new edition (no
    `plans` in changes.json, no line of them in CHANGELOG.md)."""
    yamagata = {"file": "yamagata.txt", "title": "山形県ICT計画 分野2",
                "plan_id": "yamagata-ict-plan-2015-2017", "plan_title": "山形県ICT計画",
                "publisher": "山形県", "publisher_code": "060003", "period_start_fy": 2015,
                "period_end_fy": 2017}
    raw, out = tmp_path / "raw", tmp_path / "out"
    write_two_plans(raw, source_text, source_text)
    first = {"version": "1.0.0", "issued": "2023-11-14T22:13:20Z",
             "modified": "2023-11-14T22:13:20Z"}

    def publish(epoch: str, *entries: dict) -> tuple[dict, dict, str]:
        (raw / "sources.toml").write_text(manifest(*entries), encoding="utf-8")
        done = run_cli("publish", "--raw-dir", raw, "--out-dir", out,
                       env={"SOURCE_DATE_EPOCH": epoch})
        assert done.returncode == 0, done.stderr
        package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
        changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
        return package["plan_editions"], changes, (out / "CHANGELOG.md").read_text(encoding="utf-8")

    retitled = {**fukushima_entry("fukushima.txt"), "title": "福島県ICT計画 第2分野"}
    publish("1700000000", miyagi_entry("miyagi.txt"), fukushima_entry("fukushima.txt"))
    editions, changes, changelog = publish("1800000000", miyagi_entry("miyagi.txt"), retitled)
    assert editions == {MIYAGI: first, FUKUSHIMA: {**first, "version": "1.0.1",
                                                   "modified": "2027-01-15T08:00:00Z"}}
    assert changes["plans"] == [FUKUSHIMA] and changes["tables"] == {}
    assert "sources fukushima.txt title: 福島県ICT計画 分野2 → 福島県ICT計画 第2分野" in changes["described"]
    assert f"- 変更のあった計画 (plans changed): {FUKUSHIMA}\n" in changelog
    (raw / "yamagata.txt").write_text(source_text, encoding="utf-8")
    editions, changes, changelog = publish("1800000100", miyagi_entry("miyagi.txt"), retitled,
                                           yamagata)
    assert editions[MIYAGI] == first and editions[FUKUSHIMA]["version"] == "1.0.1"
    assert editions[yamagata["plan_id"]] == {"version": "1.0.2", "issued": "2027-01-15T08:01:40Z",
                                             "modified": "2027-01-15T08:01:40Z"}
    assert changes["plans"] == [yamagata["plan_id"]]
    assert f"- 変更のあった計画 (plans changed): {yamagata['plan_id']}\n" in changelog
    (raw / "yamagata.txt").unlink()
    editions, changes, changelog = publish("1800000200", miyagi_entry("miyagi.txt"), retitled)
    assert editions[MIYAGI] == first and editions[FUKUSHIMA]["version"] == "1.0.1"
    assert changes["version"] == "1.0.3" and changes["plans"] == [yamagata["plan_id"]]
    assert f"- 変更のあった計画 (plans changed): {yamagata['plan_id']}\n" in changelog


def test_a_republish_compares_only_the_plans_whose_records_changed(two_plans, project_root,
                                                                   source_text, tmp_path):
    """datapackage.json states a digest of each plan's rows (`plan_digests`); the next publish
    reads back only the records of the plans whose digest differs (from their own JSON files)
    and reports exactly what comparing every record reports."""
    from pipeline.config import load_config
    from pipeline.export.pieces import plan_digests, table_runs
    from pipeline.export.tables import table_rows
    from assembled import build
    from pipeline.schema import load_schemas
    from pipeline.versions import choose_edition, load_previous

    package = json.loads((two_plans / "datapackage.json").read_text(encoding="utf-8"))
    assert set(package["plan_digests"]) == {MIYAGI, FUKUSHIMA}
    raw = tmp_path / "raw"
    shutil.copytree(two_plans.parent / "raw", raw)
    (raw / "fukushima.txt").write_text(source_text.replace("県内の公共機関", "福島県の公共機関"),
                                       encoding="utf-8")
    publication = build(raw, load_config(project_root / "pipeline.toml"), lambda message: None)
    rows, schemas = table_rows(publication), load_schemas()
    digests = plan_digests({table: table_runs(r) for table, r in rows.items()})
    assert digests[MIYAGI] == package["plan_digests"][MIYAGI]
    assert digests[FUKUSHIMA] != package["plan_digests"][FUKUSHIMA]

    compared = load_previous(two_plans, package, list(schemas), digests)
    everything = load_previous(two_plans, package, list(schemas))
    assert compared.compared == [FUKUSHIMA] and everything.compared is None
    assert {r["plan_id"] for r in compared.tables["initiatives"]} == {FUKUSHIMA}
    assert {r["plan_id"] for r in everything.tables["initiatives"]} == {MIYAGI, FUKUSHIMA}
    now = "2026-12-02T00:00:00Z"
    changes = choose_edition(compared, rows, schemas, "1.0.0", now, list(publication.plans)).changes
    assert changes == choose_edition(everything, rows, schemas, "1.0.0", now,
                                     list(publication.plans)).changes
    assert changes["plans"] == [FUKUSHIMA]
    assert [(c["key"], c["column"]) for c in changes["tables"]["initiatives"]["changed"]] == \
        [(f"{FUKUSHIMA}/2-1-1", "summary")]


def test_a_plans_uri_documents_credit_its_own_sources_alone(two_plans):
    """The footer of a plan's URI documents credits that plan's source, a publisher's and its
    departments' its plans' sources, a source's and its lines' that source; documents of none
    (the vocabulary's terms) credit the publication's sources."""
    miyagi = "出典：宮城県「みやぎICT推進プラン 分野2」を加工して作成"
    fukushima = "出典：福島県「福島県ICT計画 分野2」を加工して作成"
    for plan, own, other in ((MIYAGI, miyagi, fukushima), (FUKUSHIMA, fukushima, miyagi)):
        document = two_plans / "id" / "plan" / plan / "initiative" / "2-1-1"
        page = document.with_suffix(".html").read_text(encoding="utf-8")
        assert f"<footer><p>{own}</p>\n" in page and other not in page
        turtle = document.with_suffix(".ttl").read_text(encoding="utf-8")      # cc:attributionText
        assert f'"{own}"@ja' in turtle and other not in turtle
    for code, own, other in (("040002", miyagi, fukushima), ("070009", fukushima, miyagi)):
        # the publisher and its departments, minted under it, of its plans' data alone
        organization = two_plans / "id" / "organization" / f"lg-{code}"
        for page in (organization.with_suffix(".html"), organization / "震災復興・企画部.html"):
            text = page.read_text(encoding="utf-8")
            assert f"<footer><p>{own}</p>\n" in text and other not in text, page
        # a source file and its lines, that source alone
        for page in sorted((two_plans / "id" / "source").rglob("*.html")):
            text = page.read_text(encoding="utf-8")
            mine = ("miyagi" in page.relative_to(two_plans / "id" / "source").parts[0]) == \
                (code == "040002")
            assert (f"<footer><p>{own}</p>\n" in text) == mine, page
    terms = sorted((two_plans / "id" / "vocab").rglob("*.html"))     # sources in file order
    assert terms and "<footer><p>出典：福島県「福島県ICT計画 分野2」、宮城県「みやぎICT推進プラン 分野2」" \
        "を加工して作成</p>\n" in terms[0].read_text(encoding="utf-8")


def test_a_plan_whose_dataset_has_the_name_of_a_combined_one_is_refused_before_any_work(
        tmp_path, run_cli, source_text):
    """plan id `tohoku-initiatives` under the publication name `plan-tohoku`: both datasets are
    `plan-tohoku-initiatives`. It once failed after the whole build with `ckan/plan-tohoku-
    initiatives.json belongs to both metadata and metadata`."""
    raw = raw_of(tmp_path, (source_text, miyagi_entry("field2.txt", plan_id="tohoku-initiatives")))
    settings = tmp_path / "pipeline.toml"
    text = (PROJECT / "pipeline.toml").read_text(encoding="utf-8")
    settings.write_text(text.replace('name = "miyagi-ict-plan"', 'name = "plan-tohoku"'), encoding="utf-8")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if l.startswith("name = "))
    result = run_cli("--config", settings, "publish", "--raw-dir", raw, "--out-dir", tmp_path / "out")
    assert result.returncode == 1
    assert result.stderr.endswith(
        f"error: {settings}:{line}: name: 'plan-tohoku' names the publication's initiatives "
        "dataset plan-tohoku-initiatives, the name of plan tohoku-initiatives's dataset too "
        f"({raw / 'sources.toml'}): change the publication's name or the plan_id\n")
    assert "export:" not in result.stderr and not (tmp_path / "out").exists()     # before any work


def test_a_publisher_without_its_code_is_a_warning(tmp_path, run_cli, source_text):
    """Publishers are identified by their 全国地方公共団体コード; one without it was published
    under a name made of its name (now publisher-<hex> everywhere) in silence."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2.txt").write_text(source_text, encoding="utf-8")
    entry = {**miyagi_entry("field2.txt"), "publisher": "秋田県"}
    del entry["publisher_code"]
    (raw / "sources.toml").write_text(manifest(entry), encoding="utf-8")
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert (f"warning: {raw / 'field2.txt'}: no publisher_code for its publisher 秋田県: add its "
            "全国地方公共団体コード to its [[source]] entry (without it the publisher is named by "
            "a digest of its name, publisher-<hex>, in its URIs, CKAN and the portal, and has no "
            "lg-<code> organisation)\n") in result.stderr
    source = json.loads((tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8"))["sources"][0]
    assert (source["publisher"], source["publisher_code"]) == ("秋田県", "")   # not 宮城県's default
    search = (tmp_path / "out" / "initiatives" / "index.html").read_text(encoding="utf-8")
    key = "publisher-" + hashlib.sha256("秋田県".encode("utf-8")).hexdigest()[:12]  # never 6 digits
    assert f'<option value="{key}">秋田県</option>' in search      # chosen by it (not as すべて)
    assert f'<option value="{MIYAGI}" data-publishers="{key}"' in search


@pytest.mark.parametrize("name", ["秋田県", "Akita Pref"])
def test_a_publisher_without_its_code_is_keyed_in_the_search_without_spaces(name):
    """The search's options list their publishers' keys separated by spaces: a codeless
    publisher keyed by its name `Akita Pref` could not choose its own plans or departments."""
    key = Plan("p", "p", "計画", name, "", None, None).publisher_key
    assert re.fullmatch(r"publisher-[0-9a-f]{12}", key)
    assert Plan("p", "p", "計画", name, "050008", None, None).publisher_key == "050008"


def test_publishers_without_a_code_are_one_key_in_every_format_and_never_merged(
        tmp_path, run_cli, source_text):
    """Two publishers the manifest gives no code, each with the seed's departments. Their
    departments shared pages on the portal (keyed by the empty code), and each publisher was
    named four ways: `organization/lg-<its name>` in the linked data and the catalogue,
    `publisher-<hex>` in CKAN and its location, `d-<hex>` in the portal's search."""
    raw = tmp_path / "raw"
    raw.mkdir()
    entries = []
    for plan, name in (("yamagata-plan", "山形県"), ("akita-plan", "秋田県")):
        (raw / f"{plan}.txt").write_text(source_text, encoding="utf-8")
        entry = {**miyagi_entry(f"{plan}.txt", plan_id=plan, plan_title=f"{name}情報化計画"),
                 "publisher": name}
        del entry["publisher_code"]
        entries.append(entry)
    (raw / "sources.toml").write_text(manifest(*entries), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    graph = (out / "rdf" / "graph.nt").read_text(encoding="utf-8")
    catalog = (out / "catalog.ttl").read_text(encoding="utf-8")
    search = (out / "initiatives" / "index.html").read_text(encoding="utf-8")
    publishers = (out / "publishers" / "index.html").read_text(encoding="utf-8")
    pages = set()
    for plan, name in (("yamagata-plan", "山形県"), ("akita-plan", "秋田県")):
        key = "publisher-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:12]
        uri = f"{BASE}organization/{key}"
        assert f"<{BASE}plan/{plan}> <http://purl.org/dc/terms/publisher> <{uri}> ." in graph
        assert f"<{uri}/%E7%B7%8F%E5%8B%99%E9%83%A8> <http://www.w3.org/ns/org#subOrganizationOf> <{uri}> ." \
            in graph                                        # 総務部, under its publisher
        assert f"<{uri}>" in catalog and f"<{BASE}location/{key}>" in catalog
        package = json.loads((out / "ckan" / f"plan-{plan}.json").read_text(encoding="utf-8"))
        extras = {e["key"]: e["value"] for e in package["extras"]}
        assert (package["owner_org"], extras["publisher_uri"], extras["spatial_uri"]) == (
            key, uri, f"{BASE}location/{key}")
        assert f'<option value="{plan}" data-publishers="{key}"' in search
        assert f'<h2 id="{key}">{name}</h2>' in publishers
        page = out / "departments" / f"{department_slug('総務部', key)}.html"
        (title,) = re.findall(r"<title>(.*?)</title>", page.read_text(encoding="utf-8"))
        assert title.startswith(f"総務部（{name}） | ")
        pages.add(page)
    assert len(pages) == 2
    assert "lg-%E" not in graph + catalog


def test_an_operator_without_a_code_is_one_agent_with_its_plans_publisher_of_that_name(
        tmp_path, run_cli, source_text):
    """pipeline.toml's publisher and the plan's, 宮城県 both without a code: the catalogue and
    CKAN named the operator `miyagi-ict-plan-publisher` and the plan's publisher
    `publisher-<hex>`, two agents and two organisations for one authority."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "field2.txt").write_text(source_text, encoding="utf-8")
    entry = miyagi_entry("field2.txt")
    del entry["publisher_code"]
    (raw / "sources.toml").write_text(manifest(entry), encoding="utf-8")
    settings = tmp_path / "pipeline.toml"
    settings.write_text((PROJECT / "pipeline.toml").read_text(encoding="utf-8").replace(
        'publisher_code = "040002"\n', ""), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("--config", settings, "publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    key = "publisher-" + hashlib.sha256("宮城県".encode("utf-8")).hexdigest()[:12]
    catalog = (out / "catalog.ttl").read_text(encoding="utf-8")
    assert set(re.findall(r"organization/[\w-]+", catalog)) == {f"organization/{key}"}
    assert set(re.findall(r"location/[\w-]+", catalog)) == {f"location/{key}"}
    organizations = json.loads((out / "ckan" / "organizations.json").read_text(encoding="utf-8"))
    assert [o["name"] for o in organizations["organizations"]] == [key]
    # one authority, one area: its entry giving another than spatial_bbox is refused, as with a
    # code (it was published beside the operator's, the catalogue stating spatial_bbox alone)
    (raw / "sources.toml").write_text(manifest({**entry, "publisher_bbox": [140.0, 37.0, 142.0, 40.0]}),
                                      encoding="utf-8")
    refused = run_cli("--config", settings, "publish", "--raw-dir", raw, "--out-dir", out)
    assert refused.returncode == 1 and refused.stderr.splitlines()[-1].endswith(
        ": publisher 宮城県: publisher_bbox is (140.0, 37.0, 142.0, 40.0) for field2.txt, but the "
        "publication's publisher's area is spatial_bbox (140.2, 37.7, 141.7, 39.1) in the "
        "settings: give it there (or leave publisher_bbox out)")


def footer_credit(page: Path) -> str:
    """The text of a portal page's footer attribution (出典), its link's tags dropped."""
    html = page.read_text(encoding="utf-8")
    (paragraph,) = re.findall(r'<p class="attribution">(.*?)</p>', html, re.S)
    return re.sub(r"<[^>]+>", "", paragraph)


def test_a_plans_pages_credit_its_own_sources_when_the_footer_names_only_some(two_plans,
                                                                               tmp_path):
    """With more source documents than a footer names (3), every page of one plan (the plan,
    its items, its initiatives, its dataset) and of a department in it credits that plan's own
    source, as the plan's files do; the pages about the whole publication credit its first
    source and the count. Never another publisher's document alone."""
    from dataclasses import replace
    from pipeline.config import load_config
    from pipeline.export.description import read_description
    from pipeline.export.site import department_slug, write_site

    out = tmp_path / "out"
    shutil.copytree(two_plans, out)
    description = read_description(out, load_config(PROJECT / "pipeline.toml"))
    package = description.package
    others = [("山形県", "060003"), ("岩手県", "030007"), ("秋田県", "050008")]
    extra = [{**package["sources"][0], "file": f"{code}.txt", "title": f"{name}ICT計画",
              "path": f"https://example.org/{code}.html", "publisher": name, "plan_id": code}
             for name, code in others]
    sources = [*package["sources"], *extra]
    words = [f"{s['publisher']}「{s['title']}」（{s['path']}）" if s in extra else
             f"{s['publisher']}「{s['title']}」" for s in sources]
    many = replace(description, package={**package, "sources": sources,
                                         "attribution": f"出典：{'、'.join(words)}を加工して作成"})
    write_site(out, many)
    link = "（全5件の出典表記：データセット一覧）"
    for plan, code in ((MIYAGI, "040002"), (FUKUSHIMA, "070009")):
        own = json.loads((out / "plans" / plan / "initiatives.json").read_text(
            encoding="utf-8"))["attribution"]
        department = next(r["department"] for r in read_rows(out / "initiatives.csv")
                          if r["plan_id"] == plan and r["department"])
        for page in (f"publishers/{plan}/index.html", f"publishers/{plan}/item-2-1.html",
                     f"publishers/{plan}/item-2-2.html", f"initiatives/{plan}/2-1-1.html",
                     f"datasets/plan-{plan}.html",
                     f"departments/{department_slug(department, code)}.html"):
            assert footer_credit(out / page) == own + link, page
    whole = "出典：福島県「福島県ICT計画 分野2」ほか4件を加工して作成" + link
    for page in ("index.html", "publishers/index.html", "initiatives/index.html",
                 "departments/index.html", "datasets/miyagi-ict-plan-initiatives.html"):
        assert footer_credit(out / page) == whole, page


def test_an_entry_naming_the_default_publisher_alone_takes_its_code(tmp_path):
    from pipeline.config import load_config
    from pipeline.sources import SourceMeta, with_defaults
    config = load_config(PROJECT / "pipeline.toml")                 # 宮城県, 040002
    meta = with_defaults(SourceMeta(file="a.txt", publisher="宮城県"), config)
    assert (meta.publisher, meta.publisher_code) == ("宮城県", "040002")
    meta = with_defaults(SourceMeta(file="a.txt", publisher="秋田県"), config)
    assert (meta.publisher, meta.publisher_code) == ("秋田県", "")
    meta = with_defaults(SourceMeta(file="a.txt"), config)
    assert (meta.publisher, meta.publisher_code) == ("宮城県", "040002")


def test_an_entry_naming_the_default_publisher_as_it_is_keeps_its_area(tmp_path):
    """An entry giving the defaults' publisher by name and code (as they are) lost the area
    the defaults give it (publisher_bbox): only an entry naming another authority, or giving
    it another name or code, takes none of the defaults' authority."""
    from dataclasses import replace
    from pipeline.config import load_config
    from pipeline.sources import SourceMeta, with_defaults
    akita = {"publisher": "秋田県", "publisher_code": "050008",
             "publisher_bbox": [139.6, 38.8, 141.0, 40.5]}
    config = replace(load_config(PROJECT / "pipeline.toml"), default_source=akita)
    for given in ({}, {"publisher": "秋田県"}, {"publisher": "秋田県", "publisher_code": "050008"}):
        meta = with_defaults(SourceMeta(file="a.txt", **given), config)
        assert (meta.publisher_code, meta.publisher_bbox) == ("050008", (139.6, 38.8, 141.0, 40.5))
    meta = with_defaults(SourceMeta(file="a.txt", publisher="秋田県", publisher_en="Akita"), config)
    assert (meta.publisher_code, meta.publisher_bbox) == ("", ())        # another naming: none
    meta = with_defaults(SourceMeta(file="a.txt", publisher="山形県"), config)
    assert (meta.publisher_code, meta.publisher_bbox) == ("", ())


def test_department_pages_of_two_publishers_with_one_name_are_told_apart(two_plans):
    """Both publishers have a 震災復興・企画部: two pages, each titled with its publisher."""
    from pipeline.export.site import department_slug
    titles = {}
    for publisher, code in (("宮城県", "040002"), ("福島県", "070009")):
        page = two_plans / "departments" / f"{department_slug('震災復興・企画部', code)}.html"
        html = page.read_text(encoding="utf-8")
        (title,) = re.findall(r"<title>(.*?)</title>", html)
        titles[code] = title
        assert title.startswith(f"震災復興・企画部（{publisher}） | ")
        assert f'<span aria-current="page">震災復興・企画部（{publisher}）</span>' in html
    assert titles["040002"] != titles["070009"]


def test_pages_of_two_plans_numbered_alike_are_titled_with_their_plan(two_plans):
    """2-1 and 2-1-2 are in both plans, with the same titles: each page's title names its plan."""
    for folder in ("publishers/{plan}/item-2-1.html", "initiatives/{plan}/2-1-2.html"):
        titles = set()
        for plan, title in ((MIYAGI, "みやぎICT推進プラン(2014～2016)"),
                            (FUKUSHIMA, "福島県ICT計画(2015～2017)")):
            html = (two_plans / folder.format(plan=plan)).read_text(encoding="utf-8")
            page_title = re.search(r"<title>(.*?)</title>", html).group(1)    # the first: the page's
            assert f" | {title} | " in page_title, page_title
            titles.add(page_title)
        assert len(titles) == 2


def test_the_footer_of_another_authoritys_plan_names_that_authority(two_plans):
    """Every page's footer said 「発行：宮城県」 (the publication's publisher), on Fukushima's
    plan pages too, whose metadata name 福島県 as their publisher."""
    def publisher_line(page: str) -> str:
        html = (two_plans / page).read_text(encoding="utf-8")
        return re.search(r'<p class="publisher">(.*?)</p>', html).group(1)
    from pipeline.export.site import department_slug
    for plan, code, line in ((MIYAGI, "040002", "発行：宮城県"),
                             (FUKUSHIMA, "070009", "発行：福島県・公開：宮城県")):
        for page in (f"publishers/{plan}/index.html", f"publishers/{plan}/item-2-1.html",
                     f"initiatives/{plan}/2-1-1.html", f"datasets/plan-{plan}.html",
                     f"departments/{department_slug('震災復興・企画部', code)}.html"):
            assert publisher_line(page) == line, page
    for page in ("index.html", "publishers/index.html", "initiatives/index.html"):
        assert publisher_line(page) == "発行：宮城県", page


def test_the_combined_datasets_link_no_one_plans_page(tmp_path, run_cli, source_text):
    """The combined datasets (both plans' rows) named the first plan's page as the page they are
    drawn from: DCAT landing page, CKAN url, schema.org isBasedOn. Each plan's dataset names its
    own; the combined ones none, their sources being on two pages."""
    miyagi, fukushima = "https://www.pref.miyagi.jp/ict.html", "https://www.pref.fukushima.lg.jp/ict.html"
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    (raw / "miyagi.txt").write_text(source_text, encoding="utf-8")
    (raw / "fukushima.txt").write_text(source_text, encoding="utf-8")
    (raw / "sources.toml").write_text(manifest(
        miyagi_entry("miyagi.txt", page=miyagi),
        {**fukushima_entry("fukushima.txt"), "page": fukushima}), encoding="utf-8")
    assert run_cli("publish", "--raw-dir", raw, "--out-dir", out).returncode == 0
    def ckan(name: str) -> dict:
        return json.loads((out / "ckan" / f"{name}.json").read_text(encoding="utf-8"))
    assert "url" not in ckan("miyagi-ict-plan-initiatives")
    assert (ckan(f"plan-{MIYAGI}")["url"], ckan(f"plan-{FUKUSHIMA}")["url"]) == (miyagi, fukushima)
    catalog = (out / "catalog.ttl").read_text(encoding="utf-8")
    assert (catalog.count(f"dcat:landingPage <{miyagi}>"),
            catalog.count(f"dcat:landingPage <{fukushima}>")) == (1, 1)
    page = (out / "datasets" / "miyagi-ict-plan-initiatives.html").read_text(encoding="utf-8")
    assert "isBasedOn" not in page


def test_a_plan_of_the_operators_code_under_another_name_is_the_operators_in_the_footer(
        tmp_path, run_cli, source_text):
    """The footer told another authority apart by its name: a plan of 040002 named 宮城県庁
    said 「発行：宮城県庁・公開：宮城県」, where the catalogue names one agent for both (by code)."""
    raw = raw_of(tmp_path, (source_text, miyagi_entry("plan.txt", publisher="宮城県庁")))
    out = tmp_path / "out"
    assert run_cli("publish", "--raw-dir", raw, "--out-dir", out).returncode == 0
    html = (out / "initiatives" / MIYAGI / "2-1-1.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="publisher">(.*?)</p>', html).group(1) == "発行：宮城県"


def test_the_change_report_says_which_plans_were_added_and_withdrawn(tmp_path, run_cli,
                                                                      source_text):
    """A plan withdrawn showed in changes.json only as every one of its records removed (186
    lines of CHANGELOG.md), a plan added as every record added: never said as such."""
    out = tmp_path / "out"
    both = raw_of(tmp_path, (source_text, miyagi_entry("miyagi.txt")),
                  (source_text, fukushima_entry("fukushima.txt")))
    assert run_cli("publish", "--raw-dir", both, "--out-dir", out).returncode == 0
    alone = raw_of(tmp_path / "alone", (source_text, miyagi_entry("miyagi.txt")))
    for raw, key, line in ((alone, "plans_removed", f"- 取り下げられた計画 (plans withdrawn): {FUKUSHIMA}"),
                           (both, "plans_added", f"- 追加された計画 (plans added): {FUKUSHIMA}")):
        assert run_cli("publish", "--raw-dir", raw, "--out-dir", out).returncode == 0
        changes = json.loads((out / "changes.json").read_text(encoding="utf-8"))
        assert changes[key] == [FUKUSHIMA] and changes["plans"] == [FUKUSHIMA]
        assert not {"plans_added", "plans_removed"} - {key} & set(changes)
        latest = (out / "CHANGELOG.md").read_text(encoding="utf-8").split("\n## ")[1]
        assert line in latest.splitlines()


def test_a_footer_names_the_publisher_once_where_only_the_code_tells_the_two_apart(
        tmp_path, run_cli, source_text):
    """pipeline.toml's 宮城県 without its code, the plan's 宮城県 with 040002 (two agents to the
    catalogue): the footer said 「発行：宮城県・公開：宮城県」, one name twice."""
    raw = raw_of(tmp_path, (source_text, miyagi_entry("plan.txt")))
    settings = tmp_path / "pipeline.toml"
    settings.write_text("\n".join(line for line in (PROJECT / "pipeline.toml").read_text(
        encoding="utf-8").splitlines() if not line.startswith("publisher_code")), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("--config", settings, "publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    html = (out / "initiatives" / MIYAGI / "2-1-1.html").read_text(encoding="utf-8")
    assert re.search(r'<p class="publisher">(.*?)</p>', html).group(1) == "発行：宮城県"


def test_another_authority_is_told_by_its_key_and_name():
    """府中市 of 132063 and 府中市 of 342076 are two authorities: the footer said nothing of the
    second's plans (told apart by name, once it was told by key and name)."""
    from types import SimpleNamespace
    from pipeline.export.site.pages import another
    site = SimpleNamespace(publisher="府中市", publisher_key="132063")
    assert another(("府中市", "342076"), site)
    assert not another(("府中市", "132063"), site) and not another(("府中市庁", "132063"), site)
    assert not another(("府中市", "publisher-0123456789ab"), site)       # (one gives no code)
    assert another(("秋田県", "publisher-0123456789ab"), site)

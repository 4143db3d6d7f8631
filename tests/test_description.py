"""One view of the publication: publish describes what it wrote once (package, plans, records,
datasets with their files) and hands that description to the portal, the CKAN metadata and the
DCAT catalogue; none of them reads datapackage.json or the tables' JSON back, and what they
describe is what a reader of the finished folder finds."""

from __future__ import annotations

import hashlib
import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Literal
from rdflib.namespace import DCTERMS

from pipeline import publish as publishing, publish_portal
from pipeline.config import load_config
from pipeline.errors import PipelineError
from pipeline.export import description as describing, listing
from pipeline.export.ckan import write_ckan
from pipeline.export.planinfo import PlanInfo, plan_info
from pipeline.export.dcat import build_catalog, catalog_uri
from pipeline.export.description import Records, read_description
from pipeline.export.site import write_site
from pipeline.leftovers import staging_dir
from pipeline.versions import PlanEdition, table_records

ROOT = Path(__file__).resolve().parent.parent
PLAN = "miyagi-ict-plan-2014-2016"


@pytest.fixture(scope="module")
def config():
    return load_config(ROOT / "pipeline.toml")


@pytest.fixture
def copy(published, tmp_path) -> Path:
    out = tmp_path / "out"
    shutil.copytree(published, out)
    return out


def test_publish_reads_no_description_back(tmp_path, config, monkeypatch):
    """A publish over a previous edition reads that edition's datapackage.json twice, to check
    that the folder is a publication of this pipeline before taking the lock (outfolder.py) and
    once under the lock (is it unchanged? which version?), and nothing of the new edition's
    own: loading a package or a description from a folder fails the test, and every read of a
    datapackage.json or of a file of the new edition's folder is counted."""
    out = tmp_path / "out"
    publishing.publish(ROOT / "data" / "raw", out, replace(config, description="前の版"),
                       log=lambda message: None)

    def refuse(*args, **kwargs):
        raise AssertionError("publish read a description back from a folder")

    for module in (listing, describing):
        monkeypatch.setattr(module, "load_package", refuse)
    monkeypatch.setattr(describing, "read_description", refuse)
    staging = staging_dir(out)
    reads: list[str] = []
    read_text = Path.read_text

    def counted(path: Path, *args, **kwargs):
        if path.name == "datapackage.json" or path.parent == staging:
            reads.append(str(path))
        return read_text(path, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", counted)
    handed = {}
    write = publish_portal.write_site

    def spy(folder, description, *cache):
        handed["description"] = description
        return write(folder, description, *cache)

    monkeypatch.setattr(publish_portal, "write_site", spy)
    result = publishing.publish(ROOT / "data" / "raw", out, config, log=lambda message: None)
    monkeypatch.undo()
    assert result.changed and reads == [str(out / "datapackage.json")] * 2
    view = handed["description"]
    first = PlanEdition(result.version, view.created, view.created)     # a first edition
    assert view.plans == {k: plan_info(p, first) for k, p in result.publication.plans.items()}
    assert view.records["initiatives"] == \
        json.loads((out / "initiatives.json").read_text(encoding="utf-8"))["records"]
    # the folder publish described before writing the portal and its metadata is the folder
    # it published: the same datasets, files and texts as read from it afterwards
    assert view.datasets == read_description(out, config).datasets


def test_the_plans_are_those_publish_assembled(published, config):
    """A plan's description (title, publisher and its code, fiscal years, page, files) is the
    one assemble.py made from the sources; read back from datapackage.json it is the same."""
    plan = read_description(published, config).plans[PLAN]
    assert plan.publisher.name == "宮城県" and plan.publisher.code == "040002"
    assert (plan.start_year, plan.end_year) == (2014, 2016)
    assert plan.period == ("2014-04-01", "2017-03-31")
    assert plan.sources == ("miyagi-ict-plan-2014-2016-field2.txt",)
    assert plan.page.startswith("https://www.pref.miyagi.jp/")


def test_the_writers_describe_the_description_not_the_folder(copy, config):
    """The portal, the CKAN metadata and the catalogue say what the description in memory says:
    a title, a plan and an initiative changed there (and nowhere in the folder) are what they
    publish."""
    view = read_description(copy, config)
    records = dict(view.records)
    first = {**records["initiatives"][0], "title": "記述の取組名"}
    records["initiatives"] = [first, *records["initiatives"][1:]]
    plan = view.plans[PLAN]
    plans = {**view.plans, PLAN: PlanInfo(plan.plan_id, "記述の計画名", plan.publisher,
                                          plan.start_year, plan.end_year, plan.page, plan.sources)}
    package = {**view.package, "title": "記述のタイトル", "created": "2001-02-03T04:05:06Z",
               "issued": "2000-01-02T03:04:05Z"}
    changed = replace(view, package=package, plans=plans, records=records)
    on_disk = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    assert on_disk["title"] != "記述のタイトル"

    write_site(copy, changed)
    assert "記述のタイトル" in (copy / "index.html").read_text(encoding="utf-8")
    assert "記述の計画名" in (copy / "publishers" / PLAN / "index.html").read_text(encoding="utf-8")
    page = copy / "initiatives" / PLAN / f"{first['id']}.html"
    assert "記述の取組名" in page.read_text(encoding="utf-8")

    write_ckan(copy, changed)
    ckan = json.loads((copy / "ckan" / f"{config.name}-initiatives.json").read_text(encoding="utf-8"))
    assert {"key": "issued", "value": "2000-01-02T03:04:05Z"} in ckan["extras"]
    assert {"key": "modified", "value": "2001-02-03T04:05:06Z"} in ckan["extras"]
    graph = build_catalog(copy, changed)
    assert (catalog_uri(config), DCTERMS.title, Literal("記述のタイトル", lang="ja")) in graph


def test_a_published_folder_is_described_from_its_files(copy, config):
    """Without publish's memory (a command working from a published folder), the description
    comes from datapackage.json and the tables' JSON: the same records the folder holds."""
    view = read_description(copy, config)
    on_disk = json.loads((copy / "initiatives.json").read_text(encoding="utf-8"))["records"]
    assert view.records["initiatives"] == on_disk and len(on_disk) > 10
    assert view.title == view.package["title"]
    (copy / "datapackage.json").unlink()
    with pytest.raises(PipelineError, match="cannot read the data package"):
        read_description(copy, config)


def test_files_hashed_at_once_in_threads_are_each_read_once(tmp_path, monkeypatch):
    """The linked data's files are hashed side by side (file_digests); what the writers ask of
    them afterwards (file_digest) is taken from what was found, not read again."""
    files = [tmp_path / f"graph{n}.nt" for n in range(3)]
    for n, path in enumerate(files):
        path.write_bytes(f"<urn:s{n}> <urn:p> <urn:o> .\n".encode() * (n + 1) * 100_000)
    listing.file_digests(files)
    monkeypatch.setattr(listing, "open", lambda *args: pytest.fail("read again"), raising=False)
    for path in files:
        data = path.read_bytes()
        assert listing.file_digest(path) == (len(data), hashlib.sha256(data).hexdigest())


def test_records_are_converted_whole_or_one_plan_at_a_time_and_counted_without_converting():
    rows = {"schedules": [{"plan_id": "a", "period": "H26", "raw": ""},
                          {"plan_id": "b", "period": "H27", "raw": "x"},
                          {"plan_id": "a", "period": "H28", "raw": ""}]}    # a: two runs
    converted = []

    def convert(table_rows):
        converted.append(len(table_rows))
        return table_records(table_rows)
    records = Records(rows, convert)
    assert "schedules" in records and "sections" not in records and records.count("schedules") == 3
    assert converted == []
    assert [r["period"] for r in records.of_plan("schedules", "a")] == ["H26", "H28"]
    assert records.of_plan("schedules", "a")[0]["raw"] is None and converted == [1, 1, 1, 1]
    assert records["schedules"][1] == {"plan_id": "b", "period": "H27", "raw": "x"}
    assert records.of_plan("schedules", "b") == [records["schedules"][1]] and converted[4:] == [3]
    assert records.of_plan("schedules", "c") == [] and records.of_plan("sections", "a") == []


def test_a_plan_read_from_its_folder_takes_each_value_from_the_file_that_gives_it():
    """package_plans read a plan's titles, publisher and period from its first file alone, so a
    folder's description lost what only its second file gave, where the publish had it."""
    from pipeline.export.planinfo import package_plans
    package = {"sources": [
        {"file": "a.txt", "title": "分野1", "plan_id": "p"},
        {"file": "b.txt", "title": "分野2", "plan_id": "p", "plan_title": "みやぎICT推進プラン",
         "plan_title_en": "Miyagi ICT Promotion Plan", "publisher": "宮城県",
         "publisher_code": "040002", "period": {"start_fiscal_year": 2014, "end_fiscal_year": 2016}}]}
    plan = package_plans(package)["p"]
    assert (plan.title, plan.title_en, plan.publisher.code, plan.period) == (
        "みやぎICT推進プラン", "Miyagi ICT Promotion Plan", "040002", ("2014-04-01", "2017-03-31"))

"""The static web portal (pipeline/export/site/): pages, links, metadata, accessibility and
escaping, on a publication of the real source and on one with a hostile initiative title.

The pages are read with the standard library's html.parser into a small tree; nothing here
needs a browser.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import pytest

from pipeline.config import load_config
from pipeline.config import file_url
from pipeline.export.listing import SITE_MANIFEST
from pipeline.export.description import read_description
from pipeline.export.site import (SITE_FILES, SITE_FOLDERS, department_slug, is_listed,
                                  is_site_path, json_script, write_site)

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RAW_DIR = PROJECT_ROOT / "data" / "raw"
HOSTILE_TITLE = "<script>alert(1)</script>"
PLAN = "miyagi-ict-plan-2014-2016"       # the plan of the real source (its initiative pages' folder)
CODE = "040002"                          # its publisher, 宮城県
HOSTILE_RAW = "&lt;script&gt;alert(1)&lt;/script&gt;"
VOID = {"meta", "link", "input", "br", "hr", "img", "wbr", "source", "area", "base", "col"}


# --- a small DOM ------------------------------------------------------------------------

class Node:
    def __init__(self, tag: str, attrs: dict, parent: "Node | None"):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def iter(self, tag: str | None = None):
        for child in self.children:
            if isinstance(child, Node):
                if tag is None or child.tag == tag:
                    yield child
                yield from child.iter(tag)

    def find_all(self, tag: str | None = None, **attrs) -> list["Node"]:
        wanted = {k.rstrip("_").replace("_", "-"): v for k, v in attrs.items()}
        return [n for n in self.iter(tag)
                if all(n.attrs.get(k) == v for k, v in wanted.items())]

    def find(self, tag: str | None = None, **attrs) -> "Node | None":
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _TreeBuilder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: ("" if v is None else v) for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        self.current.children.append(Node(tag, {k: ("" if v is None else v) for k, v in attrs},
                                          self.current))

    def handle_endtag(self, tag):
        node = self.current
        while node is not None and node.tag != tag:
            node = node.parent
        assert node is not None, f"</{tag}> closes nothing"
        self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    assert builder.current is builder.root, f"unclosed <{builder.current.tag}>"
    return builder.root


class Page:
    def __init__(self, path: Path, rel: str):
        self.path, self.rel = path, rel
        self.source = path.read_text(encoding="utf-8")
        self.dom = parse(self.source)

    def by_id(self, identifier: str) -> Node | None:
        return self.dom.find(id=identifier)

    def text(self) -> str:
        return self.dom.text()

    def json_scripts(self, kind: str) -> list:
        return [json.loads(s.text()) for s in self.dom.find_all("script", type=kind)]


# --- fixtures ---------------------------------------------------------------------------

@pytest.fixture(scope="session")
def site_config():
    return load_config(PROJECT_ROOT / "pipeline.toml")


def _ensure_site(out: Path, config) -> None:
    """Until publish writes the site itself, write it on the published folder."""
    if not (out / "index.html").exists():
        write_site(out, read_description(out, config))


@pytest.fixture(scope="session")
def site(published, tmp_path_factory, site_config) -> Path:
    """A copy of the publication of the real source (conftest `published`) with its site."""
    out = tmp_path_factory.mktemp("site") / "out"
    shutil.copytree(published, out)
    _ensure_site(out, site_config)
    return out


def site_pages(out: Path) -> dict[str, Page]:
    return {p.relative_to(out).as_posix(): Page(p, p.relative_to(out).as_posix())
            for p in sorted(out.rglob("*.html"))}


@pytest.fixture(scope="session")
def pages(site) -> dict[str, Page]:
    return site_pages(site)


@pytest.fixture(scope="session")
def records(site) -> dict[str, list[dict]]:
    return {t: json.loads((site / f"{t}.json").read_text(encoding="utf-8"))["records"]
            for t in ("initiatives", "indicators", "references", "sites")}


@pytest.fixture(scope="session")
def hostile(tmp_path_factory, published, site_config) -> tuple[Path, str]:
    """A publication whose first initiative is titled `&lt;script&gt;alert(1)&lt;/script&gt;`
    in the raw text (the normaliser unescapes it, so the data hold a real `<script>`)."""
    first = json.loads((published / "initiatives.json").read_text(encoding="utf-8"))["records"][0]
    base = tmp_path_factory.mktemp("hostile")
    raw = base / "raw"
    raw.mkdir()
    shutil.copy(RAW_DIR / "sources.toml", raw / "sources.toml")
    source = RAW_DIR / first["source"]
    lines = source.read_bytes().decode("utf-8").split("\n")
    start = int(first["source_lines"].split("-")[0]) - 1
    line = next(i for i in range(start, len(lines)) if first["title"] in lines[i])
    lines[line] = lines[line].replace(first["title"], HOSTILE_RAW, 1)
    (raw / first["source"]).write_bytes("\n".join(lines).encode("utf-8"))
    out = base / "out"
    result = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--raw-dir", raw,
                             "--out-dir", out], cwd=PROJECT_ROOT, text=True, capture_output=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    titles = {r["id"]: r["title"] for r in
              json.loads((out / "initiatives.json").read_text(encoding="utf-8"))["records"]}
    assert titles[first["id"]] == HOSTILE_TITLE          # the data really hold the markup
    _ensure_site(out, site_config)
    return out, first["id"]


def site_datasets(out: Path, config):
    result = []
    for spec in read_description(out, config).datasets:
        files = [f for f in spec.files if is_listed(f.path)]
        if files:
            result.append((spec, files))
    return result


# --- pages exist ------------------------------------------------------------------------

def test_every_initiative_dataset_and_department_has_a_page(site, pages, records, site_config):
    initiatives = records["initiatives"]
    assert len(initiatives) == 33
    for record in initiatives:
        assert f"initiatives/{PLAN}/{record['id']}.html" in pages
    datasets = site_datasets(site, site_config)
    assert len(datasets) >= 9
    for spec, _ in datasets:
        assert f"datasets/{spec.name}.html" in pages
        assert re.fullmatch(r"[a-z0-9_-]+", spec.name)
    departments = {r["department"] for r in initiatives + records["sites"] if r["department"]}
    assert len(departments) >= 2
    for name in departments:
        slug = department_slug(name, CODE)
        assert re.fullmatch(r"d-[0-9a-f]{12}", slug)
        page = pages[f"departments/{slug}.html"]
        assert page.dom.find("h1").text() == name
    for index in ("index.html", "initiatives/index.html", "departments/index.html"):
        assert index in pages
    assert (site / "assets" / "style.css").is_file() and (site / "assets" / "search.js").is_file()


def test_write_site_returns_the_paths_it_wrote_and_is_reproducible(site, site_config, tmp_path):
    """Written again into the finished publication (ckan/ and the catalogue present, the site
    already there), the site comes out byte-identical, and a stale page is removed."""
    copy = tmp_path / "out"
    shutil.copytree(site, copy)
    (copy / "initiatives" / "stale.html").write_text("old", encoding="utf-8")
    written = write_site(copy, read_description(copy, site_config))
    on_disk = sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*")
                     if p.is_file() and is_site_path(p.relative_to(copy).as_posix()))
    assert sorted(written) == on_disk                    # the stale page is gone
    assert len(written) == len(set(written))
    assert all(not w.startswith("/") and is_site_path(w) for w in written)
    for path in written:                                 # same input, same bytes
        assert (copy / path).read_bytes() == (site / path).read_bytes(), path
    assert set(SITE_FILES) <= set(written)
    assert {w.split("/")[0] + "/" for w in written if "/" in w} == set(SITE_FOLDERS)


def test_the_site_manifest_lists_every_file_written_with_size_and_checksum(site, site_config):
    manifest = json.loads((site / SITE_MANIFEST).read_text(encoding="utf-8"))
    on_disk = sorted(p.relative_to(site).as_posix() for p in site.rglob("*")
                     if p.is_file() and is_site_path(p.relative_to(site).as_posix()))
    paths = [entry["path"] for entry in manifest["files"]]
    assert paths == [p for p in on_disk if p != SITE_MANIFEST]          # sorted, not itself
    for entry in manifest["files"]:
        data = (site / entry["path"]).read_bytes()
        assert (entry["bytes"], entry["sha256"]) == (len(data), hashlib.sha256(data).hexdigest())
        assert entry["mediatype"] in ("text/html", "text/css", "text/javascript")
    assert manifest["license"]["path"] == site_config.license.url
    assert manifest["count"] == len(paths)


def test_previews_read_only_the_first_rows(site, site_config, tmp_path):
    """A CSV whose tail cannot be decoded still previews: only its first rows are read, and the
    total comes from the table's records."""
    copy = tmp_path / "out"
    shutil.copytree(site, copy)
    csv_path = copy / "initiatives.csv"
    size = csv_path.stat().st_size
    with csv_path.open("ab") as handle:
        handle.write(b"\xff\xfe" * 65536)                               # not UTF-8
    write_site(copy, read_description(copy, site_config))
    page = Page(copy / "datasets" / f"{site_config.name}-initiatives.html", "")
    table = page.dom.find_all("table", class_="preview")[0]
    assert "initiatives.csv の先頭10行（全33行）" in table.find("caption").text()
    assert len(table.find("tbody").find_all("tr")) == 10
    assert size < csv_path.stat().st_size


def test_worker_processes_write_the_same_site(site, site_config, tmp_path, monkeypatch):
    """A large publication's initiative pages are written by forked workers: the same files."""
    from pipeline.export.site import writer as site_module
    monkeypatch.setattr(site_module, "PARALLEL_FROM", 1)
    monkeypatch.setattr(site_module, "CHUNK_PAGES", 10)
    if site_module.page_workers(33) < 2:
        pytest.skip("one core: no worker processes")
    copy = tmp_path / "out"
    shutil.copytree(site, copy)
    written = write_site(copy, read_description(copy, site_config))
    assert sorted(written) == sorted(p.relative_to(copy).as_posix() for p in copy.rglob("*")
                                     if p.is_file() and is_site_path(p.relative_to(copy).as_posix()))
    for path in written:
        assert (copy / path).read_bytes() == (site / path).read_bytes(), path


def test_footers_of_a_many_source_publication_stay_short(site, site_config, tmp_path):
    """The attribution names every source document; with more than a few, a page footer names
    the document of its own data (initiative pages) or the first and the count (other pages),
    linking to the catalogue, whose dataset cards keep the whole sentence."""
    copy = tmp_path / "out"
    shutil.copytree(site, copy)
    package = json.loads((copy / "datapackage.json").read_text(encoding="utf-8"))
    real = package["sources"][0]
    extra = [{**real, "file": f"other-{n}.txt", "title": f"別の計画{n}", "path": f"other-{n}.txt"}
             for n in range(5)]
    package["sources"] = [real, *extra]
    package["attribution"] = package["attribution"].replace(
        "を加工して作成", "".join(f"、宮城県「別の計画{n}」" for n in range(5)) + "を加工して作成")
    (copy / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False), encoding="utf-8")
    write_site(copy, read_description(copy, site_config))
    own = f"出典：宮城県「{real['title']}」（{real['path']}）を加工して作成（全6件の出典表記："
    initiative = Page(copy / "initiatives" / PLAN / "2-2-5.html", f"initiatives/{PLAN}/2-2-5.html")
    credit = initiative.dom.find("p", class_="attribution")
    assert credit.text() == own + "データセット一覧）"
    assert credit.find("a").attrs["href"] == "../../index.html"
    catalogue = Page(copy / "index.html", "index.html")
    credit = catalogue.dom.find("footer").find("p", class_="attribution")
    assert credit.text().startswith(f"出典：宮城県「{real['title']}」（{real['path']}）ほか5件を加工して作成")
    assert catalogue.by_id("attribution").text() == package["attribution"]               # once
    for article in catalogue.dom.find_all("article", class_="dataset"):
        assert package["attribution"] not in article.text()      # not once per dataset
        assert article.find("a", href="#attribution").text() == "全6件の出典の表記"
    dataset = Page(copy / "datasets" / f"{site_config.name}-initiatives.html", "")
    assert package["attribution"] not in dataset.dom.find("table", id="metadata").text()
    assert dataset.dom.find("a", href="../index.html#attribution") is not None
    (document,) = dataset.json_scripts("application/ld+json")
    assert document["creditText"] == package["attribution"]


def test_a_dataset_page_names_the_frequency_in_words(site, tmp_path):
    """A dataset page names the frequency of pipeline.toml in words: a code of the EU table the
    portal had no words for (BIENNIAL, 5MIN) was shown as the bare code."""
    copy = tmp_path / "out"
    shutil.copytree(site, copy)
    settings = tmp_path / "pipeline.toml"
    settings.write_text((PROJECT_ROOT / "pipeline.toml").read_text(encoding="utf-8").replace(
        "frequency/IRREG", "frequency/BIENNIAL"), encoding="utf-8")
    config = load_config(settings)
    write_site(copy, read_description(copy, config))
    dataset = Page(copy / "datasets" / f"{config.name}-initiatives.html", "")
    rows = {tr.find("th").text(): tr.find("td").text()
            for tr in dataset.dom.find("table", id="metadata").find_all("tr")}
    assert rows["更新頻度"] == "2年ごと"


# --- content ------------------------------------------------------------------------------

def test_indicator_of_2_2_5_shows_baseline_and_target_with_iso_dates(pages):
    page = pages[f"initiatives/{PLAN}/2-2-5.html"]
    table = page.by_id("indicators")
    assert table is not None
    text = table.text()
    for value in ("38.25%", "43%", "2012-03-31", "2017-03-31", "→"):
        assert value in text
    row = table.find("tbody").find("tr")
    cells = [c.text() for c in row.children if isinstance(c, Node)]
    assert cells[1] == "38.25%" and cells[4] == "43%"
    assert cells[2].startswith("2012-03-31") and cells[5].startswith("2017-03-31")
    assert [c.text() for c in table.find("thead").find_all("th")] == \
        ["指標", "現状値", "時点", "→", "目標値", "時点"]


def test_catalogue_shows_licence_attribution_version_and_every_dataset(pages, site, site_config):
    page = pages["index.html"]
    package = json.loads((site / "datapackage.json").read_text(encoding="utf-8"))
    text = page.text()
    assert site_config.license.title in text             # クリエイティブ・コモンズ 表示 4.0 国際
    assert "CC-BY-4.0" in text
    assert package["attribution"] in text
    assert package["version"] in text
    assert package["created"][:10] in text
    licence_links = [a for a in page.dom.find_all("a") if a.attrs.get("href") == site_config.license.url]
    assert licence_links
    articles = page.dom.find_all("article", class_="dataset")
    datasets = [(spec, files) for spec, files in site_datasets(site, site_config) if spec.plan is None]
    assert len(articles) == len(datasets)                # the plan's own dataset: on its page
    assert "計画ごとのもの1件" in page.by_id("main").text()
    # the catalogue's 12 datasets, the portal's own among them (it said 11: its own left out)
    assert "12件のデータセット（全計画をまとめたもの10件と、計画ごとのもの1件と、このポータル1件）" \
        in page.by_id("main").text()
    assert "<dt>データセット</dt><dd>12件</dd>" in page.source
    for article, (spec, files) in zip(articles, datasets):
        link = article.find("h2").find("a")
        assert link.attrs["href"] == f"datasets/{spec.name}.html"
        assert link.text() == spec.title_ja
        body = article.text()
        # (the descriptions of linked-data/metadata list the formats of the folder, site included)
        assert spec.description_ja.split("。")[0] in body
        assert package["attribution"] in body and site_config.license.title in body
        for keyword in site_config.keywords:
            assert keyword in body
        for fmt in {f.format for f in files}:
            assert fmt in body


def test_dataset_pages_embed_schema_org_json_ld_matching_the_downloads(pages, site, site_config):
    for spec, files in site_datasets(site, site_config):
        page = pages[f"datasets/{spec.name}.html"]
        (document,) = page.json_scripts("application/ld+json")
        assert document["@context"].rstrip("/") == "https://schema.org"
        assert document["@type"] == "Dataset"
        assert document["name"] == spec.title_ja
        assert document["license"] == site_config.license.url
        assert document["inLanguage"] == "ja"
        assert document["publisher"]["name"] == site_config.publisher
        assert document["temporalCoverage"] == "2014-04-01/2017-03-31"
        assert document["keywords"] == list(dict.fromkeys(site_config.keywords))
        assert document["dateModified"]
        expected = {file_url(site_config.download_base, f.path) for f in files}
        distributions = document["distribution"]
        assert all(d["@type"] == "DataDownload" for d in distributions)
        assert {d["contentUrl"] for d in distributions} == expected
        for d in distributions:
            path = unquote(d["contentUrl"][len(site_config.download_base):])
            assert d["contentSize"] == f"{(site / path).stat().st_size} B"
            assert d["encodingFormat"]
        downloads = {a.attrs["href"] for a in page.dom.find_all("a", class_="download")}
        assert {file_url(site_config.download_base, h.removeprefix("../")) for h in downloads} == expected
        for a in page.dom.find_all("a", class_="download"):
            assert "download" in a.attrs
        alternates = {(l.attrs["type"], l.attrs["href"]) for l in page.dom.find_all("link", rel="alternate")}
        assert {(f.media_type, f"../{f.path}") for f in files} == alternates


def test_dataset_pages_have_metadata_resources_and_csv_previews(pages, site, site_config):
    import hashlib
    spec, files = next((s, f) for s, f in site_datasets(site, site_config) if s.key == "initiatives")
    page = pages[f"datasets/{spec.name}.html"]
    labels = [th.text() for th in page.by_id("metadata").find_all("th")]
    for label in ("タイトル", "説明", "発行者", "ライセンス", "出典表記", "バージョン", "最終更新",
                  "対象期間", "対象地域", "言語", "識別子"):
        assert label in labels
    metadata = page.by_id("metadata").text()
    assert site_config.publisher_code in metadata and "2014-04-01" in metadata
    # the dataset's URI, named in the catalogue that describes it, is no link to a document
    # that does not exist (each dataset page linked it, a 404: a fresh-eyes review)
    uri = f"{site_config.base_uri}dataset/{spec.name}"
    assert uri in metadata
    links = [a.attrs["href"] for a in page.by_id("metadata").find_all("a")]
    assert uri not in links and "../catalog.ttl" in links
    resources = page.by_id("resources")
    assert resources.find("caption") is not None
    text = resources.text()
    for f in files:
        data = (site / f.path).read_bytes()
        assert hashlib.sha256(data).hexdigest() in text
        assert f"{len(data):,} バイト" in text
    previews = page.dom.find_all("table", class_="preview")
    csv_files = [f for f in files if f.format == "CSV"]
    assert len(previews) == len(csv_files) == 2
    schema = json.loads((site / "schemas" / "initiatives.json").read_text(encoding="utf-8"))
    rows = len(json.loads((site / "initiatives.json").read_text(encoding="utf-8"))["records"])
    for table, f in zip(previews, csv_files):
        assert f.path in table.find("caption").text()
        assert f"の先頭10行（全{rows}行）" in table.find("caption").text()
        assert len(table.find("tbody").find_all("tr")) == 10
        region = table.parent
        assert region.attrs.get("tabindex") == "0" and region.attrs.get("role") == "region"
        assert region.attrs.get("aria-label")
    headers = [th.text() for th in previews[0].find("thead").find_all("th")]
    assert headers[0].startswith(schema["fields"][0]["title"])        # 取組ID (id)
    assert all(th.attrs.get("scope") == "col" for th in previews[0].find("thead").find_all("th"))


def test_initiative_page_shows_every_field(pages, records, site_config, site):
    page_folder = site / "initiatives" / PLAN
    for record in records["initiatives"]:
        page = pages[f"initiatives/{PLAN}/{record['id']}.html"]
        h1 = page.dom.find("h1").text()
        assert record["id"] in h1 and record["title"] in h1
        fields = page.by_id("fields")
        labels = [th.text() for th in fields.find_all("th")]
        for label in ("分野", "項目", "目的・概要", "性質・手法", "主体", "関連URL", "新規・継続",
                      "重点目標", "担当", "備考", "出典"):
            assert label in labels, (record["id"], label)
        text = fields.text()
        assert "不明" in text                              # priority goals: unknown
        assert f"{record['source']} {record['source_lines']}行" in text
        for url in record["urls"] or []:
            assert fields.find("a", href=url) is not None   # exactly as printed
        department = next(a for a in fields.find_all("a")
                          if a.attrs["href"].startswith("../../departments/"))
        assert department.attrs["href"] == \
            f"../../departments/{department_slug(record['department'], CODE)}.html"
        uri = f"{site_config.base_uri}plan/{PLAN}/initiative/{record['id']}"
        assert page.dom.find("a", href=uri) is not None
        # its own URI's documents (the whole graph.ttl, 171 MB at N = 1000, was its alternate)
        own = f"../../id/plan/{PLAN}/initiative/{quote(record['id'])}"
        for media, suffix in (("text/turtle", ".ttl"), ("application/ld+json", ".jsonld")):
            assert page.dom.find("link", rel="alternate", type=media, href=own + suffix)
            assert page.dom.find("a", href=own + suffix) is not None
            assert (page_folder / unquote(own + suffix)).is_file()
        assert page.dom.find("a", href="../../rdf/graph.ttl") is not None
        assert page.dom.find("a", href=f"../../plans/{PLAN}/graph.nt") is not None
    statuses = {pages[f"initiatives/{PLAN}/{r['id']}.html"].by_id("fields").text() for r in records["initiatives"]
                if not r["status"]}
    assert statuses and all("記載なし" in s for s in statuses)


def test_references_link_to_the_cited_initiative_pages(pages, records):
    for reference in records["references"]:
        page = pages[f"initiatives/{PLAN}/{reference['from_id']}.html"]
        if reference["to_id"]:
            assert page.dom.find("a", href=f"{reference['to_id']}.html") is not None
        elif reference["url"]:
            assert page.dom.find("a", href=reference["url"]) is not None
        else:
            assert reference["label"] in page.text()
    schedule = pages[f"initiatives/{PLAN}/2-1-3.html"].by_id("schedule")
    assert [th.text() for th in schedule.find("thead").find_all("th")][:3] == ["期間", "年度", "実施内容"]
    assert "2014年度" in schedule.text()


def index_arguments(index: str) -> list:
    """What a plan's search-index.js hands to initiativeIndex(): [slug, records, terms]."""
    assert index.startswith("initiativeIndex(") and index.endswith(");\n")
    return json.loads("[" + index.removeprefix("initiativeIndex(").removesuffix(");\n") + "]")


def test_initiative_search_page(pages, records, site):
    """The page holds the filters (publisher, plan, department, method, status); the
    initiatives come from the plan's search index, a script loaded only when needed."""
    page = pages["initiatives/index.html"]
    form = page.by_id("filters")
    assert page.by_id("q").attrs["type"] == "search"
    for control in ("q", "publisher", "plan", "department", "method", "status"):
        assert form.find("label", **{"for": control}) is not None, control
    initiatives = records["initiatives"]

    def options(name):
        return [o.text() for o in page.by_id(name).find_all("option")]

    assert options("publisher") == ["すべて", "宮城県"]
    assert options("plan") == ["すべて", "みやぎICT推進プラン(2014～2016)"]
    assert page.by_id("plan").find_all("option")[1].attrs == {
        "value": PLAN, "data-publishers": CODE, "data-count": "33"}
    assert options("department") == ["すべて", *dict.fromkeys(r["department"] for r in initiatives)]
    assert {o.attrs.get("data-publishers") for o in page.by_id("department").find_all("option")} \
        == {None, CODE}                 # (すべて: every publisher's) a department is its publisher's
    assert set(options("method")) == {"すべて", *(m for r in initiatives for m in r["methods"])}
    assert set(options("status")) == {"すべて", "新", "継続", "記載なし"}
    assert int(form.attrs["data-load-up-to"]) >= 33                  # 33 initiatives: all loaded
    count = page.by_id("count")
    assert count.attrs["aria-live"] == "polite" and "33" in count.text()
    assert page.dom.find("script", src="../assets/search.js") is not None
    index = (site / "initiatives" / PLAN / "search-index.js").read_text(encoding="utf-8")
    slug, data, terms = index_arguments(index)
    assert slug == PLAN
    assert [d["id"] for d in data] == [r["id"] for r in initiatives]
    # the records state their terms as the plan's JSON files do (else, taken from the site,
    # they would travel without licence or credit)
    own = json.loads((site / "plans" / PLAN / "initiatives.json").read_text(encoding="utf-8"))
    assert terms == {"license": own["license"], "attribution": own["attribution"]}
    assert terms["license"]["path"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "みやぎICT推進プラン" in terms["attribution"]
    assert {"id", "title", "summary", "department", "division", "methods", "status"} <= set(data[0])
    # what the page loads up front stays within a few hundred KB: the seed's index is some 590
    # bytes an initiative, so the bound in initiatives holds at most ~410 KB of them
    up_front = int(form.attrs["data-load-up-to"]) * len(index.encode("utf-8")) / len(initiatives)
    assert up_front <= 450_000, up_front


def test_department_pages_lead_to_the_divisions_and_initiatives_of_each_plan(pages, records):
    index = pages["departments/index.html"]
    plan = pages[f"publishers/{PLAN}/index.html"]
    by_department: dict[str, dict[str, list[str]]] = {}
    for r in records["initiatives"]:
        by_department.setdefault(r["department"], {}).setdefault(r["division"], []).append(r["id"])
    for department, divisions in by_department.items():
        slug = department_slug(department, CODE)
        assert index.dom.find("a", href=f"{slug}.html").text() == department
        page = pages[f"departments/{slug}.html"]
        link = page.dom.find("a", href=f"../publishers/{PLAN}/index.html#{slug}")
        line = link.parent.text()
        assert f"取組{sum(map(len, divisions.values()))}件" in line
        assert all(division in line for division in divisions)
        heading = plan.by_id(slug)
        assert heading.tag == "h3" and heading.text().startswith(department)
        section_ = heading.parent
        assert all(division in section_.text() for division in divisions)
        for identifier in (i for ids in divisions.values() for i in ids):
            assert plan.dom.find("a", href=f"../../initiatives/{PLAN}/{identifier}.html") is not None


# --- links, accessibility, self-containment ------------------------------------------------

def test_every_local_link_resolves(pages, site):
    checked = 0
    for rel, page in pages.items():
        ids = {n.attrs["id"] for n in page.dom.iter() if "id" in n.attrs}
        for node in page.dom.iter():
            for attribute in ("href", "src"):
                target = node.attrs.get(attribute)
                if target is None:
                    continue
                parts = urlsplit(target)
                if parts.scheme or target.startswith("//"):
                    assert parts.scheme in ("http", "https", "mailto"), target
                    continue
                if not parts.path:
                    assert parts.fragment in ids, (rel, target)
                    continue
                resolved = (page.path.parent / unquote(parts.path)).resolve()
                assert resolved.is_file(), (rel, target)
                assert resolved.is_relative_to(site.resolve()), (rel, target)
                checked += 1
    assert checked > 500


def test_pages_are_accessible(pages):
    for rel, page in pages.items():
        html_element = page.dom.find("html")
        assert html_element.attrs.get("lang") == "ja", rel
        assert page.source.startswith("<!DOCTYPE html>"), rel
        assert len(page.dom.find_all("h1")) == 1, rel
        mains = page.dom.find_all("main")
        assert len(mains) == 1 and mains[0].attrs.get("id") == "main", rel
        assert page.dom.find("a", href="#main") is not None, rel          # skip link
        assert page.dom.find("header") is not None and page.dom.find("footer") is not None, rel
        assert all(nav.attrs.get("aria-label") for nav in page.dom.find_all("nav")), rel
        levels = [int(n.tag[1]) for n in page.dom.iter() if re.fullmatch(r"h[1-6]", n.tag)]
        assert levels[0] == 1, rel
        assert all(b - a <= 1 for a, b in zip(levels, levels[1:])), (rel, levels)
        for table in page.dom.find_all("table"):
            first = next(c for c in table.children if isinstance(c, Node))
            assert first.tag == "caption" and first.text().strip(), rel
            for th in table.find_all("th"):
                assert th.attrs.get("scope") in ("col", "row"), rel
        labels = {n.attrs.get("for") for n in page.dom.find_all("label")}
        for control in page.dom.find_all("input") + page.dom.find_all("select"):
            assert control.attrs.get("id") in labels, (rel, control.attrs)
        for region in page.dom.find_all("div", class_="table-scroll"):
            assert region.attrs.get("tabindex") == "0" and region.attrs.get("role") == "region"
            assert region.attrs.get("aria-label"), rel
        for link in page.dom.find_all("a"):
            assert link.text().strip(), (rel, link.attrs)                   # no empty link text
        footer = page.dom.find("footer").text()
        assert "出典：" in footer, rel


def test_site_is_self_contained(pages, site):
    for rel, page in pages.items():
        for node in page.dom.iter():
            if node.tag in ("script", "img", "iframe", "source", "video", "audio"):
                assert not urlsplit(node.attrs.get("src", "")).scheme, (rel, node.attrs)
            if node.tag == "link" and node.attrs.get("rel") in ("stylesheet", "preload", "icon"):
                assert not urlsplit(node.attrs["href"]).scheme, (rel, node.attrs)
            assert "style" not in node.attrs, (rel, node.tag)                  # no inline CSS
            assert not any(a.startswith("on") for a in node.attrs), (rel, node.tag)  # no handlers
        inline = [s for s in page.dom.find_all("script") if "src" not in s.attrs]
        assert all(s.attrs.get("type") in ("application/json", "application/ld+json")
                   for s in inline), rel                                          # data only
    css = (site / "assets" / "style.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(" not in css and "@font-face" not in css
    assert ":focus-visible" in css and "3px" in css
    for family in ("Hiragino Sans", "Noto Sans JP", "Yu Gothic", "sans-serif"):
        assert family in css
    assert ".skip-link" in css and "nth-child(even)" in css and "@media" in css
    js = (site / "assets" / "search.js").read_text(encoding="utf-8")
    for forbidden in ("fetch(", "XMLHttpRequest", "import(", "innerHTML", "eval(", "http://", "https://"):
        assert forbidden not in js


# --- escaping ------------------------------------------------------------------------------

def test_json_script_cannot_close_its_element():
    data = {"a": "</script><!--<script>x", "b": "&amp; > <"}
    element = json_script(data, type="application/json")
    body = element[element.index(">") + 1:element.rindex("</script>")]
    assert "<" not in body and ">" not in body
    assert json.loads(body) == data


def test_printed_values_are_escaped_as_markupsafe_escapes_them():
    from markupsafe import Markup, escape

    from pipeline.export.site.templating import environment
    template = environment().from_string(
        "{{ a }}|{{ b }}|{{ c }}|{{ d }}{% set e %}<i>{{ a }}</i>{% endset %}|{{ e }}")
    values = {"a": "<b a='1' b=\"2\">&amp;", "b": Markup("<em>safe</em>"), "c": 12, "d": None}
    assert template.render(**values) == "|".join(str(escape(v)) for v in values.values()) + \
        "|<i>&lt;b a=&#39;1&#39; b=&#34;2&#34;&gt;&amp;amp;</i>"
    assert "escaped_output(" in environment().compile("{{ a }}", raw=True)


def test_a_hostile_title_is_text_on_every_page(hostile, site_config):
    out, identifier = hostile
    pages = site_pages(out)
    for rel, page in pages.items():
        assert "<script>alert" not in page.source, rel
        assert "alert(1)</script>" not in page.source, rel
        for script in page.dom.find_all("script"):
            assert "src" in script.attrs or script.attrs.get("type") in (
                "application/json", "application/ld+json"), rel
    escaped = "&lt;script&gt;alert(1)&lt;/script&gt;"
    initiative = pages[f"initiatives/{PLAN}/{identifier}.html"]
    assert escaped in initiative.source
    assert HOSTILE_TITLE in initiative.dom.find("h1").text()
    plan = pages[f"publishers/{PLAN}/index.html"]
    assert escaped in plan.source
    link = plan.dom.find("a", href=f"../../initiatives/{PLAN}/{identifier}.html")
    assert link.text() == f"{identifier} {HOSTILE_TITLE}"
    index = (out / "initiatives" / PLAN / "search-index.js").read_text(encoding="utf-8")
    assert "</" not in index and "<script" not in index and "\\u003cscript\\u003e" in index
    _, data, _ = index_arguments(index)
    assert next(d for d in data if d["id"] == identifier)["title"] == HOSTILE_TITLE
    neighbour = next(r["id"] for r in data if r["id"] != identifier)
    assert escaped in pages[f"initiatives/{PLAN}/{neighbour}.html"].source          # the pager


# --- pictures -------------------------------------------------------------------------------

def svg_images(node: Node) -> list[Node]:
    return [svg for svg in node.iter("svg") if svg.attrs.get("role") == "img"]


def section(page: Page, heading: str) -> Node:
    return next(s for s in page.dom.iter("section") if s.attrs.get("aria-labelledby") == heading)


def test_indicator_of_2_2_5_is_drawn_with_its_values_units_and_years(pages):
    page = pages[f"initiatives/{PLAN}/2-2-5.html"]
    (svg,) = svg_images(section(page, "indicators-heading"))
    title = svg.find("title")
    assert title is not None and svg.attrs["aria-labelledby"] == title.attrs["id"]
    drawn = svg.text()
    for value in ("38.25", "43", "%", "2012", "2017"):
        assert value in drawn, value
    assert [t.text() for t in svg.find_all("text", class_="value-label")] == ["38.25%", "43%"]
    baseline, target = (svg.find("circle", class_=f"point point-{k}") for k in ("baseline", "target"))
    assert float(target.attrs["cy"]) < float(baseline.attrs["cy"])       # 43 drawn above 38.25
    assert float(baseline.attrs["cx"]) < float(target.attrs["cx"])        # 2012 left of 2017


def test_a_text_only_target_is_drawn_as_text(pages):
    """2-1-12's target 全所属 (every office) has no number: shown as its text, not as a height."""
    svgs = svg_images(section(pages[f"initiatives/{PLAN}/2-1-12.html"], "indicators-heading"))
    assert svgs
    labels = [t.text() for t in svgs[0].find_all("text", class_="value-label")]
    assert labels == ["113所属", "全所属"]
    assert svgs[0].find("rect", class_="point point-target point-text") is not None
    assert svgs[0].find("line", class_="trend") is None


def test_a_schedule_continued_over_three_years_is_one_bar(pages, records):
    """2-1-5 is 運用 in H26 and continued (→) in H27 and H28: one bar across three fiscal years,
    three year columns wide."""
    page = pages[f"initiatives/{PLAN}/2-1-5.html"]
    (svg,) = svg_images(section(page, "schedule-heading"))
    (bar,) = svg.find_all("rect", class_="bar bar-0")
    assert (bar.attrs["data-first"], bar.attrs["data-last"], bar.attrs["data-years"]) == \
        ("2014", "2016", "3")
    bands = {int(t.text()[:4]): t for t in svg.find_all("text", class_="year-label")}
    column = float(svg.find("rect", class_="year-band year-band-1").attrs["width"])
    assert abs(float(bar.attrs["width"]) - 3 * column) < 5
    assert "運用" in svg.text() and {2014, 2015, 2016} <= set(bands)
    schedule = page.by_id("schedule").text()                  # the same periods in the table
    assert "H26" in schedule and "H28" in schedule and "→" in schedule


def test_a_schedule_chart_says_its_years_as_printed(pages):
    """2-1-3's chart, in words for a screen reader: its ～H25 phase is up to fiscal 2013 (it
    said `2013～2013年度`, a fresh-eyes review found), one year is one year, a bar continued is a
    span."""
    (svg,) = svg_images(section(pages[f"initiatives/{PLAN}/2-1-3.html"], "schedule-heading"))
    title = svg.find("title").text()
    assert "（現システム運用再構築設計 ～2013年度）" in title
    assert "（現システム運用・新システム構築 2014年度）" in title
    assert "（新システム運用 2015～2016年度）" in title
    assert "2013～2013" not in title


def test_plan_and_item_pages_give_the_overview_and_counts(pages, records):
    initiatives = records["initiatives"]
    (plan_path,) = [p for p in pages if re.fullmatch(r"publishers/[^/]+/index\.html", p)]
    assert plan_path == f"publishers/{PLAN}/index.html"
    plan = pages[plan_path]
    gantt = svg_images(section(plan, "overview-heading"))[0]
    assert len(gantt.find_all("text", class_="row-label")) == len(initiatives) == 33
    overview = plan.dom.find("table", class_="overview")
    links = [a.attrs["href"] for a in overview.find_all("a")]
    assert links == [f"../../initiatives/{PLAN}/{r['id']}.html" for r in initiatives]
    counts = section(plan, "counts-heading")
    status, departments = counts.find_all("table", class_="counts")
    statuses = {r["status"] or "記載なし" for r in initiatives}
    for name in statuses:
        count = sum(1 for r in initiatives if (r["status"] or "記載なし") == name)
        assert f"{name}{count}件" in status.text()
    assert f"{len(initiatives)}件" in plan.dom.find("dl", class_="summary").text()
    heads = [svg.find("title").text() for svg in svg_images(counts)]
    assert any("継続" in t for t in heads) and len(heads) == 2
    for department in {r["department"] for r in initiatives}:
        count = sum(1 for r in initiatives if r["department"] == department)
        assert f"{department}{count}件" in departments.text()
    items = [p for p in pages if p.startswith(plan_path.rsplit("/", 1)[0] + "/item-")]
    assert len(items) == len({(r["field_no"], r["item_no"]) for r in initiatives})
    item = pages[plan_path.replace("index.html", "item-2-2.html")]
    rows = svg_images(item.dom)[0].find_all("text", class_="row-label")
    assert len(rows) == sum(1 for r in initiatives if r["item_no"] == 2)
    assert pages["publishers/index.html"].dom.find("a", href=plan_path.removeprefix("publishers/"))


def test_every_picture_has_a_title_and_no_script(pages):
    drawn = 0
    for rel, page in pages.items():
        for svg in page.dom.iter("svg"):
            assert svg.attrs.get("role") == "img", rel
            title = svg.find("title")
            assert title is not None and title.text().strip(), rel
            assert svg.attrs["aria-labelledby"] == title.attrs["id"], rel
            assert not svg.find_all("script") and not svg.find_all("foreignobject"), rel
            drawn += 1
    assert drawn >= 33 + 6 + 2


# --- templates ------------------------------------------------------------------------------

HEADER = re.compile(r'<header class="site-header">.*?</header>', re.S)


def test_a_division_template_folder_changes_every_header_and_nothing_else(site, tmp_path):
    """[site] templates in pipeline.toml names a folder whose partials/header.html replaces the
    project's: every page shows the new header text, and every page is otherwise the same."""
    from pipeline.export.site.templating import TEMPLATES

    folder = tmp_path / "division" / "partials"
    folder.mkdir(parents=True)
    header = (TEMPLATES / "partials" / "header.html").read_text(encoding="utf-8")
    marked = header.replace('<nav class="site-nav"', '<p class="division">情報政策課のオープンデータ</p>\n'
                            '<nav class="site-nav"', 1)
    assert marked != header
    (folder / "header.html").write_text(marked, encoding="utf-8")
    (tmp_path / "pipeline.toml").write_text(
        (PROJECT_ROOT / "pipeline.toml").read_text(encoding="utf-8")
        + '\n[site]\ntemplates = "division"\n', encoding="utf-8")
    config = load_config(tmp_path / "pipeline.toml")
    assert config.site["templates"] == str((tmp_path / "division").resolve())
    copy = tmp_path / "out"
    shutil.copytree(site, copy)
    written = write_site(copy, read_description(copy, config))
    pages_ = [p for p in written if p.endswith(".html")]
    assert len(pages_) > 50
    for path in pages_:
        before, after = (site / path).read_text(encoding="utf-8"), (copy / path).read_text(encoding="utf-8")
        assert "情報政策課のオープンデータ" in after and "情報政策課のオープンデータ" not in before, path
        (old,), (new,) = HEADER.findall(before), HEADER.findall(after)
        assert after == before.replace(old, new), path            # nothing else changed
    for path in written:
        if not path.endswith((".html", ".json")):
            assert (copy / path).read_bytes() == (site / path).read_bytes(), path


def test_a_division_template_reads_every_table_the_pages_show(site, tmp_path):
    """`site.tables` holds the records of each table the pages show, whichever the portal
    itself lists whole or plan by plan: a division's header counting the schedules and terms
    shows their numbers."""
    from pipeline.export.site.templating import TEMPLATES

    folder = tmp_path / "division" / "partials"
    folder.mkdir(parents=True)
    header = (TEMPLATES / "partials" / "header.html").read_text(encoding="utf-8")
    (folder / "header.html").write_text(header.replace(
        '<nav class="site-nav"', '<p class="counts">{{ site.tables.schedules|length }} / '
        '{{ site.tables["terms"]|length }} / {{ site.tables.indicators|length }}</p>\n'
        '<nav class="site-nav"', 1), encoding="utf-8")
    (tmp_path / "pipeline.toml").write_text(
        (PROJECT_ROOT / "pipeline.toml").read_text(encoding="utf-8")
        + '\n[site]\ntemplates = "division"\n', encoding="utf-8")
    copy = tmp_path / "out"
    shutil.copytree(site, copy)
    write_site(copy, read_description(copy, load_config(tmp_path / "pipeline.toml")))
    counts = [len(json.loads((site / f"{t}.json").read_text(encoding="utf-8"))["records"])
              for t in ("schedules", "terms", "indicators")]
    assert counts[2] == 6 and all(counts)
    assert f'<p class="counts">{counts[0]} / {counts[1]} / {counts[2]}</p>' in \
        (copy / "index.html").read_text(encoding="utf-8")


def test_a_missing_template_folder_is_a_config_error(tmp_path):
    from pipeline.errors import ConfigError

    (tmp_path / "pipeline.toml").write_text('[site]\ntemplates = "nowhere"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="nowhere"):
        load_config(tmp_path / "pipeline.toml")


def publish_with_footer(tmp_path: Path, run_cli, make) -> tuple[Path, str]:
    """A publish whose division's partials/footer.html `make` makes (given its path): the
    footer's path and the one error line the publish printed (it published nothing)."""
    footer = tmp_path / "division" / "partials" / "footer.html"
    footer.parent.mkdir(parents=True)
    make(footer)
    config = tmp_path / "pipeline.toml"
    config.write_text((PROJECT_ROOT / "pipeline.toml").read_text(encoding="utf-8")
                      + '\n[site]\ntemplates = "division"\n', encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("--config", config, "publish", "--raw-dir", RAW_DIR, "--out-dir", out)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert not out.exists()
    (line,) = [l for l in result.stderr.splitlines() if l.startswith("error:")]
    return footer, line


@pytest.mark.parametrize("footer,message", [
    ("<footer>\n{% if %}\n</footer>\n", "template: Expected an expression"),      # syntax
    ("<footer>\n{{ nosuch.attr }}\n</footer>\n", "template: 'nosuch' is undefined"),  # rendering
    # each once a line naming the raw folder and a Python exception, not the template
    ("<footer>\n{{ 1 // 0 }}\n</footer>\n", "template: ZeroDivisionError: integer division"),
    ("<footer>\n{{ [].pop() }}\n</footer>\n", "template: IndexError: pop from empty list"),
    ('<footer>\n{% include "partials/footer.html" %}\n</footer>\n', "template: RecursionError: "),
    (b"<footer>\n\xff caf\xe9\n</footer>\n", "template: not UTF-8 text (byte 0xff"),
])
def test_a_broken_division_template_is_one_error_line(tmp_path, run_cli, footer, message):
    """A template with a syntax error, one that fails as it renders (whatever it raises) or
    one that is not UTF-8 stops the publish with the template's file and line."""
    text = footer if isinstance(footer, bytes) else footer.encode()
    path, line = publish_with_footer(tmp_path, run_cli, lambda path: path.write_bytes(text))
    assert line.startswith(f"error: {path}:2: {message}"), line


@pytest.mark.parametrize("make", [Path.mkdir, lambda path: path.symlink_to(path.parent / "gone"),
                                  os.mkfifo], ids=["folder", "broken link", "pipe"])
def test_a_division_template_that_is_no_file_is_one_error_line(tmp_path, run_cli, make):
    """partials/footer.html as a folder, a broken link or a named pipe: the portal took the
    project's own footer in its place, in silence (and a pipe could hang the publish)."""
    path, line = publish_with_footer(tmp_path, run_cli, make)
    assert line == (f"error: {path}: template: not a file (a folder, a broken link or a pipe): "
                    "the portal would use its own template in its place"), line


def test_a_plan_page_links_every_file_of_its_own_dataset(pages, site):
    """The plan's downloads are its own tables and its graph (plans/<plan>/): the graph.nt is
    one of them, as on its dataset page."""
    downloads = section(pages[f"publishers/{PLAN}/index.html"], "downloads-heading")
    links = {a.attrs["href"] for a in downloads.find_all("a")
             if a.attrs["href"].startswith(f"../../plans/{PLAN}/")}
    files = {f"../../plans/{PLAN}/{p.name}" for p in (site / "plans" / PLAN).iterdir()}
    assert f"../../plans/{PLAN}/graph.nt" in files
    assert links == files


def crumbs(page: Page) -> list[tuple[str, str | None]]:
    trail = page.dom.find("nav", class_="breadcrumb")
    return [(li.text(), li.find("a").attrs["href"] if li.find("a") else None)
            for li in trail.find_all("li")]


def test_breadcrumbs_follow_publisher_plan_field_item_initiative(pages):
    """The trail of an item's and an initiative's page goes up the way the plan pages lead down:
    publishers, the publisher, the plan, the field (its heading on the plan's page), the item."""
    plan = "みやぎICT推進プラン(2014～2016)"
    up = [("データセット", "../../index.html"), ("発行者と計画", "../index.html"),
          ("宮城県", f"../index.html#lg-{CODE}"), (plan, "index.html"),
          ("分野2 行政の情報化", "index.html#field-2")]
    item = pages[f"publishers/{PLAN}/item-2-1.html"]
    assert crumbs(item) == [*up, ("2-1 行政情報通信ネットワークと電子県庁の運用", None)]
    initiative = pages[f"initiatives/{PLAN}/2-1-1.html"]
    publishers = "../../publishers/"
    assert crumbs(initiative) == [
        ("データセット", "../../index.html"), ("発行者と計画", f"{publishers}index.html"),
        ("宮城県", f"{publishers}index.html#lg-{CODE}"),
        (plan, f"{publishers}{PLAN}/index.html"),
        ("分野2 行政の情報化", f"{publishers}{PLAN}/index.html#field-2"),
        ("2-1 行政情報通信ネットワークと電子県庁の運用", f"{publishers}{PLAN}/item-2-1.html"),
        ("2-1-1 みやぎハイパーウェブの運用", None)]
    plan_page = pages[f"publishers/{PLAN}/index.html"]
    assert plan_page.by_id("field-2").text() == "分野2 行政の情報化"
    assert pages["publishers/index.html"].by_id(f"lg-{CODE}") is not None

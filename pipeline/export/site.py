"""Static web portal of a published folder: HTML pages a person can read, search and download from.

Written from the published files only (datapackage.json, the table JSON files, the Table Schemas
and the files themselves) and the publication settings; nothing about the source's content is
in this module. Every text from the data goes through `html.escape` (the `h()` helper escapes
every child that is not already `Html`), JSON embedded in a page escapes `<`, `>` and `&`, and
every link between pages is relative, so the site works from any web server, object store, CDN,
a subfolder or file://. No external script, font, stylesheet or image.

Pages (all under the published folder):

- `index.html`: the catalogue, one `<article class="dataset">` per dataset;
- `datasets/<name>.html`: metadata, resources (size, SHA-256, download), CSV previews, schema.org
  Dataset JSON-LD;
- `initiatives/index.html`: every initiative, searchable in the browser (`assets/search.js`);
- `initiatives/<id>.html`: one per initiative (fields, indicators, schedule, references, terms);
- `departments/index.html`, `departments/<slug>.html`: one per responsible department;
- `assets/style.css`, `assets/search.js`: copied from `site_assets/`.

The pages describe the files present when `write_site` runs, except the site itself (it cannot
list its own checksums) and the portal metadata (`ckan/`, `catalog.*`), so they come out the same
whether they are written before or after those; publish runs it after validation and before the
CKAN metadata and the DCAT catalogue, which then describe the pages.
"""

from __future__ import annotations

import csv
import hashlib
import html
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from ..config import Config
from ..errors import PipelineError
from .ckan import CKAN_FOLDER
from .datasets import (SITE_FILES, SITE_FOLDERS, DatasetSpec, PublishedFile, file_url,
                       load_package, publication_datasets)
from .dcat import agent_uri, dataset_uri, publication_period, source_page

ASSETS_SOURCE = Path(__file__).resolve().with_name("site_assets")
ASSET_FILES = ("style.css", "search.js")
# The site owns SITE_FILES and SITE_FOLDERS (datasets.py) in the published folder: replaced on every run.

SAFE_FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
PREVIEW_ROWS = 10
PREVIEW_CELL_CHARS = 120
NO_STATUS = "記載なし"
ALL = "すべて"
LANGUAGE_NAMES = {"ja": "日本語", "en": "英語"}
FREQUENCIES = {"DAILY": "毎日", "WEEKLY": "毎週", "MONTHLY": "毎月", "QUARTERLY": "四半期ごと",
               "ANNUAL": "毎年", "IRREG": "不定期", "UNKNOWN": "不明", "NEVER": "更新なし",
               "CONT": "随時", "UPDATE_CONT": "随時"}


# ---- a tiny HTML helper layer ------------------------------------------------------------

class Html(str):
    """Markup that is already safe: `h()` inserts it as it is, every other text is escaped."""


VOID_ELEMENTS = frozenset({"meta", "link", "input", "br", "hr", "img", "wbr"})


def esc(value) -> Html:
    """The text of a value, HTML-escaped (quotes included); None is empty."""
    if isinstance(value, Html):
        return value
    return Html(html.escape("" if value is None else str(value), quote=True))


def _attributes(attrs: dict) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        parts.append(f" {name}" if value is True else f' {name}="{esc(value)}"')
    return "".join(parts)


def _children(children) -> str:
    out = []
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, (list, tuple)):
            out.append(_children(child))
        else:
            out.append(esc(child))
    return "".join(out)


def h(tag: str, *children, **attrs) -> Html:
    """`<tag attrs>children</tag>`; `class_="x"` -> class, `aria_label` -> aria-label,
    True -> a bare attribute, None/False -> left out; text children are escaped."""
    opening = f"<{tag}{_attributes(attrs)}>"
    if tag in VOID_ELEMENTS:
        return Html(opening)
    return Html(f"{opening}{_children(children)}</{tag}>")


def join(items, separator="") -> Html:
    return Html(esc(separator).join(esc(item) for item in items if item not in (None, "")))


def lines(*items) -> Html:
    """Children on separate lines (readable page source)."""
    return Html("\n".join(_children([item]) for item in items if item not in (None, "", False)))


def is_web_url(url: str | None) -> bool:
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def web_link(url: str | None, text=None, **attrs) -> Html:
    """A link to an http(s) URL as printed; any other value is shown as text, never linked."""
    if not is_web_url(url):
        return esc(text if text is not None else url)
    return h("a", text if text is not None else url, href=url.strip(), **attrs)


def json_script(data, **attrs) -> Html:
    """JSON in a <script> element: `<`, `>` and `&` become \\u escapes, so no value can close the
    element (`</script>`), open a comment (`<!--`) or read as markup; JSON.parse reads it as is."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Html(f"<script{_attributes(attrs)}>\n{text}\n</script>")


def href(path: str) -> str:
    """A relative link to a file of the site (non-ASCII characters percent-encoded)."""
    return quote(path, safe="/-_.~")


# ---- values --------------------------------------------------------------------------------

def department_slug(name: str) -> str:
    """Stable ASCII file name of a department page: `d-` + 12 hex digits of its SHA-1."""
    return "d-" + hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def initiative_key(identifier: str):
    parts = str(identifier).split("-")
    return (0, tuple(int(p) for p in parts)) if all(p.isdigit() for p in parts) \
        else (1, (str(identifier),))


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            return f"{size:,.1f} {unit}"
    return f"{size} B"


def day(timestamp: str) -> str:
    """The date part of an ISO 8601 timestamp."""
    return (timestamp or "")[:10]


def time_element(timestamp: str) -> Html:
    return h("time", day(timestamp), datetime=timestamp) if timestamp else esc("")


def is_site_path(path: str) -> bool:
    return path in SITE_FILES or path.startswith(SITE_FOLDERS)


def is_listed(path: str) -> bool:
    """Files the pages list: not the site itself (it cannot give its own checksums) and not the
    portal metadata written after it (ckan/; the catalogue is in no dataset anyway), so the pages
    are the same whether publish writes them before or after those."""
    return not is_site_path(path) and not path.startswith(f"{CKAN_FOLDER}/")


def as_list(value) -> list:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


# ---- the site ------------------------------------------------------------------------------

@dataclass
class Department:
    name: str
    slug: str
    divisions: dict[str, dict[str, list[dict]]] = field(default_factory=dict)

    def division(self, name: str) -> dict[str, list[dict]]:
        return self.divisions.setdefault(name, {"initiatives": [], "sites": []})

    @property
    def initiative_count(self) -> int:
        return sum(len(d["initiatives"]) for d in self.divisions.values())


def write_site(out: Path, config: Config) -> list[str]:
    """Write the static portal into the published folder `out`; returns the relative paths
    written. Any earlier site in `out` (index.html and the site folders) is removed first, so the
    pages never describe an earlier site and the same folder always gives the same bytes."""
    remove_site(out)
    return _Site(out, config).write()


def remove_site(out: Path) -> None:
    for path in SITE_FILES:
        (out / path).unlink(missing_ok=True)
    for folder in SITE_FOLDERS:
        shutil.rmtree(out / folder, ignore_errors=True)


class _Site:
    def __init__(self, out: Path, config: Config):
        self.out, self.config = out, config
        self.package = load_package(out)
        self.resources = {r.get("path"): r for r in self.package.get("resources", [])}
        self.title = self.package.get("title") or config.title
        self.version = self.package.get("version") or config.version
        self.created = self.package.get("created", "")
        self.attribution = self.package.get("attribution", "")
        licences = self.package.get("licenses") or []
        first = licences[0] if licences else {}
        self.licence_id = first.get("name") or config.license.id
        self.licence_title = first.get("title") or config.license.title
        self.licence_url = first.get("path") or config.license.url
        self.licence_note = first.get("description") or config.license.note
        publisher = next((c for c in self.package.get("contributors", [])
                          if c.get("role") == "publisher"), {})
        self.publisher = publisher.get("title") or config.publisher
        self.publisher_code = publisher.get("organization") or config.publisher_code
        self.keywords = list(dict.fromkeys(self.package.get("keywords") or config.keywords))
        self.language = self.package.get("language") or config.language
        self.sources = {s.get("file"): s for s in self.package.get("sources", [])}
        self.schemas: dict[str, dict] = {}
        self.tables = {t: self._records(t) for t in
                       ("initiatives", "indicators", "schedules", "references", "sites", "terms")}
        self.initiatives = sorted(self.tables["initiatives"], key=lambda r: initiative_key(r["id"]))
        for record in self.initiatives:       # the id names a file: never a path or a dot name
            if not SAFE_FILE_STEM.fullmatch(str(record["id"])) or ".." in str(record["id"]):
                raise PipelineError(f"initiative id {record['id']!r} cannot name a web page",
                                    out / "initiatives.json")
        self.initiative_ids = {r["id"] for r in self.initiatives}
        self.departments = self._departments()
        self.datasets = self._datasets()
        self.written: list[str] = []

    # ---- inputs --------------------------------------------------------------------------
    def _records(self, table: str) -> list[dict]:
        path = self.out / f"{table}.json"
        if not path.exists():
            return []
        return json.loads(path.read_text(encoding="utf-8")).get("records", [])

    def schema_for(self, path: str) -> dict:
        """The Table Schema of a published CSV (from its datapackage.json resource)."""
        schema_path = self.resources.get(path, {}).get("schema")
        if not isinstance(schema_path, str):
            return {}
        if schema_path not in self.schemas:
            try:
                self.schemas[schema_path] = json.loads(
                    (self.out / schema_path).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                self.schemas[schema_path] = {}
        return self.schemas[schema_path]

    def column_title(self, table: str, column: str, default: str = "") -> str:
        for field_ in self.schema_for(f"{table}.csv").get("fields", []):
            if field_.get("name") == column:
                return field_.get("title") or default or column
        return default or column

    def _departments(self) -> dict[str, Department]:
        departments: dict[str, Department] = {}
        for kind, records in (("initiatives", self.initiatives),
                              ("sites", self.tables["sites"])):
            for record in records:
                name = (record.get("department") or "").strip()
                if not name:
                    continue
                department = departments.setdefault(name, Department(name, department_slug(name)))
                department.division((record.get("division") or "").strip())[kind].append(record)
        return departments

    def _datasets(self) -> list[DatasetSpec]:
        result = []
        for spec in publication_datasets(self.out, self.config):
            files = tuple(f for f in spec.files if is_listed(f.path))
            if files:
                result.append(DatasetSpec(spec.key, spec.name, spec.title_ja, spec.title_en,
                                          spec.description_ja, spec.description_en, files))
        return result

    # ---- output --------------------------------------------------------------------------
    def write(self) -> list[str]:
        self.write_assets()
        self.emit("index.html", self.catalogue_page())
        for spec in self.datasets:
            self.emit(f"datasets/{spec.name}.html", self.dataset_page(spec))
        self.emit("initiatives/index.html", self.initiatives_page())
        for position, record in enumerate(self.initiatives):
            self.emit(f"initiatives/{record['id']}.html", self.initiative_page(record, position))
        self.emit("departments/index.html", self.departments_page())
        for department in self.departments.values():
            self.emit(f"departments/{department.slug}.html", self.department_page(department))
        return self.written

    def write_assets(self) -> None:
        (self.out / "assets").mkdir(parents=True, exist_ok=True)
        for name in ASSET_FILES:
            (self.out / "assets" / name).write_bytes((ASSETS_SOURCE / name).read_bytes())
            self.written.append(f"assets/{name}")

    def emit(self, path: str, document: str) -> None:
        target = self.out / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(document, encoding="utf-8", newline="\n")
        self.written.append(path)

    # ---- layout --------------------------------------------------------------------------
    def layout(self, *, root: str, title: str, section: str, body, crumbs=(),
               head=(), description: str = "", scripts=()) -> str:
        nav_items = (("catalogue", "index.html", "データセット"),
                     ("initiatives", "initiatives/index.html", "取組一覧"),
                     ("departments", "departments/index.html", "担当部局"))
        nav = h("nav", h("ul", [h("li", h("a", label, href=root + target,
                                            aria_current="page" if key == section else None))
                                for key, target, label in nav_items]),
                class_="site-nav", aria_label="メインメニュー")
        breadcrumb = None
        if crumbs:
            items = [h("li", h("a", text, href=link) if link else h("span", text, aria_current="page"))
                     for text, link in crumbs]
            breadcrumb = h("nav", h("ol", items), class_="breadcrumb", aria_label="パンくずリスト")
        header = h("header", h("div", lines(
            h("p", h("a", self.title, href=root + "index.html"), class_="site-title"),
            h("p", self.publisher, class_="site-publisher") if self.publisher else None,
            nav), class_="wrap header-inner"), class_="site-header")
        page_title = f"{title} | {self.title}" if title != self.title else title
        head_html = lines(
            Html('<meta charset="utf-8">'),
            Html('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            h("title", page_title),
            h("meta", name="description", content=description) if description else None,
            h("link", rel="stylesheet", href=root + "assets/style.css"),
            h("link", rel="license", href=self.licence_url) if is_web_url(self.licence_url) else None,
            *head)
        document = lines(
            Html("<!DOCTYPE html>"),
            Html('<html lang="ja">'),
            h("head", Html("\n"), head_html, Html("\n")),
            Html("<body>"),
            h("a", "本文へ移動", href="#main", class_="skip-link"),
            header,
            h("main", Html("\n"), lines(breadcrumb, *body), Html("\n"),
              id="main", class_="wrap", tabindex="-1"),
            self.footer(root),
            *scripts,
            Html("</body>"),
            Html("</html>"))
        return document + "\n"

    def footer(self, root: str) -> Html:
        licence = lines(
            h("p", "ライセンス：", web_link(self.licence_url, self.licence_title, rel="license"),
              f"（{self.licence_id}）" if self.licence_id else None),
            h("p", self.licence_note, class_="licence-note") if self.licence_note else None,
            h("p", self.attribution, class_="attribution") if self.attribution else None,
            h("p", f"バージョン {self.version}", "・最終更新 " if self.created else None,
              time_element(self.created) if self.created else None, "・",
              h("a", "datapackage.json", href=root + "datapackage.json"), "・",
              h("a", "DCATカタログ（Turtle）", href=root + "catalog.ttl"), class_="edition"),
            h("p", f"発行：{self.publisher}", class_="publisher") if self.publisher else None)
        return h("footer", h("div", licence, class_="wrap"), class_="site-footer")

    def licence_block(self) -> Html:
        return h("dd", web_link(self.licence_url, self.licence_title, rel="license"),
                 f"（{self.licence_id}）" if self.licence_id else None)

    def tag_list(self, label: str = "タグ") -> Html | None:
        if not self.keywords:
            return None
        return h("ul", [h("li", k) for k in self.keywords], class_="tags", aria_label=label)

    @staticmethod
    def formats(spec: DatasetSpec) -> list[str]:
        return list(dict.fromkeys(f.format for f in spec.files))

    def format_badges(self, spec: DatasetSpec) -> Html:
        return h("ul", [h("li", fmt, class_="format", data_format=fmt.lower())
                        for fmt in self.formats(spec)], class_="formats", aria_label="形式")

    def record_count(self, spec: DatasetSpec) -> int | None:
        if spec.key in self.tables:
            return len(self.tables[spec.key])
        path = self.out / f"{spec.key}.json"
        if any(f.path == f"{spec.key}.csv" for f in spec.files) and path.exists():
            return len(json.loads(path.read_text(encoding="utf-8")).get("records", []))
        return None

    # ---- index.html -------------------------------------------------------------------------
    def catalogue_page(self) -> str:
        description = self.package.get("description") or self.config.description
        summary = h("dl", lines(
            h("div", h("dt", "発行者"), h("dd", self.publisher_label())) if self.publisher else None,
            h("div", h("dt", "バージョン"), h("dd", self.version)),
            h("div", h("dt", "最終更新"), h("dd", time_element(self.created))) if self.created else None,
            h("div", h("dt", "ライセンス"), self.licence_block()),
            h("div", h("dt", "データセット"), h("dd", f"{len(self.datasets)}件")),
            h("div", h("dt", "取組"), h("dd", h("a", f"{len(self.initiatives)}件",
                                              href="initiatives/index.html"))),
        ), class_="summary")
        articles = [self.dataset_card(spec) for spec in self.datasets]
        machine = h("section", lines(
            h("h2", "メタデータ・機械可読な目録", id="machine-readable"),
            h("ul", [
                h("li", h("a", "datapackage.json", href="datapackage.json"),
                  "：全ファイル・Table Schema・ライセンス・出典を列挙する Data Package 記述子"),
                h("li", h("a", "catalog.ttl", href="catalog.ttl"), "・",
                  h("a", "catalog.jsonld", href="catalog.jsonld"),
                  "：DCAT-AP 3 カタログ（Turtle / JSON-LD）"),
            ], class_="plain-list")), aria_labelledby="machine-readable")
        body = [
            h("h1", self.title),
            h("p", description, class_="lead") if description else None,
            summary,
            self.tag_list("キーワード"),
            h("p", f"{len(self.datasets)}件のデータセット", class_="result-count"),
            *articles,
            machine,
        ]
        head = [h("link", rel="alternate", type="text/turtle", href="catalog.ttl",
                  title="DCATカタログ（Turtle）"),
                h("link", rel="alternate", type="application/ld+json", href="catalog.jsonld",
                      title="DCATカタログ（JSON-LD）"),
                h("link", rel="describedby", type="application/json", href="datapackage.json")]
        return self.layout(root="", title=self.title, section="catalogue", body=body, head=head,
                           description=description)

    def publisher_label(self) -> Html:
        if self.publisher_code:
            return h("span", self.publisher, "（全国地方公共団体コード ", h("span", self.publisher_code,
                                                                       class_="code"), "）")
        return esc(self.publisher)

    def dataset_card(self, spec: DatasetSpec) -> Html:
        count = self.record_count(spec)
        facts = h("dl", lines(
            h("div", h("dt", "形式"), h("dd", self.format_badges(spec))),
            h("div", h("dt", "レコード数"), h("dd", f"{count:,}件")) if count is not None else None,
            h("div", h("dt", "ファイル数"), h("dd", f"{len(spec.files)}件")),
            h("div", h("dt", "最終更新"), h("dd", time_element(self.created))) if self.created else None,
            h("div", h("dt", "バージョン"), h("dd", self.version)),
            h("div", h("dt", "ライセンス"), self.licence_block(), class_="wide"),
            h("div", h("dt", "出典表記"), h("dd", self.attribution), class_="wide")
            if self.attribution else None,
        ), class_="facts")
        return h("article", lines(
            h("h2", h("a", spec.title_ja, href=href(f"datasets/{spec.name}.html"))),
            h("p", spec.title_en, lang="en", class_="title-en") if spec.title_en else None,
            h("p", spec.description_ja, class_="description") if spec.description_ja else None,
            self.tag_list(),
            facts), class_="dataset")

    # ---- datasets/<name>.html -----------------------------------------------------------------
    def dataset_page(self, spec: DatasetSpec) -> str:
        root = "../"
        files = [(f, (self.out / f.path).read_bytes()) for f in spec.files]
        metadata = self.metadata_table(spec)
        resources = self.resources_table(files, root)
        previews = [self.preview(f, root) for f, _ in files if f.format == "CSV"]
        body = [
            h("h1", spec.title_ja),
            h("p", spec.title_en, lang="en", class_="title-en") if spec.title_en else None,
            h("p", spec.description_ja, class_="lead") if spec.description_ja else None,
            self.format_badges(spec),
            h("section", h("h2", "メタデータ", id="metadata-heading"), Html("\n"), metadata,
              aria_labelledby="metadata-heading"),
            h("section", h("h2", "データとリソース", id="resources-heading"), Html("\n"), resources,
              aria_labelledby="resources-heading"),
            h("section", h("h2", "プレビュー", id="preview-heading"), Html("\n"), lines(*previews),
              aria_labelledby="preview-heading") if previews else None,
        ]
        head = [h("link", rel="alternate", type=f.media_type, href=root + href(f.path), title=f.title)
                for f, _ in files]
        head += [h("link", rel="describedby", type="text/turtle", href=root + "catalog.ttl"),
                 h("link", rel="describedby", type="application/json",
                   href=root + href(f"ckan/{spec.name}.json")),
                 json_script(self.dataset_jsonld(spec, files), type="application/ld+json")]
        crumbs = (("データセット", root + "index.html"), (spec.title_ja, None))
        return self.layout(root=root, title=spec.title_ja, section="catalogue", body=body,
                           crumbs=crumbs, head=head, description=spec.description_ja)

    def metadata_table(self, spec: DatasetSpec) -> Html:
        c = self.config
        period = publication_period(self.package)
        sources = [s for s in self.package.get("sources", [])]
        contact = [c.contact_name, web_link(c.contact_url) if c.contact_url else None,
                   web_link(f"mailto:{c.contact_email}", c.contact_email) if c.contact_email else None]
        frequency = c.accrual_periodicity.rsplit("/", 1)[-1] if c.accrual_periodicity else ""
        rows = [
            ("タイトル", [spec.title_ja, [h("br"), h("span", spec.title_en, lang="en", class_="title-en")]
                       if spec.title_en else None]),
            ("説明", self.paragraphs(spec.description_ja)),
            ("識別子", [h("code", spec.name), h("br"),
                     web_link(str(dataset_uri(c, spec.name)), class_="uri")]),
            ("発行者", self.publisher_label() if self.publisher else None),
            ("連絡先", join([x for x in contact if x], "・") if any(contact) else None),
            ("ライセンス", [web_link(self.licence_url, self.licence_title, rel="license"),
                       f"（{self.licence_id}）" if self.licence_id else None,
                       h("br") if self.licence_note else None, self.licence_note]),
            ("出典表記", self.attribution),
            ("出典", h("ul", [h("li", web_link(s.get("path"), s.get("title") or s.get("file")),
                               "（", h("code", s.get("file")), "）") for s in sources],
                     class_="plain-list") if sources else None),
            ("バージョン", self.version),
            ("最終更新", time_element(self.created) if self.created else None),
            ("対象期間", [h("time", period[0], datetime=period[0]), " ～ ",
                      h("time", period[1], datetime=period[1])] if period else None),
            ("対象地域", self.publisher if self.publisher else None),
            ("言語", f"{LANGUAGE_NAMES.get(self.language, self.language)}（{self.language}）"),
            ("キーワード", join(self.keywords, "、") if self.keywords else None),
            ("更新頻度", FREQUENCIES.get(frequency, frequency) if frequency else None),
            ("形式", join(self.formats(spec), "、")),
            ("メタデータ", [h("a", "CKAN（package_show 形式 JSON）",
                              href="../" + href(f"ckan/{spec.name}.json")), "・",
                         h("a", "DCATカタログ（Turtle）", href="../catalog.ttl")]),
        ]
        body = [h("tr", h("th", label, scope="row"), h("td", value))
                for label, value in rows if value not in (None, "", [])]
        return h("table", h("caption", "データセットのメタデータ"), Html("\n"),
                 h("tbody", Html("\n"), lines(*body)), id="metadata", class_="fields")

    def resources_table(self, files: list[tuple[PublishedFile, bytes]], root: str) -> Html:
        head = h("thead", h("tr", [h("th", text, scope="col") for text in
                                   ("名前", "形式", "サイズ", "SHA-256", "ダウンロード")]))
        rows = []
        for f, data in files:
            rows.append(h("tr",
                          h("th", h("span", f.title, class_="resource-title"), h("br"),
                            h("code", f.path), h("br") if f.description else None,
                            h("span", f.description, class_="resource-description")
                            if f.description else None, scope="row"),
                          h("td", h("span", f.format, class_="format", data_format=f.format.lower()),
                            h("br"), h("code", f.media_type, class_="media-type")),
                          h("td", f"{len(data):,} バイト", h("br"), f"（{human_size(len(data))}）",
                            class_="number"),
                          h("td", h("code", hashlib.sha256(data).hexdigest(), class_="hash")),
                          h("td", h("a", "ダウンロード", h("span", f"：{f.path}", class_="visually-hidden"),
                                    class_="download", href=root + href(f.path),
                                    download=PurePosixPath(f.path).as_posix().replace("/", "-")))))
        table = h("table", h("caption", "ファイル一覧（サイズ・SHA-256・ダウンロード）"), Html("\n"),
                  head, Html("\n"), h("tbody", Html("\n"), lines(*rows)), id="resources")
        return h("div", table, class_="table-scroll", tabindex="0", role="region",
                 aria_label="ファイル一覧（横にスクロールできます）")

    def preview(self, f: PublishedFile, root: str) -> Html:
        encoding = self.resources.get(f.path, {}).get("encoding") or "utf-8"
        encoding = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig") \
            else encoding
        try:
            with (self.out / f.path).open(encoding=encoding, newline="") as handle:
                rows = list(csv.reader(handle))
        except (OSError, UnicodeDecodeError, csv.Error):
            return h("p", f"{f.path} はプレビューできません。")
        if not rows:
            return h("p", f"{f.path} は空です。")
        header, data = rows[0], rows[1:]
        titles = {x.get("name"): x.get("title") for x in self.schema_for(f.path).get("fields", [])}
        head_cells = []
        for name in header:
            title = titles.get(name) or name
            head_cells.append(h("th", title, [h("br"), h("code", name)] if title != name else None,
                                scope="col"))
        shown = data[:PREVIEW_ROWS]
        body = [h("tr", [h("td", self.cell(value)) for value in row]) for row in shown]
        caption = (f"{f.path} の先頭{len(shown)}行（全{len(data):,}行）" if len(shown) < len(data)
                   else f"{f.path} の全{len(data):,}行")
        table = h("table", h("caption", caption, h("br"), h("a", f"{f.path} をダウンロード",
                                                             href=root + href(f.path))),
                  Html("\n"), h("thead", h("tr", head_cells)), Html("\n"),
                  h("tbody", Html("\n"), lines(*body)), class_="preview")
        return h("div", table, class_="table-scroll", tabindex="0", role="region",
                 aria_label=f"{f.path} のプレビュー（横にスクロールできます）")

    @staticmethod
    def cell(value: str) -> Html:
        if len(value) > PREVIEW_CELL_CHARS:
            return h("span", value[:PREVIEW_CELL_CHARS] + "…", title=value)
        return esc(value)

    def dataset_jsonld(self, spec: DatasetSpec, files: list[tuple[PublishedFile, bytes]]) -> dict:
        c = self.config
        organisation = None
        if self.publisher:
            organisation = {"@type": "GovernmentOrganization", "name": self.publisher}
            if self.publisher_code:
                organisation["@id"] = str(agent_uri(c))
                organisation["identifier"] = self.publisher_code
        period = publication_period(self.package)
        document = {
            "@context": "https://schema.org/",
            "@type": "Dataset",
            "@id": str(dataset_uri(c, spec.name)),
            "identifier": spec.name,
            "name": spec.title_ja,
            "alternateName": spec.title_en or None,
            "description": spec.description_ja or spec.title_ja,
            "url": file_url(c.download_base, f"datasets/{spec.name}.html"),
            "license": self.licence_url,
            "creditText": self.attribution or None,
            "creator": organisation,
            "publisher": organisation,
            "version": self.version,
            "dateModified": self.created or None,
            "keywords": self.keywords or None,
            "inLanguage": self.language,
            "isBasedOn": source_page(self.package) or None,
            "temporalCoverage": f"{period[0]}/{period[1]}" if period else None,
            "spatialCoverage": self.spatial() or None,
            "includedInDataCatalog": {"@type": "DataCatalog", "name": self.title,
                                      "url": file_url(c.download_base, "index.html")},
            "distribution": [{
                "@type": "DataDownload",
                "name": f.title,
                "description": f.description or None,
                "contentUrl": file_url(c.download_base, f.path),
                "encodingFormat": f.media_type,
                "contentSize": f"{len(data)} B",
                "sha256": hashlib.sha256(data).hexdigest(),
            } for f, data in files],
        }
        return _drop_empty(document)

    def spatial(self) -> dict:
        if not self.publisher:
            return {}
        place = {"@type": "Place", "name": self.publisher}
        if len(self.config.spatial_bbox) == 4:
            west, south, east, north = self.config.spatial_bbox
            place["geo"] = {"@type": "GeoShape", "box": f"{south} {west} {north} {east}"}
        return place

    @staticmethod
    def paragraphs(text: str | None) -> Html | None:
        if not text:
            return None
        return lines(*(h("p", part) for part in str(text).split("\n") if part.strip()))

    # ---- initiatives/index.html ---------------------------------------------------------------
    def search_record(self, record: dict) -> dict:
        return {"id": record["id"], "title": record.get("title") or "",
                "summary": record.get("summary") or "",
                "department": record.get("department") or "",
                "division": record.get("division") or "",
                "methods": as_list(record.get("methods")),
                "status": record.get("status") or NO_STATUS}

    def initiatives_page(self) -> str:
        root = "../"
        records = [self.search_record(r) for r in self.initiatives]
        departments = list(dict.fromkeys(r["department"] for r in records if r["department"]))
        methods = list(dict.fromkeys(m for r in records for m in r["methods"]))
        statuses = list(dict.fromkeys(r["status"] for r in records))
        statuses.sort(key=lambda s: (s == NO_STATUS,))       # 記載なし last, order otherwise kept

        def select(name: str, label: str, values: list[str]) -> Html:
            return h("div", h("label", label, for_=name), Html("\n"),
                     h("select", h("option", ALL, value=""),
                       [h("option", v, value=v) for v in values], id=name, name=name),
                     class_="field")

        form = h("form", lines(
            h("div", h("label", "キーワード", for_="q"), Html("\n"),
              h("input", type="search", id="q", name="q", autocomplete="off",
                aria_describedby="q-hint"),
              h("p", "取組ID・取組名・目的・概要・担当部局・担当課から探します。"
                     "スペースで区切ると、すべての語を含む取組を表示します。", id="q-hint", class_="hint"),
              class_="field field-wide"),
            select("department", self.column_title("initiatives", "department", "担当部局"),
                   departments),
            select("method", self.column_title("initiatives", "methods", "性質・手法"), methods),
            select("status", self.column_title("initiatives", "status", "新規・継続"), statuses),
            h("div", h("button", "条件をクリア", type="reset"), class_="field actions")),
            id="filters", class_="filters", role="search", aria_label="取組の検索と絞り込み",
            action="index.html", method="get")
        total = len(records)
        items = [self.initiative_item(r, s) for r, s in zip(self.initiatives, records)]
        body = [
            h("h1", "取組一覧"),
            h("p", f"{total}件の取組をキーワード・担当部局・性質・手法・新規・継続で絞り込めます。"
                   "絞り込みはこのページの中だけで行われ、どこにも送信されません。", class_="lead"),
            h("section", lines(
                h("h2", "検索と絞り込み", id="search-heading"),
                Html("<noscript>"),
                h("p", "絞り込みには JavaScript が必要です。下にすべての取組を表示しています。",
                  class_="notice"),
                Html("</noscript>"),
                form), aria_labelledby="search-heading", class_="search"),
            h("section", lines(
                h("h2", "取組", id="results-heading"),
                h("p", f"全{total}件", id="count", aria_live="polite",
                  data_template_all="全{total}件",
                  data_template_filtered="全{total}件中 {shown}件を表示"),
                h("p", "条件に合う取組はありません。", id="no-results", hidden=True, class_="notice"),
                h("ul", Html("\n"), lines(*items), id="results", class_="results")),
              aria_labelledby="results-heading"),
        ]
        scripts = [json_script(records, type="application/json", id="initiative-data"),
                   h("script", src=root + "assets/search.js", defer=True)]
        head = [h("link", rel="alternate", type="text/csv", href=root + "initiatives.csv"),
                h("link", rel="alternate", type="application/json", href=root + "initiatives.json")]
        crumbs = (("データセット", root + "index.html"), ("取組一覧", None))
        return self.layout(root=root, title="取組一覧", section="initiatives", body=body,
                           crumbs=crumbs, head=head, scripts=scripts)

    def initiative_item(self, record: dict, search: dict) -> Html:
        department = record.get("department") or ""
        meta = [h("span", join([department, record.get("division")], " "), class_="who")
                if department else None,
                h("span", join(search["methods"], "・"), class_="methods") if search["methods"] else None,
                h("span", search["status"], class_="status", data_status=search["status"])]
        return h("li", h("a", h("span", record["id"], class_="id"), " ", record.get("title"),
                         href=href(f"{record['id']}.html")), Html("\n"),
                 h("p", [m for m in meta if m], class_="meta"), data_id=record["id"])

    # ---- initiatives/<id>.html ----------------------------------------------------------------
    def initiative_page(self, record: dict, position: int) -> str:
        root = "../"
        identifier = record["id"]
        uri = f"{self.config.base_uri}initiative/{identifier}"
        indicators = sorted((r for r in self.tables["indicators"] if r.get("initiative_id") == identifier),
                            key=lambda r: r.get("seq") or 0)
        schedule = sorted((r for r in self.tables["schedules"] if r.get("initiative_id") == identifier),
                          key=lambda r: (r.get("fiscal_year") or 0, r.get("period") or ""))
        references = sorted((r for r in self.tables["references"] if r.get("from_id") == identifier),
                            key=lambda r: r.get("seq") or 0)
        cited_by = sorted({r["from_id"] for r in self.tables["references"]
                           if r.get("to_id") == identifier and r.get("from_id")},
                          key=initiative_key)
        terms = [r for r in self.tables["terms"]
                 if r.get("record_kind") == "initiative" and r.get("record_id") == identifier]
        title = record.get("title") or ""
        body = [
            h("h1", h("span", identifier, class_="id"), " ", title),
            h("section", h("h2", "取組の内容", id="fields-heading"), Html("\n"),
              self.fields_table(record), aria_labelledby="fields-heading"),
            self.indicators_section(indicators),
            self.schedule_section(schedule),
            self.references_section(references, cited_by),
            self.terms_section(terms),
            h("section", lines(
                h("h2", "リンクトデータとダウンロード", id="data-heading"),
                h("ul", [
                    h("li", "この取組のURI：", web_link(uri, class_="uri")),
                    h("li", "RDF：", h("a", "graph.ttl（Turtle）", href=root + "rdf/graph.ttl"), "・",
                      h("a", "graph.jsonld（JSON-LD）", href=root + "rdf/graph.jsonld")),
                    h("li", "表：", h("a", "initiatives.csv", href=root + "initiatives.csv"), "・",
                      h("a", "initiatives.json", href=root + "initiatives.json")),
                ], class_="plain-list")), aria_labelledby="data-heading"),
            self.pager(position),
        ]
        head = [h("link", rel="alternate", type="text/turtle", href=root + "rdf/graph.ttl"),
                h("link", rel="alternate", type="application/ld+json", href=root + "rdf/graph.jsonld")]
        crumbs = (("データセット", root + "index.html"), ("取組一覧", "index.html"),
                  (f"{identifier} {title}", None))
        return self.layout(root=root, title=f"{identifier} {title}", section="initiatives",
                           body=body, crumbs=crumbs, head=head,
                           description=record.get("summary") or "")

    def fields_table(self, record: dict) -> Html:
        t = lambda column, default="": self.column_title("initiatives", column, default)  # noqa: E731
        department = (record.get("department") or "").strip()
        source = self.sources.get(record.get("source"), {})
        priority = record.get("priority_goals")
        options = as_list(record.get("priority_goal_options"))
        if priority:
            priority_cell = [join(as_list(priority), "、")]
        else:
            priority_cell = [h("strong", "不明"), "：計画書では選ばれた重点目標が図形で示されていて、"
                             "テキストからはどれが選ばれているか判別できません（「該当なし」という意味ではありません）。",
                             h("br") if options else None,
                             f"{t('priority_goal_options', '重点目標の選択肢')}（印字どおり）："
                             if options else None, join(options, "、") if options else None]
        urls = as_list(record.get("urls"))
        rows = [
            ("取組ID", h("code", record["id"])),
            ("分野", join([record.get("field_no"), record.get("field_title")], " ")),
            ("項目", join([f"{record.get('field_no')}-{record.get('item_no')}"
                          if record.get("item_no") is not None else None, record.get("item_title")], " ")),
            (t("title", "取組名"), record.get("title")),
            (t("summary", "目的・概要"), self.paragraphs(record.get("summary"))),
            (t("methods", "性質・手法"), join(as_list(record.get("methods")), "、")),
            (t("actors", "主体"), join(as_list(record.get("actors")), "、")),
            (t("urls", "関連URL"), h("ul", [h("li", web_link(u)) for u in urls], class_="plain-list")
             if urls else "記載なし"),
            (t("status", "新規・継続"), record.get("status") or NO_STATUS),
            (t("priority_goals", "重点目標"), priority_cell),
            ("担当", [h("a", department, href=href(f"../departments/{department_slug(department)}.html"))
                    if department else None, " ", record.get("division")]),
            (t("notes", "備考"), self.paragraphs(record.get("notes")) or "なし"),
            ("出典", [web_link(source.get("path"), source.get("title")) if source.get("title") else None,
                    h("br") if source.get("title") else None,
                    h("code", record.get("source")), f" {record.get('source_lines')}行"
                    if record.get("source_lines") else None]),
        ]
        body = [h("tr", h("th", label, scope="row"), h("td", value)) for label, value in rows]
        return h("table", h("caption", f"取組 {record['id']} の各項目"), Html("\n"),
                 h("tbody", Html("\n"), lines(*body)), id="fields", class_="fields")

    def indicators_section(self, indicators: list[dict]) -> Html | None:
        if not indicators:
            return None

        def value(r: dict, kind: str) -> Html:
            text, note = r.get(f"{kind}_text"), r.get(f"{kind}_note")
            shown_note = note and note not in (text or "")      # the note is usually in the text
            return h("td", text, [h("br"), h("small", note)] if shown_note else None, class_="value")

        def when(r: dict, kind: str) -> Html:
            iso, printed = r.get(f"{kind}_date"), r.get(f"{kind}_date_text")
            return h("td", h("time", iso, datetime=iso) if iso else None,
                     [h("br"), h("small", f"（表記：{printed}）")] if printed else None)

        head = h("thead", h("tr", [h("th", text, scope="col") for text in
                                   ("指標", "現状値", "時点", "→", "目標値", "時点")]))
        rows = [h("tr", h("th", r.get("name"), scope="row"), value(r, "baseline"), when(r, "baseline"),
                  h("td", "→", class_="arrow"), value(r, "target"), when(r, "target"))
                for r in indicators]
        table = h("table", h("caption", "指標（現状値 → 目標値、時点は ISO 8601 の日付）"), Html("\n"),
                  head, Html("\n"), h("tbody", Html("\n"), lines(*rows)), id="indicators")
        return h("section", h("h2", "指標", id="indicators-heading"), Html("\n"),
                 h("div", table, class_="table-scroll", tabindex="0", role="region",
                   aria_label="指標（横にスクロールできます）"),
                 aria_labelledby="indicators-heading")

    def schedule_section(self, schedule: list[dict]) -> Html | None:
        if not schedule:
            return None
        head = h("thead", h("tr", [h("th", self.column_title("schedules", c, d), scope="col")
                                   for c, d in (("period", "期間"), ("fiscal_year", "年度"),
                                                ("phase", "実施内容"), ("raw", "セルの表記"))]))
        rows = [h("tr", h("th", r.get("period"), scope="row"),
                  h("td", f"{r['fiscal_year']}年度" if r.get("fiscal_year") is not None else ""),
                  h("td", r.get("phase")), h("td", r.get("raw")))
                for r in schedule]
        table = h("table", h("caption", "スケジュール（「→」は前の期間からの継続）"), Html("\n"),
                  head, Html("\n"), h("tbody", Html("\n"), lines(*rows)), id="schedule")
        return h("section", h("h2", "スケジュール", id="schedule-heading"), Html("\n"), table,
                 aria_labelledby="schedule-heading")

    def references_section(self, references: list[dict], cited_by: list[str]) -> Html | None:
        if not references and not cited_by:
            return None
        titles = {r["id"]: r.get("title") or "" for r in self.initiatives}
        items = []
        for r in references:
            target = r.get("to_id")
            if target and target in self.initiative_ids:
                items.append(h("li", h("a", h("span", target, class_="id"), " ",
                                       titles.get(target) or r.get("label"),
                                       href=href(f"{target}.html"))))
            elif r.get("url"):
                items.append(h("li", web_link(r["url"], r.get("label") or r["url"])))
            elif r.get("cited_id"):
                items.append(h("li", h("span", r["cited_id"], class_="id"), " ", r.get("label"),
                               "（公開されていない分野の取組）"))
            else:
                items.append(h("li", r.get("label"), "（文書）"))
        parts = [h("h2", "参考", id="references-heading")]
        if items:
            parts.append(h("ul", items, class_="plain-list references"))
        if cited_by:
            parts.append(h("p", "この取組を参考に挙げている取組：", class_="cited-by-label"))
            parts.append(h("ul", [h("li", h("a", h("span", i, class_="id"), " ", titles.get(i),
                                             href=href(f"{i}.html"))) for i in cited_by],
                           class_="plain-list"))
        return h("section", lines(*parts), aria_labelledby="references-heading")

    def terms_section(self, terms: list[dict]) -> Html | None:
        if not terms:
            return None
        items = [h("li", h("dfn", r.get("term")), "（",
                   self.column_title("initiatives", r.get("column") or "", r.get("column") or ""),
                   "、" + "・".join(str(n) for n in as_list(r.get("lines"))) + "行"
                   if r.get("lines") else None, "）") for r in terms]
        return h("section", h("h2", "用語", id="terms-heading"), Html("\n"),
                 h("p", "計画書で用語解説の印（*）が付いている語です。", class_="hint"),
                 h("ul", items, class_="plain-list"), aria_labelledby="terms-heading")

    def pager(self, position: int) -> Html:
        links = []
        if position > 0:
            previous = self.initiatives[position - 1]
            links.append(h("li", h("a", "前の取組：", previous["id"], " ", previous.get("title"),
                                   href=href(f"{previous['id']}.html"), rel="prev"), class_="prev"))
        if position + 1 < len(self.initiatives):
            following = self.initiatives[position + 1]
            links.append(h("li", h("a", "次の取組：", following["id"], " ", following.get("title"),
                                   href=href(f"{following['id']}.html"), rel="next"), class_="next"))
        return h("nav", h("ul", links), class_="pager", aria_label="前後の取組") if links else None

    # ---- departments ----------------------------------------------------------------------
    def departments_page(self) -> str:
        root = "../"
        items = [h("li", h("a", d.name, href=href(f"{d.slug}.html")),
                   h("span", f"（{len([n for n in d.divisions if n])}課・取組{d.initiative_count}件）",
                     class_="count")) for d in self.departments.values()]
        body = [h("h1", "担当部局"),
                h("p", f"取組・情報発信サイト等を担当する{len(self.departments)}の部局です。", class_="lead"),
                h("ul", items, class_="plain-list departments")]
        crumbs = (("データセット", root + "index.html"), ("担当部局", None))
        return self.layout(root=root, title="担当部局", section="departments", body=body, crumbs=crumbs)

    def department_page(self, department: Department) -> str:
        root = "../"
        sections = []
        for index, (name, content) in enumerate(department.divisions.items(), 1):
            parts = [h("h2", name or "（課の記載なし）", id=f"division-{index}")]
            if content["initiatives"]:
                parts.append(h("h3", f"取組（{len(content['initiatives'])}件）"))
                parts.append(h("ul", [h("li", h("a", h("span", r["id"], class_="id"), " ", r.get("title"),
                                                 href=href(f"../initiatives/{r['id']}.html")))
                                      for r in content["initiatives"]], class_="plain-list"))
            if content["sites"]:
                parts.append(h("h3", f"{self.table_title('sites', '情報発信サイト等')}"
                                     f"（{len(content['sites'])}件）"))
                parts.append(h("ul", [h("li", web_link(s.get("url"), s.get("name"))
                                        if s.get("url") else esc(s.get("name")),
                                        f"（{'・'.join(as_list(s.get('media')))}）"
                                        if s.get("media") else None)
                                      for s in content["sites"]], class_="plain-list"))
            sections.append(h("section", lines(*parts), aria_labelledby=f"division-{index}"))
        body = [h("h1", department.name),
                h("p", f"{len([n for n in department.divisions if n])}課・取組{department.initiative_count}件",
                  class_="lead"),
                *sections]
        crumbs = (("データセット", root + "index.html"), ("担当部局", "index.html"),
                  (department.name, None))
        return self.layout(root=root, title=department.name, section="departments", body=body,
                           crumbs=crumbs)

    def table_title(self, table: str, default: str) -> str:
        return self.schema_for(f"{table}.csv").get("title") or default


def _drop_empty(value):
    """JSON without None values or empty containers (schema.org readers prefer absent keys)."""
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value

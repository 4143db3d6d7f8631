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
- `assets/style.css`, `assets/search.js`: copied from `site_assets/`;
- `site-manifest.json`: every other file of the site (path, bytes, SHA-256, media type, sorted by
  path). The DCAT catalogue and the CKAN metadata describe the site as two distributions, the
  portal (landing page `index.html`) and this manifest, however many pages there are.

The pages describe the files present when `write_site` runs, except the site itself (it cannot
list its own checksums) and the portal metadata (`ckan/`, `catalog.*`), so they come out the same
whether they are written before or after those; publish runs it after validation and before the
CKAN metadata and the DCAT catalogue, which then describe the site through its manifest.

Speed (an aggregator of 1,000 plans has some 33,000 initiative pages): the work is linear in the
number of records. Per-initiative rows (indicators, schedules, references, terms) are grouped by
initiative once, never filtered per page; what every page shares (header, navigation, footer,
table frames) is rendered once; the initiative pages, nearly all of the site, are built from
f-strings (`_InitiativePages`, the same markup as the `h()` helper) and, from PARALLEL_FROM pages
on, by forked worker processes, one per core, while this process writes the other pages; each
page is encoded once, hashed for the manifest from memory and written with one call; a page
footer names at most FOOTER_SOURCES source documents (the full attribution is on the catalogue),
so no page grows with the number of plans; previews read only the first rows of a CSV; files are
hashed once per process (`datasets.file_digest`, shared with the CKAN and DCAT writers).
"""

from __future__ import annotations

import csv
import gc
import hashlib
import html
import json
import multiprocessing
import os
import re
import shutil
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlsplit

from ..config import Config
from ..errors import PipelineError
from .ckan import CKAN_FOLDER
from .datasets import (SITE_FILES, SITE_FOLDERS, SITE_LANDING_PAGE, SITE_MANIFEST, DatasetSpec,
                       PublishedFile, file_digest, file_url, load_package, media_type,
                       publication_datasets)
from .dcat import agent_uri, dataset_uri, publication_period, source_page

ASSETS_SOURCE = Path(__file__).resolve().with_name("site_assets")
ASSET_FILES = ("style.css", "search.js")
# The site owns SITE_FILES and SITE_FOLDERS (datasets.py) in the published folder: replaced on every run.

SAFE_FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
PREVIEW_ROWS = 10
FOOTER_SOURCES = 3      # a page footer names at most this many source documents (see `credit`)
PARALLEL_FROM = 2000    # from this many initiative pages on, they are written by worker processes
CHUNK_PAGES = 1000      # initiative pages per task of a worker
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
    return Html(text(value))


_escape = html.escape


def text(value) -> str:
    """Plain-str twin of `esc` for the fast paths: escaped text (as `html.escape`, quotes
    included), None is empty. Most values need no escaping: five `in` tests are cheaper."""
    if value is None:
        return ""
    if value.__class__ is not str:
        if isinstance(value, Html):
            return value
        value = str(value)
    if "&" in value or "<" in value or ">" in value or '"' in value or "'" in value:
        return _escape(value)
    return value


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


def markup(item) -> str:
    """One child as markup (as `_children([item])`, without the detour for Html)."""
    return item if item.__class__ is Html else _children([item])


def lines(*items) -> Html:
    """Children on separate lines (readable page source)."""
    return Html("\n".join(_children([item]) for item in items if item not in (None, "", False)))


def is_web_url(url: str | None) -> bool:
    if not url:
        return False
    return _is_web_url(url) if isinstance(url, str) else _is_web_url(str(url))


@lru_cache(maxsize=1 << 16)
def _is_web_url(url: str) -> bool:
    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def web_link(url: str | None, text=None, **attrs) -> Html:
    """A link to an http(s) URL as printed; any other value is shown as text, never linked."""
    if not is_web_url(url):
        return esc(text if text is not None else url)
    return h("a", text if text is not None else url, href=url.strip(), **attrs)


def json_script(data, **attrs) -> Html:
    """JSON in a <script> element: `<`, `>` and `&` become \\u escapes, so no value can close the
    element (`</script>`), open a comment (`<!--`) or read as markup; JSON.parse reads it as is.
    A list is written one item per line (the C encoder, fast for thousands of records)."""
    if isinstance(data, list):
        text = "[\n" + ",\n".join(map(_json_line, data)) + "\n]"
    else:
        text = json.dumps(data, ensure_ascii=False, indent=1)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Html(f"<script{_attributes(attrs)}>\n{text}\n</script>")


_json_line = json.JSONEncoder(ensure_ascii=False).encode     # json.dumps(x, ensure_ascii=False)


URL_SAFE_PATH = re.compile(r"[A-Za-z0-9/_.~-]*\Z")


def href(path: str) -> str:
    """A relative link to a file of the site (non-ASCII characters percent-encoded)."""
    return path if URL_SAFE_PATH.match(path) else _quoted(path)


@lru_cache(maxsize=1 << 17)
def _quoted(path: str) -> str:
    return quote(path, safe="/-_.~")


def page_href(identifier, folder: str = "") -> str:
    """`href()` of an initiative page, escaped for an attribute."""
    return _escape(href(f"{folder}{identifier}.html"))


MARK = Html("\x00")


def frame(markup: str) -> tuple[str, str]:
    """(before, after) of markup built with `h()` around the placeholder MARK: the fixed parts
    of a repeated element are rendered once with the helper and filled with f-strings."""
    before, after = markup.split(MARK)
    return before, after


def fast_join(items, separator: str = "") -> str:
    """`join()` for the fast paths: None and empty items left out, the rest escaped."""
    return separator.join(text(item) for item in items if item is not None and item != "")


def fast_web_link(url, label=None, extra: str = "") -> str:
    """`web_link()` for the fast paths; `extra` is pre-rendered attributes after href."""
    shown = text(label if label is not None else url)
    if not is_web_url(url):
        return shown
    return f'<a href="{_escape(url.strip())}"{extra}>{shown}</a>'


def fast_paragraphs(value) -> str:
    if not value:
        return ""
    return "\n".join(f"<p>{_escape(part)}</p>" for part in str(value).split("\n") if part.strip())


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
    written (the pages, the assets and the site manifest). Any earlier site in `out` (index.html,
    the manifest and the site folders) is removed first, so the pages never describe an earlier
    site and the same folder always gives the same bytes."""
    remove_site(out)
    with _bulk_work():
        site = _Site(out, config)
        try:
            return site.write()
        finally:
            site.fast = None                 # no reference cycle keeps the tables alive


@contextmanager
def _bulk_work():
    """No cyclic garbage collection while the site is built: it allocates millions of small
    objects and frees none in cycles, and a full collection over the tables of a large
    publication costs more than it finds. The previous setting is restored."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def page_workers(pages: int) -> int:
    """Worker processes for `pages` initiative pages: one per available core from
    PARALLEL_FROM pages on (fork only: the workers share the parent's tables, never copied or
    reloaded), else 0 (written in this process)."""
    if pages < PARALLEL_FROM or "fork" not in multiprocessing.get_all_start_methods():
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:                   # not Linux
        cores = os.cpu_count() or 1
    return min(cores, -(-pages // CHUNK_PAGES)) if cores > 1 else 0


_FORKED: "_Site | None" = None              # the site a forked worker writes pages of


def _write_initiative_pages(bounds: tuple[int, int]) -> tuple[list[str], list[dict]]:
    """In a worker: write the initiative pages [start, stop); return (paths, manifest entries)."""
    site = _FORKED
    site.written, site.manifest = [], []
    start, stop = bounds
    page = site.initiative_page
    for position in range(start, stop):
        record = site.initiatives[position]
        site.emit(f"initiatives/{record['id']}.html", page(record, position))
    return site.written, site.manifest


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
        self.licence_link = (f'<link rel="license" href="{text(self.licence_url)}">'
                             if is_web_url(self.licence_url) else "")
        publisher = next((c for c in self.package.get("contributors", [])
                          if c.get("role") == "publisher"), {})
        self.publisher = publisher.get("title") or config.publisher
        self.publisher_code = publisher.get("organization") or config.publisher_code
        self.keywords = list(dict.fromkeys(self.package.get("keywords") or config.keywords))
        self.language = self.package.get("language") or config.language
        self.sources = {s.get("file"): s for s in self.package.get("sources", [])}
        self.credits = self._source_credits()
        self.credit_cache: dict[tuple[str, str | None], str] = {}
        self.schemas: dict[str, dict] = {}
        self.tables = {t: self._records(t) for t in
                       ("initiatives", "indicators", "schedules", "references", "sites", "terms")}
        self.initiatives = sorted(self.tables["initiatives"], key=lambda r: initiative_key(r["id"]))
        for record in self.initiatives:       # the id names a file: never a path or a dot name
            if not SAFE_FILE_STEM.fullmatch(str(record["id"])) or ".." in str(record["id"]):
                raise PipelineError(f"initiative id {record['id']!r} cannot name a web page",
                                    out / "initiatives.json")
        self.initiative_ids = {r["id"] for r in self.initiatives}
        self.titles = {r["id"]: r.get("title") or "" for r in self.initiatives}
        self._group_by_initiative()
        self.departments = self._departments()
        self.datasets = self._datasets()
        self.written: list[str] = []
        self.manifest: list[dict] = []
        self.folders: set[str] = set()
        self.chrome: dict[tuple[str, str], tuple[str, str]] = {}
        self.column_titles: dict[str, dict[str, str]] = {}
        self.record_totals: dict[str, int | None] = {}
        self.fast: _InitiativePages | None = None

    def _group_by_initiative(self) -> None:
        """The rows of every initiative, grouped once (never filtered per page)."""
        def group(rows, key, order):
            grouped: dict[str, list[dict]] = {}
            for row in rows:
                grouped.setdefault(row.get(key), []).append(row)
            for items in grouped.values():
                items.sort(key=order)
            return grouped

        self.indicators_of = group(self.tables["indicators"], "initiative_id",
                                   lambda r: r.get("seq") or 0)
        self.schedules_of = group(self.tables["schedules"], "initiative_id",
                                  lambda r: (r.get("fiscal_year") or 0, r.get("period") or ""))
        self.references_of = group(self.tables["references"], "from_id",
                                   lambda r: r.get("seq") or 0)
        cited: dict[str, set[str]] = {}
        for r in self.tables["references"]:
            if r.get("to_id") and r.get("from_id"):
                cited.setdefault(r["to_id"], set()).add(r["from_id"])
        self.cited_by = {k: sorted(v, key=initiative_key) for k, v in cited.items()}
        self.terms_of: dict[str, list[dict]] = {}
        for r in self.tables["terms"]:
            if r.get("record_kind") == "initiative":
                self.terms_of.setdefault(r.get("record_id"), []).append(r)

    # ---- inputs --------------------------------------------------------------------------
    def _source_credits(self) -> dict[str, str]:
        """Source file -> the words of the attribution sentence that cite it (`publisher「title」`
        and the page in brackets, as the exporter wrote them); files whose words are not found
        are left out."""
        credits = {}
        for file, source in self.sources.items():
            cited = f"{source.get('publisher') or ''}「{source.get('title') or ''}」"
            for words in (f"{cited}（{source.get('path')}）", cited):
                if words in self.attribution:
                    credits[file] = words
                    break
        return credits

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
        titles = self.column_titles.get(table)
        if titles is None:
            titles = self.column_titles[table] = {}
            for field_ in self.schema_for(f"{table}.csv").get("fields", []):
                titles.setdefault(field_.get("name"), field_.get("title") or "")
        if column in titles:
            return titles[column] or default or column
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
        """Every page, then the manifest. With enough initiatives their pages (nearly all of
        the site) are written by forked workers while this process writes the others."""
        self.write_assets()
        self.folder("initiatives")
        pool, results = self.start_workers()
        done = False
        try:
            self.emit(SITE_LANDING_PAGE, self.catalogue_page())
            for spec in self.datasets:
                self.emit(f"datasets/{spec.name}.html", self.dataset_page(spec))
            self.emit("initiatives/index.html", self.initiatives_page())
            if pool is None:
                page = self.initiative_page
                for position, record in enumerate(self.initiatives):
                    self.emit(f"initiatives/{record['id']}.html", page(record, position))
            self.emit("departments/index.html", self.departments_page())
            for department in self.departments.values():
                self.emit(f"departments/{department.slug}.html", self.department_page(department))
            try:
                for written, manifest in results or ():
                    self.written.extend(written)
                    self.manifest.extend(manifest)
            except BrokenProcessPool as exc:     # killed (out of memory?): one readable line
                raise PipelineError(f"a worker process writing the initiative pages stopped "
                                    f"unexpectedly ({exc})", self.out / "initiatives") from None
            done = True
        finally:
            if pool is not None:
                pool.shutdown(wait=done, cancel_futures=not done)
        self.write_manifest()
        return self.written

    def start_workers(self):
        """(executor, results in order) of the forked workers writing the initiative pages in
        chunks of CHUNK_PAGES, or (None, None): too few pages, one core, or no fork here. With
        fork, the executor starts all its workers at the first submission, before any thread of
        its own; a worker that dies fails the publish (BrokenProcessPool), never hangs it."""
        workers = page_workers(len(self.initiatives))
        if not workers:
            return None, None
        count = len(self.initiatives)
        chunks = [(start, min(start + CHUNK_PAGES, count))
                  for start in range(0, count, CHUNK_PAGES)]
        global _FORKED
        _FORKED = self                       # what the workers inherit
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
        try:
            results = pool.map(_write_initiative_pages, chunks)
        except OSError:                      # no processes left: write the pages here
            pool.shutdown(wait=False, cancel_futures=True)
            return None, None
        finally:
            _FORKED = None
        return pool, results

    def folder(self, folder: str) -> None:
        if folder and folder not in self.folders:
            (self.out / folder).mkdir(parents=True, exist_ok=True)
            self.folders.add(folder)

    def write_assets(self) -> None:
        for name in ASSET_FILES:
            self.emit_bytes(f"assets/{name}", (ASSETS_SOURCE / name).read_bytes())

    def emit(self, path: str, document: str) -> None:
        self.emit_bytes(path, document.encode("utf-8"))

    def emit_bytes(self, path: str, data: bytes) -> None:
        """Write one file of the site (one open, one write) and note it for the manifest."""
        self.folder(path.rpartition("/")[0])
        with open(os.path.join(self.out, path), "wb") as handle:
            handle.write(data)
        self.written.append(path)
        self.manifest.append({"path": path, "bytes": len(data),
                              "sha256": hashlib.sha256(data).hexdigest(),
                              "mediatype": media_type(path)[0]})

    def write_manifest(self) -> None:
        """site-manifest.json: every file just written (not itself), sorted by path, one per
        line. The catalogue describes the site by this file instead of page by page."""
        entries = sorted(self.manifest, key=lambda e: e["path"])
        licence = (self.package.get("licenses") or [{}])[0] or {
            "name": self.licence_id, "path": self.licence_url, "title": self.licence_title}
        head = {
            "name": f"{self.package.get('name') or self.config.name}-site-manifest",
            "title": f"ウェブサイトのファイル一覧（{self.title}）",
            "description": "ウェブサイトの全ファイル（このファイル自身を除く）のパス・バイト数・SHA-256・"
                           "メディアタイプ（パス順）。入口は index.html。",
            "version": self.version,
            "created": self.created,
            "license": licence,
            "attribution": self.attribution,
            "landing_page": SITE_LANDING_PAGE,
            "count": len(entries),
            "bytes": sum(e["bytes"] for e in entries),
        }
        head = {k: v for k, v in head.items() if v not in (None, "")}
        dump = _json_line
        lines_ = [f" {dump(k)}: {dump(v)}," for k, v in head.items()]
        files = ",\n".join(f"  {dump(e)}" for e in entries)
        document = "{\n" + "\n".join(lines_) + '\n "files": [\n' + files + "\n ]\n}\n"
        target = self.out / SITE_MANIFEST
        target.write_bytes(document.encode("utf-8"))
        self.written.append(SITE_MANIFEST)

    # ---- layout --------------------------------------------------------------------------
    def layout(self, *, root: str, title: str, section: str, body, crumbs=(),
               head=(), description: str = "", scripts=(), source: str | None = None) -> str:
        """A whole page. The header (with the navigation) and the footer are the same on every
        page of a folder and section, so they are rendered once (`page_chrome`); only the
        attribution in the footer depends on the page (`credit`: `source` is the file the
        page's data come from, if one)."""
        top, (footer_start, footer_end) = self.page_chrome(root, section)
        bottom = footer_start + self.credit(root, source) + footer_end
        page_title = f"{title} | {self.title}" if title != self.title else title
        head_html = "\n".join((
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{text(page_title)}</title>",
            *((f'<meta name="description" content="{text(description)}">',) if description else ()),
            f'<link rel="stylesheet" href="{text(root)}assets/style.css">',
            *((self.licence_link,) if self.licence_link else ()),
            *(markup(item) for item in head if item not in (None, "", False))))
        items = (self.breadcrumb(crumbs) if crumbs else None, *body)
        main = "\n".join(markup(item) for item in items
                         if item not in (None, "", False))          # = lines(), without copies
        return "".join((
            "<!DOCTYPE html>\n<html lang=\"ja\">\n<head>\n", head_html, "\n</head>\n", top,
            '<main id="main" class="wrap" tabindex="-1">\n', main, "\n</main>\n", bottom,
            *(f"{_children([s])}\n" for s in scripts if s not in (None, "", False)),
            "</body>\n</html>\n"))

    def page_chrome(self, root: str, section: str) -> tuple[str, str]:
        """(`<body>` up to `<main>`, `</main>` up to the scripts) of a page: skip link, header,
        navigation and footer, rendered once per folder depth and section."""
        key = (root, section)
        if key not in self.chrome:
            nav_items = (("catalogue", "index.html", "データセット"),
                         ("initiatives", "initiatives/index.html", "取組一覧"),
                         ("departments", "departments/index.html", "担当部局"))
            nav = h("nav", h("ul", [h("li", h("a", label, href=root + target,
                                                aria_current="page" if key_ == section else None))
                                    for key_, target, label in nav_items]),
                    class_="site-nav", aria_label="メインメニュー")
            header = h("header", h("div", lines(
                h("p", h("a", self.title, href=root + "index.html"), class_="site-title"),
                h("p", self.publisher, class_="site-publisher") if self.publisher else None,
                nav), class_="wrap header-inner"), class_="site-header")
            top = lines(Html("<body>"), h("a", "本文へ移動", href="#main", class_="skip-link"),
                        header) + "\n"
            bottom = (frame(self.footer(root, MARK) + "\n") if self.attribution
                      else (self.footer(root, None) + "\n", ""))
            self.chrome[key] = (top, bottom)
        return self.chrome[key]

    def credit(self, root: str, source: str | None = None) -> str:
        """The attribution shown in a page footer. The full sentence of datapackage.json names
        every source document, so on an aggregator of hundreds of plans it would make every page
        as long as the number of plans (and the site quadratic). Up to FOOTER_SOURCES documents
        it is shown as it is; beyond, a page whose data come from one document (an initiative's)
        credits that document, any other page the first one and the count, and both link to the
        catalogue, whose dataset cards carry the whole sentence."""
        key = (root, source if source in self.credits else None)
        if key not in self.credit_cache:
            cited = list(dict.fromkeys(self.credits.values()))
            if not self.attribution:
                markup = ""
            elif len(cited) <= FOOTER_SOURCES or len(self.credits) < len(self.sources):
                markup = text(self.attribution)      # short, or not in the usual wording
            else:
                named = (self.credits[source] if key[1] is not None
                         else f"{cited[0]}ほか{len(cited) - 1}件")
                markup = (f"{text(f'出典：{named}を加工して作成')}（全{len(cited):,}件の出典表記："
                          f'<a href="{text(root)}index.html">データセット一覧</a>）')
            self.credit_cache[key] = markup
        return self.credit_cache[key]

    @staticmethod
    def breadcrumb(crumbs) -> Html:
        items = "".join(f'<li><a href="{text(link)}">{text(label)}</a></li>' if link else
                        f'<li><span aria-current="page">{text(label)}</span></li>'
                        for label, link in crumbs)
        return Html(f'<nav class="breadcrumb" aria-label="パンくずリスト"><ol>{items}</ol></nav>')

    def footer(self, root: str, credit: Html | None) -> Html:
        licence = lines(
            h("p", "ライセンス：", web_link(self.licence_url, self.licence_title, rel="license"),
              f"（{self.licence_id}）" if self.licence_id else None),
            h("p", self.licence_note, class_="licence-note") if self.licence_note else None,
            h("p", credit, class_="attribution") if credit is not None else None,
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
        if any(f.path == f"{spec.key}.csv" for f in spec.files):
            return self.record_total(spec.key)
        return None

    def record_total(self, table: str) -> int | None:
        """Records of `<table>.json` (the rows of `<table>.csv` and `excel/<table>.csv`, written
        from the same records), read once."""
        if table in self.tables:
            return len(self.tables[table])
        if table not in self.record_totals:
            path = self.out / f"{table}.json"
            try:
                records = json.loads(path.read_text(encoding="utf-8")).get("records")
            except (OSError, json.JSONDecodeError, AttributeError):
                records = None
            self.record_totals[table] = len(records) if isinstance(records, list) else None
        return self.record_totals[table]

    def csv_rows(self, path: str) -> int | None:
        """Data rows of a published table CSV, known without reading it (None: unknown)."""
        posix = PurePosixPath(path)
        resource = self.resources.get(path, {})
        if resource.get("profile") != "tabular-data-resource" or \
                path not in (f"{posix.stem}.csv", f"excel/{posix.stem}.csv"):
            return None
        return self.record_total(posix.stem)

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
        files = [(f, *file_digest(self.out / f.path)) for f in spec.files]
        metadata = self.metadata_table(spec)
        resources = self.resources_table(files, root)
        previews = [self.preview(f, root) for f, _, _ in files if f.format == "CSV"]
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
                for f, _, _ in files]
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
            ("API", self.api_links(spec) if c.api_url else None),
            ("メタデータ", [h("a", "CKAN（package_show 形式 JSON）",
                              href="../" + href(f"ckan/{spec.name}.json")), "・",
                         h("a", "DCATカタログ（Turtle）", href="../catalog.ttl")]),
        ]
        body = [h("tr", h("th", label, scope="row"), h("td", value))
                for label, value in rows if value not in (None, "", [])]
        return h("table", h("caption", "データセットのメタデータ"), Html("\n"),
                 h("tbody", Html("\n"), lines(*body)), id="metadata", class_="fields")

    def api_links(self, spec: DatasetSpec) -> Html | None:
        """Example requests of the JSON/SQL API (`api_url`, Datasette) for a table's dataset."""
        base = f"{self.config.api_url.rstrip('/')}/{self.package.get('name') or self.config.name}"
        if not any(f.path == f"{spec.key}.csv" for f in spec.files):
            return None
        links = ((f"{base}/{spec.key}", "検索・絞り込み"), (f"{base}/{spec.key}.json", "JSON"),
                 (f"{base}/{spec.key}.csv", "CSV"))
        return join([web_link(url, label) for url, label in links], "・")

    def resources_table(self, files: list[tuple[PublishedFile, int, str]], root: str) -> Html:
        head = h("thead", h("tr", [h("th", text, scope="col") for text in
                                   ("名前", "形式", "サイズ", "SHA-256", "ダウンロード")]))
        rows = []
        for f, size, sha256 in files:
            rows.append(h("tr",
                          h("th", h("span", f.title, class_="resource-title"), h("br"),
                            h("code", f.path), h("br") if f.description else None,
                            h("span", f.description, class_="resource-description")
                            if f.description else None, scope="row"),
                          h("td", h("span", f.format, class_="format", data_format=f.format.lower()),
                            h("br"), h("code", f.media_type, class_="media-type")),
                          h("td", f"{size:,} バイト", h("br"), f"（{human_size(size)}）",
                            class_="number"),
                          h("td", h("code", sha256, class_="hash")),
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
        try:              # the header and the first rows only, never the whole file
            with (self.out / f.path).open(encoding=encoding, newline="") as handle:
                rows = list(islice(csv.reader(handle), PREVIEW_ROWS + 2))
        except (OSError, UnicodeDecodeError, csv.Error):
            return h("p", f"{f.path} はプレビューできません。")
        if not rows:
            return h("p", f"{f.path} は空です。")
        header, shown = rows[0], rows[1:PREVIEW_ROWS + 1]
        more = len(rows) > PREVIEW_ROWS + 1
        total = self.csv_rows(f.path) if more else len(shown)
        titles = {x.get("name"): x.get("title") for x in self.schema_for(f.path).get("fields", [])}
        head_cells = []
        for name in header:
            title = titles.get(name) or name
            head_cells.append(h("th", title, [h("br"), h("code", name)] if title != name else None,
                                scope="col"))
        body = [h("tr", [h("td", self.cell(value)) for value in row]) for row in shown]
        if not more:
            caption = f"{f.path} の全{total:,}行"
        elif total is not None:
            caption = f"{f.path} の先頭{len(shown)}行（全{total:,}行）"
        else:
            caption = f"{f.path} の先頭{len(shown)}行"
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

    def dataset_jsonld(self, spec: DatasetSpec,
                       files: list[tuple[PublishedFile, int, str]]) -> dict:
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
                "contentSize": f"{size} B",
                "sha256": sha256,
            } for f, size, sha256 in files],
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
        identifier = text(record["id"])
        department = record.get("department") or ""
        who = (f'<span class="who">{fast_join([department, record.get("division")], " ")}</span>'
               if department else "")
        methods = (f'<span class="methods">{fast_join(search["methods"], "・")}</span>'
                   if search["methods"] else "")
        status = text(search["status"])
        link = page_href(record["id"])
        return Html(f'<li data-id="{identifier}"><a href="{link}">'
                    f'<span class="id">{identifier}</span> {text(record.get("title"))}</a>\n'
                    f'<p class="meta">{who}{methods}'
                    f'<span class="status" data-status="{status}">{status}</span></p></li>')

    # ---- initiatives/<id>.html ----------------------------------------------------------------
    def initiative_page(self, record: dict, position: int) -> str:
        if self.fast is None:
            self.fast = _InitiativePages(self)
        return self.fast.page(record, position)

    def table_title(self, table: str, default: str) -> str:
        return self.schema_for(f"{table}.csv").get("title") or default

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
                parts.append(Html('<ul class="plain-list">' + "".join(
                    f'<li><a href="{page_href(r["id"], "../initiatives/")}">'
                    f'<span class="id">{text(r["id"])}</span> {text(r.get("title"))}</a></li>'
                    for r in content["initiatives"]) + "</ul>"))
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



class _InitiativePages:
    """The per-initiative pages, nearly all of the site: the same markup as the `h()` helper
    gives (the fixed frames are rendered with it once), filled with f-strings over
    `html.escape`, one page in a few hundred microseconds."""

    ROOT = "../"

    def __init__(self, site: _Site):
        self.site = site
        t = lambda column, default="": site.column_title("initiatives", column, default)  # noqa: E731
        self.labels = {column: text(t(column, default)) for column, default in (
            ("title", "取組名"), ("summary", "目的・概要"), ("methods", "性質・手法"),
            ("actors", "主体"), ("urls", "関連URL"), ("status", "新規・継続"),
            ("priority_goals", "重点目標"), ("notes", "備考"))}
        self.options_label = text(f"{t('priority_goal_options', '重点目標の選択肢')}（印字どおり）：")
        self.term_columns: dict[str, str] = {}
        self.department_links: dict[str, str] = {}
        self.source_links: dict[str | None, str] = {}
        root = self.ROOT
        self.head = [h("link", rel="alternate", type="text/turtle", href=root + "rdf/graph.ttl"),
                     h("link", rel="alternate", type="application/ld+json",
                       href=root + "rdf/graph.jsonld")]
        self.fields_heading = h("h2", "取組の内容", id="fields-heading")
        self.indicators_frame = frame(h("section", h("h2", "指標", id="indicators-heading"), Html("\n"),
            h("div", h("table", h("caption", "指標（現状値 → 目標値、時点は ISO 8601 の日付）"), Html("\n"),
                       h("thead", h("tr", [h("th", label, scope="col") for label in
                                           ("指標", "現状値", "時点", "→", "目標値", "時点")])),
                       Html("\n"), h("tbody", Html("\n"), MARK), id="indicators"),
              class_="table-scroll", tabindex="0", role="region",
              aria_label="指標（横にスクロールできます）"),
            aria_labelledby="indicators-heading"))
        schedule_head = h("thead", h("tr", [h("th", site.column_title("schedules", c, d), scope="col")
                                            for c, d in (("period", "期間"), ("fiscal_year", "年度"),
                                                         ("phase", "実施内容"), ("raw", "セルの表記"))]))
        self.schedule_frame = frame(h("section", h("h2", "スケジュール", id="schedule-heading"),
            Html("\n"), h("table", h("caption", "スケジュール（「→」は前の期間からの継続）"), Html("\n"),
                          schedule_head, Html("\n"), h("tbody", Html("\n"), MARK), id="schedule"),
            aria_labelledby="schedule-heading"))
        self.references_frame = frame(h("section", lines(h("h2", "参考", id="references-heading"),
                                                         MARK), aria_labelledby="references-heading"))
        self.terms_frame = frame(h("section", h("h2", "用語", id="terms-heading"), Html("\n"),
            h("p", "計画書で用語解説の印（*）が付いている語です。", class_="hint"),
            h("ul", MARK, class_="plain-list"), aria_labelledby="terms-heading"))
        self.data_frame = frame(h("section", lines(
            h("h2", "リンクトデータとダウンロード", id="data-heading"),
            h("ul", [
                h("li", "この取組のURI：", MARK),
                h("li", "RDF：", h("a", "graph.ttl（Turtle）", href=root + "rdf/graph.ttl"), "・",
                  h("a", "graph.jsonld（JSON-LD）", href=root + "rdf/graph.jsonld")),
                h("li", "表：", h("a", "initiatives.csv", href=root + "initiatives.csv"), "・",
                  h("a", "initiatives.json", href=root + "initiatives.json")),
            ], class_="plain-list")), aria_labelledby="data-heading"))
        self.unknown_priority = ("<strong>不明</strong>" + text(
            "：計画書では選ばれた重点目標が図形で示されていて、テキストからはどれが選ばれているか"
            "判別できません（「該当なし」という意味ではありません）。"))

    def page(self, record: dict, position: int) -> str:
        site = self.site
        identifier = record["id"]
        title = record.get("title") or ""
        uri = f"{site.config.base_uri}initiative/{identifier}"
        body = [
            Html(f'<h1><span class="id">{text(identifier)}</span> {text(title)}</h1>'),
            Html(f'<section aria-labelledby="fields-heading">{self.fields_heading}\n'
                 f'{self.fields_table(record)}</section>'),
            self.indicators(site.indicators_of.get(identifier, ())),
            self.schedule(site.schedules_of.get(identifier, ())),
            self.references(site.references_of.get(identifier, ()),
                            site.cited_by.get(identifier, ())),
            self.terms(site.terms_of.get(identifier, ())),
            Html(self.data_frame[0] + fast_web_link(uri, extra=' class="uri"') + self.data_frame[1]),
            self.pager(position),
        ]
        crumbs = (("データセット", self.ROOT + "index.html"), ("取組一覧", "index.html"),
                  (f"{identifier} {title}", None))
        return site.layout(root=self.ROOT, title=f"{identifier} {title}", section="initiatives",
                           body=body, crumbs=crumbs, head=self.head,
                           description=record.get("summary") or "", source=record.get("source"))

    def fields_table(self, record: dict) -> str:
        labels = self.labels
        identifier = record["id"]
        get = record.get
        options = as_list(get("priority_goal_options"))
        priority = get("priority_goals")
        if priority:
            priority_cell = fast_join(as_list(priority), "、")
        else:
            priority_cell = self.unknown_priority
            if options:
                priority_cell += f"<br>{self.options_label}{fast_join(options, '、')}"
        urls = as_list(get("urls"))
        url_cell = ('<ul class="plain-list">' + "".join(f"<li>{fast_web_link(u)}</li>" for u in urls)
                    + "</ul>") if urls else "記載なし"
        department = (get("department") or "").strip()
        division = get("division")
        item_no = get("item_no")
        notes = fast_paragraphs(get("notes"))
        rows = (
            ("取組ID", f"<code>{text(identifier)}</code>"),
            ("分野", fast_join([get("field_no"), get("field_title")], " ")),
            ("項目", fast_join([f"{get('field_no')}-{item_no}" if item_no is not None else None,
                               get("item_title")], " ")),
            (labels["title"], text(get("title"))),
            (labels["summary"], fast_paragraphs(get("summary"))),
            (labels["methods"], fast_join(as_list(get("methods")), "、")),
            (labels["actors"], fast_join(as_list(get("actors")), "、")),
            (labels["urls"], url_cell),
            (labels["status"], text(get("status") or NO_STATUS)),
            (labels["priority_goals"], priority_cell),
            ("担当", (self.department_link(department) if department else "") + " "
             + text(division)),
            (labels["notes"], notes or "なし"),
            ("出典", self.source_cell(record)),
        )
        body = "\n".join(f'<tr><th scope="row">{label}</th><td>{value}</td></tr>'
                         for label, value in rows)
        return (f'<table id="fields" class="fields"><caption>取組 {text(identifier)} の各項目'
                f'</caption>\n<tbody>\n{body}</tbody></table>')

    def department_link(self, department: str) -> str:
        link = self.department_links.get(department)
        if link is None:
            target = text(href(f"../departments/{department_slug(department)}.html"))
            link = self.department_links[department] = f'<a href="{target}">{text(department)}</a>'
        return link

    def source_cell(self, record: dict) -> str:
        name = record.get("source")
        link = self.source_links.get(name)
        if link is None:
            source = self.site.sources.get(name, {})
            link = (fast_web_link(source.get("path"), source.get("title")) + "<br>"
                    if source.get("title") else "")
            link = self.source_links[name] = link + f"<code>{text(name)}</code>"
        lines_ = record.get("source_lines")
        return link + text(f" {lines_}行") if lines_ else link

    def indicators(self, indicators) -> Html | None:
        if not indicators:
            return None

        def value(r: dict, kind: str) -> str:
            printed, note = r.get(f"{kind}_text"), r.get(f"{kind}_note")
            shown = f"<br><small>{text(note)}</small>" if note and note not in (printed or "") else ""
            return f'<td class="value">{text(printed)}{shown}</td>'

        def when(r: dict, kind: str) -> str:
            iso, printed = r.get(f"{kind}_date"), r.get(f"{kind}_date_text")
            stamp = f'<time datetime="{text(iso)}">{text(iso)}</time>' if iso else ""
            shown = f"<br><small>{text(f'（表記：{printed}）')}</small>" if printed else ""
            return f"<td>{stamp}{shown}</td>"

        rows = "\n".join(
            f'<tr><th scope="row">{text(r.get("name"))}</th>{value(r, "baseline")}'
            f'{when(r, "baseline")}<td class="arrow">→</td>{value(r, "target")}{when(r, "target")}</tr>'
            for r in indicators)
        before, after = self.indicators_frame
        return Html(before + rows + after)

    def schedule(self, schedule) -> Html | None:
        if not schedule:
            return None
        def year(r: dict) -> str:
            return text(f"{r['fiscal_year']}年度") if r.get("fiscal_year") is not None else ""

        rows = "\n".join(
            f'<tr><th scope="row">{text(r.get("period"))}</th><td>{year(r)}</td>'
            f'<td>{text(r.get("phase"))}</td><td>{text(r.get("raw"))}</td></tr>'
            for r in schedule)
        before, after = self.schedule_frame
        return Html(before + rows + after)

    def references(self, references, cited_by) -> Html | None:
        if not references and not cited_by:
            return None
        site = self.site
        titles, known = site.titles, site.initiative_ids
        items = []
        for r in references:
            target = r.get("to_id")
            if target and target in known:
                items.append(f'<li><a href="{page_href(target)}"><span class="id">'
                             f'{text(target)}</span> {text(titles.get(target) or r.get("label"))}'
                             f'</a></li>')
            elif r.get("url"):
                items.append(f'<li>{fast_web_link(r["url"], r.get("label") or r["url"])}</li>')
            elif r.get("cited_id"):
                items.append(f'<li><span class="id">{text(r["cited_id"])}</span> '
                             f'{text(r.get("label"))}（公開されていない分野の取組）</li>')
            else:
                items.append(f'<li>{text(r.get("label"))}（文書）</li>')
        parts = []
        if items:
            parts.append('<ul class="plain-list references">' + "".join(items) + "</ul>")
        if cited_by:
            parts.append('<p class="cited-by-label">この取組を参考に挙げている取組：</p>')
            parts.append('<ul class="plain-list">' + "".join(
                f'<li><a href="{page_href(i)}"><span class="id">{text(i)}</span> '
                f'{text(titles.get(i))}</a></li>' for i in cited_by) + "</ul>")
        before, after = self.references_frame
        return Html(before + "\n".join(parts) + after)

    def terms(self, terms) -> Html | None:
        if not terms:
            return None
        items = []
        for r in terms:
            column = r.get("column") or ""
            label = self.term_columns.get(column)
            if label is None:
                label = self.term_columns[column] = text(
                    self.site.column_title("initiatives", column, column))
            numbers = as_list(r.get("lines"))
            where = text("、" + "・".join(str(n) for n in numbers) + "行") if r.get("lines") else ""
            items.append(f"<li><dfn>{text(r.get('term'))}</dfn>（{label}{where}）</li>")
        before, after = self.terms_frame
        return Html(before + "".join(items) + after)

    def pager(self, position: int) -> Html | None:
        initiatives = self.site.initiatives
        links = ""
        if position > 0:
            previous = initiatives[position - 1]
            links += (f'<li class="prev"><a href="{page_href(previous["id"])}" rel="prev">'
                      f'前の取組：{text(previous["id"])} {text(previous.get("title"))}</a></li>')
        if position + 1 < len(initiatives):
            following = initiatives[position + 1]
            links += (f'<li class="next"><a href="{page_href(following["id"])}" '
                      f'rel="next">次の取組：{text(following["id"])} {text(following.get("title"))}'
                      f'</a></li>')
        return Html(f'<nav class="pager" aria-label="前後の取組"><ul>{links}</ul></nav>') \
            if links else None


def _drop_empty(value):
    """JSON without None values or empty containers (schema.org readers prefer absent keys)."""
    if isinstance(value, dict):
        cleaned = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value

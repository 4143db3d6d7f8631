"""The datasets of a publication and the published files that belong to each.

Derived from datapackage.json and the published folder, never from the source's content:

- one dataset per table (a tabular resource `<t>` at `<t>.csv`): `<t>.csv`, `<t>.json`,
  `excel/<t>.csv`, `excel/<t>.xlsx`, `parquet/<t>.parquet`, `schemas/<t>.json`,
  `schemas/<t>-excel.json`;
- `database`: the SQLite database of all tables (`*.sqlite`) and the Datasette metadata that
  serves it as an API (`datasette/`);
- `linked-data`: every file under `rdf/`; among them `rdf/uri-documents.json`, which lists the
  documents the URIs under `base_uri` resolve to (HTML, Turtle, JSON-LD per URI), so that they
  are accounted for without a distribution each, as the site's pages are;
- one dataset per plan (計画), published by the plan's own authority: every file under
  `plans/<plan_id>/` (the plan's rows of each table as CSV and JSON, and its graph);
- `site`: the web portal of `site/` (`index.html`, `assets/`, `datasets/`, `departments/`,
  `publishers/`,
  `initiatives/`) as two distributions, however many pages it has: the portal itself (an access
  point: its landing page `index.html`, no download) and `site-manifest.json`, which lists every
  other file of the site with its size, SHA-256 and media type. A file of the site folders that
  the manifest does not list (none after `write_site`) is a distribution of its own;
- `metadata`: `datapackage.json`, everything under `ckan/` and any file no other rule claims
  (the server configurations of `server/` among them).

The DCAT catalogue (`catalog.ttl`, `catalog.jsonld`) describes the others and is in no dataset.
Every other file is accounted for exactly once: it is a (downloadable) file of one dataset, it
is listed in the site manifest or the URI documents' listing, which are, or it is the copy of
one that takes effect where it is (`<documents folder>/.htaccess`, which Apache never serves:
listing.installed_rules). Titles and descriptions come from the Table Schemas, the
datapackage.json resources and the publication settings.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..config import Config
from ..errors import PipelineError
from ..mediatypes import MEDIA_TYPES, OCTET_STREAM
from ..model import TABLES
from ..names import ascii_name
from ..rdf import PLANS_DIR
from .listing import (APACHE_RULES, CKAN_FOLDER, LINKED_DATA_FOLDER, NGINX_CONFIG, SITE_FILES,
                      SITE_FOLDERS, SITE_LANDING_PAGE, SITE_MANIFEST, Listing, is_site_file)
from .planinfo import PlanInfo
from .sqlite import SQLITE_SUFFIX

TABLE_FILES = ("{t}.csv", "{t}.json", "excel/{t}.csv", "excel/{t}.xlsx", "parquet/{t}.parquet",
               "schemas/{t}.json", "schemas/{t}-excel.json")
DATABASE = "database"
DATABASE_FOLDER = "datasette/"
LINKED_DATA = "linked-data"
PLAN_KEY = "plan/"
SITE = "site"
METADATA = "metadata"

# Specifications a file conforms to, by its role (absolute URLs; relative paths are files here).
TABLE_SCHEMA_SPEC = "https://specs.frictionlessdata.io/table-schema/"
DATA_PACKAGE_SPEC = "https://specs.frictionlessdata.io/data-package/"
JSON_LD_SPEC = "https://www.w3.org/TR/json-ld11/"



@dataclass(frozen=True)
class PublishedFile:
    path: str                       # relative POSIX path inside the published folder
    title: str                      # ja
    description: str                # ja
    media_type: str
    format: str                     # human format: CSV, JSON, Turtle ...
    conforms_to: str = ""           # relative path of a published file, or an absolute URL
    download: bool = True           # False: an access point (the portal), reached at `path`
                                    # but not the file `path` itself (no size, no checksum)

    @property
    def suffix(self) -> str:
        return PurePosixPath(self.path).suffix.lower()


@dataclass(frozen=True)
class DatasetSpec:
    key: str                        # table name, "plan/<plan_id>", "linked-data" or "metadata"
    name: str                       # ASCII identifier and CKAN name
    title_ja: str
    title_en: str
    description_ja: str
    description_en: str
    files: tuple[PublishedFile, ...]
    plan: PlanInfo | None = None    # a plan's own dataset; None: the publication's operator


def media_type(path: str) -> tuple[str, str]:
    """(IANA media type, human format) of a file name, by its extension."""
    suffix = _suffix(path).lower()
    if suffix in MEDIA_TYPES:
        return MEDIA_TYPES[suffix]
    return OCTET_STREAM, suffix.lstrip(".").upper() or "BIN"


def _suffix(path: str) -> str:
    """`PurePosixPath(path).suffix` without building a path object (called once per page)."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""


def _formats(paths) -> list[str]:
    """The human formats of `paths`, in the order of their first file by (depth, path); one
    pass, no sort (the site lists thousands of pages)."""
    first: dict[str, tuple[int, str]] = {}
    for path in paths:
        fmt = media_type(path)[1]
        key = (path.count("/"), path)
        if fmt not in first or key < first[fmt]:
            first[fmt] = key
    return sorted(first, key=first.__getitem__)


SERVER_RULES = {NGINX_CONFIG: "nginx", APACHE_RULES: "Apache"}    # path -> the web server


def _server_rules_description(path: str) -> str:
    """What a web server's rules for the URIs do, and where they go."""
    use = ("nginx の server ブロックで include します。" if path == NGINX_CONFIG else
           "公開フォルダーの id/.htaccess と同じ内容で、フォルダーを別の Apache に置くときに"
           "URI の文書のフォルダーへ .htaccess として置きます。")
    return (f"このデータの URI を、Accept ヘッダーに応じて HTML・Turtle・JSON-LD の文書へ振り分け、"
            f"カタログの URI を 303 でカタログまたはポータルのページへ送る {SERVER_RULES[path]} の"
            f"設定です。{use}")


def _is_database_file(path: str) -> bool:
    return ("/" not in path and path.endswith(SQLITE_SUFFIX)) or path.startswith(DATABASE_FOLDER)


def dataset_name_clash(plan_ids, config: Config) -> tuple[str, str, str] | None:
    """(plan_id, dataset, name) of a plan whose dataset's name (`plan-<plan_id>`) is the name of
    one of the publication's combined datasets (`<name>-initiatives` …): plan id
    `tohoku-initiatives` under the publication name `plan-tohoku`. None when there is none."""
    combined = {ascii_name(config.name, key): key
                for key in [*TABLES, DATABASE, LINKED_DATA, SITE, METADATA]}
    return next(((plan_id, combined[name], name) for plan_id in plan_ids
                 if (name := ascii_name("plan", plan_id)) in combined), None)


def publication_datasets(out: Path, listing: Listing, package: dict,
                         plans: dict[str, PlanInfo], config: Config) -> list[DatasetSpec]:
    """The datasets of the publication in `out`, each with its files of `listing` (see module
    doc); titles from `package` (datapackage.json as written), the Table Schemas and `plans`.
    A listing that plans the CKAN metadata (see `planned_listing`) gets the package of every
    dataset, `ckan/<name>.json`, in the metadata dataset."""
    resources = {r["path"]: r for r in package.get("resources", [])}
    tables = [r["name"] for r in package.get("resources", [])
              if r.get("profile") == "tabular-data-resource" and r["path"] == f"{r['name']}.csv"]
    files, listed, documents = listing.files, listing.site, listing.documents | listing.copies
    claimed: dict[str, str] = {}
    groups: dict[str, list[str]] = {}

    def claim(key: str, path: str) -> None:
        if path in claimed:          # the rules are disjoint; this guards later edits
            raise PipelineError(f"{path} belongs to both {claimed[path]} and {key}", out)
        claimed[path] = key
        groups.setdefault(key, []).append(path)

    for table in tables:
        for pattern in TABLE_FILES:
            path = pattern.format(t=table)
            if path in files:
                claim(table, path)
    for path in files:
        if path not in claimed and path.startswith(f"{PLANS_DIR}/"):
            plan_id = path.split("/")[1]
            if plan_id in plans:
                claim(f"{PLAN_KEY}{plan_id}", path)
    for path in files:
        if path not in claimed and path.startswith(LINKED_DATA_FOLDER):
            claim(LINKED_DATA, path)
        elif path not in claimed and _is_database_file(path):
            claim(DATABASE, path)
    for path in files:               # the site manifest accounts for `listed`, not one by one
        if path not in claimed and path not in listed and is_site_file(path):
            claim(SITE, path)
    for path in files:               # (the URI documents: rdf/uri-documents.json; the copies)
        if path not in claimed and path not in listed and path not in documents:
            claim(METADATA, path)

    def name(key: str) -> str:
        if key.startswith(PLAN_KEY):
            return ascii_name("plan", key[len(PLAN_KEY):])
        return ascii_name(package.get("name") or config.name, key)

    keys = [key for key in [*tables, DATABASE, *(f"{PLAN_KEY}{p}" for p in plans), LINKED_DATA,
                            SITE, METADATA] if groups.get(key)]
    if listing.ckan_to_come:
        for key in keys:
            claim(METADATA, f"{CKAN_FOLDER}/{name(key)}.json")
    texts = _Texts(out, package, config, resources, tables, files)
    datasets = []
    for key in keys:
        paths = groups[key]
        paths.sort(key=lambda p: (p.count("/"), p))
        described = [*paths, *listed] if key == SITE else paths
        plan = plans[key[len(PLAN_KEY):]] if key.startswith(PLAN_KEY) else None
        if plan is not None:
            title_ja, title_en, description_ja, description_en = texts.plan_dataset(plan, described)
        else:
            title_ja, title_en, description_ja, description_en = texts.dataset(key, described)
        site_files = []
        if key == SITE and SITE_LANDING_PAGE in listed:
            site_files.append(texts.portal())
        datasets.append(DatasetSpec(
            key=key, name=name(key), title_ja=title_ja, title_en=title_en,
            description_ja=description_ja, description_en=description_en,
            files=(*site_files, *(texts.file(path) for path in paths)), plan=plan))
    names = [d.name for d in datasets]
    if len(set(names)) != len(names):
        raise PipelineError(f"two datasets get the same name: {names}", out)
    return datasets


class _Texts:
    """Titles and descriptions from the schemas, datapackage.json and the settings."""

    def __init__(self, out: Path, package: dict, config: Config, resources: dict[str, dict],
                 tables: list[str], files: list[str]):
        self.out, self.package, self.config = out, package, config
        self.resources, self.tables, self.files = resources, tables, files
        self.title = package.get("title") or config.title
        self.title_en = config.title_en
        self.schemas: dict[str, dict] = {}

    def schema(self, path: str) -> dict:
        if path not in self.schemas:
            try:
                self.schemas[path] = json.loads((self.out / path).read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                self.schemas[path] = {}
        return self.schemas[path]

    def table_schema(self, table: str) -> dict:
        schema_path = self.resources.get(f"{table}.csv", {}).get("schema")
        return self.schema(schema_path if isinstance(schema_path, str) else f"schemas/{table}.json")

    def _with_publication(self, title: str, publication: str) -> str:
        return f"{title}（{publication}）" if publication else title

    def dataset(self, key: str, paths: list[str]) -> tuple[str, str, str, str]:
        if key in self.tables:
            schema = self.table_schema(key)
            title = schema.get("title") or key
            title_en = schema.get("title_en") or key
            return (self._with_publication(title, self.title),
                    f"{title_en} ({self.title_en})" if self.title_en else title_en,
                    schema.get("description") or self.resources[f"{key}.csv"].get("description", ""),
                    schema.get("description_en", ""))
        formats = "、".join(_formats(paths))
        formats_en = ", ".join(_formats(paths))
        if key == LINKED_DATA:
            names = "、".join(self.table_schema(t).get("title") or t for t in self.tables)
            return (self._with_publication("リンクトデータ", self.title),
                    f"Linked data ({self.title_en})" if self.title_en else "Linked data",
                    f"このデータの表（{names}）をRDFで表したリンクトデータと、その語彙・コンテキストです。"
                    f"形式：{formats}。",
                    f"The tables of this publication as linked data (RDF), with the vocabulary "
                    f"and context they use. Formats: {formats_en}.")
        if key == DATABASE:
            names = "、".join(self.table_schema(t).get("title") or t for t in self.tables)
            return (self._with_publication("データベース（SQLite）", self.title),
                    f"Database (SQLite) ({self.title_en})" if self.title_en else "Database (SQLite)",
                    f"このデータの全表（{names}）を1つにまとめたSQLiteデータベースです。主キー・外部キー・"
                    "索引と、日本語の部分一致で検索できる全文検索索引（FTS5 trigram）を備え、表 metadata に"
                    "ライセンスと出典を収めています。datasette/metadata.json は、これを読み取り専用の"
                    f"JSON/SQL API として公開する Datasette の設定です。形式：{formats}。",
                    "All tables of this publication in one SQLite database, with primary and foreign "
                    "keys, indexes, full-text indexes that find Japanese substrings (FTS5 trigram) and "
                    "the licence and source in its table `metadata`; datasette/metadata.json serves it "
                    f"as a read-only JSON/SQL API with Datasette. Formats: {formats_en}.")
        if key == SITE:
            return (self._with_publication("ウェブサイト", self.title),
                    f"Website ({self.title_en})" if self.title_en else "Website",
                    "このデータを閲覧・検索・ダウンロードするためのウェブページ（データセットの一覧と説明・"
                    "プレビュー、取組の検索と取組ごと・担当部局ごとのページ）と、そのスタイルシート・"
                    f"スクリプトです。入口は {SITE_LANDING_PAGE}、全ファイルのサイズとSHA-256は "
                    f"{SITE_MANIFEST} にあります。形式：{formats}。",
                    "Web pages to browse, search and download this publication (datasets with "
                    "descriptions and previews, initiative search, one page per initiative and per "
                    f"department) with their stylesheet and script. The entry page is "
                    f"{SITE_LANDING_PAGE}; {SITE_MANIFEST} lists every file with its size and "
                    f"SHA-256. Formats: {formats_en}.")
        return (self._with_publication("メタデータ", self.title),
                f"Metadata ({self.title_en})" if self.title_en else "Metadata",
                "このデータの構成・ライセンス・出典を記述したメタデータです。datapackage.json は全ファイル・"
                "Table Schema・ライセンス・出典を列挙する Data Package 記述子、ckan/ はCKANへ登録するための"
                f"データセット定義とライセンス定義です。形式：{formats}。",
                "Metadata of this publication: datapackage.json (Frictionless Data Package "
                "descriptor listing every file, Table Schema, licence and source) and, under ckan/, "
                f"the dataset and licence definitions for a CKAN portal. Formats: {formats_en}.")

    def plan_dataset(self, plan: PlanInfo, paths: list[str]) -> tuple[str, str, str, str]:
        names = "、".join(self.table_schema(t).get("title") or t for t in self.tables)
        formats, formats_en = "、".join(_formats(paths)), ", ".join(_formats(paths))
        publisher = plan.publisher.name if plan.publisher else ""
        return (f"{plan.title}（計画別データ）", f"{plan.title_en or plan.plan_id} (one plan)",
                f"{publisher}「{plan.title}」だけの表（{names}）とリンクトデータです。全計画をまとめた表と"
                f"同じ列・同じ Table Schema で、この計画の行だけを収録しています。形式：{formats}。",
                f"The tables and linked data of the plan {plan.plan_id} alone, with the columns "
                f"and Table Schemas of the combined tables. Formats: {formats_en}.")

    def file(self, path: str) -> PublishedFile:
        mime, fmt = media_type(path)
        resource = self.resources.get(path, {})
        title, description, conforms = resource.get("title", ""), resource.get("description", ""), ""
        parts = PurePosixPath(path)
        name = parts.name
        if isinstance(resource.get("schema"), str):
            conforms = resource["schema"]
        if path.startswith("schemas/") and path.endswith(".json"):
            described = self._described_by_schema(path)
            title = title or f"{self.schema(path).get('title') or parts.stem}（Table Schema）"
            description = description or (
                f"{described} の列名・型・制約を定義する Table Schema（Frictionless）です。"
                if described else "Table Schema（Frictionless）です。")
            conforms = TABLE_SCHEMA_SPEC
        elif path.startswith(LINKED_DATA_FOLDER):
            title = title or f"リンクトデータ {name}（{fmt}）"
            description = description or self._linked_data_description(name, fmt)
            vocabulary = self._vocabulary()
            if parts.stem == "context" and fmt == "JSON-LD":
                conforms = JSON_LD_SPEC
            elif vocabulary and path != vocabulary:
                conforms = vocabulary
        elif path == SITE_MANIFEST:
            title = title or "ウェブサイトのファイル一覧（site-manifest.json）"
            description = description or (
                "ウェブサイトの全ファイル（このファイル自身を除く）のパス・バイト数・SHA-256・"
                "メディアタイプを列挙したJSONです。ページごとのサイズとチェックサムはここにあります。")
        elif path in SITE_FILES or path.startswith(SITE_FOLDERS):
            title = title or f"ウェブサイト {path}（{fmt}）"
            description = description or f"このデータのウェブサイトのファイル {path}（{fmt}）です。"
        elif path == "datapackage.json":
            title = title or "Data Package 記述子（datapackage.json）"
            description = description or ("全ファイル・Table Schema・ライセンス・出典を列挙する "
                                          "Data Package 記述子（Frictionless）です。")
            conforms = DATA_PACKAGE_SPEC
        elif path in SERVER_RULES:
            title = title or f"{SERVER_RULES[path]} の設定（{path}）"
            description = description or _server_rules_description(path)
        elif path == "ckan/licenses.json":
            title = title or "CKAN ライセンス定義（licenses.json）"
            description = description or ("CKAN の licenses_group_url に指定するライセンス一覧です。"
                                          "各データセットの license_id はここに定義されています。")
        elif path.startswith("ckan/") and path.endswith(".json"):
            title = title or f"CKAN データセット定義 {parts.stem}"
            description = description or (f"CKAN の package_create にそのまま渡せるデータセット"
                                          f"「{parts.stem}」の定義（JSON）です。")
        elif path.endswith(SQLITE_SUFFIX) and "/" not in path:
            title = title or "データベース（SQLite）"
            description = description or (
                "全表を収めたSQLiteデータベースです。列の型・主キー・外部キーは Table Schema のとおりで、"
                "<表>_fts は全文検索索引（FTS5 trigram）、metadata はライセンス・出典です。")
        elif path.startswith(DATABASE_FOLDER):
            title = title or f"Datasette 設定 {name}"
            description = description or (
                "データベースを読み取り専用の JSON/SQL API として公開する Datasette のメタデータ"
                "（表・列の日本語名と説明、ライセンス、出典）です。")
        elif path.startswith("parquet/") and parts.stem in self.tables:
            table_title = self.table_schema(parts.stem).get("title") or parts.stem
            title = title or f"{table_title}（Parquet）"
            conforms = f"schemas/{parts.stem}.json"
            description = description or (
                f"{parts.stem}.csv と同じレコードの Parquet ファイルです。列の型は Table Schema から"
                "（日付は日付型、数値は数値型、リストはリスト型）、ライセンスと出典はファイルの"
                "キー・バリュー・メタデータにあります。")
        elif path.endswith(".json") and parts.stem in self.tables:
            table_title = self.table_schema(parts.stem).get("title") or parts.stem
            title = title or f"{table_title}（JSON）"
            description = description or (
                f"{parts.stem}.csv と同じレコードのJSONです。数値・日付・リストは型付きで、"
                "license と attribution を含みます。")
        title = title or f"{name}（{fmt}）"
        if not title.endswith("）"):
            title = f"{title}（{fmt}）"          # 取組 -> 取組（CSV）
        description = description or f"{path}（{fmt}）"
        return PublishedFile(path=path, title=title, description=description, media_type=mime,
                             format=fmt, conforms_to=conforms)

    def portal(self) -> PublishedFile:
        """The web portal as one access point: its landing page, not a file to download."""
        mime, fmt = media_type(SITE_LANDING_PAGE)
        return PublishedFile(
            path=SITE_LANDING_PAGE, title=f"ウェブサイト（{fmt}）",
            description=("このデータを閲覧・検索・ダウンロードするためのウェブサイトです。"
                         f"入口の {SITE_LANDING_PAGE}（データセットの一覧）から全ページをたどれます。"
                         f"全ファイルのサイズとSHA-256は {SITE_MANIFEST} に列挙しています。"),
            media_type=mime, format=fmt, download=False)

    def _described_by_schema(self, schema_path: str) -> str:
        for path, resource in self.resources.items():
            if resource.get("schema") == schema_path:
                return path
        return ""

    def _vocabulary(self) -> str:
        candidates = sorted(p for p in self.files if p.startswith(LINKED_DATA_FOLDER)
                            and PurePosixPath(p).stem == "vocabulary")
        turtle = [p for p in candidates if p.endswith(".ttl")]
        return (turtle or candidates or [""])[0]

    @staticmethod
    def _linked_data_description(name: str, fmt: str) -> str:
        stem = PurePosixPath(name).stem
        if stem == "vocabulary":
            return f"リンクトデータで使う独自の語彙（クラス・プロパティ）の定義です（{fmt}）。"
        if stem == "context":
            return f"このフォルダのJSON-LDファイルが使うコンテキストです（{fmt}）。"
        return f"このデータの全表をRDFで表したリンクトデータです（{fmt}）。"

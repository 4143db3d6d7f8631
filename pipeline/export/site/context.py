"""What the portal's pages are made of, derived once from the description of the publication
(export/description.py: the package, the plans, the records and the datasets publish holds in
memory): the records of the tables grouped by initiative, plans (計画) with their fields (分野)
and items (項目), departments (担当部局), and the footer's attribution.

Nothing about the source's content is here: every label comes from the data, the Table Schemas
or the publication settings.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Callable, Iterator

from ...errors import PipelineError
from ...names import publisher_name
from ..datasets import DatasetSpec
from ..planinfo import PlanInfo
from ..listing import CKAN_FOLDER, is_site_file as is_site_path
from ..description import Description, Records
from ..tables import credit_sentence

SAFE_FILE_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
FOOTER_SOURCES = 3      # a page footer names at most this many source documents (see `credit`)
NO_STATUS = "記載なし"    # an initiative without 新 (new) or 継続 (continuing)
TABLES = ("initiatives", "indicators", "schedules", "references", "sites", "terms")


def publisher_key(name: str, code: str) -> str:
    """What the search's filters, department pages and footers name a publisher by: its
    全国地方公共団体コード, or its ASCII name when the manifest gives no code (names.
    publisher_name, `publisher-` and hex digits, as in its URIs and CKAN: no space, which
    separates the keys of an option's data-publishers, and never 6 digits)."""
    return code or publisher_name(name, "")


def department_slug(name: str, publisher_key: str = "") -> str:
    """Stable ASCII file name of a department page: `d-` + 12 hex digits of the SHA-1 of the
    publisher's key (Plan.publisher_key) and the name (the same name under two publishers is
    two departments)."""
    key = f"{publisher_key}/{name}" if publisher_key else name
    return "d-" + hashlib.sha1(key.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def department_page(slug: str) -> str:
    """A department's page (担当部局), by its department_slug: `departments/<slug>.html`."""
    return f"departments/{slug}.html"


def plan_page(plan_slug: str) -> str:
    """A plan's page (計画): `publishers/<plan>/index.html`."""
    return f"publishers/{plan_slug}/index.html"


def item_page(plan_slug: str, item_key: str) -> str:
    """An item's page (項目 `2-1`): `publishers/<plan>/item-2-1.html`."""
    return f"publishers/{plan_slug}/{item_slug(item_key)}.html"


def item_slug(item_key: str) -> str:
    return file_stem(f"item-{item_key}", "item-")


def initiative_page(plan_slug: str, initiative_id: str) -> str:
    """An initiative's page (取組 `2-1-12`): `initiatives/<plan>/2-1-12.html`."""
    return f"initiatives/{plan_slug}/{initiative_id}.html"


def plan_slug(plan_id: str) -> str:
    """The folder name of a plan's pages: its id, or `p-` and a digest where it cannot name one."""
    return file_stem(plan_id, "p-")


def file_stem(name: str, prefix: str) -> str:
    """`name` itself when it can name a file safely, else `prefix` + a digest of it."""
    if SAFE_FILE_STEM.fullmatch(name) and ".." not in name:
        return name
    return prefix + hashlib.sha1(name.encode("utf-8"), usedforsecurity=False).hexdigest()[:12]


def initiative_key(identifier: str):
    parts = str(identifier).split("-")
    return (0, tuple(int(p) for p in parts)) if all(p.isdigit() for p in parts) \
        else (1, (str(identifier),))


def is_listed(path: str) -> bool:
    """Files the pages list: not the site itself (it cannot give its own checksums) and not the
    portal metadata written after it (ckan/; the catalogue is in no dataset anyway), so the pages
    are the same whether publish writes them before or after those."""
    return not is_site_path(path) and not path.startswith(f"{CKAN_FOLDER}/")


def as_list(value) -> list:
    if value in (None, ""):
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@dataclass
class Divisions:
    """The divisions (担当課) of a department in one plan, each with its initiatives and sites."""
    divisions: dict[str, dict[str, list[dict]]] = field(default_factory=dict)

    def division(self, name: str) -> dict[str, list[dict]]:
        return self.divisions.setdefault(name, {"initiatives": [], "sites": []})

    @property
    def initiative_count(self) -> int:
        return sum(len(d["initiatives"]) for d in self.divisions.values())

    @property
    def named_divisions(self) -> int:
        return len([n for n in self.divisions if n])


@dataclass
class Department:
    """担当部局 (responsible department) of a publisher, with its divisions in each plan."""
    name: str
    slug: str
    publisher: str
    publisher_code: str
    plans: dict[str, Divisions] = field(default_factory=dict)

    @property
    def publisher_key(self) -> str:
        return publisher_key(self.publisher, self.publisher_code)

    @property
    def initiative_count(self) -> int:
        return sum(d.initiative_count for d in self.plans.values())


@dataclass
class Item:
    """項目 (item) of a field: its number `2-1`, title and initiatives."""
    key: str
    title: str
    field_no: str
    field_title: str
    slug: str
    initiatives: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    """計画 (plan) as its sources describe it: id, title, publisher, fiscal years, items, and the
    version and date of the edition in which its records last changed (empty: not known)."""
    id: str
    slug: str
    title: str
    publisher: str
    publisher_code: str
    start_year: int | None
    end_year: int | None
    sources: list[dict] = field(default_factory=list)
    version: str = ""
    modified: str = ""
    items: dict[str, Item] = field(default_factory=dict)
    initiatives: list[dict] = field(default_factory=list)
    departments: list[Department] = field(default_factory=list)

    @property
    def publisher_key(self) -> str:
        return publisher_key(self.publisher, self.publisher_code)

    @property
    def source_files(self) -> tuple[str, ...]:
        """The files of the plan's source documents, which its pages credit."""
        return tuple(s.get("file") for s in self.sources)

    @property
    def edition(self) -> tuple[str, str] | None:
        """(version, modified) of the plan's own edition; None when it is not known."""
        return (self.version, self.modified) if self.version else None

    def fields(self) -> list[tuple[str, str, list[Item]]]:
        """(field number, field title, its items) in order."""
        grouped: dict[str, tuple[str, str, list[Item]]] = {}
        for item in self.items.values():
            grouped.setdefault(item.field_no, (item.field_no, item.field_title, []))[2].append(item)
        return list(grouped.values())


class WholeTables(Mapping):
    """The records of the tables the pages show (TABLES), each converted whole when first asked
    for ([] for a table the description lacks): the portal lists initiatives, references and
    sites whole; a division's template may ask for any of them."""

    def __init__(self, records: Records):
        self.records = records

    def __getitem__(self, table: str) -> list[dict]:
        if table not in TABLES:
            raise KeyError(table)
        return self.records[table] if table in self.records else []

    def __contains__(self, table) -> bool:        # (Mapping's would convert the table)
        return table in TABLES

    def __iter__(self) -> Iterator[str]:
        return iter(TABLES)

    def __len__(self) -> int:
        return len(TABLES)


class ByInitiative:
    """A table's records of each initiative by (plan_id, initiative id) (`key`: the column that
    names the initiative; `order`: how an initiative's records sort, None: as in the table;
    `keep`: which records count), grouped plan by plan when a plan's are first asked for: a
    republish renders the pages of the plans that changed, and converts their records alone."""

    def __init__(self, records: Records, table: str, key: str, order: Callable | None,
                 plan_of: Callable[[dict], str], keep: Callable[[dict], bool] | None = None):
        self.records, self.table, self.key, self.order = records, table, key, order
        self.plan_of, self.keep = plan_of, keep
        self.grouped: dict[tuple[str, str], list[dict]] = {}
        self.plans: set[str] = set()

    def get(self, key: tuple[str, str], default=()):
        plan_id = key[0]
        if plan_id not in self.plans:
            group: dict[tuple[str, str], list[dict]] = {}
            for record in self.records.of_plan(self.table, plan_id, self.plan_of):
                if self.keep is None or self.keep(record):
                    group.setdefault((plan_id, record.get(self.key)), []).append(record)
            for items in group.values() if self.order is not None else ():
                items.sort(key=self.order)
            self.grouped.update(group)
            self.plans.add(plan_id)
        return self.grouped.get(key, default)


class Publication:
    """The publication as the pages need it, derived once from its description."""

    def __init__(self, out: Path, description: Description):
        self.out, self.config, self.view = out, description.config, description
        self.package = package = description.package
        self.resources = {r.get("path"): r for r in package.get("resources", [])}
        self.title, self.version = description.title, description.version
        self.created, self.attribution = description.created, description.attribution
        self.description, self.licence = description.summary, description.licence
        # the licence as the published JSON files state it (datapackage's `licenses` entry)
        self.licence_terms = (package.get("licenses") or [{}])[0] or {
            "name": self.licence["id"], "path": self.licence["url"], "title": self.licence["title"]}
        self.publisher, self.publisher_code = description.publisher
        self.publisher_key = publisher_key(self.publisher, self.publisher_code)
        self.keywords, self.language = description.keywords, description.language
        self.sources = {s.get("file"): s for s in package.get("sources", [])}
        self.plan_digests = description.plan_digests      # each plan's rows, digested
        self.credits = description.credits
        self.cited = list(dict.fromkeys(self.credits.values()))
        self.short_credit = len(self.cited) > FOOTER_SOURCES and len(self.credits) == len(self.sources)
        self.schemas: dict[str, dict] = {}
        self.records = description.records
        self.tables = WholeTables(self.records)
        order = {plan_id: n for n, plan_id in enumerate(description.plans)}
        self.initiatives = sorted(self.tables["initiatives"], key=lambda r: (
            order.get(self.plan_id(r), len(order)), self.plan_id(r), initiative_key(r["id"])))
        for record in self.initiatives:       # the id names a file: never a path or a dot name
            if not SAFE_FILE_STEM.fullmatch(str(record["id"])) or ".." in str(record["id"]):
                raise PipelineError(f"initiative id {record['id']!r} cannot name a web page",
                                    out / "initiatives.json")
        self.titles = {(self.plan_id(r), r["id"]): r.get("title") or "" for r in self.initiatives}
        self._group_by_initiative()
        self.plans = self._plans()
        self.departments = self._departments()
        self.datasets = self._datasets()
        # the catalogue's count: the portal's own dataset has no page (its page is the portal)
        self.dataset_total = len(self.view.datasets)

    # ---- reading ---------------------------------------------------------------------------
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

    def column_titles(self, table: str) -> dict[str, str]:
        """Column name -> its Japanese title (the Table Schema's `title`)."""
        return {f.get("name"): f.get("title") or f.get("name")
                for f in self.schema_for(f"{table}.csv").get("fields", [])}

    def table_title(self, table: str, default: str) -> str:
        return self.schema_for(f"{table}.csv").get("title") or default

    def csv_rows(self, path: str) -> int | None:
        """Data rows of a published table CSV (the records of `<table>.json`, written from the
        same records as `<table>.csv` and `excel/<table>.csv`), None: unknown."""
        posix = PurePosixPath(path)
        resource = self.resources.get(path, {})
        if resource.get("profile") != "tabular-data-resource" or \
                path not in (f"{posix.stem}.csv", f"excel/{posix.stem}.csv"):
            return None
        return self.record_total(posix.stem)

    def record_total(self, table: str) -> int | None:
        return self.records.count(table) if table in self.records else None

    def record_count(self, spec: DatasetSpec) -> int | None:
        if any(f.path == f"{spec.key}.csv" for f in spec.files) or spec.key in self.tables:
            return self.record_total(spec.key)
        return None

    # ---- grouping --------------------------------------------------------------------------
    def _group_by_initiative(self) -> None:
        """The rows of every initiative, by (plan_id, initiative id), grouped once per plan as
        its pages (or their cache keys) ask (ByInitiative, never filtered per page); who cites
        whom, from every plan's references at once."""
        plan_id = self.plan_id
        self.indicators_of = ByInitiative(self.records, "indicators", "initiative_id",
                                          lambda r: r.get("seq") or 0, plan_id)
        self.schedules_of = ByInitiative(self.records, "schedules", "initiative_id",
                                         lambda r: (r.get("fiscal_year") or 0, r.get("period") or ""),
                                         plan_id)
        self.terms_of = ByInitiative(self.records, "terms", "record_id", None, plan_id,
                                     lambda r: r.get("record_kind") == "initiative")
        self.references_of = ByInitiative(self.records, "references", "from_id",
                                          lambda r: r.get("seq") or 0, plan_id)
        cited: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for r in self.tables["references"]:
            if r.get("to_id") and r.get("from_id"):
                target = (r.get("to_plan_id") or plan_id(r), r["to_id"])
                cited.setdefault(target, set()).add((plan_id(r), r["from_id"]))
        self.cited_by = {k: sorted(v, key=lambda key: (key[0], initiative_key(key[1])))
                         for k, v in cited.items()}

    def _departments(self) -> dict[tuple[str, str], Department]:
        """Departments by (publisher key, name), each with its divisions in every plan."""
        departments: dict[tuple[str, str], Department] = {}
        for kind, records in (("initiatives", self.initiatives), ("sites", self.tables["sites"])):
            for record in records:
                name = (record.get("department") or "").strip()
                plan = self.plans.get(self.plan_id(record))
                if not name or plan is None:
                    continue
                key = (plan.publisher_key, name)
                department = departments.get(key)
                if department is None:
                    department = departments[key] = Department(
                        name, department_slug(name, plan.publisher_key), plan.publisher,
                        plan.publisher_code)
                if plan.id not in department.plans:
                    department.plans[plan.id] = Divisions()
                    plan.departments.append(department)
                division = (record.get("division") or "").strip()
                department.plans[plan.id].division(division)[kind].append(record)
        return departments

    def plan_id(self, record: dict) -> str:
        """The plan of a record (or of a source): its own `plan_id`, else its source
        document's, else the publication's name."""
        return (record.get("plan_id") or self.sources.get(record.get("source"), {}).get("plan_id")
                or self.config.name)

    def _plans(self) -> dict[str, Plan]:
        """The plans of the description that have initiatives, each with its items."""
        plans = {plan_id: self._plan(info) for plan_id, info in self.view.plans.items()}
        for record in self.initiatives:
            plan_id = self.plan_id(record)
            plan = plans.get(plan_id)
            if plan is None:               # a record of no described plan: the publication's
                plan = plans[plan_id] = Plan(plan_id, plan_slug(plan_id), self.title,
                                             self.publisher, self.publisher_code, None, None)
            key = f"{record.get('field_no')}-{record.get('item_no')}"
            item = plan.items.get(key)
            if item is None:
                item = plan.items[key] = Item(key, record.get("item_title") or "",
                                              str(record.get("field_no") or ""),
                                              record.get("field_title") or "",
                                              item_slug(key))
            item.initiatives.append(record)
            plan.initiatives.append(record)
        return {k: p for k, p in plans.items() if p.initiatives}

    def _plan(self, info: PlanInfo) -> Plan:
        publisher = info.publisher
        return Plan(info.plan_id, plan_slug(info.plan_id), info.title,
                    publisher.name if publisher else self.publisher,
                    publisher.code if publisher else self.publisher_code,
                    info.start_year, info.end_year,
                    [self.sources[f] for f in info.sources if f in self.sources],
                    info.version, info.modified)

    def _datasets(self) -> list[DatasetSpec]:
        result = []
        for spec in self.view.datasets:
            files = tuple(f for f in spec.files if is_listed(f.path))
            if files:
                result.append(replace(spec, files=files))
        return result

    # ---- the footer's attribution ------------------------------------------------------------
    def credit(self, sources: tuple[str, ...] = ()) -> dict | None:
        """The attribution of a page footer: {"text", "count"} (count: sources in all, when the
        footer names only some of them and links to the catalogue for the whole sentence). The
        full sentence names every source document, so on an aggregator of hundreds of plans it
        would make every page as long as the number of plans. Up to FOOTER_SOURCES documents it
        is shown as it is; beyond, a page whose data come from some of them (`sources`: an
        initiative's document, a plan's or a department's plans' documents) credits those, any
        other page the publication's, each list cut to its first document and the count of the
        others when it is longer than FOOTER_SOURCES."""
        if not self.attribution:
            return None
        if not self.short_credit:                 # short, or not in the usual wording
            return {"text": self.attribution, "count": None}
        named = list(dict.fromkeys(self.credits[s] for s in sources if s in self.credits))
        return {"text": credit_sentence(shortened(named or self.cited)), "count": len(self.cited)}


def shortened(cited: list[str]) -> list[str]:
    """The words citing some sources, as a footer names them: all of them up to
    FOOTER_SOURCES, else the first and the count of the others."""
    return cited if len(cited) <= FOOTER_SOURCES else [f"{cited[0]}ほか{len(cited) - 1}件"]

"""Every page of the portal: its path, its template and the (small) context the template needs.
`Pages.shared()` yields the pages about the whole publication, `Pages.combined_datasets()` its
datasets' pages, `Pages.dataset()` a plan's dataset page, `Pages.of_plan()` a plan's own pages
and `Pages.initiative()` renders an initiative's, nearly all of the site (the last two in this
process or in a forked worker).
"""

from __future__ import annotations

import csv
from collections import Counter
from itertools import islice
from typing import Iterator

from jinja2 import Environment
from markupsafe import Markup

from ...config import LANGUAGES, frequency_words
from ...names import publisher_name
from ...rdf.documents import documents_folder
from ...rdf.terms import initiative_path as initiative_uri_path
from ..datasets import DatasetSpec
from ..listing import DATASET_PAGE, file_digest
from ..identifiers import dataset_edition, dataset_period, dataset_places, dataset_uri
from ..schemaorg import dataset_jsonld
from . import charts
from .context import (NO_STATUS, Department, Item, Plan, Publication, as_list, department_page,
                      department_slug, initiative_page, item_page, plan_page)
from .templating import href, json_text

PREVIEW_ROWS = 10
PREVIEW_FILES = 2              # CSV files previewed on a dataset page (a table's CSV and Excel CSV)
PREVIEW_CELL_CHARS = 80        # a longer preview cell shows this much, the rest one click away
STATUS_CLASSES = {"新": "bar-new", "継続": "bar-continuing", NO_STATUS: "bar-none"}
ROOT, PLAN_ROOT = "../", "../../"
SEARCH_INDEX = "search-index.js"
# the search page loads plans' indexes up front while they hold at most this many initiatives
# together (some 600 bytes each in an index: about 400 KB), else those of the chosen plan
LOAD_UP_TO = 700
HOME = ("データセット", "index.html")


def another(issuer: tuple[str, str], site: Publication) -> bool:
    """Whether an authority (name, publisher_key) is another than the publication's publisher:
    another key, unless the name is the same and one of the two gives no code (宮城県 of
    pipeline.toml without its code and 宮城県 of 040002; 府中市 132063 and 342076 are two)."""
    name, key = issuer
    coded = key.isdigit() and site.publisher_key.isdigit()
    return key != site.publisher_key and (name != site.publisher or coded)


class Pages:
    def __init__(self, site: Publication, env: Environment):
        self.site, self.env = site, env
        self.templates = {name: env.get_template(f"{name}.html") for name in (
            "catalogue", "dataset", "initiatives", "initiative", "departments", "department",
            "publishers", "plan", "item")}
        titles = site.column_titles("initiatives")
        self.labels = {**titles, **{c: titles.get(c) or d for c, d in (
            ("title", "取組名"), ("summary", "目的・概要"), ("methods", "性質・手法"),
            ("actors", "主体"), ("urls", "関連URL"), ("status", "新規・継続"),
            ("priority_goals", "重点目標"), ("notes", "備考"),
            ("priority_goal_options", "重点目標の選択肢"))}}
        schedule_titles = site.column_titles("schedules")
        self.schedule_labels = {c: schedule_titles.get(c) or d for c, d in (
            ("period", "期間"), ("fiscal_year", "年度"), ("phase", "実施内容"), ("raw", "セルの表記"))}
        self.axes: dict[str, tuple[list[int], dict[int, str]]] = {}
        self.chrome_cache: dict[tuple, Markup] = {}
        self.schedule_charts: dict[tuple, Markup | None] = {}
        self.sites_title = site.table_title("sites", "情報発信サイト等")
        self.item_links: dict[tuple[str, str], dict[str, str]] = {}
        self.chart_macros = env.get_template("partials/charts.html").module
        self.web_link = env.get_template("partials/web_link.html").module.web_link
        self.source_links: dict[str, Markup | None] = {}
        c = site.config         # where the URIs' documents are, from a plan's folder (if written)
        self.documents = f"{PLAN_ROOT}{documents_folder(c.base_uri, c.download_base)}" \
            if c.uri_documents else None

    def render(self, name: str, root: str, title: str, section: str, crumbs=(), **context) -> str:
        """A page; `credited`: the source documents its data come from (default: those of its
        `plan`, if it belongs to one), which its footer credits (Publication.credit)."""
        home = (HOME[0], root + HOME[1])
        plan = context.get("plan")
        credited = context.pop("credited", None) or (plan.source_files if plan is not None else ())
        issuer = context.pop("issuer", None) or \
            ((plan.publisher, plan.publisher_key) if plan is not None else None)
        return self.templates[name].render(
            site=self.site, root=root, title=title, section=section,
            crumbs=(home, *crumbs) if crumbs else (), description=context.pop("description", ""),
            header=self.chrome("header", root, section),
            footer=self.chrome("footer", root, credited, plan, issuer), **context)

    def chrome(self, part: str, root: str, key, plan: Plan | None = None,
               issuer: tuple[str, str] | None = None) -> Markup:
        """`partials/<part>.html`, the same on many pages, rendered once per folder depth and
        menu section (header: `key`) or credited source documents, plan edition and the
        authority that issued the page's data when it is not the publication's publisher
        (footer: `key` the files of the documents, see `Publication.credit`; `plan`: the page's
        own, if it belongs to one; `issuer`: (name, publisher_key) of its data's authority)."""
        site = self.site
        own = other = None
        if part == "footer":
            key = tuple(f for f in key if f in site.credits) if site.short_credit else ()
            other = issuer[0] if issuer and issuer[0] and another(issuer, site) else None
            own = (plan.edition if plan is not None else None, other)
        cached = self.chrome_cache.get((part, root, key, own))
        if cached is None:
            cached = Markup(self.env.get_template(f"partials/{part}.html").render(
                site=site, root=root, section=key, sources=key, plan=plan, issuer=other))
            self.chrome_cache[(part, root, key, own)] = cached
        return cached

    def shared(self) -> Iterator[tuple[str, str]]:
        """(path, document) of the pages about the whole publication, its datasets' pages
        excepted (see combined_datasets): none of them reads a file."""
        site = self.site
        yield "index.html", self.render("catalogue", "", site.title, "catalogue",
                                        description=site.description, cards=[
            {"spec": s, "formats": formats(s), "count": site.record_count(s)}
            for s in site.datasets if s.plan is None],
            plan_datasets=sum(1 for s in site.datasets if s.plan is not None))
        yield "initiatives/index.html", self.initiatives()
        yield "departments/index.html", self.render(
            "departments", ROOT, "担当部局", "departments", (("担当部局", None),),
            departments=list(site.departments.values()))
        for department in site.departments.values():
            yield department_page(department.slug), self.department(department)
        yield "publishers/index.html", self.publishers()

    def combined_datasets(self) -> Iterator[tuple[str, str]]:
        """(path, document) of the pages of the datasets of the whole publication (a plan's is
        written with its plan: Writer.write_dataset), which show each file's bytes and SHA-256
        and preview its CSV."""
        for spec in self.site.datasets:
            if spec.plan is None:
                yield dataset_path(spec), self.dataset(spec)

    def of_plan(self, plan: Plan) -> Iterator[tuple[str, str]]:
        """(path, document) of a plan's own pages but its initiatives' (and its dataset's, which
        `Writer.write_dataset` writes): the plan, its items and its search index."""
        yield plan_page(plan.slug), self.plan(plan)
        for item in plan.items.values():
            yield item_page(plan.slug, item.key), self.item(plan, item)
        yield f"initiatives/{plan.slug}/{SEARCH_INDEX}", search_index(plan, {
            "license": self.site.licence_terms,
            "attribution": self.site.view.plan_attribution(self.site.view.plans[plan.id])})

    def initiative_path(self, position: int) -> str:
        record = self.site.initiatives[position]
        return initiative_page(self.site.plans[self.site.plan_id(record)].slug, record["id"])

    # ---- datasets --------------------------------------------------------------------------
    def dataset(self, spec: DatasetSpec) -> str:
        return self.render(**self.dataset_context(spec))

    def dataset_context(self, spec: DatasetSpec) -> dict:
        """What the page of a dataset is rendered from (`render`'s arguments)."""
        site, c = self.site, self.site.config
        files = [(f, *file_digest(site.out / f.path)) for f in spec.files]
        plan = site.plans.get(spec.plan.plan_id) if spec.plan is not None else None
        sources = plan.sources if plan is not None else list(site.sources.values())
        attribution = site.view.plan_attribution(spec.plan) if plan is not None else site.attribution
        many = plan is None and site.short_credit      # sources named on the catalogue, once
        authority = spec.plan.publisher if spec.plan is not None else None      # a plan's own
        publisher = (authority.name, authority.code) if authority is not None else \
            (site.publisher, site.publisher_code)
        contact = [(name, url) for name, url in (
            (c.contact_name, None), (c.contact_url, c.contact_url),
            (c.contact_email, f"mailto:{c.contact_email}" if c.contact_email else None)) if name]
        return dict(
            name="dataset", root=ROOT, title=spec.title_ja, section="catalogue",
            crumbs=((spec.title_ja, None),),
            description=spec.description_ja, spec=spec, files=files, formats=formats(spec),
            api=api_links(c, site.package, spec),
            previews=list(islice((self.preview(f.path) for f, _, _ in files if f.format == "CSV"),
                                  PREVIEW_FILES)),
            jsonld=dataset_jsonld(site.view, spec, files, attribution),
            sources=[] if many else sources, attribution=None if many else attribution,
            source_count=len(sources), dataset_uri=str(dataset_uri(c, spec.name)),
            publisher=publisher, places=[name for name, _, _ in dataset_places(site.view, spec)],
            period=dataset_period(spec, site.package), contact=contact, plan=plan,
            edition=dataset_edition(spec, site.package, site.version),
            frequency=frequency_words(c.accrual_periodicity),
            language=f"{LANGUAGES[site.language][1]}（{site.language}）")

    def preview(self, path: str) -> dict:
        """The header and first rows of a published CSV (never the whole file)."""
        site = self.site
        encoding = site.resources.get(path, {}).get("encoding") or "utf-8"
        if encoding.lower().replace("_", "-") in ("utf-8", "utf-8-sig"):
            encoding = "utf-8-sig"
        try:
            with (site.out / path).open(encoding=encoding, newline="") as handle:
                rows = list(islice(csv.reader(handle), PREVIEW_ROWS + 2))
        except (OSError, UnicodeDecodeError, csv.Error):
            return {"path": path, "rows": None, "problem": "はプレビューできません。"}
        if not rows:
            return {"path": path, "rows": None, "problem": "は空です。"}
        header, shown = rows[0], rows[1:PREVIEW_ROWS + 1]
        more = len(rows) > PREVIEW_ROWS + 1
        total = site.csv_rows(path) if more else len(shown)
        if not more:
            caption = f"{path} の全{total:,}行"
        elif total is not None:
            caption = f"{path} の先頭{len(shown)}行（全{total:,}行）"
        else:
            caption = f"{path} の先頭{len(shown)}行"
        titles = {x.get("name"): x.get("title") for x in site.schema_for(path).get("fields", [])}
        cut = PREVIEW_CELL_CHARS
        return {"path": path, "caption": caption,
                "rows": [[(v[:cut] if len(v) > cut else None, v) for v in row] for row in shown],
                "header": [(titles.get(name) or name, name) for name in header]}

    # ---- initiatives -----------------------------------------------------------------------
    def initiatives(self) -> str:
        """The search page: its filters list every publisher, plan, department, method and
        status; the initiatives themselves come from the plans' search indexes, loaded by
        assets/search.js only for the plans a search needs."""
        site = self.site
        records = site.initiatives
        statuses = list(dict.fromkeys(r.get("status") or NO_STATUS for r in records))
        statuses.sort(key=lambda s: s == NO_STATUS)       # 記載なし last, order otherwise kept
        publishers = list(dict.fromkeys((p.publisher_key, p.publisher) for p in site.plans.values()))
        departments: dict[str, dict[str, None]] = {}     # name -> the publishers it belongs to
        for record in records:
            if name := (record.get("department") or "").strip():
                departments.setdefault(name, {})[site.plans[site.plan_id(record)].publisher_key] = None
        filters = [
            ("department", self.labels.get("department") or "担当部局",
             [(n, n, list(owners)) for n, owners in departments.items()]),
            ("method", self.labels["methods"],
             [(m, m, []) for m in dict.fromkeys(m for r in records for m in as_list(r.get("methods")))]),
            ("status", self.labels["status"], [(s, s, []) for s in statuses])]
        return self.render("initiatives", ROOT, "取組一覧", "initiatives", (("取組一覧", None),),
                           publishers=publishers, plans=list(site.plans.values()), filters=filters,
                           total=len(records), load_up_to=LOAD_UP_TO)

    def initiative(self, position: int) -> str:
        site = self.site
        record = site.initiatives[position]
        plan_id, identifier, title = site.plan_id(record), record["id"], record.get("title") or ""
        key = (plan_id, identifier)
        plan = site.plans[plan_id]
        item = plan.items[f"{record.get('field_no')}-{record.get('item_no')}"]
        schedule = site.schedules_of.get(key, ())
        department = (record.get("department") or "").strip()
        neighbours = [site.initiatives[n] if 0 <= n < len(site.initiatives) else None
                      for n in (position - 1, position + 1)]
        previous, following = (r if r is not None and site.plan_id(r) == plan_id else None
                               for r in neighbours)
        links = self.plan_links(plan, item)
        return self.render(
            "initiative", PLAN_ROOT, f"{identifier} {title} | {plan.title}", "initiatives",
            self.item_crumbs(plan, item, f"{PLAN_ROOT}publishers/", links["plan"], links["item"],
                             (f"{identifier} {title}", None)),
            description=record.get("summary") or "", credited=(record.get("source"),),
            record=record, labels=self.labels, schedule_labels=self.schedule_labels, plan=plan,
            item=item, links=links, department=department_slug(department, plan.publisher_key) if department else "",
            source_link=self.source_link(record.get("source")),
            indicators=[(i, charts.indicator_chart(i)) for i in site.indicators_of.get(key, ())],
            schedule=schedule, schedule_chart=self.schedule_chart(plan, charts.schedule_bars(schedule)),
            references=[self.reference(plan, r) for r in site.references_of.get(key, ())],
            cited_by=[self.link(plan, other) for other in site.cited_by.get(key, ())],
            terms=site.terms_of.get(key, ()),
            uri=site.config.base_uri + initiative_uri_path(plan_id, identifier),
            documents=self.documents + initiative_uri_path(plan_id, identifier)
            if self.documents else None,
            previous=previous, next=following)

    def plan_links(self, plan: Plan, item: Item) -> dict[str, str]:
        """The links of an initiative page to its plan, its item and the plan's files, made
        once per item."""
        links = self.item_links.get((plan.id, item.key))
        if links is None:
            data = href(f"{PLAN_ROOT}plans/{plan.id}/")
            links = self.item_links[(plan.id, item.key)] = {
                "plan": href(PLAN_ROOT + plan_page(plan.slug)),
                "item": href(PLAN_ROOT + item_page(plan.slug, item.key)),
                "csv": data + "initiatives.csv", "json": data + "initiatives.json",
                "graph": data + "graph.nt"}
        return links

    def source_link(self, source: str | None) -> Markup | None:
        """The link to a source document's page (`web_link` of partials/web_link.html), the
        same on every page of its initiatives: drawn once per source."""
        if source not in self.source_links:
            entry = self.site.sources.get(source, {})
            self.source_links[source] = self.web_link(entry.get("path"), entry.get("title")) \
                if entry.get("title") else None
        return self.source_links[source]

    def link(self, plan: Plan, key: tuple[str, str]) -> dict | None:
        """(href, id, title) of an initiative linked from a page of `plan`'s initiatives, or
        None when it is not published."""
        title = self.site.titles.get(key)
        target = self.site.plans.get(key[0])
        if title is None or target is None:
            return None
        folder = "" if target is plan else f"../{target.slug}/"
        return {"href": href(f"{folder}{key[1]}.html"), "id": key[1], "title": title}

    def reference(self, plan: Plan, row: dict) -> dict:
        """A reference (参考) of an initiative with the page it links to, if any."""
        target = None
        if row.get("to_id"):
            target = self.link(plan, (row.get("to_plan_id") or plan.id, row["to_id"]))
        return {**row, "target": target}

    def schedule_chart(self, plan: Plan, bars: list[charts.Bar]) -> Markup | None:
        """The timeline of an initiative's schedule (the `timeline` macro of partials/charts.html),
        drawn once for every initiative with the same phases in the same years on the same axis
        (a plan's fiscal years and printed periods: the same for many plans)."""
        if not bars:
            return None
        years, labels = self.axis(plan)
        key = (tuple(years), tuple(labels.items()),
               *((b.label, b.first, b.last, *b.periods) for b in bars))
        drawn = self.schedule_charts.get(key)
        if drawn is None:
            chart = charts.timeline([(period_range(b), [b]) for b in bars], years, labels,
                                    width=600, label_width=90)
            drawn = self.schedule_charts[key] = self.chart_macros.timeline(
                chart, "schedule-chart", f"スケジュール（{chart['years']}）", "schedule") \
                if chart else None
        return drawn

    # ---- departments -----------------------------------------------------------------------
    def department(self, department: Department) -> str:
        sources = [f for plan in department.plans for f in self.site.plans[plan].source_files]
        # one name, many publishers: the title says whose
        title = f"{department.name}（{department.publisher}）" if department.publisher else department.name
        return self.render("department", ROOT, title, "departments",
                           (("担当部局", "index.html"), (title, None)),
                           department=department, plans=self.site.plans,
                           sites_title=self.sites_title, credited=tuple(sources),
                           issuer=(department.publisher, department.publisher_key))

    # ---- publishers and plans --------------------------------------------------------------
    def axis(self, plan: Plan) -> tuple[list[int], dict[int, str]]:
        """The fiscal years of a plan's charts and their printed periods, computed once."""
        if plan.id not in self.axes:
            schedules = [self.site.schedules_of.get((plan.id, r["id"]), ()) for r in plan.initiatives]
            self.axes[plan.id] = (charts.fiscal_years(plan.start_year, plan.end_year, schedules),
                                  charts.period_labels(schedules))
        return self.axes[plan.id]

    def overview(self, plan: Plan, records: list[dict]) -> dict:
        """The Gantt chart of `records` and the same periods as table cells per fiscal year."""
        years, labels = self.axis(plan)
        rows, table = [], []
        for record in records:
            schedule = self.site.schedules_of.get((plan.id, record["id"]), ())
            rows.append((f"{record['id']} {record.get('title') or ''}", charts.schedule_bars(schedule)))
            cells = {r.get("fiscal_year"): r.get("raw") or r.get("phase") or "" for r in schedule}
            table.append((record, [cells.get(year, "") for year in years]))
        return {"chart": charts.timeline(rows, years, labels), "rows": table,
                "years": [(y, labels.get(y, "")) for y in years],
                "span": f"{years[0]}～{years[-1]}年度" if years else ""}

    def publishers(self) -> str:
        publishers: dict[tuple[str, str], list[Plan]] = {}
        for plan in self.site.plans.values():
            publishers.setdefault((plan.publisher, plan.publisher_code), []).append(plan)
        return self.render("publishers", ROOT, "発行者と計画", "publishers", (("発行者と計画", None),),
                           publishers=[({"name": name, "code": code, "anchor": anchor(code, name)}, plans)
                                       for (name, code), plans in publishers.items()])

    def plan_crumbs(self, plan: Plan, publishers: str, *more) -> tuple:
        """The trail publishers → publisher → `more` (the plan and below) of a page from which
        publishers/index.html is at `publishers` + index.html."""
        return (("発行者と計画", f"{publishers}index.html"),
                (plan.publisher, f"{publishers}index.html#{anchor(plan.publisher_code, plan.publisher)}"),
                *more)

    def item_crumbs(self, plan: Plan, item: Item, publishers: str, plan_link: str,
                    item_link: str | None, *more) -> tuple:
        """The trail to an item (and `more` below it): publishers, publisher, plan, field (its
        heading on the plan's page), item."""
        return self.plan_crumbs(
            plan, publishers, (plan.title, plan_link),
            (f"分野{item.field_no} {item.field_title}", f"{plan_link}#field-{item.field_no}"),
            (f"{item.key} {item.title}", item_link), *more)

    def plan(self, plan: Plan) -> str:
        site = self.site
        statuses = Counter(r.get("status") or NO_STATUS for r in plan.initiatives)
        departments = Counter((r.get("department") or "").strip() or "（記載なし）"
                              for r in plan.initiatives)
        status_counts = [(s, statuses[s]) for s in ("新", "継続", NO_STATUS) if statuses[s]]
        status_counts += [(s, n) for s, n in statuses.items() if s not in STATUS_CLASSES]
        indicators = [i for r in plan.initiatives
                      for i in site.indicators_of.get((plan.id, r["id"]), ())]
        own = [s for s in site.datasets if s.plan is not None and s.plan.plan_id == plan.id]
        return self.render(
            "plan", PLAN_ROOT, plan.title, "publishers",
            self.plan_crumbs(plan, ROOT, (plan.title, None)),
            plan=plan, indicators=indicators, overview=self.overview(plan, plan.initiatives),
            sites_title=self.sites_title,
            status_chart=charts.bar_chart(status_counts, STATUS_CLASSES),
            department_chart=charts.bar_chart(departments.most_common()),
            datasets=own + [s for s in site.datasets if s.plan is None and s.key in (
                "initiatives", "indicators", "schedules")])

    def item(self, plan: Plan, item: Item) -> str:
        return self.render(
            "item", PLAN_ROOT, f"{item.key} {item.title} | {plan.title}", "publishers",
            self.item_crumbs(plan, item, ROOT, "index.html", None),
            plan=plan, item=item, overview=self.overview(plan, item.initiatives))


def anchor(code: str, name: str) -> str:
    """The id of a publisher's section on publishers/index.html: its ASCII name."""
    return publisher_name(name, code)


def search_index(plan: Plan, terms: dict) -> str:
    """initiatives/<plan>/search-index.js: what the search page needs of a plan's initiatives,
    as a script that hands them to assets/search.js (a script, not JSON, so that it loads from
    file:// as well as from a web server), with the terms they are published under (`terms`:
    the licence and the plan's attribution, as its JSON files state them), for whoever takes
    the records from it."""
    records = [search_record(r) for r in plan.initiatives]
    return f"initiativeIndex({json_text(plan.slug)}, {json_text(records)}, {json_text(terms)});\n"


def period_range(bar: charts.Bar) -> str:
    """The periods of a bar as printed: `H26`, `H27～H28`."""
    first, last = bar.periods[0], bar.periods[-1]
    return first if first == last else f"{first}～{last.lstrip('～')}"


def dataset_path(spec: DatasetSpec) -> str:
    return DATASET_PAGE.format(name=spec.name)


def api_links(config, package: dict, spec: DatasetSpec) -> list[tuple[str, str]]:
    """Example requests of the JSON/SQL API (`api_url`, Datasette) for a table's dataset:
    (URL, label) pairs, none without an API or for a dataset that is not one table."""
    if not config.api_url or not any(f.path == f"{spec.key}.csv" for f in spec.files):
        return []
    base = f"{config.api_url.rstrip('/')}/{package.get('name') or config.name}"
    return [(f"{base}/{spec.key}", "検索・絞り込み"), (f"{base}/{spec.key}.json", "JSON"),
            (f"{base}/{spec.key}.csv", "CSV")]


def formats(spec: DatasetSpec) -> list[str]:
    return list(dict.fromkeys(f.format for f in spec.files))


def search_record(record: dict) -> dict:
    """What the in-browser search of initiatives/index.html reads of an initiative."""
    return {"id": record["id"], "title": record.get("title") or "",
            "summary": record.get("summary") or "", "department": record.get("department") or "",
            "division": record.get("division") or "", "methods": as_list(record.get("methods")),
            "status": record.get("status") or NO_STATUS}

"""One view of a publication: what publish wrote, described once and handed to the writers that
describe it in turn, the web portal (site/), the CKAN metadata (ckan.py) and the DCAT catalogue
(dcat.py), so that they say the same and none of them reads the folder again for it.

`describe_publication` is publish's: the data package and the records it holds in memory, the plans as
assembled from the sources (assemble.py) and the datasets of the folder as it will be once the
portal and its metadata are written (the files' sizes and SHA-256 are read once per process, see
`listing.file_digest`). `read_description` is for a folder published earlier, which has nothing
in memory: it reads datapackage.json and the tables' JSON.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from pathlib import Path
from typing import Callable, Iterator

from ..assemble import Plan
from ..config import Config
from ..errors import PipelineError
from ..versions import read_plan_editions
from .datasets import DatasetSpec, publication_datasets
from .listing import Listing, folder_listing, load_package, planned_listing
from .planinfo import PlanInfo, package_plans, plan_info, source_page
from .pieces import plan_digests, table_runs
from .tables import credit_sentence, plan_runs


class Records(Mapping):
    """Each table's records as <table>.json holds them (dates ISO, empty null), by table name.
    Made from publish's rows (`convert`: versions.table_records), a table is converted when
    first asked for: whole (`records[table]`), or one plan's rows at a time (`of_plan`), so that
    a republish converts those the portal lists whole and, of the others, only the records of
    the plans whose pages it renders. Without `convert`, the tables are records already."""

    def __init__(self, tables: Mapping[str, list[dict]],
                 convert: Callable[[list[dict]], list[dict]] | None = None):
        self.tables, self.convert = tables, convert
        self.whole: dict[str, list[dict]] = {}
        self.spans: dict[tuple, dict[str, list[tuple[int, int]]]] = {}

    @classmethod
    def of(cls, records: Mapping[str, list[dict]]) -> "Records":
        return records if isinstance(records, Records) else cls(records)

    def __getitem__(self, table: str) -> list[dict]:
        found = self.whole.get(table)
        if found is None:
            rows = self.tables[table]
            found = self.whole[table] = rows if self.convert is None else self.convert(rows)
        return found

    def __contains__(self, table) -> bool:        # (Mapping's would convert the table)
        return table in self.tables

    def __iter__(self) -> Iterator[str]:
        return iter(self.tables)

    def __len__(self) -> int:
        return len(self.tables)

    def count(self, table: str) -> int:
        """The table's records, counted without converting them."""
        return len(self.tables[table])

    def of_plan(self, table: str, plan_id: str,
                plan_of: Callable[[dict], str] = itemgetter("plan_id")) -> list[dict]:
        """The records of one plan (`plan_of` a record or row) in a table, in order."""
        rows = self.tables.get(table, [])
        spans = self.spans.get((table, plan_of))
        if spans is None:
            spans = self.spans[table, plan_of] = {}
            for start, stop in plan_runs(rows, plan_of):
                spans.setdefault(plan_of(rows[start]), []).append((start, stop))
        whole, convert = self.whole.get(table), self.convert or list
        return [record for start, stop in spans.get(plan_id, ())
                for record in (whole[start:stop] if whole is not None else convert(rows[start:stop]))]


@dataclass(frozen=True)
class Description:
    """A publication as its metadata and portal describe it."""

    config: Config
    package: dict                       # datapackage.json as written
    plans: dict[str, PlanInfo]          # every plan (計画), in source order
    records: Records                    # each table's records as <table>.json holds them
    datasets: tuple[DatasetSpec, ...]   # every dataset with its files
    # publish's pieces.plan_digests of the rows `records` were made from (None: made from the
    # records); a description with other records needs other digests (or None)
    row_digests: dict[str, str] | None = None

    def __post_init__(self):
        # records given as a plain dict (read_description's, a test's) are wrapped as they are
        object.__setattr__(self, "records", Records.of(self.records))

    @cached_property
    def plan_digests(self) -> dict[str, str]:
        """Per plan, a digest of its records in every table (the portal's page cache is keyed
        by it): publish's, made once from the rows the records were made from, else made here
        from the records."""
        if self.row_digests is not None:
            return self.row_digests
        return plan_digests({table: table_runs(records) for table, records in self.records.items()})

    @property
    def title(self) -> str:
        return self.package.get("title") or self.config.title

    @property
    def summary(self) -> str:
        return self.package.get("description") or self.config.description

    @property
    def version(self) -> str:
        return self.package.get("version") or self.config.version

    @property
    def created(self) -> str:
        return self.package.get("created", "")

    @property
    def attribution(self) -> str:
        return self.package.get("attribution", "")

    @cached_property
    def credits(self) -> dict[str, str]:
        """Source file -> the words of the attribution sentence that cite it (`publisher「title」`
        and the page in brackets, as the exporter wrote them); files whose words are not found
        are left out."""
        credits = {}
        for source in self.package.get("sources", []):
            cited = f"{source.get('publisher') or ''}「{source.get('title') or ''}」"
            for words in (f"{cited}（{source.get('path')}）", cited):
                if words in self.attribution:
                    credits[source.get("file")] = words
                    break
        return credits

    def landing_page(self, spec: DatasetSpec) -> str:
        """The web page a dataset is drawn from (CKAN `url`, DCAT landing page, schema.org
        isBasedOn): its plan's page, or the page every source is drawn from, if there is one
        (planinfo.source_page)."""
        return spec.plan.page if spec.plan is not None else self.source_page

    @cached_property
    def source_page(self) -> str:
        return source_page(self.package)

    def plan_attribution(self, plan: PlanInfo) -> str:
        """The attribution sentence of one plan's data (its slices, graph and dataset): the
        publication's sentence cut to the words citing that plan's sources, the whole sentence
        where they cannot all be found."""
        words = [self.credits.get(file) for file in plan.sources]
        return credit_sentence(words) if words and None not in words else self.attribution

    @property
    def licence(self) -> dict:
        """id, title, url and note of the licence."""
        first = (self.package.get("licenses") or [{}])[0] or {}
        c = self.config.license
        return {"id": first.get("name") or c.id, "title": first.get("title") or c.title,
                "url": first.get("path") or c.url, "note": first.get("description") or c.note}

    @property
    def publisher(self) -> tuple[str, str]:
        """(name, 全国地方公共団体コード) of the publication's publisher."""
        found = next((c for c in self.package.get("contributors", [])
                      if c.get("role") == "publisher"), {})
        return (found.get("title") or self.config.publisher,
                found.get("organization") or self.config.publisher_code)

    @property
    def keywords(self) -> list[str]:
        return list(dict.fromkeys(self.package.get("keywords") or self.config.keywords))

    @property
    def language(self) -> str:
        return self.package.get("language") or self.config.language


def describe_publication(out: Path, config: Config, package: dict, plans: dict[str, Plan],
                         records: Records, row_digests: dict[str, str],
                         to_come: tuple[str, ...] = ()) -> Description:
    """publish's description of the folder it is writing (see `listing.planned_listing`: with
    the files `to_come` that another process is still writing); `records`: made from its rows,
    `row_digests`: pieces.plan_digests of those rows."""
    editions = read_plan_editions(package)
    return _description(out, config, package,
                        {k: plan_info(p, editions.get(k)) for k, p in plans.items()},
                        records, planned_listing(out, to_come), row_digests)


def read_description(out: Path, config: Config) -> Description:
    """The description of a folder published earlier, read from its datapackage.json, its
    tables' JSON and its files."""
    package = load_package(out)
    records = {}
    for resource in package.get("resources", []):
        name = resource.get("name")
        if resource.get("profile") == "tabular-data-resource" and resource.get("path") == f"{name}.csv":
            path = out / f"{name}.json"
            try:
                records[name] = json.loads(path.read_text(encoding="utf-8"))["records"]
            except FileNotFoundError:
                continue
            except (OSError, ValueError, KeyError, TypeError) as exc:
                raise PipelineError(f"cannot read the records: {exc}", path) from None
    return _description(out, config, package, package_plans(package), records, folder_listing(out))


def _description(out: Path, config: Config, package: dict, plans: dict[str, PlanInfo],
                 records: Mapping[str, list[dict]], listing: Listing,
                 row_digests: dict[str, str] | None = None) -> Description:
    datasets = publication_datasets(out, listing, package, plans, config)
    return Description(config, package, plans, records, tuple(datasets), row_digests)

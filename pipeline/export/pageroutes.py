"""The portal page a browser is sent to (303 See Other) for a URI of the catalogue, by the rules
that mint the names, never looked up in the catalogue or the data: a dataset's URI
`BASE/dataset/<name>` has the page `datasets/<name>.html`; a distribution's,
`BASE/distribution/<path>`, the page of the dataset the file `<path>` belongs to (the rules of
datasets.publication_datasets, in their order). rdf/negotiation.py carries the routes into
`make serve` and the nginx and Apache configurations; a route's page that does not exist gives
way to the portal's landing page (`index.html`) there, as every other catalogue URI does:

- the site's dataset, whose page is the portal itself (it has no `datasets/` page);
- a plan whose id is not its dataset's name as it stands (`plan-<plan_id>` is lowercased, `.`
  made `-`: names.ascii_name), which a rewrite rule cannot repeat;
- a name that no dataset has.

`data_page` names, by the portal's own rules (site/context.py), the page the HTML document of
a linked-data resource links to: a plan's, an item's, an initiative's, a department's.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Callable
from urllib.parse import unquote

from ..assemble import Plan
from ..model import TABLES
from ..names import ascii_name
from ..rdf import PLANS_DIR
from ..rdf.negotiation import PageRoute
from ..rdf.terms import PLAN_SEGMENT, department_path, organization_scope
from .datasets import DATABASE, DATABASE_FOLDER, LINKED_DATA, METADATA, TABLE_FILES
from .listing import DATASET_PAGE, LINKED_DATA_FOLDER, SITE_FILES, SITE_FOLDERS, SITE_LANDING_PAGE
from .site.context import (department_page, department_slug, initiative_page, item_page,
                           plan_page, plan_slug, publisher_key)
from .sqlite import SQLITE_SUFFIX

DATASET = "dataset/"
DISTRIBUTION = "distribution/"       # export/dcat.py distribution_uri


def catalogue_pages(publication: str) -> tuple[PageRoute, ...]:
    """The routes of the catalogue's URIs of the publication named `publication` (its
    datapackage.json `name`), in order: the first whose pattern matches names the page."""
    def page(key: str) -> str:
        return DATASET_PAGE.format(name=ascii_name(publication, key))

    def files(*patterns: str) -> str:
        return f"{DISTRIBUTION}(?:{'|'.join(patterns)})"

    return (
        PageRoute(f"{DATASET}([^/]+)", DATASET_PAGE.format(name="$1")),
        *(PageRoute(files(*(re.escape(f.format(t=table)) for f in TABLE_FILES)), page(table))
          for table in TABLES),
        PageRoute(f"{DISTRIBUTION}{PLANS_DIR}/([^/]+)/.+", DATASET_PAGE.format(name="plan-$1")),
        PageRoute(files(f"{re.escape(LINKED_DATA_FOLDER)}.+"), page(LINKED_DATA)),
        PageRoute(files(f"[^/]+{re.escape(SQLITE_SUFFIX)}", f"{re.escape(DATABASE_FOLDER)}.+"),
                  page(DATABASE)),
        PageRoute(files(*map(re.escape, SITE_FILES), *(f"{re.escape(f)}.+" for f in SITE_FOLDERS)),
                  SITE_LANDING_PAGE),
        PageRoute(f"{DISTRIBUTION}.+", page(METADATA)),
    )


def data_pages(tables: dict[str, list[dict]], plans: dict[str, Plan]) -> Callable[[str], str | None]:
    """data_page for the plans of these tables' initiatives (the portal has pages of those
    alone) and for the 担当 departments of their initiatives and sites (each has its page)."""
    rows = (*tables["initiatives"], *tables["sites"])
    named = dict.fromkeys((row["plan_id"], row["department"]) for row in reversed(rows)
                          if row.get("department") and row["plan_id"] in plans)  # each pair once
    departments: dict[str, str] = {}
    for plan_id, department in named:       # the last row's page where two names share a path
        plan = plans[plan_id]
        scope = organization_scope(plan.plan_id, plan.publisher, plan.publisher_code)
        key = publisher_key(plan.publisher, plan.publisher_code)
        departments.setdefault(unquote(department_path(scope, department)),
                               department_page(department_slug(department.strip(), key)))
    return partial(data_page, {plan_id: plan_slug(plan_id) for plan_id in
                               dict.fromkeys(r["plan_id"] for r in tables["initiatives"])},
                   departments)


def data_page(plan_slugs: dict[str, str], departments: dict[str, str], name: str) -> str | None:
    """The portal page of the linked data's resource whose URI document is `name` (its path
    below base_uri, decoded), linked from that document: a plan's page (`plan/<plan_id>`),
    an item's (`…/item/2-1`), an initiative's (`…/initiative/2-1-12`), of the plans the portal
    has pages of (`plan_slugs`: plan_id -> the folder of its pages), a department's (its
    page in `departments`, by its document's name); None for any other."""
    if name in departments:
        return departments[name]
    parts = name.split("/")
    slug = plan_slugs.get(parts[1]) if len(parts) in (2, 4) and parts[0] == PLAN_SEGMENT else None
    if slug is None:
        return None
    if len(parts) == 2:
        return plan_page(slug)
    kind, key = parts[2:]
    return item_page(slug, key) if kind == "item" else \
        initiative_page(slug, key) if kind == "initiative" else None

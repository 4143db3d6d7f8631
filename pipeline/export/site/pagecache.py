"""Rendered pages of the plans kept between runs (see partcache.py), so that a republish after
one plan changed renders only that plan's pages and links the others' files from the cache. The
cache keeps the pages as hard links to the files written (partcache.store_files): it holds no
bytes of its own, and a page edited in place after it was written voids its plan's entry.

An entry holds the pages of a slice of one plan's initiatives (with the plan's own pages when
the slice is its first), keyed by a digest of everything those pages are made from:
- the code and the libraries that render them: the project's code, templates and Table Schemas
  (fingerprint.code_digest), a division's template folder, the Jinja2 and markupsafe versions;
- what the publication shows on every page: its title, publisher, licence, attribution and the
  sources it credits, the settings, the column titles, the publication-wide datasets a plan
  page lists (name, title and files);
- the edition the footer names: the plan's own (the publication's only for a plan whose edition
  is not known), so a new edition in which a plan did not change leaves its pages as they are;
  with a division's template folder, the publication's edition too (its templates may show
  `site.version` on any page: never a stale one);
- the plan: its description (title, publisher, fiscal years, the descriptors of its sources),
  the digest of its records of every table (Description.plan_digests: publish's, made once from
  the rows it holds), its own datasets, and the initiatives of other plans its pages link to
  (their titles and plan folders) or that cite its own.
The page of a plan's dataset has an entry of its own, keyed by its plan's key and every value
the page is rendered from (its files' digests among them: dataset_shows).
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from pathlib import Path

from ...fingerprint import code_digest, library_versions, tree_digest
from ...partcache import PartCache, digest_of
from .context import Plan, Publication

LIBRARIES = ("jinja2", "markupsafe")


@cache
def code_version() -> str:
    return f"{code_digest()}:{library_versions(LIBRARIES)}"


def site_cache(folder: Path | None, templates: Path | None) -> PartCache:
    """The portal's entries in folder (None: no cache) for pages rendered with the project's
    templates behind a division's folder `templates` (if any)."""
    if folder is None:
        return PartCache(None)
    override = tree_digest(templates) if templates is not None else ""
    return PartCache(folder, f"{code_version()}:{override}")


class PageKeys:
    """The inputs digest of each plan's pages, computed once per plan (Writer.write computes
    them all before the page workers fork, which inherit them)."""

    def __init__(self, site: Publication, labels: dict, schedule_labels: dict, sites_title: str,
                 overridden: bool = False):
        self.site = site
        edition = (site.version, site.created) if overridden else ()
        self.shared = digest_of(edition,
            site.title, site.publisher, site.publisher_code, site.licence, site.attribution,
            list(site.credits.items()), site.cited, site.short_credit, labels,   # in order
            schedule_labels, sites_title, repr(replace(site.config, version="")),
            [dataset_shown(s) for s in site.datasets if s.plan is None])
        self.digests: dict[str, str] = {}
        self.datasets: dict[str, list[tuple]] = {}          # what each plan's pages list
        for spec in site.datasets:
            if spec.plan is not None:
                self.datasets.setdefault(spec.plan.plan_id, []).append(dataset_shown(spec))

    def of_plan(self, plan: Plan) -> str:
        digest = self.digests.get(plan.id)
        if digest is None:
            digest = self.digests[plan.id] = digest_of(self.shared, *self.plan_inputs(plan))
        return digest

    def plan_inputs(self, plan: Plan) -> tuple:
        site = self.site
        rows_digest = site.plan_digests[plan.id]
        own = [(plan.id, r["id"]) for r in plan.initiatives]
        linked = [(r.get("to_plan_id") or plan.id, r["to_id"])
                  for key in own for r in site.references_of.get(key, ()) if r.get("to_id")]
        citing = [(key, site.cited_by.get(key, ())) for key in own]
        linked += [source for _, sources_of in citing for source in sources_of]
        targets = sorted({(k, site.titles.get(k), site.plans[k[0]].slug if k[0] in site.plans
                           else None) for k in linked})
        datasets = self.datasets.get(plan.id, [])
        description = (plan.id, plan.slug, plan.title, plan.publisher, plan.publisher_code,
                       plan.start_year, plan.end_year, plan.sources)
        edition = plan.edition or (site.version, site.created)
        return description, edition, rows_digest, citing, targets, datasets


def dataset_shows(context: dict) -> list:
    """What the page of a plan's dataset shows beyond its plan's pages' inputs: every value it
    is rendered from (Pages.dataset_context: the dataset, its files with their bytes and
    SHA-256, the previews of its CSV files, its JSON-LD, edition, period, API links and
    attribution) but the plan, whose inputs the plan's key holds."""
    return [(key, value) for key, value in context.items() if key != "plan"]


def dataset_shown(spec) -> tuple:
    """What a plan page shows of a dataset it lists."""
    return spec.name, spec.title_ja, spec.plan is not None, [(f.format, f.path) for f in spec.files]

"""計画 and 発行者 as the datasets, the catalogue and the portal describe them: a plan's title,
publisher (an authority by its 全国地方公共団体コード), fiscal years, web page, source files and
edition, from what publish assembled (plan_info) or from a published folder's
datapackage.json (package_plans)."""

from __future__ import annotations

from dataclasses import dataclass

from ..assemble import Plan, english_title
from ..versions import PlanEdition, read_plan_editions


@dataclass(frozen=True)
class Publisher:
    """発行者: an authority by its 全国地方公共団体コード (code) and name (and its English
    name, when the manifest gives one)."""

    name: str
    code: str
    name_en: str = ""
    bbox: tuple[float, ...] = ()        # its area (west, south, east, north), when the manifest gives it


@dataclass(frozen=True)
class PlanInfo:
    """計画: what the datasets, the catalogue and the portal say of a plan: its title,
    publisher, fiscal years, web page, source files and its own edition (the version and date
    of the edition in which its records last changed, the date it was first published; empty
    for a folder published before plan editions, see versions.plan_editions)."""

    plan_id: str
    title: str
    publisher: Publisher | None
    start_year: int | None          # fiscal years of the plan
    end_year: int | None
    page: str
    sources: tuple[str, ...]        # its source files, in source order
    version: str = ""
    issued: str = ""                # ISO timestamps, like datapackage.json `created`
    modified: str = ""
    title_en: str = ""              # "" when the manifest gives none

    @property
    def period(self) -> tuple[str, str] | None:
        """The fiscal years as ISO dates: FY N runs from N-04-01 to (N+1)-03-31."""
        if self.start_year is None:
            return None
        return f"{self.start_year}-04-01", f"{(self.end_year or self.start_year) + 1}-03-31"


def plan_info(plan: Plan, edition: PlanEdition | None = None) -> PlanInfo:
    """The description of a plan as publish assembled it from the sources (assemble.py), with
    its edition."""
    publisher = Publisher(plan.publisher, plan.publisher_code, plan.publisher_en, plan.publisher_bbox) \
        if plan.publisher else None
    return PlanInfo(plan.plan_id, plan.title or plan.plan_id, publisher, plan.period_start_fy,
                    plan.period_end_fy, plan.page, plan.sources, *_edition_fields(edition),
                    title_en=plan.title_en)


def _edition_fields(edition: PlanEdition | None) -> tuple[str, str, str]:
    return (edition.version, edition.issued, edition.modified) if edition else ("", "", "")


def package_plans(package: dict) -> dict[str, PlanInfo]:
    """The plans of a published folder from its datapackage.json `sources`, in order of
    appearance (a command working from the folder has nothing else to read them from). Each of
    a plan's values is the first of its files that gives it, as assemble.group_plans takes it
    (a file may leave out what another file of its plan gives)."""
    grouped: dict[str, list[dict]] = {}
    for source in package.get("sources", []):
        if source.get("plan_id"):
            grouped.setdefault(source["plan_id"], []).append(source)
    plans, editions = {}, read_plan_editions(package)
    for plan_id, sources in grouped.items():
        def given(key: str):
            return next((s[key] for s in sources if s.get(key)), None)
        first = sources[0]
        publisher = Publisher(given("publisher"), given("publisher_code") or "",
                              given("publisher_en") or "", tuple(given("publisher_bbox") or ())) \
            if given("publisher") else None
        period = given("period") or {}
        plans[plan_id] = PlanInfo(plan_id, given("plan_title") or first.get("title") or plan_id,
                                  publisher, period.get("start_fiscal_year"),
                                  period.get("end_fiscal_year"), source_page({"sources": sources}),
                                  tuple(s.get("file", "") for s in sources),
                                  *_edition_fields(editions.get(plan_id)),
                                  title_en=english_title(given("plan_title_en"), given("plan_title"),
                                                         first.get("title_en", "")))
    return plans


def fiscal_period(sources: list[dict]) -> tuple[str, str] | None:
    """The sources' fiscal years as dates: FY N runs from N-04-01 to (N+1)-03-31."""
    periods = [s["period"] for s in sources if s.get("period")]
    starts = [int(p["start_fiscal_year"]) for p in periods if p.get("start_fiscal_year")]
    ends = [int(p.get("end_fiscal_year") or p["start_fiscal_year"]) for p in periods
            if p.get("start_fiscal_year")]
    if not starts:
        return None
    return f"{min(starts)}-04-01", f"{max(ends) + 1}-03-31"


def source_page(package: dict) -> str:
    """The web page the sources are drawn from (CKAN `url`, DCAT landing page, Datasette's
    `source_url`) when they all are from one; "" when they are from several (the first would
    credit one plan or field alone) or from none."""
    pages = {source.get("path", "") for source in package.get("sources", [])}
    page = pages.pop() if len(pages) == 1 else ""
    return page if page.startswith(("http://", "https://")) else ""

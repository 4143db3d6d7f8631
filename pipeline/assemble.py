"""Merge the documents of several sources into one publication and check them together.

A publication holds many plans (計画) of many publishers (発行者, identified by their
全国地方公共団体コード). Files with the same `plan_id` in the manifest are one plan; every plan
numbers its initiatives from `1-1-1`, so an initiative is identified by (plan_id, id) and
references (参考) resolve inside their own plan only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errors import ExtractionError
from .model import TABLES, Document
from .sources import SourceDocument


@dataclass(frozen=True)
class Plan:
    """計画: one plan of one publisher, possibly printed over several source files."""

    plan_id: str
    title: str
    title_en: str                   # "" when the manifest gives no English title
    publisher: str
    publisher_en: str
    publisher_code: str
    publisher_bbox: tuple[float, ...]      # the authority's area (west, south, east, north), or ()
    period_start_fy: int | None
    period_end_fy: int | None
    page: str
    sources: tuple[str, ...]       # file names, in source order


@dataclass
class Publication:
    """All records of a publication, table by table, plus the sources and plans they came from."""

    sources: list[SourceDocument]
    tables: dict[str, list] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)       # of every source, in source order
    plans: dict[str, Plan] = field(default_factory=dict)
    source_warnings: dict[str, list[str]] = field(default_factory=dict)    # by source name


def assemble(sources: list[SourceDocument], documents: list[Document]) -> Publication:
    """One publication from per-file documents (in source order): every record gets its
    plan's id; an initiative id may occur once per plan. Each source's warnings: its
    document's, the gaps in its item numbers no other file of its plan fills, and its
    references to initiatives not in its plan."""
    publication = Publication(sources, plans=group_plans(sources))
    owners: dict[tuple[str, str], tuple[str, str]] = {}
    for source, document in zip(sources, documents):
        plan_id = source.meta.plan_id
        for table in TABLES:
            for record in getattr(document, table):
                record.plan_id = plan_id
        for kind, records in KEYED:
            for record in getattr(document, records):
                _own(owners, kind, plan_id, record, source)
    for table in TABLES:
        publication.tables[table] = [record for d in documents for record in getattr(d, table)]
    items: dict[str, set[tuple[int, int]]] = {}
    known = {(plan_id, ident) for kind, plan_id, ident in owners if kind == "initiative"}
    # what fills a gap in a file's numbering: an initiative's id or its item's (`2-2`)
    filled = {(plan_id, filler) for plan_id, ident in known
              for filler in (ident, ident.rpartition("-")[0])}
    for source, document in zip(sources, documents):
        items.setdefault(source.meta.plan_id, set()).update(document.items)
    for source, document in zip(sources, documents):     # a gap another file fills is none
        covered = items[source.meta.plan_id]
        gaps = {warning for filler, warning in document.numbering_gaps
                if (source.meta.plan_id, filler) in filled}
        warnings = publication.source_warnings[source.name] = [
            *(warning for warning in document.warnings if warning not in gaps),
            *_schedule_gaps(document, publication.plans[source.meta.plan_id], str(source.path)),
            *(gap for field, item, gap in _item_gaps(document.items, str(source.path))
              if (field, item) not in covered),
            *_resolve_references(document.references, known, str(source.path))]
        publication.warnings += warnings
    return publication


KEYED = (("initiative", "initiatives"), ("section", "sections"), ("site", "sites"))  # by id


def _own(owners: dict, kind: str, plan_id: str, record, source: SourceDocument) -> None:
    """A record's id, once in its plan: the same id twice is an error naming both places (a
    page printed again in another file of the plan, a field's site list split over two files,
    which number their sites from 1 each)."""
    key, where = (kind, plan_id, record.id), (record.source, record.source_lines.split("-")[0])
    if key in owners:
        raise ExtractionError(f"{kind} {record.id} of plan {plan_id} appears in both "
                              f"{':'.join(owners[key])} and {':'.join(where)}", source.path,
                              int(where[1]))
    owners[key] = where


def _item_gaps(items: list[tuple[int, int]], path: str) -> list[tuple[int, int, str]]:
    """(field, item, warning) for every item number missing below the highest of its field in
    one file's (分野, 項目) numbers (a field's items may also come in several files of one plan:
    assemble keeps the gaps none of them fills)."""
    by_field: dict[int, set[int]] = {}
    for field, item in items:
        by_field.setdefault(field, set()).add(item)
    return [(field, missing, f"{path}: item {field}-{missing} is missing: field {field} numbers "
                             f"its items up to {max(numbers)}")
            for field, numbers in by_field.items()
            for missing in sorted(set(range(1, max(numbers) + 1)) - numbers)]


def _schedule_gaps(document: Document, plan: Plan, path: str) -> list[str]:
    """A warning for each initiative whose schedule (スケジュール) prints no column for a fiscal
    year of its plan's period (sources.toml): a column the text lost, as a converter may drop
    a table's last one. Nothing is made up for it. A schedule with a fiscal year not read (its
    year printed without an era: named by the extraction) is not told to lack one."""
    if plan.period_start_fy is None or plan.period_end_fy is None:
        return []
    printed: dict[str, list] = {}
    for row in document.schedules:
        printed.setdefault(row.initiative_id, []).append(row)
    warnings = []
    for initiative in document.initiatives:
        rows = printed.get(initiative.id)
        if not rows or any(row.fiscal_year is None for row in rows):
            continue            # no schedule, none read, or a year not read: warned of
        years = {r.fiscal_year for r in rows if not r.period.startswith(("～", "~"))}
        until = max((r.fiscal_year or 0 for r in rows if r.period.startswith(("～", "~"))), default=0)
        missing = [year for year in range(plan.period_start_fy, plan.period_end_fy + 1)
                   if year not in years and year > until]
        if missing:
            warnings.append(
                f"{path}:{initiative.source_lines.split('-')[0]}: initiative {initiative.id} "
                f"「{initiative.title}」: the schedule at lines {rows[0].source_lines} prints no "
                f"column for fiscal year{'s' * (len(missing) > 1)} {', '.join(map(str, missing))} of "
                f"the plan's period {plan.period_start_fy}–{plan.period_end_fy} (sources.toml); "
                "nothing is published for it (a column lost in the text?)")
    return warnings


def group_plans(sources: list[SourceDocument]) -> dict[str, Plan]:
    """The plans of the sources by plan_id, in order of first appearance (their files agree:
    sourceplans.check_plans)."""
    members: dict[str, list[SourceDocument]] = {}
    for source in sources:
        members.setdefault(source.meta.plan_id, []).append(source)
    plans = {}
    for plan_id, files in members.items():
        first = files[0].meta

        def first_set(key: str):
            return next((getattr(f.meta, key) for f in files if getattr(f.meta, key)), None)
        pages = {f.meta.page for f in files}        # its page: that of every file, if one
        plans[plan_id] = Plan(plan_id, first_set("plan_title") or first.title,
                              english_title(first_set("plan_title_en"), first_set("plan_title"),
                                            first.title_en),
                              first_set("publisher") or "", first_set("publisher_en") or "",
                              first_set("publisher_code") or "", first_set("publisher_bbox") or (),
                              first_set("period_start_fy"),
                              first_set("period_end_fy"), pages.pop() if len(pages) == 1 else "",
                              tuple(f.name for f in files))
    return plans


def english_title(plan_title_en: str | None, plan_title: str | None, title_en: str) -> str:
    """A plan's English title: its plan_title_en, else (as its Japanese title falls back to
    its first file's title) its first file's title_en where it has no plan_title; else ""."""
    return plan_title_en or ("" if plan_title else title_en)


def _resolve_references(references: list, known: set[tuple[str, str]], path: str) -> list[str]:
    """Link each cited initiative number to an initiative of the same plan, if present; a
    warning (naming the file by `path`, as its other warnings do) for each one that is not."""
    warnings = []
    for reference in references:
        if reference.cited_id and (reference.plan_id, reference.cited_id) not in known:
            reference.to_id = reference.to_plan_id = None
            warnings.append(f"{path}:{reference.source_lines.split('-')[0]}: "
                            f"{reference.from_id} cites {reference.cited_id}, which is not in plan "
                            f"{reference.plan_id} as published (kept as cited_id only)")
        else:
            reference.to_id = reference.cited_id
            reference.to_plan_id = reference.plan_id if reference.cited_id else None
    return warnings

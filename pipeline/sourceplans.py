"""The plans the source files make, checked across files before any text is extracted.

Files with one plan_id are one plan (計画). What would make plans nobody asked for, or merge
what the manifest keeps apart, is one ConfigError naming both files and, where an entry says
it, the line of its key in sources.toml:
- two ids that differ only in case, or that give one dataset name;
- a file without an entry whose name gives the plan id of another file (`第2分野.txt` and
  `分野2.txt` both give `2`): such a file is a plan of its own;
- files of one plan that disagree on its title, publisher (Japanese or English name), code, area
  (publisher_bbox) or period;
- one 全国地方公共団体コード (publisher_code) under two publisher names (or English names, or
  areas): one code is one authority, whose organisation, URIs and pages are keyed by it;
- an area (publisher_bbox) for the publication's own publisher other than its spatial_bbox.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .config import toml_line
from .errors import ConfigError
from .names import ascii_name, publisher_name

if TYPE_CHECKING:
    from .sources import SourceDocument, SourceMeta

PLAN_KEYS = ("plan_title", "plan_title_en", "publisher", "publisher_en", "publisher_code",
             "publisher_bbox", "period_start_fy", "period_end_fy")


def check_plans(sources: list[SourceDocument], manifest: dict[str, SourceMeta], path: Path,
                named_by_file: bool, operator: tuple[str, str, tuple[float, ...]] = ("", "", ())
                ) -> None:
    """The checks above, of the sources and their manifest (read from `path`); `named_by_file`:
    a file without an entry takes its plan id from its name (no `plan_id` in
    [publication.default_source]); `operator`: the publication's publisher, publisher_code
    and spatial_bbox (pipeline.toml), the area an entry of that publisher may give."""
    lines = _EntryLines(path, manifest)
    check_plan_ids(sources, lines)
    if named_by_file:
        _check_named_by_file(sources, lines)
    _check_agreement(sources, lines)
    _check_publishers(sources, lines)
    _check_operator_area(sources, lines, *operator)


class _EntryLines:
    """The line of a key in a file's [[source]] entry (None for a file without one)."""

    def __init__(self, path: Path, manifest: dict[str, SourceMeta]):
        self.path = path
        self.numbers = {name: number for number, name in enumerate(manifest, 1)}

    def of(self, source: SourceDocument, key: str) -> int | None:
        number = self.numbers.get(source.name)
        return None if number is None else toml_line(self.path, "source", number, key)

    def refuse(self, message: str, source: SourceDocument, key: str) -> ConfigError:
        return ConfigError(message, self.path, self.of(source, key))


def check_plan_ids(sources: list[SourceDocument], lines: _EntryLines) -> None:
    """Two plans whose ids differ only in case would share their files' names on a
    case-insensitive disk and their resources' names (lowercase) in datapackage.json; two
    whose ids differ only in '.' and '-', or after their 95th character, their datasets' names
    (`plan-p-1` for p.1 and p-1: CKAN's lowercase letters, digits, '-' and '_', at most 100)."""
    seen: dict[str, SourceDocument] = {}
    for source in sources:
        plan_id = source.meta.plan_id
        first = seen.setdefault(ascii_name("plan", plan_id), source)
        if first.meta.plan_id == plan_id:
            continue
        what = ("differ only in case; give them one id, or two that differ in more than case"
                if first.meta.plan_id.lower() == plan_id.lower() else
                f"give their datasets one name, {ascii_name('plan', plan_id)}; give them one id, "
                "or two that differ in more than '.', '-' and case within 95 characters")
        raise lines.refuse(f"plan_id: {first.meta.plan_id!r} ({first.name}) and {plan_id!r} "
                           f"({source.name}) {what}", source, "plan_id")


def _by_plan(sources: list[SourceDocument]) -> dict[str, list[SourceDocument]]:
    plans: dict[str, list[SourceDocument]] = {}
    for source in sources:
        plans.setdefault(source.meta.plan_id, []).append(source)
    return plans


def _check_named_by_file(sources: list[SourceDocument], lines: _EntryLines) -> None:
    for plan_id, files in _by_plan(sources).items():
        unlisted = [source for source in files if not source.meta.in_manifest]
        if unlisted and len(files) > 1:
            other = next(source for source in files if source is not unlisted[0])
            raise lines.refuse(
                f"{unlisted[0].name} has no entry in {lines.path.name} and its name gives plan_id "
                f"{plan_id!r}, the plan of {other.name} too: a file without an entry is a plan "
                f"of its own; give it a [[source]] entry with its plan_id (the same as "
                f"{other.name}'s if they are one plan)", other, "plan_id")


def _check_agreement(sources: list[SourceDocument], lines: _EntryLines) -> None:
    """Each key's values given by the files of a plan (a file may leave one out) are one."""
    for plan_id, files in _by_plan(sources).items():
        for key in PLAN_KEYS:
            given = [(source, getattr(source.meta, key)) for source in files
                     if getattr(source.meta, key)]
            (first, mine), *rest = given or [(None, None)]
            other, theirs = next(((s, value) for s, value in rest if value != mine), (None, None))
            if other is not None:
                raise lines.refuse(f"plan {plan_id}: {key} is {mine!r} for {first.name} but "
                                   f"{theirs!r} for {other.name} (files of one plan must agree)",
                                   other, key)


def _check_publishers(sources: list[SourceDocument], lines: _EntryLines) -> None:
    """One authority (its code, or its name where no code is given, as its organisation and
    location are keyed) has one name, English name and area in every entry giving them."""
    for key in ("publisher", "publisher_en", "publisher_bbox"):
        named: dict[str, SourceDocument] = {}
        for source in sources:
            meta, value = source.meta, getattr(source.meta, key)
            authority = meta.publisher_code or meta.publisher
            first = named.setdefault(authority, source) if authority and value else source
            if getattr(first.meta, key) != value:
                which = (f"publisher_code {meta.publisher_code}" if meta.publisher_code else
                         f"publisher {meta.publisher} (without publisher_code)")
                raise lines.refuse(
                    f"{which}: {key} is {getattr(first.meta, key)!r} for {first.name} but "
                    f"{value!r} for {source.name} (one authority, whose organisation and pages "
                    f"are keyed by its code or name: give its entries one {key})", source, key)


def _check_operator_area(sources: list[SourceDocument], lines: _EntryLines, name: str,
                         code: str, bbox: tuple[float, ...]) -> None:
    """The operator's area is spatial_bbox, which the catalogue gives its location: an entry of
    the operator (its code, or without one its name: names.publisher_name) giving another
    publisher_bbox would state a second area for one authority."""
    operator = publisher_name(name, code)
    for source in sources:
        meta, given = source.meta, source.meta.publisher_bbox
        if operator and publisher_name(meta.publisher, meta.publisher_code) == operator \
                and given and given != tuple(bbox):
            raise lines.refuse(
                f"{f'publisher_code {code}' if code else f'publisher {name}'}: publisher_bbox is "
                f"{given!r} for {source.name}, but the publication's publisher's area is "
                f"spatial_bbox {tuple(bbox)!r} in the settings: give it there (or leave "
                "publisher_bbox out)", source, "publisher_bbox")

"""Editions: compare a new build with the previous publication, choose its version and
describe what changed (changes.json, CHANGELOG.md).

Content is compared table by table, record by record (by primary key), on the published
JSON records, so a publish with no content change keeps the previous version and dates.

Each plan (計画) has its own edition too (`plan_editions` of datapackage.json): the version and
date of the edition in which its records last changed, and the date it was first published, so
that a plan nobody touched keeps its dates while another plan of the publication changes.
`plan_digests` states a digest of each plan's rows: the next publish compares only the plans
whose digest differs, reading their records from the plans' own JSON files. The publication
itself states the date it was first issued (`issued`, see first_issued), which every edition
carries on: its combined datasets and its catalogue keep it while `created` moves.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import VERSION
from .errors import PipelineError, describe
from .jsonfile import write_json
from .rdf import PLANS_DIR
from .schema import json_value

CHANGES_FILE, CHANGELOG_FILE = "changes.json", "CHANGELOG.md"
# Where a record was read from: a change here alone is listed only as a count.
PROVENANCE_COLUMNS = ("source", "source_lines")


@dataclass
class Previous:
    version: str
    created: str
    tables: dict[str, list[dict]]
    changes: str | None
    changelog: str | None
    identifiers_changed: bool = False     # keyed by plan since this edition (see with_plan_ids)
    plan_editions: dict[str, "PlanEdition"] = field(default_factory=dict)
    compared: list[str] | None = None     # the plans whose records `tables` holds (None: all)
    issued: str = ""                      # the date the publication was first issued (first_issued)


IDENTIFIERS_NOTE = ("識別子の変更 (identifiers changed, content unchanged): every record now "
                    "carries its plan_id and is keyed by (plan_id, id); linked-data URIs moved "
                    "from BASE/initiative/{id} to BASE/plan/{plan_id}/initiative/{id} (likewise "
                    "indicators, sections, sites, fields and items), and organisations are minted "
                    "under their publisher (BASE/organization/lg-{code}/…)")


def with_plan_ids(previous: Previous, plan_of_source: dict[str, str]) -> Previous:
    """A previous edition from before plans were identified: each record gets the plan of the
    file it was read from (its `source`), a resolved reference its own plan, so that records
    are compared by content; the edition then notes that identifiers changed."""
    initiatives = previous.tables.get("initiatives", [])
    if not initiatives or "plan_id" in initiatives[0]:
        return previous
    for records in previous.tables.values():
        for record in records:
            record["plan_id"] = plan_of_source.get(record.get("source"))
            if "to_id" in record:
                record["to_plan_id"] = record["plan_id"] if record["to_id"] else None
    previous.identifiers_changed = True
    return previous


@dataclass
class Edition:
    version: str
    created: str
    changes: dict | None          # None: same content as the previous publication
    plans: dict[str, dict] = field(default_factory=dict)    # plan_id -> PlanEdition.as_dict()
    shown: dict[str, str] = field(default_factory=dict)     # Described.shown
    issued: str = ""              # the date the publication was first issued (first_issued)


@dataclass(frozen=True)
class PlanEdition:
    """A plan's own edition: the version and date (ISO) of the edition in which its records
    last changed, and the date of the edition that first published it."""

    version: str
    issued: str
    modified: str

    def as_dict(self) -> dict:
        return {"version": self.version, "issued": self.issued, "modified": self.modified}


PLAN_EDITIONS_KEY = "plan_editions"      # datapackage.json: {plan_id: PlanEdition.as_dict()}
PLAN_DIGESTS_KEY = "plan_digests"        # datapackage.json: {plan_id: digest of its rows}


def read_plan_editions(package: dict | None) -> dict[str, PlanEdition]:
    """The plans' editions a datapackage.json states; entries not of the expected shape are
    left out (their plan then counts as without history)."""
    found = (package or {}).get(PLAN_EDITIONS_KEY)
    editions = {}
    for plan_id, entry in (found.items() if isinstance(found, dict) else ()):
        values = [entry.get(k) for k in ("version", "issued", "modified")] \
            if isinstance(entry, dict) else []
        if values and all(isinstance(v, str) and v for v in values):
            editions[plan_id] = PlanEdition(*values)
    return editions


ISSUED_KEY = "issued"       # datapackage.json: the date the publication was first issued


def first_issued(package: dict) -> str:
    """The date (ISO) a publication was first issued, as its datapackage.json states it
    (`issued`). A publication from before it was stated gives the earliest date it states of
    an edition it was published in: the earliest `issued` of its plans' editions (a plan's
    first date, carried from edition to edition), or its `created` when that is earlier or
    it has no plan editions. Its catalogue's `dct:issued` is no better: it was `created`,
    moved with every edition. A plan since removed took its date with it, so the date may be
    later than the first edition, never earlier."""
    stated = package.get(ISSUED_KEY)
    if isinstance(stated, str) and TIMESTAMP.fullmatch(stated):
        return stated
    created = package.get("created", "")
    dates = [edition.issued for edition in read_plan_editions(package).values()
             if TIMESTAMP.fullmatch(edition.issued)]
    return min([*dates, created] if created else dates, default="")


def plan_editions(plan_ids: list[str], changed: set[str] | None, version: str, created: str,
                  previous: Previous | None) -> dict[str, dict]:
    """Each plan's edition in a new edition (`version`, `created`): a changed plan (all of them
    when `changed` is None) takes the new edition's version and date and keeps its first date;
    an unchanged one keeps its edition. An unchanged plan without history (a publication from
    before plan editions) keeps what that publication stated for it: its version and date."""
    before = previous.plan_editions if previous else {}
    editions = {}
    for plan_id in plan_ids:
        old = before.get(plan_id)
        if changed is None or plan_id in changed or previous is None:
            edition = PlanEdition(version, old.issued if old else created, created)
        else:
            edition = old or PlanEdition(previous.version, previous.created, previous.created)
        editions[plan_id] = edition.as_dict()
    return editions


def load_previous(out_dir: Path, package: dict | None, tables: list[str],
                  digests: dict[str, str] | None = None) -> Previous | None:
    """The previous publication in out_dir (its datapackage.json read as `package`, None when
    there is none): its version, date and records; None when there is none. With the new
    edition's plan digests (pieces.plan_digests), only the records of the plans whose digest
    differs (changed, added or removed plans) are read, from the plans' own JSON files."""
    if package is None:
        return None
    published = package.get(PLAN_DIGESTS_KEY)
    compared = plans_to_compare(published, digests)
    try:
        records = {t: _records(out_dir / f"{t}.json") for t in tables} if compared is None else \
            {t: [r for plan in compared if plan in published
                 for r in _records(out_dir / PLANS_DIR / plan / f"{t}.json")] for t in tables}
    except (OSError, ValueError, KeyError, TypeError):
        if compared is not None:        # a plan's file is unreadable: compare every record
            return load_previous(out_dir, package, tables)
        return None
    version = package.get("version", "0.0.0")
    if not isinstance(version, str) or not VERSION.fullmatch(version):
        raise PipelineError(f"version {version!r} is not numbers joined by dots, as this pipeline "
                            "writes it: a damaged publication? (restore it, or publish into a new "
                            "folder)", out_dir / "datapackage.json")
    return Previous(version, package.get("created", ""), records,
                    _read(out_dir / CHANGES_FILE), _read(out_dir / CHANGELOG_FILE),
                    plan_editions=read_plan_editions(package), compared=compared,
                    issued=first_issued(package))


def plans_to_compare(before, digests: dict[str, str] | None) -> list[str] | None:
    """The plans of either edition whose digests differ (or which only one of them has); None
    (compare every record) when either edition states no digests (`before`: the published
    edition's `plan_digests`, as read)."""
    if not digests or not isinstance(before, dict) or not before:
        return None
    return [plan for plan in before if before[plan] != digests.get(plan)] + \
        [plan for plan in digests if plan not in before]


def _records(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["records"]


def _read(path: Path) -> str | None:
    """The text of a change report the next edition carries on (None: there is none)."""
    if not path.exists() and not path.is_symlink():
        return None
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:      # never dropped: the history goes on there
        raise PipelineError(f"cannot be read as UTF-8 text ({describe(error)}): the editions' "
                            "history goes on in it; restore it, or publish into a new folder",
                            path) from None


def records_as_json(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """Every table's rows with the values <table>.json holds (dates ISO, empty null), as dicts;
    compared with the previous edition's and shown by the portal."""
    return {table: table_records(table_rows) for table, table_rows in rows.items()}


def table_records(rows: list[dict]) -> list[dict]:
    """A table's rows (or some of them) as records_as_json gives them."""
    return [{k: (v or None) if v.__class__ is str else json_value(v)   # str: inline
             for k, v in row.items()} for row in rows]


def plan_rows(rows: dict[str, list[dict]], plans: set[str]) -> dict[str, list[dict]]:
    """The rows of these plans in every table."""
    return {t: [row for row in table if row["plan_id"] in plans] for t, table in rows.items()}


def diff_tables(old: dict[str, list[dict]], new: dict[str, list[dict]],
                schemas: dict[str, dict]) -> dict[str, dict]:
    """Per table: keys added and removed, and (key, column, old, new) for changed values; a
    column the Table Schema added (or removed) since the previous edition is named once, with
    the keys of the records that have a value in it, instead of a change of every record."""
    report = {}
    for table, schema in schemas.items():
        key_fields = schema["primaryKey"]
        before = {_key(r, key_fields): r for r in old.get(table, [])}
        after = {_key(r, key_fields): r for r in new.get(table, [])}
        names = [f["name"] for f in schema["fields"]]
        known = next(iter(before.values()), None)       # (the records' keys: its columns)
        added = [name for name in names if known is not None and name not in known]
        removed = [name for name in known or () if name not in names]
        changed = [{"key": key, "column": column, "old": before[key].get(column), "new": value}
                   for key in after if key in before
                   for column, value in after[key].items()
                   if column not in added and before[key].get(column) != value]
        moved = sorted({c["key"] for c in changed if c["column"] in PROVENANCE_COLUMNS})
        entry = {"added": [k for k in after if k not in before],
                 "removed": [k for k in before if k not in after],
                 "changed": [c for c in changed if c["column"] not in PROVENANCE_COLUMNS],
                 "provenance_changed": moved}
        if added or removed:
            entry.update(columns_added=added, columns_removed=removed, filled=[
                key for key in after if key in before
                and any(after[key].get(name) is not None for name in added)])
        if any(entry.values()):
            report[table] = entry
    return report


def _key(record: dict, fields: list[str]) -> str:
    return "/".join(str(record.get(f)) for f in fields)


def next_version(version: str) -> str:
    """1.0.0 -> 1.0.1: every content change is a new edition."""
    parts = version.split(".")
    if parts and parts[-1].isdigit():
        return ".".join(parts[:-1] + [str(int(parts[-1]) + 1)])
    return f"{version}.1"


def _numeric(version: str) -> tuple:
    return tuple(int(p) if p.isdigit() else 0 for p in version.split("."))


def choose_edition(previous: Previous | None, rows: dict[str, list[dict]],
                   schemas: dict[str, dict], base_version: str, now: str,
                   plan_ids: list[str] = (), described: Described | None = None) -> Edition:
    """The version, change report and plans' editions of a new edition: the rows (table ->
    rows) compared with the previous edition's records (as records_as_json gives them), and
    how its description differs (described_changes). The publication keeps the date it was
    first issued (a first edition: its own date)."""
    described = described or Described()
    edition = _edition(previous, rows, schemas, base_version, now, described)
    if edition.changes is None:         # the same content: every plan keeps its edition
        changed: set[str] | None = set()
    else:                               # no list of plans: every plan is new or changed
        changed = set(edition.changes["plans"]) if "plans" in edition.changes else None
    edition.plans = plan_editions(list(plan_ids), changed, edition.version, edition.created,
                                  previous)
    if edition.changes is not None and previous is not None and previous.plan_editions:
        _plans_come_and_gone(edition.changes, list(previous.plan_editions), list(plan_ids))
    edition.shown = described.shown
    edition.issued = previous.issued if previous and previous.issued else edition.created
    return edition


def _plans_come_and_gone(changes: dict, before: list[str], after: list[str]) -> None:
    """Say in a change report the plans an edition adds (`plans_added`) and withdraws
    (`plans_removed`), which its records' changes show only as every record added or removed."""
    added, removed = [p for p in after if p not in before], [p for p in before if p not in after]
    if added:
        changes["plans_added"] = added
    if removed:
        changes["plans_removed"] = removed


TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")     # as created_timestamp writes it
# What datapackage.json says of the publication that a data user reads as its description (a
# change to any is a new edition, as a change to a record is), besides each source's entry.
DESCRIBED_KEYS = ("title", "description", "language", "keywords", "licenses", "attribution",
                  "contributors")
SOURCE_TEXT = ("sha256", "bytes", "encoding")     # a source's text, not its description
# Of DESCRIBED_KEYS, those made from the sources' entries (the credit of each source): a
# change concerns the plans of the sources whose entries changed, not every plan.
FROM_SOURCES = ("attribution",)


@dataclass
class Described:
    """How the new edition's description differs from the published one's: one line per
    difference (`licenses: … → …`) and the plans they concern (None: the publication's own
    description, so every plan's); and by plan, the sources whose text changed (said only for
    a plan whose records did not: their changes say it otherwise)."""
    lines: list[str] = field(default_factory=list)
    plans: set[str] | None = field(default_factory=set)
    texts: dict[str, list[str]] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)     # line -> as CHANGELOG.md shows it

    def change(self, what: str, old, new) -> str:
        """The line of a value changed, both values whole (as changes.json states it); noted
        in `shown` with the part that differs (as CHANGELOG.md shows it)."""
        line = f"{what}: {_text(old)} → {_text(new)}"
        self.shown[line] = f"{what}: {_shown_change(old, new)}"
        return line

    def beside(self, changed: set[str]) -> tuple[list[str], set[str] | None]:
        """The lines to report beside the records' changes of the plans `changed`, and the
        plans they concern (None: every plan)."""
        texts = {plan: lines for plan, lines in self.texts.items() if plan not in changed}
        lines = self.lines + [line for plan_lines in texts.values() for line in plan_lines]
        return lines, None if self.plans is None else {*self.plans, *texts}


def described_changes(published: dict | None, head: dict, plan_of: dict[str, str]) -> Described:
    """`head` (the new datapackage.json's descriptor, package_head) against the published
    one's: its DESCRIBED_KEYS, and each source's entry of a file in both (a file added or
    removed changes the records). plan_of: file name -> plan_id. A change of the publication's
    own description concerns every plan; of a source's entry, or of what the entries make
    (FROM_SOURCES), the plans of the sources whose entries differ or which came or went."""
    found = Described()
    if not isinstance(published, dict):
        return found
    keys = [key for key in DESCRIBED_KEYS if published.get(key) != head.get(key)]
    found.lines = [found.change(key, published.get(key), head.get(key)) for key in keys]
    before = {s.get("file"): s for s in published.get("sources") or () if isinstance(s, dict)}
    for source in head.get("sources", []):
        _source_changes(found, before.get(source["file"]), source, plan_of.get(source["file"], ""))
    sourced = _plans_of_entries(before, head.get("sources", []), plan_of)
    if any(key not in FROM_SOURCES for key in keys) or (keys and not sourced):
        found.plans = None              # the publication's own description: every plan's
    elif keys:
        found.plans |= sourced
    return found


def _source_changes(found: Described, old: dict | None, source: dict, plan: str) -> None:
    """Add to `found` how a source's entry (`source`, of `plan`) differs from the published
    one (`old`; None: the file is new), and whether its text does."""
    keys = [*source, *(k for k in old or () if k not in source)]     # (a key left out too)
    changed = [k for k in keys if old is not None and old.get(k) != source.get(k)]
    described = [found.change(f"sources {source['file']} {k}", old.get(k), source.get(k))
                 for k in changed if k not in SOURCE_TEXT]
    found.lines += described
    if described:
        found.plans.add(plan)
    if any(k in SOURCE_TEXT for k in changed):
        found.texts.setdefault(plan, []).append(
            f"sources {source['file']}: its text changed, not its records "
            f"(sha256 {source['sha256']})")


def _plans_of_entries(before: dict[str, dict], sources: list[dict],
                      plan_of: dict[str, str]) -> set[str] | None:
    """The plans of the sources whose entries (SOURCE_TEXT aside) differ from the published
    ones (`before`: by file), or which only one edition has; None when one of them has no
    known plan (a publication from before plan ids)."""
    after = {source["file"]: source for source in sources}
    files = [f for f in {*before, *after} if _entry(before.get(f)) != _entry(after.get(f))]
    plans = {plan_of.get(f) if f in after else before[f].get("plan_id") for f in files}
    return None if None in plans else plans


def _entry(source: dict | None) -> dict | None:
    return None if source is None else {k: v for k, v in source.items() if k not in SOURCE_TEXT}


def _edition(previous: Previous | None, rows: dict[str, list[dict]],
             schemas: dict[str, dict], base_version: str, now: str,
             described: Described) -> Edition:
    counts = {t: len(r) for t, r in rows.items()}
    if previous is not None and TIMESTAMP.fullmatch(previous.created or "") and \
            previous.created > now:     # (SOURCE_DATE_EPOCH older than the edition before)
        now = previous.created          # an edition is never dated before the one it follows
    if previous is None:
        return Edition(base_version, now, {"version": base_version, "previous_version": None,
                                           "created": now, "initial": True, "counts": counts})
    compared = rows if previous.compared is None else plan_rows(rows, set(previous.compared))
    tables = diff_tables(previous.tables, records_as_json(compared), schemas)
    if not tables and previous.identifiers_changed:
        version = max(next_version(previous.version), base_version, key=_numeric)
        return Edition(version, now, {"version": version, "previous_version": previous.version,
                                      "created": now, "initial": False, "tables": {},
                                      "identifiers": IDENTIFIERS_NOTE})
    lines, plans = described.beside(set(changed_plans(tables)))
    if not tables and lines:        # the same records, described otherwise
        version = max(next_version(previous.version), base_version, key=_numeric)
        changes = {"version": version, "previous_version": previous.version, "created": now,
                   "initial": False, "tables": {}, "described": lines}
        if plans is not None:
            changes["plans"] = sorted(plans)
        return Edition(version, now, changes)
    if not tables and previous.changelog is not None:
        return Edition(previous.version, previous.created, None)
    if not tables:                  # a publication from before change reports: start its history
        return Edition(previous.version, previous.created,
                       {"version": previous.version, "previous_version": None,
                        "created": previous.created, "initial": True, "counts": counts})
    version = max(next_version(previous.version), base_version, key=_numeric)
    changes = {"version": version, "previous_version": previous.version, "created": now,
               "initial": False, "plans": changed_plans(tables), "tables": tables}
    if lines:
        changes["described"] = lines
        if plans is None:
            del changes["plans"]            # every plan's description changed
        else:
            changes["plans"] = sorted({*changes["plans"], *plans})
    if previous.identifiers_changed:
        changes["identifiers"] = IDENTIFIERS_NOTE
    return Edition(version, now, changes)


def changed_plans(tables: dict[str, dict]) -> list[str]:
    """The plans with a change: every key starts with its plan_id (`miyagi-…/2-2-5/1`)."""
    keys = [k for entry in tables.values()
            for k in [*entry["added"], *entry["removed"], *entry["provenance_changed"],
                      *entry.get("filled", ()), *(c["key"] for c in entry["changed"])]]
    return sorted({key.split("/", 1)[0] for key in keys})


def write_change_report(out: Path, edition: Edition, previous: Previous | None, license: dict) -> None:
    """changes.json (the latest edition's changes) and CHANGELOG.md (all editions, newest first)."""
    if edition.changes is None and previous is not None:
        for name, text in ((CHANGES_FILE, previous.changes), (CHANGELOG_FILE, previous.changelog)):
            if text is not None:
                (out / name).write_text(text, encoding="utf-8")
        return
    changes = {**edition.changes, "license": license}
    write_json(out / CHANGES_FILE, changes)
    history = previous.changelog if previous and previous.changelog else "# CHANGELOG\n"
    head, _, rest = history.partition("\n")
    entry = changelog_entry(edition.changes, edition.shown)
    (out / CHANGELOG_FILE).write_text(f"{head}\n\n{entry}{rest.lstrip()}", encoding="utf-8")


def changelog_entry(changes: dict, shown: dict[str, str] | None = None) -> str:
    """An edition's section of CHANGELOG.md; `shown`: its `described` lines as they are shown
    (Described.shown: the part of a long value that differs)."""
    shown = shown or {}
    lines = [f"## {changes['version']} ({changes['created'][:10]})", ""]
    if changes.get("initial"):
        counts = ", ".join(f"{n} {t}" for t, n in changes["counts"].items())
        lines.append(f"- 初版 (first edition): {counts}")
    if changes.get("identifiers"):
        lines.append(f"- {changes['identifiers']}")
    lines += [f"- 説明の変更 (description changed): {shown.get(line, line)}"
              for line in changes.get("described", ())]
    if changes.get("plans"):
        lines.append(f"- 変更のあった計画 (plans changed): {', '.join(changes['plans'])}")
    if changes.get("plans_added"):
        lines.append(f"- 追加された計画 (plans added): {', '.join(changes['plans_added'])}")
    if changes.get("plans_removed"):
        lines.append(f"- 取り下げられた計画 (plans withdrawn): {', '.join(changes['plans_removed'])}")
    for table, entry in changes.get("tables", {}).items():
        if entry.get("columns_added"):
            lines.append(f"- {table}: 列の追加 (columns added): {', '.join(entry['columns_added'])}"
                         f" (a value in {len(entry['filled'])} record(s))")
        if entry.get("columns_removed"):
            lines.append(f"- {table}: 列の削除 (columns removed): "
                         f"{', '.join(entry['columns_removed'])}")
        for key in entry["added"]:
            lines.append(f"- {table} {key}: 追加 (added)")
        for key in entry["removed"]:
            lines.append(f"- {table} {key}: 削除 (removed)")
        for change in entry["changed"]:
            lines.append(f"- {table} {change['key']} {change['column']}: "
                         f"{_shown_change(change['old'], change['new'])}")
        if entry["provenance_changed"]:
            lines.append(f"- {table}: 出典ファイル・行の変更 (source file or lines changed) "
                         f"for {len(entry['provenance_changed'])} record(s)")
    return "\n".join(lines) + "\n\n"


# CHANGELOG.md shows a value of up to SHOWN_WIDTH characters whole, else the part that
# differs with SHOWN_CONTEXT characters either side.
SHOWN_WIDTH, SHOWN_CONTEXT = 80, 20


def _text(value) -> str:
    if value is None:
        return "(空)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _shown_change(old, new) -> str:
    """`old → new` as CHANGELOG.md shows it: whole when both are short, else the part that
    differs with SHOWN_CONTEXT characters either side, the common rest elided (…), so that
    the two sides always differ visibly."""
    before, after = _text(old), _text(new)
    if max(len(before), len(after)) <= SHOWN_WIDTH:
        return f"{before} → {after}"
    start = len(os.path.commonprefix([before, after]))
    end = len(os.path.commonprefix([before[start:][::-1], after[start:][::-1]]))
    return f"{_excerpt(before, start, end)} → {_excerpt(after, start, end)}"


def _excerpt(text: str, start: int, end: int) -> str:
    """The part of text between a common prefix of `start` characters and a common suffix of
    `end`, with SHOWN_CONTEXT characters either side, at most SHOWN_WIDTH of them."""
    head = max(0, start - SHOWN_CONTEXT)
    tail = min(len(text) - max(0, end - SHOWN_CONTEXT), head + SHOWN_WIDTH)
    return ("…" if head else "") + text[head:tail] + ("…" if tail < len(text) else "")

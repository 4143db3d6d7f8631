"""The tables validated in groups of whole plans (pipeline/validate_groups.py): the same findings,
named by the combined file and its row number, as frictionless finds in the whole tables; a
group's findings taken from the cache are those of a run without it; a damaged entry is
rebuilt; a change in one plan validates one group again."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil

import pytest

from benchmarks.corpus import write_corpus
from pipeline import validate_groups, validate_read
from pipeline.config import load_config
from pipeline.errors import ValidationFailed
from pipeline.export.package import write_tables_package
from pipeline.export.csv import csv_text
from pipeline.export.tables import table_rows
from assembled import build
from pipeline.partcache import CacheStats, PartCache
from pipeline.validate import _is_canonical_table, read_tables, validate_package
from pipeline.validate_read import KnownPlans
from pipeline.validate_groups import (is_plan_scoped, keys_checked_here, tables_cache, unit_groups,
                                      validate_tables, within_plan)

SMALL = 600         # rows of all tables per group: the corpus below makes several groups


@pytest.fixture(scope="module")
def written(tmp_path_factory, project_root):
    """The tables of a synthetic corpus of five plans (24 documents), as a publish writes them."""
    base = tmp_path_factory.mktemp("groups")
    write_corpus(base / "raw", 24)
    config = load_config(project_root / "pipeline.toml")
    publication = build(base / "raw", config, lambda message: None)
    write_tables_package(publication, table_rows(publication), config, base / "out",
                         "2024-01-01T00:00:00Z")
    return base / "out"


@pytest.fixture
def tables_of(monkeypatch):
    monkeypatch.setattr(validate_groups, "GROUP_ROWS", SMALL)

    def read(folder):
        descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
        tables = {}
        assert read_tables(folder, [r for r in descriptor["resources"]
                                    if _is_canonical_table(r)], tables) == []
        return list(tables.values())
    return read


def findings_of(folder, cache_dir=None):
    with pytest.raises(ValidationFailed) as failure:
        validate_package(folder, cache_dir=cache_dir)
    return failure.value.findings


def frictionless_whole(folder):
    """What frictionless finds validating the combined tables whole, as validate.py words it."""
    from frictionless import Package

    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = [{k: v for k, v in r.items() if k not in ("bytes", "hash")}
              for r in descriptor["resources"] if _is_canonical_table(r)]
    report = Package({"name": "whole", "resources": tables}, basepath=str(folder)).validate()
    lines = []
    for task in report.tasks:
        for error in task.errors:
            where = [task.name, f"row {error.row_number}"]
            if getattr(error, "field_name", None):
                where.append(f"column {error.field_name}")
            lines.append(f"{', '.join(where)}: {error.type}: {error.message}")
    return lines


def replace_cell(folder, table, plan, column, value) -> int:
    """Set a cell of the last row of plan in table.csv; returns that row's number (header: 1)."""
    path = folder / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    index = max(i for i, row in enumerate(rows) if row[0] == plan)
    rows[index][rows[0].index(column)] = value
    path.write_text(csv_text(rows[0], rows[1:]), encoding="utf-8", newline="")
    return index + 1


def test_the_schemas_hold_no_key_across_plans_but_the_references_to_other_plans(tables_of,
                                                                                 written):
    """Every primary key begins with plan_id and nothing is unique alone, so groups of whole
    plans are self-contained; the one foreign key that may leave its plan is checked here."""
    tables = {t.name: t for t in tables_of(written)}
    across = [(name, key["fields"]) for name, table in tables.items()
              for key in table.schema.get("foreignKeys", []) if not within_plan(key)]
    assert across == [("references", ["to_plan_id", "to_id"])]
    for name, table in tables.items():
        checked = keys_checked_here(table, tables)
        assert checked == table.schema.get("foreignKeys", [])
        assert is_plan_scoped(table.schema, checked)
        assert is_plan_scoped(table.schema, []) == (name != "references")
    assert not is_plan_scoped({"fields": [{"name": "id", "constraints": {"unique": True}}]}, [])
    assert not is_plan_scoped({"fields": [], "primaryKey": ["id"]}, [])


def test_a_valid_publication_is_valid_in_groups(tables_of, written):
    tables = tables_of(written)
    groups = unit_groups(list(range(5)), [[plan] for plan in plan_order(tables)], tables, SMALL)
    assert len(groups) >= 3 and sum(map(len, groups)) == 5
    findings, stats = validate_tables(tables, PartCache(None), SMALL)
    assert findings == [] and (stats.chunks_built, stats.chunks_reused) == (len(groups), 0)
    assert validate_package(written)[0] > 50


def plan_order(tables):
    return list(dict.fromkeys(plan for table in tables for plan in table.plans))


def test_a_bad_value_is_named_by_the_combined_file_and_row_as_frictionless_names_it(
        tables_of, written, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(written, out)
    late = plan_order(tables_of(out))[-1]     # the last plan: its row number counts the others
    number = replace_cell(out, "initiatives", late, "status", "新規")
    foreign = replace_cell(out, "references", late, "to_id", "9-9-9")
    findings = findings_of(out)
    status = [f for f in findings if "column status" in f]
    assert status == [f'initiatives, row {number}, column status: constraint-error: The cell '
                      f'"新規" in row at position "{number}" and field "status" at position "15" '
                      'does not conform to a constraint: constraint "enum" is "[\'新\', \'継続\']"']
    assert any(f.startswith(f"references, row {foreign}: foreign-key: ") and "9-9-9" in f
               for f in findings)
    assert "initiatives: initiatives.csv does not match its stated bytes/hash" in findings
    whole = frictionless_whole(out)
    assert sorted(f for f in findings if ", row " in f) == sorted(whole)


def test_rows_out_of_plan_order_are_an_error(tables_of, written, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(written, out)
    path = out / "sections.csv"
    lines = path.read_bytes().split(b"\r\n")
    lines[1], lines[-2] = lines[-2], lines[1]
    path.write_bytes(b"\r\n".join(lines))
    assert findings_of(out) == ["sections: sections.csv does not match its stated bytes/hash",
                                "sections: sections.csv does not hold its rows plan by plan in "
                                "the order of the other tables"]


def test_a_table_not_as_the_exporter_writes_it_is_an_error_and_still_validated(written, tmp_path):
    """Line ends changed (LF) and a bad value: both are found, the row counted as before."""
    out = tmp_path / "out"
    shutil.copytree(written, out)
    number = replace_cell(out, "initiatives", "pref02-plan-0002", "status", "新規")
    path = out / "initiatives.csv"
    path.write_bytes(path.read_bytes().replace(b"\r\n", b"\n"))
    findings = findings_of(out)
    assert "initiatives: initiatives.csv is not its header and rows as the CSV exporter writes " \
           "them" in findings
    assert any(f.startswith(f"initiatives, row {number}, column status: constraint-error")
               for f in findings)


def test_cached_findings_are_those_of_a_run_without_cache_and_a_cut_entry_is_rebuilt(
        tables_of, written, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(written, out)
    replace_cell(out, "indicators", plan_order(tables_of(out))[1], "seq", "0")
    uncached = findings_of(out)
    assert findings_of(out, cache) == uncached
    entries = sorted(cache.glob("table-unit-*"))          # (and the valid descriptors')
    assert len(entries) == 5                                    # one per plan
    assert findings_of(out, cache) == uncached                  # every plan from the cache
    findings, stats = validate_tables(tables_of(out), tables_cache(cache), SMALL)
    assert (stats.chunks_built, stats.chunks_reused) == (0, len(entries))
    entries[0].write_bytes(entries[0].read_bytes()[:-10])       # cut short: rebuilt, not used
    findings, stats = validate_tables(tables_of(out), tables_cache(cache), SMALL)
    assert (stats.chunks_built, stats.chunks_reused) == (1, len(entries) - 1)
    assert findings_of(out, cache) == uncached


def test_a_change_in_one_plan_validates_that_plan_alone(tables_of, written, tmp_path,
                                                        monkeypatch):
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(written, out)
    validate_package(out, cache_dir=cache)
    path = out / "initiatives.csv"
    path.write_bytes(path.read_bytes().replace("電子県庁".encode(), "電子県庁等".encode(), 1))
    validated = []
    errors = validate_groups._frictionless_errors
    monkeypatch.setattr(validate_groups, "_frictionless_errors", lambda tables, texts, schemas:
                        validated.append(texts["initiatives"].count("\r\n") - 1)
                        or errors(tables, texts, schemas))
    tables = tables_of(out)
    findings, stats = validate_tables(tables, tables_cache(cache), SMALL)
    assert findings == [] and (stats.chunks_built, stats.chunks_reused) == (1, 4)
    changed = next(t for t in tables if t.name == "initiatives").plans["pref01-plan-0001"]
    assert validated == [changed.count]          # its initiatives' rows, no other plan's


def test_findings_of_plans_validated_together_are_kept_plan_by_plan(tables_of, written,
                                                                     tmp_path):
    """Bad values in two plans validated in one group: each plan's findings are kept with
    their rows counted from the plan's first, and read back from the cache plan by plan with
    the rows of the combined table, as a run without cache names them."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(written, out)
    first, *_, last = plan_order(tables_of(out))
    replace_cell(out, "initiatives", first, "status", "新規")
    replace_cell(out, "schedules", last, "fiscal_year", "x")
    uncached, _ = validate_tables(tables_of(out), PartCache(None), SMALL)
    together, stats = validate_tables(tables_of(out), tables_cache(cache), 10 ** 6)
    assert stats.chunks_built == 1 and together == uncached and len(uncached) == 2
    from_cache, stats = validate_tables(tables_of(out), tables_cache(cache), SMALL)
    assert (stats.chunks_built, stats.chunks_reused) == (0, 5) and from_cache == uncached
    assert sorted(uncached) == sorted(frictionless_whole(out))


def test_plans_read_before_are_taken_by_the_digest_of_their_bytes(written, tmp_path,
                                                                   monkeypatch):
    """A republish's tables are read plan by plan: the plans' rows of the last validation are
    known by the SHA-256 of their bytes and not parsed again; the rows are parsed only when
    asked for, and they are those a whole parse gives."""
    out = tmp_path / "out"
    shutil.copytree(written, out)
    first = KnownPlans()
    before = read_canonical(out, first)
    assert all(t.as_written and t.parsed is not None for t in before.values())
    assert sum(len(plans) for plans in first.seen.values()) == \
        sum(len(t.plans) for t in before.values())
    parsed = count_parsed_runs(monkeypatch)
    again = read_canonical(out, KnownPlans(first.seen))
    assert parsed == [] and all(t.parsed is None for t in again.values())
    assert_read_alike(again, before)
    initiatives = again["initiatives.csv"]
    rows = list(csv.reader(io.StringIO((out / "initiatives.csv").read_text(encoding="utf-8"),
                                       newline="")))
    assert initiatives.plans["pref01-plan-0001"].count == \
        sum(row[0] == "pref01-plan-0001" for row in rows) == 174
    assert ("pref01-plan-0001", "1-1-1") in \
        initiatives.plans["pref01-plan-0001"].keys[("plan_id", "id")]


def count_parsed_runs(monkeypatch) -> list[int]:
    """The offsets of the runs of rows read_table parses (validate_read._parse_plan)."""
    parsed = []
    parse_plan = validate_read._parse_plan
    monkeypatch.setattr(validate_read, "_parse_plan",
                        lambda data, offset, *rest: parsed.append(offset)
                        or parse_plan(data, offset, *rest))
    return parsed


def read_canonical(folder, known):
    descriptor = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    tables = {}
    assert read_tables(folder, [r for r in descriptor["resources"] if _is_canonical_table(r)],
                       tables, known) == []
    return tables


def assert_read_alike(tables, expected):
    """Tables read plan by plan hold what a whole parse gives: plans, runs, places, rows."""
    assert tables.keys() == expected.keys()
    for path, table in tables.items():
        whole = expected[path]
        assert (table.header, table.plans, table.runs, table.spans, table.as_written,
                table.size, table.sha256) == (whole.header, whole.plans, whole.runs,
                                              whole.spans, whole.as_written, whole.size,
                                              whole.sha256), path
        assert table.rows == whole.rows, path


@pytest.mark.parametrize("edit", ["a cell", "a plan's rows removed", "a row added to a plan",
                                  "rows moved to another plan's place", "line ends of one plan"])
def test_plans_changed_since_are_parsed_and_read_as_a_whole_parse_reads_them(written, tmp_path,
                                                                            edit, monkeypatch):
    """Whatever changed since the last validation, a table read plan by plan is read as a whole
    parse reads it: only runs of bytes not known are parsed (the table parsed whole where its
    bytes are not as the exporter writes them, or a plan's rows lie in two places)."""
    out = tmp_path / "out"
    shutil.copytree(written, out)
    first = KnownPlans()
    read_canonical(out, first)
    path = out / "initiatives.csv"
    lines = path.read_bytes().split(b"\r\n")
    plans = [line.split(b",")[0] for line in lines]
    second, third = plans.index(b"pref02-plan-0002"), plans.index(b"pref03-plan-0003")
    if edit == "a cell":
        lines[second + 3] = lines[second + 3].replace(b",", b",X", 1)
    elif edit == "a plan's rows removed":
        del lines[second:third]
    elif edit == "a row added to a plan":
        lines.insert(third, lines[third - 1].replace(b"-", b"-9", 2))
    elif edit == "rows moved to another plan's place":
        lines[1], lines[-2] = lines[-2], lines[1]
    else:
        lines[second:third] = [b"\n".join(lines[second:third])]
    path.write_bytes(b"\r\n".join(lines))
    parsed = count_parsed_runs(monkeypatch)
    again = read_canonical(out, KnownPlans(first.seen))
    assert again["sections.csv"].parsed is None            # unchanged: not parsed
    assert len(parsed) <= 2 or edit == "rows moved to another plan's place"   # (then read whole)
    assert_read_alike(again, read_canonical(out, KnownPlans()))
    assert again["initiatives.csv"].as_written == (edit not in ("line ends of one plan",
                                                                "rows moved to another plan's place"))


def test_a_row_belongs_to_the_plan_named_under_the_plan_id_header(tmp_path):
    """The plan of a row is read under the header `plan_id`, wherever that column stands."""
    (tmp_path / "t.csv").write_text("id,plan_id\n1,a\n2,b\n3,b\n", encoding="utf-8")
    table = validate_read.read_table(tmp_path, {"name": "t", "path": "t.csv"}, {})
    assert {plan: [row[0] for row in table.rows_of(plan)] for plan in table.plans} == \
        {"a": ["1"], "b": ["2", "3"]}
    assert table.count("b") == 2 and table.runs == ["a", "b"]
    (tmp_path / "u.csv").write_text("id,title\n1,x\n", encoding="utf-8")     # no plan_id: one plan
    assert list(validate_read.read_table(tmp_path, {"name": "u", "path": "u.csv"}, {}).plans) == [""]


def test_the_background_process_waits_for_the_tables_and_finds_what_validate_package_finds(
        written, tmp_path):
    """The process starts before the tables exist (loading frictionless meanwhile), checks
    what check() hands it, and reports as validate_package does; cancelled before check() it
    goes without a word."""
    from pipeline.validate import BackgroundValidation
    out = tmp_path / "out"
    idle = BackgroundValidation(out)
    idle.cancel()
    assert idle.process.returncode is not None and not list(tmp_path.iterdir())
    waiting = BackgroundValidation(out)
    shutil.copytree(written, out)
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    waiting.check(descriptor)
    assert waiting.result() == validate_package(out, descriptor)
    assert not waiting.descriptor_file.exists()
    replace_cell(out, "initiatives", next(iter(descriptor["plan_digests"])), "status", "新規")
    failing = BackgroundValidation(out)
    failing.check(descriptor)
    with pytest.raises(ValidationFailed) as failure:
        failing.result()
    assert any("column status" in finding for finding in failure.value.findings)


def test_slices_and_excel_variants_are_compared_with_the_bytes_of_the_validated_file(
        written, tmp_path):
    """A plan's slice and an Excel variant are compared with the combined CSV's own bytes where
    it is exactly what the exporter writes (each plan's place in it found as it was checked):
    one byte changed in either is named; with a cell that may start a formula, the variant is
    compared with the rows rendered for Excel."""
    out = tmp_path / "out"
    shutil.copytree(written, out)
    assert validate_package(out)[2] == 5 * 7                           # five plans' slices
    plan = sorted(out.glob("plans/*"))[2]
    slice_, variant = plan / "initiatives.csv", out / "excel" / "schedules.csv"
    slice_.write_bytes(slice_.read_bytes()[:-3] + b"X\r\n")
    variant.write_bytes(variant.read_bytes().replace(b"H26", b"H27", 1))
    found = findings_of(out)
    assert f"initiatives-plan-{plan.name}: plans/{plan.name}/initiatives.csv is not the rows of plan " \
           f"{plan.name} in initiatives.csv" in found
    assert "schedules-excel: excel/schedules.csv differs from schedules.csv rendered for Excel" \
        in found
    assert len(found) == 2


def test_an_excel_variant_with_formula_cells_is_checked_against_the_rows_rendered_for_excel(
        tmp_path, project_root):
    raw = tmp_path / "raw"
    write_corpus(raw, 4)
    config = load_config(project_root / "pipeline.toml")
    publication = build(raw, config, lambda message: None)
    rows = table_rows(publication)
    rows["terms"][0]["term"] = "=SUM(A1)"
    write_tables_package(publication, rows, config, tmp_path / "out", "2024-01-01T00:00:00Z")
    variant = tmp_path / "out" / "excel" / "terms.csv"
    assert ",'=SUM(A1)," in variant.read_text(encoding="utf-8-sig")
    assert validate_package(tmp_path / "out")[1] == 7
    variant.write_bytes(variant.read_bytes().replace(b"'=SUM(A1)", b"=SUM(A1)"))
    assert findings_of(tmp_path / "out") == [
        "terms-excel: excel/terms.csv differs from terms.csv rendered for Excel"]


def test_a_file_replaced_after_it_was_read_is_never_read_back(tables_of, written, tmp_path):
    """The plans' bytes are read back from the file read, only while it is unchanged: a file
    replaced since (as by a publish swapping the folder) gives the rows as read, rendered."""
    out = tmp_path / "out"
    shutil.copytree(written, out)
    table = next(t for t in tables_of(out) if t.name == "initiatives")
    plans = list(table.plans)[:2]
    as_read = table.written(plans)
    assert as_read == "".join(map(table.body, plans)).encode("utf-8")
    path = out / "initiatives.csv"
    replaced = path.read_bytes().replace(b"2-1-1,", b"9-9-9,")
    path.unlink()
    path.write_bytes(replaced)
    assert table.written(plans) == as_read


def test_descriptors_found_valid_before_are_not_checked_again(written, tmp_path, monkeypatch):
    """frictionless checks only the resources whose descriptors it has not found valid under
    this cache (a republish changes a few of thousands); a changed descriptor is checked, and a
    broken one is reported as frictionless reports it on the whole package."""
    from pipeline import validate_descriptor as validate
    package = json.loads((written / "datapackage.json").read_text(encoding="utf-8"))
    checked = []
    package_findings = validate._package_findings

    def counting(descriptor):
        checked.append(len(descriptor["resources"]))
        return package_findings(descriptor)
    monkeypatch.setattr(validate, "_package_findings", counting)
    cache = tables_cache(tmp_path / "cache")
    findings = lambda descriptor: validate.descriptor_findings(descriptor, cache, CacheStats())  # noqa: E731
    assert findings(package) == [] and findings(package) == []
    everything = len(package["resources"])
    assert everything > 20 and checked == [everything, 1]       # the second run: one, as a stand-in
    package["resources"][3] = {**package["resources"][3], "title": "表の新しい題名"}
    assert findings(package) == [] and checked[-1] == 1
    package["resources"][5] = {**package["resources"][5], "path": 5}
    checked.clear()
    found = findings(package)
    assert found == ["package: resource-error: The data resource has an error: 5 is not of type "
                     "'string' at property 'path'"]
    assert checked == [1, everything]                   # found on the one, said of the whole
    package["resources"][5] = {**package["resources"][5], "path": "x.json", "name": ["x"]}
    checked.clear()                                     # a name that is no string: all checked
    assert findings(package)[0].startswith("package: resource-error: ") and checked == [everything]


def test_files_hashed_by_a_previous_validation_are_not_read_again_unless_changed(
        written, tmp_path, monkeypatch):
    """The JSON tables, slices and other files are checked against their stated SHA-256; a file
    the previous validation hashed, with the same inode, size and modification time (an
    unchanged plan's file, linked into the next edition), is not read again; one edited in
    place, even to the same size, is, and fails."""
    from pipeline import validate
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(written, out)
    read = []
    file_digest = validate.file_digest

    def reading(path):
        read.append(path.relative_to(out).as_posix())
        return file_digest(path)
    monkeypatch.setattr(validate, "file_digest", reading)
    validate_package(out, cache_dir=cache)
    assert "initiatives.json" in read and len(read) > 10
    read.clear()
    validate_package(out, cache_dir=cache)
    assert read == []
    path = out / "initiatives.json"
    stamp = path.stat().st_mtime_ns
    path.write_bytes(path.read_bytes().replace("電子県庁".encode(), "電子市庁".encode(), 1))
    os.utime(path, ns=(stamp, stamp + 1))
    with pytest.raises(ValidationFailed) as failure:
        validate_package(out, cache_dir=cache)
    assert read == ["initiatives.json"]
    assert failure.value.findings == ["initiatives-json: initiatives.json does not match its stated "
                                      "hash"]


# ---- what a run with the cache must find as a run without it finds (a review's cases) ----------

def edit_rows(folder, table, edit):
    """Rewrite folder/table.csv as the exporter writes it, its rows (header first) edited."""
    path = folder / f"{table}.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
    edit(rows)
    path.write_text(csv_text(rows[0], rows[1:]), encoding="utf-8", newline="")


def warm_and_cold(folder, cache):
    """The findings of a validation with the cache and of one without (None: valid)."""
    def findings(cache_dir):
        try:
            validate_package(folder, cache_dir=cache_dir)
        except ValidationFailed as failure:
            return failure.findings
        return None
    return findings(cache), findings(None)


def test_findings_past_frictionless_limit_of_errors_are_all_kept(written, tmp_path,
                                                                  monkeypatch):
    """frictionless stops at 1,000 errors unless told not to: a plan after the cut would be
    kept in the cache as if it had none."""
    monkeypatch.setattr(validate_groups, "GROUP_ROWS", 10 ** 6)      # all plans in one run
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(written, out)
    first, second = "pref01-plan-0001", "pref02-plan-0002"
    original = (out / "schedules.csv").read_bytes()

    def broken(rows):           # three errors on each row of the first plan, one in the second
        columns = [rows[0].index(name) for name in ("fiscal_year", "source_lines", "initiative_id")]
        for row in rows[1:]:
            for column in columns if row[0] == first else ():
                row[column] = "9x"
        rows[max(i for i, row in enumerate(rows) if row[0] == second)][columns[0]] = "y"
    edit_rows(out, "schedules", broken)
    with pytest.raises(ValidationFailed) as failure:
        validate_package(out, cache_dir=cache)
    assert int(failure.value.message.split(" found ")[1].split()[0]) > 1000
    (out / "schedules.csv").write_bytes(original)
    edit_rows(out, "schedules", lambda rows: rows[max(
        i for i, row in enumerate(rows) if row[0] == second)].__setitem__(
        rows[0].index("fiscal_year"), "y"))                 # the first plan mended
    warm, cold = warm_and_cold(out, cache)
    assert warm == cold and any('fiscal_year: type-error: Type error in the cell "y"' in f
                                for f in cold)


def test_a_repeated_key_names_the_other_row_by_its_number_in_the_combined_table(
        tables_of, written, tmp_path):
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(written, out)
    validate_package(out, cache_dir=cache)
    late = plan_order(tables_of(out))[-1]
    rows = []
    edit_rows(out, "sites", lambda all_rows: rows.extend(all_rows) or all_rows.insert(
        max(i for i, row in enumerate(all_rows) if row[0] == late) + 1,
        list(all_rows[max(i for i, row in enumerate(all_rows) if row[0] == late)])))
    number = max(i for i, row in enumerate(rows) if row[0] == late) + 1      # header: row 1
    warm, cold = warm_and_cold(out, cache)
    repeated = [f for f in cold if "primary-key" in f]
    assert warm == cold and repeated == [
        f'sites, row {number + 1}: primary-key: Row at position "{number + 1}" violates the '
        f'primary key: the same as in the row at position {number}']


def test_a_header_finding_is_kept_with_every_plan(written, tmp_path, monkeypatch):
    """A wrong column name: every plan validated meets it, so each plan's entry keeps it."""
    monkeypatch.setattr(validate_groups, "GROUP_ROWS", 10 ** 6)
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(written, out)
    edit_rows(out, "sites", lambda rows: rows[0].__setitem__(rows[0].index("source"), "sourcex"))
    findings_of(out, cache)
    for table in ("initiatives", "indicators", "schedules", "references", "sites", "sections",
                  "terms"):                                 # the first plan gone
        edit_rows(out, table, lambda rows: rows.__setitem__(
            slice(1, None), [row for row in rows[1:] if row[0] != "pref01-plan-0001"]))
    warm, cold = warm_and_cold(out, cache)
    assert warm == cold and any("incorrect-label" in f and "sourcex" in f for f in cold)


def test_a_table_read_another_way_is_validated_again(written, tmp_path):
    """What frictionless is told of a table besides its schema (its dialect here) names the
    entries too."""
    out, cache = tmp_path / "out", tmp_path / "cache"
    shutil.copytree(written, out)
    validate_package(out, cache_dir=cache)
    path = out / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] == "sites":
            resource["dialect"] = {"csv": {"delimiter": ";"}}
    path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    warm, cold = warm_and_cold(out, cache)
    assert warm == cold and any("sites, column id: missing-label" in f for f in cold)


@pytest.mark.parametrize("damage, finding", [
    ("no schema", 'package: resource-error: The data resource has an error: profile '
                  '"tabular-data-resource" requires "schema" to be present'),
    ("a list", "sites: its schema schemas/sites.json: not a Table Schema: a JSON array, not an "
               "object"),
    ("a foreign key not an object", "sites: its schema schemas/sites.json: schema-error: Schema "
                                    "is not valid: 'x' is not of type 'object' at property "
                                    "'foreignKeys/0'")])
def test_a_broken_table_schema_is_a_finding(written, tmp_path, damage, finding):
    out = tmp_path / "out"
    shutil.copytree(written, out)
    schema = out / "schemas" / "sites.json"
    if damage == "no schema":
        path = out / "datapackage.json"
        descriptor = json.loads(path.read_text(encoding="utf-8"))
        next(r for r in descriptor["resources"] if r["name"] == "sites").pop("schema")
        path.write_text(json.dumps(descriptor, ensure_ascii=False), encoding="utf-8")
    elif damage == "a list":
        schema.write_text("[]", encoding="utf-8")
    else:
        schema.write_text(json.dumps({**json.loads(schema.read_text(encoding="utf-8")),
                                      "foreignKeys": ["x"]}), encoding="utf-8")
    assert findings_of(out) == [finding]

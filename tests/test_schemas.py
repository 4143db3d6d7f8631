"""Checks for the Table Schemas in schemas/ (the single source of truth for the exports)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from frictionless import Package, Resource, Schema

from pipeline.model import LIST_DELIMITER

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "schemas"
TABLES = ["initiatives", "indicators", "schedules", "references", "sites", "sections", "terms"]
JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")

PLAN = "miyagi-ict-plan-2014-2016"
EXPECTED_FIELDS = {
    "initiatives": [
        "plan_id", "id", "field_no", "field_title", "item_no", "item_title", "number", "title",
        "summary", "methods", "actors", "urls", "department", "division", "status",
        "priority_goals", "priority_goal_options", "notes", "source", "source_lines",
    ],
    "indicators": [
        "plan_id", "initiative_id", "seq", "name",
        "baseline_text", "baseline_value", "baseline_unit", "baseline_note",
        "baseline_date", "baseline_period_start", "baseline_period_end", "baseline_date_text",
        "target_text", "target_value", "target_unit", "target_note",
        "target_date", "target_period_start", "target_period_end", "target_date_text",
        "source", "source_lines",
    ],
    "schedules": ["plan_id", "initiative_id", "period", "fiscal_year", "phase", "raw",
                  "source", "source_lines"],
    "references": ["plan_id", "from_id", "seq", "cited_id", "to_plan_id", "to_id", "label", "url", "source", "source_lines"],
    "sites": ["plan_id", "id", "field_no", "seq", "name", "media", "media_text", "summary", "url",
              "department", "division", "source", "source_lines"],
    "sections": ["plan_id", "id", "kind", "field_no", "item_no", "part", "number", "heading", "body",
                 "source", "source_lines"],
    "terms": ["plan_id", "term", "record_kind", "record_id", "column", "lines", "source"],
}


def load_descriptor(table: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{table}.json").read_text(encoding="utf-8"))


def load_schema(table: str) -> Schema:
    return Schema.from_descriptor(load_descriptor(table))


def test_every_table_has_a_schema_file():
    assert sorted(p.stem for p in SCHEMA_DIR.glob("*.json")) == sorted(TABLES)


@pytest.mark.parametrize("table", TABLES)
def test_schema_loads_and_is_valid(table):
    descriptor = load_descriptor(table)
    report = Schema.validate_descriptor(descriptor)
    assert report.valid, report.flatten(["type", "note"])
    assert list(Schema.metadata_validate(descriptor)) == []
    schema = Schema.from_descriptor(descriptor)
    if hasattr(schema, "metadata_valid"):  # older frictionless 5.x releases
        assert schema.metadata_valid
    # loading from the path works too
    assert Schema(str(SCHEMA_DIR / f"{table}.json")).field_names == schema.field_names


@pytest.mark.parametrize("table", TABLES)
def test_top_level_properties(table):
    d = load_descriptor(table)
    assert d["name"] == table
    assert JAPANESE.search(d["title"])
    assert d["title_en"] and not JAPANESE.search(d["title_en"])
    assert JAPANESE.search(d["description"])
    assert d["missingValues"] == [""]
    assert d["primaryKey"]


@pytest.mark.parametrize("table", TABLES)
def test_field_order(table):
    assert load_schema(table).field_names == EXPECTED_FIELDS[table]


@pytest.mark.parametrize("table", TABLES)
def test_fields_are_documented_in_both_languages(table):
    for field in load_descriptor(table)["fields"]:
        name = field["name"]
        assert field.get("title"), name
        assert field.get("description"), name
        assert JAPANESE.search(field["description"]), name
        assert field.get("title_en"), name
        assert not JAPANESE.search(field["title_en"]), name
        # the Japanese title is the Excel header: must be short
        assert len(field["title"]) <= 16, name
        if name not in {"url", "urls"}:  # "URL" is the Japanese header as well
            assert JAPANESE.search(field["title"]), name


@pytest.mark.parametrize("table", TABLES)
def test_titles_unique_per_table(table):
    fields = load_descriptor(table)["fields"]
    for key in ("title", "title_en"):
        values = [f[key] for f in fields]
        assert len(values) == len(set(values)), (key, values)


@pytest.mark.parametrize("table", TABLES)
def test_keys_refer_to_existing_fields(table):
    d = load_descriptor(table)
    names = {f["name"] for f in d["fields"]}
    assert set(d["primaryKey"]) <= names
    for fk in d.get("foreignKeys", []):
        assert set(fk["fields"]) <= names
        ref = fk["reference"]
        assert ref["resource"] in TABLES
        target = {f["name"] for f in load_descriptor(ref["resource"])["fields"]}
        assert set(ref["fields"]) <= target
        assert len(ref["fields"]) == len(fk["fields"])


def test_stated_keys():
    """Every plan numbers its records from 1: keys are scoped by plan_id."""
    assert load_descriptor("initiatives")["primaryKey"] == ["plan_id", "id"]
    assert load_descriptor("indicators")["primaryKey"] == ["plan_id", "initiative_id", "seq"]
    assert load_descriptor("schedules")["primaryKey"] == ["plan_id", "initiative_id", "period"]
    assert load_descriptor("references")["primaryKey"] == ["plan_id", "from_id", "seq"]
    assert load_descriptor("sites")["primaryKey"] == ["plan_id", "id"]
    assert load_descriptor("sections")["primaryKey"] == ["plan_id", "id"]
    assert load_descriptor("terms")["primaryKey"] == ["plan_id", "term", "record_id", "column"]
    fks = {
        t: sorted(
            (tuple(fk["fields"]), fk["reference"]["resource"], tuple(fk["reference"]["fields"]))
            for fk in load_descriptor(t).get("foreignKeys", [])
        )
        for t in TABLES
    }
    by_plan = ("plan_id", "id")
    assert fks["indicators"] == [(("plan_id", "initiative_id"), "initiatives", by_plan)]
    assert fks["schedules"] == [(("plan_id", "initiative_id"), "initiatives", by_plan)]
    assert fks["references"] == [(("plan_id", "from_id"), "initiatives", by_plan),
                                 (("to_plan_id", "to_id"), "initiatives", by_plan)]


def test_list_fields_use_semicolon():
    for table in TABLES:
        for field in load_descriptor(table)["fields"]:
            if field["type"] == "list":
                assert field["delimiter"] == ";" == LIST_DELIMITER
                assert field["itemType"] in {"string", "integer"}


def test_priority_goals_documented_as_unknown():
    field = load_schema("initiatives").get_field("priority_goals")
    assert "空欄は「不明」であり「該当なし」ではない" in field.description


# --- round trips through frictionless --------------------------------------------------

INITIATIVES_HEADER = ",".join(EXPECTED_FIELDS["initiatives"])
ROW_NEW = (
    f"{PLAN},2-1-3,2,行政の情報化,1,行政情報通信ネットワークと電子県庁の運用,3,"
    "インターネット・イントラネットシステムの再構築,新たなシステムを整備します。,システム,県,,"
    "震災復興・企画部,情報システム課,新,,安全・安心なくらし;行政運営の最適化,,"
    "miyagi-ict-plan-2014-2016-field2.txt,104-117"
)
ROW_LISTS = (
    f"{PLAN},2-1-12,2,行政の情報化,1,行政情報通信ネットワークと電子県庁の運用,12,"
    "情報セキュリティ監査の実施,,システム;その他,県;県内市町村,"
    "http://www.pref.miyagi.jp/soshiki/iyoho/securitytaisaku.html,"
    "震災復興・企画部,情報政策課,,,,宮城県電子県庁構築イメージ,"
    "miyagi-ict-plan-2014-2016-field2.txt,440-450"
)


def write(tmp_path: Path, name: str, lines: list[str]) -> str:
    (tmp_path / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return name


def validate_initiatives(tmp_path: Path, rows: list[str]):
    path = write(tmp_path, "initiatives.csv", [INITIATIVES_HEADER, *rows])
    resource = Resource(path=path, basepath=str(tmp_path), schema=load_schema("initiatives"))
    return resource, resource.validate()


def test_initiatives_round_trip(tmp_path):
    resource, report = validate_initiatives(tmp_path, [ROW_NEW, ROW_LISTS])
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    rows = resource.read_rows()
    assert rows[0]["status"] == "新"
    assert rows[1]["status"] is None
    assert rows[1]["methods"] == ["システム", "その他"]
    assert rows[1]["actors"] == ["県", "県内市町村"]
    assert rows[0]["priority_goals"] is None


def test_status_enum_rejects_shinki(tmp_path):
    _, report = validate_initiatives(tmp_path, [ROW_NEW.replace(",新,", ",新規,")])
    assert not report.valid
    errors = report.flatten(["fieldName", "type"])
    assert ["status", "constraint-error"] in errors


def test_bad_id_pattern_rejected(tmp_path):
    _, report = validate_initiatives(tmp_path, [ROW_NEW.replace(",2-1-3,", ",2-1,", 1)])
    assert ["id", "constraint-error"] in report.flatten(["fieldName", "type"])


def test_priority_goals_must_stay_empty(tmp_path):
    row = ROW_NEW.replace(",新,,", ",新,行政運営の最適化,")
    _, report = validate_initiatives(tmp_path, [row])
    assert ["priority_goals", "constraint-error"] in report.flatten(["fieldName", "type"])


def test_foreign_keys_in_a_package(tmp_path):
    initiatives = write(tmp_path, "initiatives.csv", [INITIATIVES_HEADER, ROW_NEW, ROW_LISTS])
    ref_header = ",".join(EXPECTED_FIELDS["references"])
    src = "miyagi-ict-plan-2014-2016-field2.txt"
    good = write(tmp_path, "references.csv", [
        ref_header,
        f"{PLAN},2-1-12,1,,,,宮城県情報セキュリティ基本方針,,{src},450-450",
        f"{PLAN},2-1-12,2,2-1-3,{PLAN},2-1-3,インターネット・イントラネットシステムの再構築,,{src},450-450",
        f"{PLAN},2-1-3,1,,,,http://www.cas.go.jp/,http://www.cas.go.jp/,{src},133-133",
    ])
    bad = write(tmp_path, "references_bad.csv", [
        ref_header,
        f"{PLAN},2-1-12,1,2-9-9,{PLAN},2-9-9,存在しない取組,,{src},450-450",
    ])
    other_plan = write(tmp_path, "references_other_plan.csv", [
        ref_header,       # 2-1-3 exists, but in this plan only: references resolve inside their plan
        f"{PLAN},2-1-12,2,2-1-3,fukushima-plan,2-1-3,インターネット・イントラネットシステムの再構築,,{src},450-450",
    ])

    def package(ref_path: str) -> Package:
        return Package(resources=[
            Resource(name="initiatives", path=initiatives, basepath=str(tmp_path),
                     schema=load_schema("initiatives")),
            Resource(name="references", path=ref_path, basepath=str(tmp_path),
                     schema=load_schema("references")),
        ])

    report = package(good).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    for wrong in (bad, other_plan):
        report = package(wrong).validate()
        assert not report.valid
        assert "foreign-key" in {e[0] for e in report.flatten(["type"])}


def test_terms_lines_are_integer_lists(tmp_path):
    path = write(tmp_path, "terms.csv", [
        ",".join(EXPECTED_FIELDS["terms"]),
        f"{PLAN},ASP,section,2-1-narrative-3,body,26;30,miyagi-ict-plan-2014-2016-field2.txt",
    ])
    resource = Resource(path=path, basepath=str(tmp_path), schema=load_schema("terms"))
    report = resource.validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert resource.read_rows()[0]["lines"] == [26, 30]


def test_records_become_rows_in_schema_order_and_a_missing_column_is_one_error():
    """schema.table_values: dataclass records and dicts alike give {column: value} in the
    schema's column order, sharing the values; a record lacking a column names it."""
    from dataclasses import dataclass
    from pipeline.errors import ConfigError
    from pipeline.schema import table_values

    schema = {"name": "pairs", "fields": [{"name": "id"}, {"name": "title"}]}

    @dataclass
    class Pair:
        title: str
        id: str
        extra: str = "not published"

    listed = ["a", "b"]
    rows = table_values([Pair(listed, "2-1-1"), {"title": "t", "id": "2-1-2", "x": 1}], schema)
    assert rows == [{"id": "2-1-1", "title": ["a", "b"]}, {"id": "2-1-2", "title": "t"}]
    assert [list(row) for row in rows] == [["id", "title"], ["id", "title"]]
    assert rows[0]["title"] is listed
    assert table_values([{"id": "x"}], {"name": "one", "fields": [{"name": "id"}]}) == [{"id": "x"}]
    with pytest.raises(ConfigError, match=r"schema pairs has columns the records lack: \['title'\]"):
        table_values([{"id": "2-1-1", "title": "t"}, {"id": "2-1-2"}], schema)

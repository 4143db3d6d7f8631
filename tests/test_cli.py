"""End-to-end specification of the command line `python -m pipeline publish|validate`.

Every test runs the CLI as a subprocess from the project root, on the real source text
(data/raw/miyagi-ict-plan-2014-2016-field2.txt) or on variants of it written to tmp folders.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

TABLES = ["initiatives", "indicators", "schedules", "references", "sites", "sections", "terms"]
CC_BY_4 = "https://creativecommons.org/licenses/by/4.0/"
STAGES = ["read:", "extract:", "rdf:", "export:", "site:", "catalog:", "validate:", "publish:"]
FIELD_HEADER = "分野\t2\t行政の情報化"                      # line 3 of the real source
ITEM_2_HEADING = "2 行政情報の発信と行政手続のオンライン化"    # line 510
IDS_2_1 = [f"2-1-{n}" for n in range(1, 15)]
IDS_2_2 = [f"2-2-{n}" for n in range(1, 15)]
IDS_2_3 = [f"2-3-{n}" for n in range(1, 6)]


# --- helpers -----------------------------------------------------------------

def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def snapshot(folder: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file below folder."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def stderr_lines(result: subprocess.CompletedProcess, prefix: str) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(prefix)]


def assert_one_line_error(result: subprocess.CompletedProcess) -> str:
    """Exit 1, exactly one `error:` line and no traceback; returns that line."""
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = stderr_lines(result, "error:")
    assert len(errors) == 1, result.stderr
    return errors[0]


def leftovers(out: Path) -> list[str]:
    """Staging / previous folders of out that a publish may have left beside it."""
    return sorted(p.name for p in out.parent.glob(f".{out.name}.*"))


def write_raw(folder: Path, files: dict[str, bytes | str]) -> Path:
    folder.mkdir(parents=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


# --- 1. help -------------------------------------------------------------------

def test_help_documents_both_commands(run_cli):
    result = run_cli("--help")
    assert result.returncode == 0
    assert re.search(r"^\s+publish\s+\S", result.stdout, re.M), result.stdout
    assert re.search(r"^\s+validate\s+\S", result.stdout, re.M), result.stdout
    assert "python -m pipeline publish --raw-dir data/raw --out-dir data/published" in result.stdout


def test_publish_help_documents_raw_and_out_folders(run_cli):
    result = run_cli("publish", "--help")
    assert result.returncode == 0
    assert "--raw-dir" in result.stdout
    assert "--out-dir" in result.stdout
    assert "default: data/raw" in result.stdout
    assert "default: data/published" in result.stdout


def test_validate_help_documents_out_folder(run_cli):
    result = run_cli("validate", "--help")
    assert result.returncode == 0
    assert "--out-dir" in result.stdout


def test_help_says_what_validate_and_fetch_check(run_cli):
    """As the README says: validate checks more than the tables, fetch reads four encodings."""
    overview = " ".join(run_cli("--help").stdout.split())
    assert "UTF-8, UTF-16 with BOM, CP932 or EUC-JP" in overview, overview
    assert "python -m pipeline.serve" in overview, overview
    for text in (overview, " ".join(run_cli("validate", "--help").stdout.split())):
        assert "stated size and SHA-256" in text, text
        assert "Excel variants and plan slices byte for byte" in text, text


# --- 2. publishing the real source ---------------------------------------------

def test_publish_reports_every_stage_in_order(published_run, published, project_root, source_name):
    assert published_run.returncode == 0
    stages = [line.split(" ", 1)[0] for line in published_run.stderr.splitlines()
              if line.split(" ", 1)[0] in STAGES]
    assert stages == STAGES, published_run.stderr
    assert stderr_lines(published_run, "read:") == [
        f"read: 1 source file(s) from {project_root / 'data' / 'raw'} ({source_name} [utf-8])"]
    assert stderr_lines(published_run, "extract:") == [
        "extract: 33 initiatives, 6 indicators, 93 schedules, 19 references, 8 sites, "
        "10 sections, 17 terms"]
    resources = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))["resources"]
    tables = [r for r in resources if not r["path"].startswith(("rdf/", "plans/"))]
    assert len(tables) == 28                                 # 7 tables x (CSV, Excel CSV, JSON, .xlsx)
    plan = [r["path"] for r in resources if r["path"].startswith("plans/")]
    assert len(plan) == 15                                   # the plan's 7 CSV + 7 JSON + graph.nt
    assert stderr_lines(published_run, "validate:") == [         # tables and slices, CSV and JSON
        "validate: frictionless found the 42 resources of the tables valid (the 7 Excel "
        "variants and 7 plan slices: each is its validated CSV rendered for Excel or cut to its "
        "plan, byte for byte); the 8 linked-data files are listed with the SHA-256 of the bytes "
        "written, which `pipeline validate` checks"]
    triples = sum(1 for _ in (published / "rdf" / "graph.nt").open(encoding="utf-8"))
    assert stderr_lines(published_run, "rdf:") == [
        f"rdf: the four RDF serialisations agree ({triples} triples, counted by pyoxigraph)"]
    assert stderr_lines(published_run, "publish:") == [
        f"publish: {published} (version 1.0.0, content changed)"]
    warnings = stderr_lines(published_run, "warning:")
    assert warnings[0] == (                 # the text lost the H28 column of eight schedules
        f"warning: {project_root / 'data' / 'raw' / source_name}:59: initiative 2-1-1 「みやぎハイパー"
        "ウェブの運用」: the schedule at lines 67-69 prints no column for fiscal year 2016 of the "
        "plan's period 2014–2016 (sources.toml); nothing is published for it (a column lost in "
        "the text?)")
    assert [w.split(": initiative ")[1].split(" ")[0] for w in warnings] == [
        "2-1-1", "2-1-2", "2-2-7", "2-2-8", "2-3-1", "2-3-2", "2-3-4", "2-3-5"]
    assert stderr_lines(published_run, "error:") == []
    assert published_run.stderr.splitlines()[-1] == "8 warnings: see above"
    assert published_run.stdout == ""


def test_the_readme_shows_the_progress_lines_a_publish_prints(published_run, project_root):
    """The README's sample of a run, line by line, as the seed's publish prints it (its paths
    aside): it said `export: 1200 files` for 1203 (a fresh-eyes review)."""
    readme = (project_root / "README.md").read_text(encoding="utf-8")
    sample = readme.split("A run prints one progress line per stage on stderr:\n\n```\n")[1]
    shown = {line.split(" ", 1)[0]: line for line in sample.split("```")[0].splitlines()}
    printed = {line.split(" ", 1)[0]: line for line in published_run.stderr.splitlines()}
    for stage in ("extract:", "rdf:", "export:", "databases:", "site:", "catalog:", "validate:"):
        assert shown[stage] == printed[stage]
    assert shown["read:"] == printed["read:"].replace(str(project_root) + "/", "")


def test_publish_writes_csv_json_excel_schemas_and_datapackage(published):
    files = set(snapshot(published))
    for table in TABLES:
        assert f"{table}.csv" in files
        assert f"{table}.json" in files
        assert f"excel/{table}.csv" in files
        assert f"excel/{table}.xlsx" in files
        assert f"schemas/{table}.json" in files
    assert "datapackage.json" in files


@pytest.mark.parametrize("table, rows", [
    ("initiatives", 33), ("indicators", 6), ("schedules", 93), ("references", 19),
    ("sites", 8), ("sections", 10), ("terms", 17),
])
def test_published_tables_have_the_extracted_rows(published, table, rows):
    assert len(read_rows(published / f"{table}.csv")) == rows
    assert len(json.loads((published / f"{table}.json").read_text(encoding="utf-8"))["records"]) == rows
    excel = (published / "excel" / f"{table}.csv").read_bytes()
    assert excel.startswith(b"\xef\xbb\xbf")                      # BOM for Excel
    assert len(list(csv.reader(io.StringIO(excel.decode("utf-8-sig"))))) == rows + 1


def test_published_initiatives_are_the_33_of_field_2(published, source_name):
    rows = read_rows(published / "initiatives.csv")
    assert [r["id"] for r in rows] == IDS_2_1 + IDS_2_2 + IDS_2_3
    first = rows[0]
    assert (first["field_no"], first["field_title"], first["item_no"], first["number"]) == \
        ("2", "行政の情報化", "1", "1")
    assert first["item_title"] == "行政情報通信ネットワークと電子県庁の運用"
    assert first["title"] == "みやぎハイパーウェブの運用"
    assert {r["source"] for r in rows} == {source_name}
    nine = next(r for r in rows if r["id"] == "2-2-9")
    assert nine["title"] == "電子決済システムの導入"


def test_publish_leaves_no_staging_or_previous_folder(published):
    assert leftovers(published) == []
    assert [p.name for p in published.parent.iterdir()] == ["out"]


def test_validate_command_accepts_the_publication(run_cli, published):
    result = run_cli("validate", "--out-dir", published)
    assert result.returncode == 0, result.stderr
    resources = len(json.loads((published / "datapackage.json").read_text(encoding="utf-8"))["resources"])
    files = sum(1 for path in published.rglob("*") if path.is_file())
    others = files - resources - 3          # the catalogue's two files, publish's own record
    assert result.stderr.splitlines() == [
        f"valid: {published / 'datapackage.json'} ({resources} resources), and the {others} "
        "other files with the bytes and SHA-256 the catalogue and the listings it names state"]


def test_validate_command_names_a_changed_file_and_a_broken_descriptor(run_cli, previous_publication):
    """Files that are not tables (JSON, RDF) are checked against their stated bytes and sha256,
    and every resource's descriptor by frictionless."""
    out = previous_publication
    (out / "indicators.json").write_bytes((out / "indicators.json").read_bytes().replace(b"38.25", b"38.26"))
    result = run_cli("validate", "--out-dir", out)
    assert result.returncode == 1
    assert "indicators-json: indicators.json does not match its stated hash" in result.stderr
    assert "frictionless found 1 problem(s)\n" in result.stderr     # (a check publishes nothing)
    assert "nothing was published" not in result.stderr
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"][-1]["bytes"] = "many"
    (out / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    result = run_cli("validate", "--out-dir", out)
    assert result.returncode == 1
    assert "'many' is not of type 'integer' at property 'bytes'" in result.stderr


def test_validate_command_names_a_changed_plan_slice_and_excel_variant(run_cli, previous_publication):
    """Both are checked byte for byte against the validated combined CSV, read once for both."""
    out = previous_publication
    (slice_,) = out.glob("plans/*/indicators.csv")
    slice_.write_bytes(slice_.read_bytes().replace(b"38.25", b"38.26"))
    variant = out / "excel" / "indicators.csv"
    variant.write_bytes(variant.read_bytes().replace(b"38.25", b"38.26"))
    result = run_cli("validate", "--out-dir", out)
    assert result.returncode == 1
    assert f"{slice_.relative_to(out).as_posix()} is not the rows of plan" in result.stderr
    assert "excel/indicators.csv differs from indicators.csv rendered for Excel" in result.stderr


def test_frictionless_cli_accepts_the_publication(published):
    frictionless = Path(sys.executable).parent / "frictionless"
    result = subprocess.run([str(frictionless), "validate", str(published / "datapackage.json")],
                            text=True, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "INVALID" not in result.stdout


# --- 3. encodings --------------------------------------------------------------

ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"),
    "cp932": lambda text: text.encode("cp932"),
}


@pytest.fixture(scope="module")
def encoded_publications(tmp_path_factory, run_cli, source_text, source_name):
    """The real text saved as UTF-8 (LF), UTF-8 with BOM and CRLF, and CP932, each published
    from its own raw folder under the same file name: encoding -> (result, out dir)."""
    base = tmp_path_factory.mktemp("encodings")

    def publish(encoding: str):
        raw = write_raw(base / f"raw-{encoding}", {source_name: ENCODINGS[encoding](source_text)})
        out = base / f"out-{encoding}"
        return run_cli("publish", "--raw-dir", raw, "--out-dir", out), out

    with ThreadPoolExecutor(len(ENCODINGS)) as pool:
        return dict(zip(ENCODINGS, pool.map(publish, ENCODINGS)))


def test_every_encoding_publishes_and_is_detected(encoded_publications, source_name):
    for encoding, (result, out) in encoded_publications.items():
        assert result.returncode == 0, result.stderr
        assert f"({source_name} [{encoding}])" in stderr_lines(result, "read:")[0]
        package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
        assert package["sources"][0]["encoding"] == encoding


@pytest.mark.parametrize("name", [f"{t}.{ext}" for t in TABLES for ext in ("csv", "json")])
def test_tables_are_byte_identical_whatever_the_source_encoding(encoded_publications, name):
    outputs = {encoding: (out / name).read_bytes()
               for encoding, (result, out) in encoded_publications.items()}
    assert outputs["utf-8-sig"] == outputs["utf-8"]
    assert outputs["cp932"] == outputs["utf-8"]


def test_wave_dash_survives_the_cp932_round_trip(encoded_publications, source_text):
    cp932_bytes = ENCODINGS["cp932"](source_text)
    assert "～H 2 5" in source_text                       # U+FF5E FULLWIDTH TILDE
    assert "\uff5e" not in cp932_bytes.decode("shift_jis")  # why the cp932 codec is required
    result, out = encoded_publications["cp932"]
    rows = read_rows(out / "schedules.csv")
    early = [r for r in rows if r["period"] == "～H25"]
    assert early, "no ～H25 schedule period after the CP932 round trip"
    assert all(r["fiscal_year"] == "2013" for r in early)
    assert [(r["initiative_id"], r["phase"]) for r in early] == [
        ("2-1-3", "現システム運用再構築設計"), ("2-1-4", "各種調査")]
    assert not any("〜" in r["period"] for r in rows)          # U+301C WAVE DASH


# --- 4. several documents merge ------------------------------------------------

def test_two_documents_merge_into_one_publication(tmp_path, run_cli, source_text, published):
    lines = source_text.split("\n")
    assert lines[2] == FIELD_HEADER and lines[509] == ITEM_2_HEADING
    raw = write_raw(tmp_path / "raw", {
        "part1.txt": "\n".join(lines[:509]) + "\n",                 # lines 1-509
        "part2.txt": "\n".join([FIELD_HEADER] + lines[509:]),       # header + lines 510-end
    })
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    assert "read: 2 source file(s)" in result.stderr
    assert "(part1.txt [utf-8], part2.txt [utf-8])" in result.stderr
    rows = read_rows(out / "initiatives.csv")
    assert len(rows) == 33
    assert [r["id"] for r in rows] == [r["id"] for r in read_rows(published / "initiatives.csv")]
    sources = {r["id"]: r["source"] for r in rows}
    assert {i for i, s in sources.items() if s == "part1.txt"} == set(IDS_2_1)
    assert {i for i, s in sources.items() if s == "part2.txt"} == set(IDS_2_2 + IDS_2_3)
    package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert [s["file"].rsplit("/", 1)[-1] for s in package["sources"]] == ["part1.txt", "part2.txt"]


# --- 5. the same document twice -------------------------------------------------

def test_the_same_initiatives_in_two_files_of_one_plan_are_refused(tmp_path, run_cli, source_text):
    manifest = "".join(f'[[source]]\nfile = "{name}"\nplan_id = "one-plan"\n\n' for name in ("first.txt", "second.txt"))
    raw = write_raw(tmp_path / "raw", {"first.txt": source_text, "second.txt": source_text,
                                       "sources.toml": manifest})
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    error = assert_one_line_error(result)
    assert error == (f"error: {raw / 'second.txt'}:59: initiative 2-1-1 of plan one-plan appears in "
                     "both first.txt:59 and second.txt:59")
    assert not out.exists()
    assert leftovers(out) == []


# --- 6. bad inputs never touch the previous publication --------------------------

def _binary() -> bytes:
    noise = random.Random(20140401).randbytes(2000)
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + noise


BAD_INPUTS = {
    # case: (file name, bytes, phrase the error must contain)
    "empty": ("empty.txt", b"", "empty"),
    "binary": ("x.txt", _binary(), "binary"),
    "no-plan-structure": ("hello.txt", b"hello\nworld\n", "not a plan document"),
    "undecodable": ("garbled.txt", b"\x82\xff\xff" * 100, "not text in any encoding tried (UTF-8"),
}


@pytest.fixture
def previous_publication(tmp_path, published) -> Path:
    """A good publication of the real source at <tmp>/site/out (a copy of `published`)."""
    out = tmp_path / "site" / "out"
    shutil.copytree(published, out)
    return out


@pytest.mark.parametrize("with_good_source", [False, True], ids=["alone", "beside-good-source"])
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_a_bad_input_fails_with_one_line_and_keeps_the_previous_publication(
        tmp_path, run_cli, previous_publication, source_path, case, with_good_source):
    name, data, phrase = BAD_INPUTS[case]
    files = {name: data}
    if with_good_source:
        files[source_path.name] = source_path.read_bytes()
    raw = write_raw(tmp_path / "raw", files)
    before = snapshot(previous_publication)

    result = run_cli("publish", "--raw-dir", raw, "--out-dir", previous_publication)

    error = assert_one_line_error(result)
    assert re.match(rf"error: (.*/)?{re.escape(name)}(:\d+)?: \S", error), error
    assert phrase in error
    assert snapshot(previous_publication) == before
    assert leftovers(previous_publication) == []
    assert stderr_lines(result, "publish:") == []


# --- 7. a document cut in the middle of an initiative ---------------------------

def test_an_initiative_cut_off_is_left_out_with_a_warning(tmp_path, run_cli, source_text):
    lines = source_text.split("\n")
    assert lines[659] == "9 電子決済システムの導入"           # 2-2-9 starts at line 660
    assert lines[676] == "担当 出納局 会計課"                 # and its 担当 is at line 677
    raw = write_raw(tmp_path / "raw", {"cut.txt": "\n".join(lines[:668]) + "\n"})
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", out)
    assert result.returncode == 0, result.stderr
    warnings = [w for w in stderr_lines(result, "warning:") if "2-2-9" in w]
    assert len(warnings) == 1, result.stderr
    assert "cut.txt:660" in warnings[0]
    assert "left out" in warnings[0]
    assert "担当" in warnings[0]
    ids = [r["id"] for r in read_rows(out / "initiatives.csv")]
    assert ids == IDS_2_1 + IDS_2_2[:8]
    assert len(ids) == 22
    assert not any(r["initiative_id"] == "2-2-9" for r in read_rows(out / "schedules.csv"))


# --- 8. make publish -----------------------------------------------------------

def test_make_publish_passes_raw_and_out_through(tmp_path, project_root, source_path):
    raw = write_raw(tmp_path / "raw dir", {source_path.name: source_path.read_bytes()})
    out = tmp_path / "out dir"
    # -o: do not rebuild the .venv stamp (no pip install during the test)
    result = subprocess.run(["make", "-o", ".venv/.installed", "publish", f"RAW={raw}", f"OUT={out}"],
                            cwd=project_root, text=True, capture_output=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"--raw-dir '{raw}' --out-dir '{out}'" in result.stdout
    assert (out / "initiatives.csv").exists()
    assert len(read_rows(out / "initiatives.csv")) == 33


# --- 9. missing folders ---------------------------------------------------------

def test_a_locale_whose_encoding_is_not_utf8_is_one_line_and_utf8_mode_publishes(
        tmp_path, published, project_root):
    """Under LC_ALL=C with Python's UTF-8 mode off (as under ja_JP.eucJP) a file name such as
    id/…/schedule/～H25.ttl could not be written: publish stopped with `rdf.formats stage
    failed: UnicodeEncodeError`, validate refused a valid publication. Now the program says
    so before it begins; in UTF-8 mode (PYTHONUTF8=1, which make sets) it publishes."""
    environment = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONCOERCECLOCALE": "0"}
    out = tmp_path / "out"
    run = lambda *args, **env: subprocess.run(
        [sys.executable, "-m", "pipeline", *args], cwd=project_root, env={**environment, **env},
        capture_output=True, timeout=600)
    arguments = ("publish", "--no-cache", "--raw-dir", str(project_root / "data" / "raw"),
                 "--out-dir", str(out))
    refused = run(*arguments)
    assert (refused.returncode, refused.stdout) == (1, b"") and not out.exists()
    assert refused.stderr.decode("ascii") == (
        "error: the locale's encoding is ascii, but a publication's file names are UTF-8 (such "
        "as id/.../~H25.ttl): run in a UTF-8 locale (LANG=C.UTF-8 or ja_JP.UTF-8) or with "
        "PYTHONUTF8=1, as make does; nothing was done\n")
    assert run("validate", "--out-dir", str(published)).returncode == 1
    for command in (["validate", "--help"], ["--help"]):    # said under any locale (the
        helped = run(*command)                              # program's, in Japanese in places,
        assert helped.returncode == 0 and b"publish" in helped.stdout, helped.stderr  # escaped)
    published_here = run(*arguments, PYTHONUTF8="1")
    assert published_here.returncode == 0, published_here.stderr.decode("utf-8", "replace")
    assert sorted(p.relative_to(out) for p in out.rglob("*～H25*")) == sorted(
        p.relative_to(published) for p in published.rglob("*～H25*")) != []


def test_a_missing_raw_folder_is_one_line_error(tmp_path, run_cli):
    missing = tmp_path / "no-such-raw"
    out = tmp_path / "out"
    result = run_cli("publish", "--raw-dir", missing, "--out-dir", out)
    error = assert_one_line_error(result)
    assert error == f"error: {missing}: raw folder does not exist"
    assert not out.exists()


def test_a_raw_folder_without_txt_files_is_one_line_error(tmp_path, run_cli):
    raw = write_raw(tmp_path / "raw", {"notes.md": "# not a source\n"})
    result = run_cli("publish", "--raw-dir", raw, "--out-dir", tmp_path / "out")
    error = assert_one_line_error(result)
    assert error == f"error: {raw}: no .txt source files found"


def test_validate_without_a_publication_is_one_line_error(tmp_path, run_cli):
    result = run_cli("validate", "--out-dir", tmp_path)
    error = assert_one_line_error(result)
    assert error == f"error: {tmp_path}: no datapackage.json: publish first"


# --- 10. licence and provenance --------------------------------------------------

@pytest.mark.parametrize("table", TABLES)
def test_every_json_table_carries_licence_and_attribution(published, table):
    document = json.loads((published / f"{table}.json").read_text(encoding="utf-8"))
    assert document["license"]["name"] == "CC-BY-4.0"
    assert document["license"]["path"] == CC_BY_4
    attribution = document["attribution"]
    assert attribution.startswith("出典：")
    assert "加工して作成" in attribution
    assert "宮城県「みやぎICT推進プラン(2014～2016) 分野2 行政の情報化」" in attribution


def test_datapackage_names_the_licence_and_the_source_checksum(published, source_path):
    package = json.loads((published / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["path"] == CC_BY_4
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["attribution"].startswith("出典：")
    (source,) = package["sources"]
    data = source_path.read_bytes()
    assert source["sha256"] == hashlib.sha256(data).hexdigest()
    assert source["bytes"] == len(data)
    assert source["encoding"] == "utf-8"
    assert source["in_manifest"] is True
    assert source["period"] == {"start_fiscal_year": 2014, "end_fiscal_year": 2016}


def test_linkcheck_refuses_no_workers(run_cli, tmp_path):
    """`--workers 0` once meant one worker, silently."""
    result = run_cli("linkcheck", "--workers", "0", "--out-dir", tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == \
        "python -m pipeline linkcheck: error: argument --workers: must be at least 1, not 0"


@pytest.mark.parametrize("command, option", [("publish", "--raw-dir"), ("publish", "--out-dir"),
                                             ("validate", "--out-dir"), ("fetch", "--raw-dir")])
def test_an_empty_path_is_refused_before_anything_is_read(run_cli, tmp_path, command, option):
    """`publish --raw-dir ''` (a scheduled job's variable left unset) read the current folder:
    run in the project, its constraints.txt was taken for a plan's text and failed as one."""
    result = run_cli(command, option, "", cwd=tmp_path)
    assert result.returncode == 2 and list(tmp_path.iterdir()) == []
    assert result.stderr.splitlines()[-1] == \
        f"python -m pipeline {command}: error: argument {option}: an empty path names no file or folder"


def test_an_unknown_option_is_said_with_the_commands_usage(run_cli, tmp_path):
    """`publish --bogus` printed the program's usage (`command ...`), not publish's options."""
    result = run_cli("publish", "--bogus", cwd=tmp_path)
    assert result.returncode == 2 and list(tmp_path.iterdir()) == []
    lines = result.stderr.splitlines()
    assert lines[0].startswith("usage: python -m pipeline publish [-h] [--config CONFIG] [--raw-dir")
    assert lines[-1] == "python -m pipeline publish: error: unrecognized arguments: --bogus"


@pytest.mark.parametrize("port", ["99999", "²", "٣"])
def test_api_refuses_a_port_that_is_none(run_cli, tmp_path, port):
    """`--port 99999` reached Datasette, which answered in its own words (`Error: Invalid value
    for '-p'`); `²` gave argparse's `invalid tcp_port value`, and `٣` (an Arabic-Indic digit)
    was taken as port 3."""
    result = run_cli("api", "--port", port, "--out-dir", tmp_path)
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == \
        f"python -m pipeline api: error: argument --port: {port} is no TCP port (0 to 65535)"


def test_the_local_server_does_not_import_the_command_line():
    """pipeline.serve and the cli share the arguments' types from a module below both
    (serve imported them from the cli, the layer above it)."""
    code = "import sys, pipeline.serve; print('pipeline.cli' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "False\n"


def test_api_names_a_port_in_use_in_one_line(run_cli, published):
    """A port in use: Datasette started, then said so in its server's log lines (`ERROR:
    [Errno 98] error while attempting to bind …`) and exited 3."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("api", "--port", str(port), "--out-dir", published)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"error: cannot listen on http://127.0.0.1:{port}/: Address already in use"]


@pytest.mark.parametrize("damage", ["half", "text"])
def test_api_names_a_damaged_database_in_one_line(run_cli, published, tmp_path, damage):
    """A database cut in half, or not a database at all: Datasette started, then printed a
    traceback of some 200 lines ending `DatabaseError: database disk image is malformed`."""
    out = tmp_path / "out"
    shutil.copytree(published, out)
    database, = out.glob("*.sqlite")
    data = database.read_bytes()
    database.write_bytes(data[:len(data) // 2] if damage == "half" else b"hello\n")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    result = run_cli("api", "--port", str(port), "--out-dir", out)
    assert result.returncode == 1
    assert len(result.stderr.splitlines()) == 1, result.stderr[-300:]
    assert result.stderr.startswith(f"error: {database}: not a readable SQLite database (")
    assert database.read_bytes() == (data[:len(data) // 2] if damage == "half" else b"hello\n")


def test_api_names_an_emptied_database_in_one_line(run_cli, published, tmp_path):
    """A database cut to nothing: SQLite reads it as an empty database, and Datasette served
    an API without a table (`/miyagi-ict-plan/indicators.json`: 404), in silence."""
    out = tmp_path / "out"
    shutil.copytree(published, out)
    database, = out.glob("*.sqlite")
    database.write_bytes(b"")
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    result = run_cli("api", "--port", str(port), "--out-dir", out)
    assert result.returncode == 1
    assert result.stderr == (f"error: {database}: holds no table initiatives, indicators, "
                             "schedules, references, sites, sections, terms, metadata "
                             "(datasette/metadata.json lists them): publish again\n")
    assert database.read_bytes() == b""


@pytest.mark.parametrize("metadata, why", [
    ("[]", "TypeError: list indices must be integers or slices, not str"),
    ('{"databases": {"miyagi-ict-plan": {"tables": []}}}',
     "TypeError: its tables are list, not an object")])
def test_api_names_datasette_metadata_of_another_shape_in_one_line(run_cli, published, tmp_path,
                                                                  metadata, why):
    out = tmp_path / "out"
    shutil.copytree(published, out)
    (out / "datasette" / "metadata.json").write_text(metadata, encoding="utf-8")
    result = run_cli("api", "--port", "1", "--out-dir", out)
    assert (result.returncode, result.stderr) == (1, (
        f"error: {out / 'datasette' / 'metadata.json'}: not the Datasette metadata publish "
        f"writes ({why}): publish again\n"))


# --- a reader that stops ---------------------------------------------------------

def test_a_publish_whose_log_reader_stops_still_publishes(tmp_path, published):
    """`make publish 2>&1 | head -2` stopped the publish at its third line, exit 1 and nothing
    said: the log is lost once its reader is gone, the publish goes on and its status says
    how it ended."""
    import os
    read, write = os.pipe()
    os.close(read)                                  # the reader has gone (head has exited)
    out = tmp_path / "out"
    try:
        done = subprocess.run([sys.executable, "-m", "pipeline", "publish", "--out-dir", str(out)],
                              stdout=subprocess.DEVNULL, stderr=write, timeout=300,
                              cwd=Path(__file__).resolve().parents[1])
    finally:
        os.close(write)
    assert done.returncode == 0
    assert (out / "initiatives.csv").read_bytes() == (published / "initiatives.csv").read_bytes()


def test_a_query_whose_reader_stops_ends_as_a_program_stopped_by_sigpipe(published):
    """`query … | head -1`: status 141 (128 + SIGPIPE) and nothing on stderr."""
    command = [sys.executable, "-m", "pipeline", "query", "--out-dir", str(published),
               "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          cwd=Path(__file__).resolve().parents[1]) as process:
        process.stdout.readline()
        process.stdout.close()                      # the reader stops after one line
        stderr = process.stderr.read()
        assert (process.wait(timeout=120), stderr) == (141, b"")


@pytest.mark.parametrize("stdout", ["closed", "/dev/full"])
@pytest.mark.parametrize("form", ["SELECT ?s WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"])
def test_a_query_that_cannot_write_its_answer_says_so(published, stdout, form):
    """Standard output closed (`>&-`) or full: `error: …/out: query failed: AttributeError:
    'NoneType' object has no attribute 'write'` (or `OSError: [Errno 28] …`), which blamed the
    publication. Now one line says where the answer could not go."""
    with open("/dev/full", "wb") as full:
        done = subprocess.run([sys.executable, "-m", "pipeline", "query", "--out-dir",
                               str(published), form],
                              stdout=None if stdout == "closed" else full, stderr=subprocess.PIPE,
                              cwd=Path(__file__).resolve().parents[1], timeout=120,
                              **({"preexec_fn": lambda: os.close(1)} if stdout == "closed" else {}))
    message = done.stderr.decode("utf-8")
    assert done.returncode == 1 and message.count("\n") == 1, message
    assert message.startswith("error: the answer cannot be written to standard output ("), message
    assert str(published) not in message and "Traceback" not in message


def test_silencing_a_stream_without_a_descriptor_opens_nothing():
    """to_devnull opened /dev/null before asking the stream for its descriptor, and left it
    open when it had none (a test's capture): one descriptor lost per message."""
    import io
    import os
    from pipeline.console import to_devnull
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        to_devnull(io.StringIO())
    assert len(os.listdir("/proc/self/fd")) == before

"""`validate` on a damaged copy of a publication: one clear line naming the file (and line where
it can), or the findings that say what is wrong, exit 1, the folder left as it was; never an
internal error (`validate failed: <PythonException>`), never a fetch, never a hang."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
PLAN = "miyagi-ict-plan-2014-2016"


def snapshot(folder: Path) -> dict[str, bytes | str]:
    """Relative path -> bytes of every regular file below folder (what else: its kind)."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        found[name] = path.read_bytes() if path.is_file() and not path.is_symlink() else \
            f"link to {os.readlink(path)}" if path.is_symlink() else "folder" if path.is_dir() \
            else "other"
    return found


@pytest.fixture
def damaged(tmp_path, published):
    """damaged(change) -> (folder, stderr lines): a copy of the publication, changed by
    change(folder), validated (exit 1 and the folder left unchanged asserted)."""
    def run(change) -> tuple[Path, list[str]]:
        out = tmp_path / "out"
        shutil.copytree(published, out)
        change(out)
        before = snapshot(out)
        result = subprocess.run([sys.executable, "-m", "pipeline", "validate", "--out-dir", out],
                                cwd=PROJECT_ROOT, text=True, capture_output=True, timeout=30)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr and "validate failed" not in result.stderr
        assert snapshot(out) == before
        return out, result.stderr.splitlines()
    return run


def write(name: str, data: bytes):
    def change(out: Path) -> None:
        (out / name).write_bytes(data)
    return change


def edit_package(edit):
    """A change that edits datapackage.json's value (edit(package) changes it in place)."""
    def change(out: Path) -> None:
        package = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
        edit(package)
        (out / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False),
                                              encoding="utf-8")
    return change


def set_resource(index: int, key: str, value):
    def edit(package: dict) -> None:
        package["resources"][index][key] = value
    return edit


def set_package(key: str, value):
    def edit(package: dict) -> None:
        package[key] = value
    return edit


def replace(name: str, make):
    """A change that writes make(the file's bytes) in its place."""
    def change(out: Path) -> None:
        (out / name).write_bytes(make((out / name).read_bytes()))
    return change


def replace_package(make):
    return replace("datapackage.json", make)


def with_folder(out: Path) -> None:
    (out / "datapackage.json").unlink()
    (out / "datapackage.json").mkdir()


def with_link_to_dev_null(out: Path) -> None:
    (out / "datapackage.json").unlink()
    (out / "datapackage.json").symlink_to("/dev/null")


# --- 1. a datapackage.json that is no JSON object: one line naming it ---------------------------

UNREADABLE_PACKAGES = {
    # case: (change, the error after "<out>/datapackage.json")
    "truncated in a character": (
        replace_package(lambda data: data[:data.index("みやぎ".encode()) + 1]),
        ": not UTF-8 text (byte 43: unexpected end of data)"),
    "truncated": (replace_package(lambda data: data[:40]),
                  ":3: not JSON: Expecting ':' delimiter (column 10)"),
    "empty": (replace_package(lambda data: b""), ": empty file"),
    "CP932": (replace_package(lambda data: data.decode("utf-8").encode("cp932", "replace")),
              ": not UTF-8 text (byte 43: invalid start byte)"),
    "with a BOM": (replace_package(lambda data: b"\xef\xbb\xbf" + data),
                   ": begins with a byte order mark (BOM), which JSON text must not"),
    "an array": (replace_package(lambda data: b"[]"),
                 ": not a data package: a JSON array, not an object"),
    "a string": (replace_package(lambda data: b'"x"'),
                 ": not a data package: a JSON string, not an object"),
    "null": (replace_package(lambda data: b"null"),
             ": not a data package: a JSON null, not an object"),
    "a number": (replace_package(lambda data: b"3.5\n"),
                 ": not a data package: a JSON number, not an object"),
    "nested 200,000 deep": (replace_package(lambda data: b"[" * 200_000 + b"]" * 200_000),
                            ": nested more than 100 levels deep"),
    "nested 600 deep in a resource": (edit_package(set_resource(0, "x", json.loads(
        "[" * 600 + "]" * 600))), ": nested more than 100 levels deep"),
    "a folder": (with_folder, ": cannot be read (not a regular file)"),
    "a link to /dev/null": (with_link_to_dev_null, ": cannot be read (not a regular file)"),
}


@pytest.mark.parametrize("case", list(UNREADABLE_PACKAGES))
def test_a_datapackage_json_that_is_no_json_object_is_one_line(damaged, case):
    change, error = UNREADABLE_PACKAGES[case]
    out, lines = damaged(change)
    assert lines == [f"error: {out / 'datapackage.json'}{error}"]


# --- 2. what frictionless must not be handed: findings, read from the descriptor alone ---------

def findings_and_error(out: Path, lines: list[str]) -> tuple[list[str], str]:
    """The findings frictionless made validate print, and its error line (checked to count
    them). An edited datapackage.json or Table Schema no longer has the bytes the catalogue
    states, which validate says too, after them."""
    findings = [line.strip() for line in lines if line.startswith("  ")]
    said = re.fullmatch(rf"error: {re.escape(str(out / 'datapackage.json'))}: frictionless found "
                        rf"(\d+) problem\(s\)(; {re.escape(str(out))}: (\d+) file\(s\) differ "
                        "from what the publication states of them)?", lines[-1])
    assert said, lines[-1]
    count = int(said[1])
    assert len(findings) == count + int(said[3] or 0)
    for edited in findings[count:]:
        assert re.fullmatch(r"(datapackage|schemas/\w+)\.json( has \d+ bytes, catalog\.jsonld "
                            r"states \d+|: cannot be read \(.+\); catalog\.jsonld states it)",
                            edited), edited
    return findings[:count], lines[-1]


REMOTE = "http://127.0.0.1:9/profile.json"    # (nothing listens: a fetch would fail)
DESCRIPTOR_FINDINGS = {
    "resources a number": (set_package("resources", 3), [
        "package: package-error: The data package has an error: 3 is not of type 'array' at "
        "property 'resources'"]),
    "resources null": (set_package("resources", None), [
        "package: package-error: The data package has an error: None is not of type 'array' at "
        "property 'resources'"]),
    "a table's path with a NUL byte": (set_resource(0, "path", "initiatives\0.csv"), [
        "initiatives: its path 'initiatives\\x00.csv' holds a NUL byte"]),
    "a file's path with a NUL byte": (set_resource(-1, "path", "graph\0.nt"), [
        f"graph-plan-{PLAN}: its path 'graph\\x00.nt' holds a NUL byte"]),
    "a schema with a NUL byte": (set_resource(0, "schema", "schemas/x\0.json"), [
        "initiatives: its schema 'schemas/x\\x00.json' holds a NUL byte"]),
    "a dialect a URL": (set_resource(0, "dialect", REMOTE), [
        f"initiatives: its dialect '{REMOTE}' is not written out in the descriptor: not "
        "fetched"]),
    "a table's profile a URL": (set_resource(0, "profile", REMOTE), [
        f"initiatives: its profile '{REMOTE}' is not a standard profile (data-resource, "
        "tabular-data-resource): not fetched"]),
    "a file's profile a URL": (set_resource(-1, "profile", REMOTE), [
        f"graph-plan-{PLAN}: its profile '{REMOTE}' is not a standard profile (data-resource, "
        "tabular-data-resource): not fetched"]),
    "a file's profile a local file": (set_resource(-1, "profile", "schemas/terms.json"), [
        f"graph-plan-{PLAN}: its profile 'schemas/terms.json' is not a standard profile "
        "(data-resource, tabular-data-resource): not fetched"]),
    "the package's profile a URL": (set_package("profile", REMOTE), [
        f"package: its profile '{REMOTE}' is not a standard profile (data-package, "
        "tabular-data-package): not fetched"]),
    "the package's profile fiscal": (set_package("profile", "fiscal-data-package"), [
        "package: its profile 'fiscal-data-package' is not a standard profile (data-package, "
        "tabular-data-package): not fetched"]),
}


@pytest.mark.parametrize("case", list(DESCRIPTOR_FINDINGS))
def test_a_descriptor_frictionless_cannot_be_handed_is_a_finding(damaged, case):
    edit, expected = DESCRIPTOR_FINDINGS[case]
    out, lines = damaged(edit_package(edit))
    assert findings_and_error(out, lines)[0] == expected


# --- 3. a listed file missing, or no regular file: a finding naming it, never a hang -----------

def delete(name: str):
    def change(out: Path) -> None:
        (out / name).unlink()
    return change


def fifo(name: str):
    """A named pipe in place of the file: reading it would wait for a writer for ever."""
    def change(out: Path) -> None:
        (out / name).unlink()
        os.mkfifo(out / name)
    return change


MISSING, NOT_REGULAR = "No such file or directory", "not a regular file"
UNREADABLE_FILES = {
    # case: (change, the resource, its path, why it cannot be read)
    "an Excel variant deleted": (delete("excel/initiatives.csv"), "initiatives-excel",
                                 "excel/initiatives.csv", MISSING),
    "a plan's slice deleted": (delete(f"plans/{PLAN}/initiatives.csv"), f"initiatives-plan-{PLAN}",
                               f"plans/{PLAN}/initiatives.csv", MISSING),
    "a table a FIFO": (fifo("initiatives.csv"), "initiatives", "initiatives.csv", NOT_REGULAR),
    "an Excel variant a FIFO": (fifo("excel/terms.csv"), "terms-excel", "excel/terms.csv",
                                NOT_REGULAR),
    "a plan's slice a FIFO": (fifo(f"plans/{PLAN}/terms.csv"), f"terms-plan-{PLAN}",
                              f"plans/{PLAN}/terms.csv", NOT_REGULAR),
    "the graph a FIFO": (fifo("rdf/graph.nt"), "rdf-graph-nt", "rdf/graph.nt", NOT_REGULAR),
}


@pytest.mark.parametrize("case", list(UNREADABLE_FILES))
def test_a_listed_file_missing_or_no_regular_file_is_a_finding(damaged, case):
    change, resource, path, why = UNREADABLE_FILES[case]
    out, lines = damaged(change)
    assert findings_and_error(out, lines)[0] == [f"{resource}: {path}: cannot be read ({why})"]


# --- 4. a Table Schema that is no valid schema: a finding naming it ---------------------------

def edit_schema(table: str, edit):
    """A change that edits schemas/<table>.json's value (edit(schema) changes it in place)."""
    def change(out: Path) -> None:
        path = out / "schemas" / f"{table}.json"
        schema = json.loads(path.read_text(encoding="utf-8"))
        edit(schema)
        path.write_text(json.dumps(schema, ensure_ascii=False), encoding="utf-8")
    return change


BAD_SCHEMAS = {
    # case: (change, the table, what is wrong with its schema)
    "fields a string": (edit_schema("initiatives", lambda s: s.update(fields="x")), "initiatives",
                        "schema-error: Schema is not valid: 'x' is not of type 'array' at "
                        "property 'fields'"),
    "foreignKeys a number": (edit_schema("indicators", lambda s: s.update(foreignKeys=3)),
                             "indicators", "schema-error: Schema is not valid: 3 is not of type "
                             "'array' at property 'foreignKeys'"),
    "a field without a name": (edit_schema("terms", lambda s: s["fields"][1].pop("name")),
                               "terms", "field-error: Field is not valid: 'name' is a required "
                               "property"),
    "empty": (write("schemas/sites.json", b""), "sites", "empty file"),
    "nested 200,000 deep": (write("schemas/sites.json", b"[" * 200_000 + b"]" * 200_000), "sites",
                            "nested more than 100 levels deep"),
    "nested 600 deep in a field": (edit_schema("sites", lambda s: s["fields"][0].update(
        x=json.loads("[" * 600 + "]" * 600))), "sites", "nested more than 100 levels deep"),
    "a FIFO": (fifo("schemas/sites.json"), "sites", "cannot be read (not a regular file)"),
    "truncated": (replace("schemas/sites.json", lambda data: data[:9]), "sites",
                  "line 2: not JSON: Unterminated string starting at (column 3)"),
}


@pytest.mark.parametrize("case", list(BAD_SCHEMAS))
def test_a_table_schema_that_is_no_valid_schema_is_a_finding(damaged, case):
    change, table, problem = BAD_SCHEMAS[case]
    out, lines = damaged(change)
    assert findings_and_error(out, lines)[0] == [f"{table}: its schema schemas/{table}.json: "
                                                 f"{problem}"]


# --- 5. the pipeline's tables: each listed as a tabular data resource with its schema ----------

TABLES = ("initiatives", "indicators", "schedules", "references", "sites", "sections", "terms")


def unlisted(table: str) -> str:
    return f"{table}: {table}.csv is not listed as a tabular data resource with its schema " \
           f"schemas/{table}.json"


def without_resource(name: str):
    def edit(package: dict) -> None:
        package["resources"] = [r for r in package["resources"] if r["name"] != name]
    return edit


def without_key(name: str, key: str):
    def edit(package: dict) -> None:
        next(r for r in package["resources"] if r["name"] == name).pop(key)
    return edit


UNLISTED_TABLES = {
    # case: (edit of datapackage.json, the tables found unlisted)
    "no resources": (set_package("resources", []), TABLES),
    "a table left out": (without_resource("sections"), ["sections"]),
    "a table without its profile": (without_key("initiatives", "profile"), ["initiatives"]),
    "a table with another profile": (set_resource(0, "profile", "data-resource"),
                                     ["initiatives"]),
    "a table with another schema": (set_resource(0, "schema", "schemas/initiatives-excel.json"),
                                    ["initiatives"]),
}


@pytest.mark.parametrize("case", list(UNLISTED_TABLES))
def test_every_table_of_the_pipeline_must_be_listed_with_its_schema(damaged, case):
    """Its checks find the tables by that: one not so listed would escape them."""
    edit, tables = UNLISTED_TABLES[case]
    out, lines = damaged(edit_package(edit))
    assert findings_and_error(out, lines)[0] == [unlisted(table) for table in tables]


def add_resource(resource: dict):
    def edit(package: dict) -> None:
        package["resources"].append(resource)
    return edit


def set_named(name: str, key: str, value):
    def edit(package: dict) -> None:
        next(r for r in package["resources"] if r["name"] == name)[key] = value
    return edit


INLINE = {"fields": [{"name": "plan_id"}]}
INLINE_SCHEMAS = {
    # case: (edit of datapackage.json, the finding)
    "another table's": (add_resource({"name": "more", "path": "terms.csv", "schema": INLINE,
                                      "profile": "tabular-data-resource"}),
                        "more: its schema is not the name of a file"),
    "a plan's slice's": (set_named(f"terms-plan-{PLAN}", "schema", INLINE),
                         f"terms-plan-{PLAN}: no combined table to compare with"),
}


@pytest.mark.parametrize("case", list(INLINE_SCHEMAS))
def test_a_schema_written_out_in_the_descriptor_is_a_finding(damaged, case):
    """frictionless allows it; this pipeline's tables and slices name their schema's file."""
    edit, finding = INLINE_SCHEMAS[case]
    out, lines = damaged(edit_package(edit))
    assert findings_and_error(out, lines)[0] == [finding]


# --- 6. the files datapackage.json does not describe: as the catalogue and its listings state --

def append(name: str, data: bytes = b"\n"):
    def change(out: Path) -> None:
        with (out / name).open("ab") as handle:
            handle.write(data)
    return change


def first_uri_document(out: Path) -> str:
    files = json.loads((out / "rdf" / "uri-documents.json").read_text(encoding="utf-8"))["files"]
    return files[0]["path"]


def edit_site_manifest(out: Path) -> None:
    listing = json.loads((out / "site-manifest.json").read_text(encoding="utf-8"))
    listing["files"][0]["path"] = "../outside.html"
    (out / "site-manifest.json").write_text(json.dumps(listing), encoding="utf-8")


def sizes(out: Path, name: str) -> int:
    return (out / name).stat().st_size


STATED_FILES = {
    # case: (change, the findings, of the damaged copy and the publication)
    "the database overwritten": (
        write("miyagi-ict-plan.sqlite", b"junk\n"),
        lambda out, published: [
            "miyagi-ict-plan.sqlite has 5 bytes, catalog.jsonld states "
            f"{sizes(published, 'miyagi-ict-plan.sqlite')}"]),
    "a Parquet file deleted": (
        lambda out: (out / "parquet" / "indicators.parquet").unlink(),
        lambda out, published: [
            "parquet/indicators.parquet: cannot be read (No such file or directory); "
            "catalog.jsonld states it"]),
    "the portal's front page": (
        append("index.html"),
        lambda out, published: [
            f"index.html has {sizes(published, 'index.html') + 1} bytes, site-manifest.json "
            f"states {sizes(published, 'index.html')}"]),
    "a URI document": (
        lambda out: append(first_uri_document(out), b"x")(out),
        lambda out, published: [
            f"{first_uri_document(out)} has {sizes(published, first_uri_document(out)) + 1} "
            f"bytes, rdf/uri-documents.json states {sizes(published, first_uri_document(out))}"]),
    "the server configuration": (
        replace("server/nginx.conf", lambda data: data.replace(b"location", b"Location", 1)),
        lambda out, published: [
            "server/nginx.conf does not match the SHA-256 catalog.jsonld states"]),
    "the Apache rules to download": (
        replace("server/apache.htaccess", lambda data: data.replace(b"RewriteRule", b"rewriterule", 1)),
        lambda out, published: [
            "server/apache.htaccess does not match the SHA-256 catalog.jsonld states"]),
    "the Apache rules where they take effect": (      # no distribution: Apache serves no .ht file
        replace("id/.htaccess", lambda data: data.replace(b"RewriteRule", b"rewriterule", 1)),
        lambda out, published: [
            "id/.htaccess does not match the SHA-256 catalog.jsonld (of its original "
            "server/apache.htaccess) states"]),
    "the Apache rules lost where they take effect": (
        lambda out: (out / "id" / ".htaccess").unlink(),
        lambda out, published: [
            "id/.htaccess: cannot be read (No such file or directory); catalog.jsonld (of its "
            "original server/apache.htaccess) states it"]),
    "a listing naming a file outside": (
        edit_site_manifest,
        lambda out, published: [            # (the listing itself no longer as stated)
            f"site-manifest.json has {sizes(out, 'site-manifest.json')} bytes, catalog.jsonld "
            f"states {sizes(published, 'site-manifest.json')}",
            "site-manifest.json: states '../outside.html', a path outside the published "
            "folder"]),
    "catalog.ttl given a triple": (
        append("catalog.ttl", b'<http://e/a> <http://e/b> "c" .\n'),
        lambda out, published: [
            "catalog.ttl and catalog.jsonld state different graphs (1 triples only in the "
            "first, 0 only in the second)"]),
}


@pytest.mark.parametrize("case", list(STATED_FILES))
def test_a_file_the_catalogue_or_a_listing_states_is_checked(damaged, published, case):
    """validate said `valid` of a publication whose database, Parquet files, portal, URI
    documents or server configuration were overwritten or deleted (a fresh-eyes review): it
    checked only datapackage.json's resources, though the catalogue and the portal's and URI
    documents' listings state the bytes and SHA-256 of every other file."""
    change, findings = STATED_FILES[case]
    out, lines = damaged(change)
    expected = findings(out, published)
    assert sorted(lines[:-1]) == sorted("  " + finding for finding in expected)
    assert lines[-1] == (f"error: {out}: {len(expected)} file(s) differ from what the "
                         "publication states of them")


def test_many_damaged_files_are_shown_fifty_then_counted(damaged):
    def damage(out: Path) -> None:
        listing = json.loads((out / "rdf" / "uri-documents.json").read_text(encoding="utf-8"))
        for entry in listing["files"][:60]:
            append(entry["path"])(out)
    out, lines = damaged(damage)
    assert len(lines) == 52
    assert lines[-2:] == ["  … and 10 more",
                          f"error: {out}: 60 file(s) differ from what the publication states of them"]


def test_a_damaged_table_and_a_damaged_other_file_are_both_found(damaged, published):
    """validate stopped at the tables' findings: a publication whose indicators.json and
    database were both damaged was said to have the first problem only."""
    def damage(out: Path) -> None:
        replace("indicators.json", lambda data: data.replace(b"38.25", b"38.26"))(out)
        write("miyagi-ict-plan.sqlite", b"junk\n")(out)
    out, lines = damaged(damage)
    assert lines == [
        "  indicators-json: indicators.json does not match its stated hash",
        "  miyagi-ict-plan.sqlite has 5 bytes, catalog.jsonld states "
        f"{sizes(published, 'miyagi-ict-plan.sqlite')}",
        f"error: {out / 'datapackage.json'}: frictionless found 1 problem(s); {out}: 1 file(s) "
        "differ from what the publication states of them"]

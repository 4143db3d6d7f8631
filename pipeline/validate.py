"""Validation of a written publication with frictionless (schemas, keys, bytes, hashes).

The Excel variants (`excel/*.csv`) hold the same cells as the canonical CSVs, all typed as
text, and each plan's slice (`plans/<plan_id>/<table>.csv`) holds the canonical CSV's rows of that
plan. Rather than having frictionless read every row a second time, each variant and slice is
checked to be exactly what the exporter makes from its validated CSV, byte for byte, with its
stated size and sha256."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .errors import ValidationFailed
from .export.csv import EXCEL_SUFFIX, csv_text, excel_csv_text, excel_header, may_start_formula
from .export.listing import file_digest
from .export.tables import PLAN_KEY, is_slice
from .forked import die_with
from .heap import release_free_memory
from .partcache import CacheStats, file_identity, identity
from .validate_groups import tables_cache, validate_tables
from .validate_descriptor import descriptor_findings, read_package, read_schemas, table_findings
from .validate_read import (KnownPlans, Table, open_regular, read_table, rendering_version,
                            unreadable)

PACKAGE_ROOT = Path(__file__).resolve().parent.parent   # the folder that holds pipeline/


def validate_package(folder: Path, package_descriptor: dict | None = None,
                     cache_dir: Path | None = None) -> tuple[int, int, int]:
    """Validate folder/datapackage.json (or the given descriptor of files in folder); returns
    the number of resources checked and, of those, the Excel variants and the plan slices
    (each checked byte for byte against its validated CSV).

    frictionless checks the descriptor of every resource (leaving out those it found valid in
    an earlier run: descriptor_findings) and validates every row of the
    canonical tables (types, constraints, primary keys) plan by plan, each plan's findings
    kept in cache_dir; their foreign keys are checked over the whole tables
    (validate_groups.py); each table's bytes and hash are checked here, and every
    other file (JSON, RDF) against its stated bytes and sha256, which is all frictionless would
    check of a file that is not a table. Raises ValidationFailed with one readable line per
    finding (and no finding: one line, when datapackage.json is no JSON object)."""
    descriptor = folder / "datapackage.json"
    if package_descriptor is None:
        package_descriptor = read_package(descriptor)
    resources = package_descriptor.get("resources", [])
    cache, described, stats = tables_cache(cache_dir), CacheStats(), CacheStats()
    findings = descriptor_findings(package_descriptor, cache, described) or \
        table_findings(resources)
    tables: Parsed = {}
    plans, read = "", KnownPlans()
    if not findings:                    # (the descriptor valid: every table has a schema)
        canonical = [r for r in resources if _is_canonical_table(r)]
        schemas, fields = read_schemas(folder, canonical)
        plans = cache.entry("plan-rows", rendering_version(), fields) if cache.folder else ""
        known = cache.load(plans, stats) if plans else None
        read = KnownPlans(known if isinstance(known, dict) else {})
        findings = read_tables(folder, canonical, tables, read, schemas, fields)
        release_free_memory()           # the files' bytes and texts, parsed into rows
    if not findings:
        findings, grouped = validate_tables(list(tables.values()), cache)
        stats.add(grouped)
        findings = [f"{t.name}: {t.resource['path']} does not match its stated bytes/hash"
                    for t in tables.values() if not _stated(t.resource, t.size, t.sha256)] + findings
    if not findings:
        findings = check_excel_variants(folder, package_descriptor, tables)
        findings += check_plan_slices(folder, package_descriptor, tables)
        others = [r for r in resources if not _is_canonical_table(r)
                  and not r["name"].endswith(EXCEL_SUFFIX) and not is_slice(r)]
        hashed = cache.entry("hashed-files") if cache.folder is not None else ""
        known, seen = cache.load(hashed, stats) if hashed else None, {}
        findings += check_files(folder, others, known if isinstance(known, dict) else {}, seen)
    if not findings:
        stats.add(described)
        if hashed:                          # the files of this edition, for the next one
            cache.store(hashed, seen, stats)
        if plans:
            cache.store(plans, read.seen, stats)
        cache.prune(stats.used)
        return (len(resources), sum(r["name"].endswith(EXCEL_SUFFIX) for r in resources),
                sum(is_slice(r) for r in resources))
    raise ValidationFailed.capped(f"frictionless found {len(findings)} problem(s)", findings,
                                  descriptor)


Parsed = dict[str, Table]   # combined CSV path -> the table read from it
def read_tables(folder: Path, resources: list[dict], tables: Parsed,
                known: KnownPlans | None = None, schemas: dict[str, dict] | None = None,
                fields: dict[str, list] | None = None) -> list[str]:
    """Read each combined table into tables (validate_read.read_table: plan by plan where
    `known` knows its plans' rows); findings for those that cannot be read. `schemas`,
    `fields`: what read_schemas gives (read here when not given)."""
    if schemas is None or fields is None:
        schemas, fields = read_schemas(folder, resources)
    findings = [schema for schema in schemas.values() if isinstance(schema, str)]
    if findings:
        return findings
    for resource in resources:
        table = read_table(folder, resource, schemas[resource["path"]], known,
                           fields.get(resource["name"], []))
        if isinstance(table, str):
            findings.append(table)
        else:
            tables[resource["path"]] = table
    return findings


def _is_canonical_table(resource: dict) -> bool:
    """A combined table (not its Excel variant, not a plan's slice)."""
    return resource.get("profile") == "tabular-data-resource" and not is_slice(resource) \
        and not resource["name"].endswith(EXCEL_SUFFIX)


def check_files(folder: Path, resources: list[dict], known: dict | None = None,
                seen: dict | None = None) -> list[str]:
    """Each file must exist with the bytes and sha256 its descriptor states (hashed as it is
    read: the RDF files run to hundreds of MB). `known`: the SHA-256 a previous validation
    found of a file, by its identity (partcache.file_identity): an unchanged plan's files are
    hard links to those of the previous edition, not read again; `seen` gets those of these
    files."""
    findings, known, seen = [], known or {}, {} if seen is None else seen
    for resource in resources:
        try:
            size, sha256 = _digest(folder / resource["path"], known, seen)
        except OSError as error:
            findings.append(unreadable(resource, error))
            continue
        if "bytes" in resource and resource["bytes"] != size:
            findings.append(f"{resource['name']}: {resource['path']} has {size} bytes, "
                            f"its descriptor states {resource['bytes']}")
        elif "hash" in resource and resource["hash"] != f"sha256:{sha256}":
            findings.append(f"{resource['name']}: {resource['path']} does not match its stated hash")
    return findings


def _digest(path: Path, known: dict, seen: dict) -> tuple[int, str]:
    with open_regular(path) as handle:          # (OSError if no regular file)
        key = identity(os.fstat(handle.fileno()))
    sha256 = known.get(key)
    if sha256 is None:
        size, sha256 = file_digest(path)
        if file_identity(path) != key:              # changed while read: not remembered
            return size, sha256
    seen[key] = sha256
    return key[2], sha256


def _read(folder: Path, resource: dict) -> bytes | str:
    """The bytes of a resource's file, or the finding saying why they cannot be read."""
    try:
        with open_regular(folder / resource["path"]) as handle:
            return handle.read()
    except OSError as error:
        return unreadable(resource, error)


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _as_stated(resource: dict, data: bytes) -> bool:
    """True when data has the bytes and hash the resource's descriptor states (both required)."""
    return _stated(resource, len(data), _sha256(data))


def _stated(resource: dict, size: int, sha256: str) -> bool:
    return resource.get("bytes") == size and resource.get("hash") == sha256


def check_excel_variants(folder: Path, descriptor: dict, tables: Parsed) -> list[str]:
    """Each `NAME-excel` resource must be the exporter's rendering of the validated `NAME`
    resource (read into tables), with the bytes and hash its descriptor states."""
    resources = {r["name"]: r for r in descriptor.get("resources", [])}
    findings = []
    for name, variant in resources.items():
        if not name.endswith(EXCEL_SUFFIX):
            continue
        canonical, data = resources.get(name[: -len(EXCEL_SUFFIX)]), _read(folder, variant)
        if isinstance(data, str):
            findings.append(data)
            continue
        if canonical is None or canonical["path"] not in tables:
            findings.append(f"{name}: no resource {name[: -len(EXCEL_SUFFIX)]} to compare with")
            continue
        table = tables[canonical["path"]]
        body = table.written(list(table.plans))     # the validated CSV's rows, as bytes
        expected = excel_header(table.schema).encode("utf-8-sig") + body \
            if not may_start_formula(body) else \
            excel_csv_text(table.schema, table.rows, table.file_lines()).encode("utf-8-sig")
        if data != expected:
            findings.append(f"{name}: {variant['path']} differs from {canonical['path']} "
                            "rendered for Excel")
        elif not _as_stated(variant, data):
            findings.append(f"{name}: {variant['path']} does not match its stated bytes/hash")
    return findings


def check_plan_slices(folder: Path, descriptor: dict, tables: Parsed) -> list[str]:
    """Each plan's slice must be the validated combined CSV's rows of that plan (its first
    column, plan_id), byte for byte, with the bytes and hash its descriptor states."""
    resources = descriptor.get("resources", [])
    canonical = {r["schema"]: tables.get(r["path"]) for r in resources if _is_canonical_table(r)}
    findings = []
    for resource in resources:
        if not is_slice(resource):
            continue
        schema = resource.get("schema")
        table = canonical.get(schema) if isinstance(schema, str) else None
        if table is None:
            findings.append(f"{resource['name']}: no combined table to compare with")
            continue
        data = _read(folder, resource)
        if isinstance(data, str):
            findings.append(data)
            continue
        expected = csv_text(table.header, []).encode("utf-8") + table.written([resource[PLAN_KEY]])
        if data != expected:
            findings.append(f"{resource['name']}: {resource['path']} is not the rows of plan "
                            f"{resource[PLAN_KEY]} in {table.resource['path']}")
        elif not _as_stated(resource, data):
            findings.append(f"{resource['name']}: {resource['path']} does not match its stated bytes/hash")
    return findings


class BackgroundValidation:
    """validate_package in a separate Python process (`python -m pipeline.validate`), started
    before the tables are written so that the interpreter and frictionless load meanwhile;
    `check(descriptor)` hands it the descriptor of the written tables, which it then validates
    while the caller writes the rest (the databases, the portal, the catalogue); `result()`
    waits and returns or raises as
    validate_package would; leaving a `with` block cancels it. A fresh interpreter, not a fork:
    safe whatever threads the caller runs, and independent of how the caller was started. The descriptor is fixed when handed
    over: later changes to datapackage.json do not reach it."""

    def __init__(self, folder: Path, cache_dir: Path | None = None):
        self.folder = folder
        self.descriptor_file: Path | None = None
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")])),
            PARENT_VARIABLE: str(os.getpid())}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.validate", str(folder), FROM_STDIN,
             *([str(cache_dir)] if cache_dir else [])],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=environment)

    def check(self, package_descriptor: dict) -> None:
        """Start validating the tables package_descriptor describes (its file's name goes to
        the waiting process, one line)."""
        handle, name = tempfile.mkstemp(prefix="datapackage-", suffix=".json")
        self.descriptor_file = Path(name)
        with os.fdopen(handle, "w", encoding="utf-8") as out:     # dumps: json.dump is
            out.write(json.dumps(package_descriptor, ensure_ascii=False))  # pure Python
        try:                            # unbuffered: nothing left to flush if it stopped
            os.write(self.process.stdin.fileno(), name.encode("utf-8") + b"\n")
        except OSError:                 # it stopped already: result() says why
            pass

    def result(self) -> tuple[int, int, int]:
        try:
            stdout, stderr = self.process.communicate()
        finally:
            self._remove_descriptor()
        try:
            reply = json.loads(stdout)
        except ValueError:
            last = (stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
            raise ValidationFailed(f"the validation process stopped unexpectedly "
                                   f"(exit code {self.process.returncode}: {last}); nothing was "
                                   "published", [], self.folder / "datapackage.json") from None
        if "failed" in reply:
            failed = reply["failed"]
            raise ValidationFailed(f"{failed['message']}; nothing was published",
                                   failed["findings"], failed["path"])
        return reply["checked"], reply["variants"], reply["slices"]

    def cancel(self) -> None:
        """Stop the process if it runs, and close its pipes (once result() has not)."""
        if self.process.poll() is None:
            self.process.kill()
        if not self.process.stdout.closed:
            try:
                self.process.communicate()
            except (OSError, ValueError):
                pass
        self._remove_descriptor()

    def __enter__(self) -> "BackgroundValidation":
        return self

    def __exit__(self, *exc) -> None:
        self.cancel()

    def _remove_descriptor(self) -> None:
        if self.descriptor_file is not None:
            self.descriptor_file.unlink(missing_ok=True)


FROM_STDIN = "-"        # the descriptor file's name comes on standard input, once loaded
PARENT_VARIABLE = "PLAN_PIPELINE_PARENT"    # the publish's pid: the process dies with it


def _main(folder: str, descriptor_file: str, cache_dir: str | None = None) -> None:
    """`python -m pipeline.validate FOLDER DESCRIPTOR.json [CACHE]`: one JSON line on stdout.
    With `-` for DESCRIPTOR.json, its name is read from standard input after frictionless is
    loaded (nothing is done when none comes)."""
    if descriptor_file == FROM_STDIN:
        import frictionless  # noqa: F401  loaded while the caller writes the tables
        descriptor_file = sys.stdin.readline().strip()
        if not descriptor_file:
            return
    descriptor = json.loads(Path(descriptor_file).read_text(encoding="utf-8"))
    try:
        checked, variants, slices = validate_package(Path(folder), descriptor,
                                                     Path(cache_dir) if cache_dir else None)
        reply = {"checked": checked, "variants": variants, "slices": slices}
    except ValidationFailed as failure:
        reply = {"failed": {"message": failure.message, "findings": failure.findings,
                            "path": str(failure.path) if failure.path else None}}
    print(json.dumps(reply, ensure_ascii=False))


if __name__ == "__main__":
    if os.environ.get(PARENT_VARIABLE, "").isdigit():
        die_with(int(os.environ[PARENT_VARIABLE]))
    _main(*sys.argv[1:4])

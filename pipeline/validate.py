"""Validation of a written publication with frictionless (schemas, keys, bytes, hashes).

The Excel variants (`excel/*.csv`) hold the same cells as the canonical CSVs, all typed as
text, and each plan's slice (`plans/<plan_id>/<table>.csv`) holds the canonical CSV's rows of that
plan. Rather than having frictionless read every row a second time, each variant and slice is
checked to be exactly what the exporter makes from its validated CSV, byte for byte, with its
stated size and sha256."""

from __future__ import annotations

import copy
import csv
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .errors import ValidationFailed
from .export.csv import EXCEL_SUFFIX, csv_lines, csv_text, excel_csv_text
from .export.plans import SLICE_KEY

MAX_FINDINGS = 50
PACKAGE_ROOT = Path(__file__).resolve().parent.parent   # the folder that holds pipeline/


def validate_package(folder: Path, package_descriptor: dict | None = None) -> tuple[int, int, int]:
    """Validate folder/datapackage.json (or the given descriptor of files in folder); returns
    the number of resources checked and, of those, the Excel variants and the plan slices
    (each checked byte for byte against its validated CSV).

    frictionless checks the descriptor of every resource and validates the canonical tables in
    full (schemas, keys, foreign keys, bytes, hash); every other file (JSON, RDF) is checked
    against its stated bytes and sha256 here, which is all frictionless would check of a file
    that is not a table. Raises ValidationFailed with one readable line per finding."""
    from frictionless import Package  # imported here: it is slow to import

    descriptor = folder / "datapackage.json"
    if package_descriptor is None:
        package_descriptor = json.loads(descriptor.read_text(encoding="utf-8"))
    resources = package_descriptor.get("resources", [])
    tables = [r for r in resources if _is_canonical_table(r)]
    findings = [f"package: {error.type}: {error.message}"
                for error in Package.metadata_validate(copy.deepcopy(package_descriptor))]
    if not findings:
        package = Package(copy.deepcopy({**package_descriptor, "resources": tables}),
                          basepath=str(folder))
        findings = _report_lines(package.validate())
    if not findings:
        parsed: Parsed = {}
        findings = check_excel_variants(folder, package_descriptor, parsed)
        findings += check_plan_slices(folder, package_descriptor, parsed)
        findings += check_files(folder, [r for r in resources if not _is_canonical_table(r)
                                         and not r["name"].endswith(EXCEL_SUFFIX)
                                         and SLICE_KEY not in r])
    if not findings:
        return (len(resources), sum(r["name"].endswith(EXCEL_SUFFIX) for r in resources),
                sum(SLICE_KEY in r for r in resources))
    shown = findings[:MAX_FINDINGS]
    if len(findings) > MAX_FINDINGS:
        shown.append(f"… and {len(findings) - MAX_FINDINGS} more")
    raise ValidationFailed(f"frictionless found {len(findings)} problem(s); nothing was published",
                           shown, descriptor)


def _is_canonical_table(resource: dict) -> bool:
    """A combined table (not its Excel variant, not a plan's slice)."""
    return resource.get("profile") == "tabular-data-resource" and SLICE_KEY not in resource \
        and not resource["name"].endswith(EXCEL_SUFFIX)


def _report_lines(report) -> list[str]:
    """One readable line per finding of a frictionless report."""
    findings = []
    for task in report.tasks:
        for error in task.errors:
            where = [task.name or task.place]
            if getattr(error, "row_number", None):
                where.append(f"row {error.row_number}")
            if getattr(error, "field_name", None):
                where.append(f"column {error.field_name}")
            findings.append(f"{', '.join(map(str, where))}: {error.type}: {error.message}")
    return findings + [f"package: {error.type}: {error.message}" for error in report.errors]


def check_files(folder: Path, resources: list[dict]) -> list[str]:
    """Each file must exist with the bytes and sha256 its descriptor states."""
    findings = []
    for resource in resources:
        path = folder / resource["path"]
        try:
            data = path.read_bytes()
        except OSError as error:
            findings.append(f"{resource['name']}: {resource['path']}: cannot be read "
                            f"({error.strerror or error})")
            continue
        if "bytes" in resource and resource["bytes"] != len(data):
            findings.append(f"{resource['name']}: {resource['path']} has {len(data)} bytes, "
                            f"its descriptor states {resource['bytes']}")
        elif "hash" in resource and resource["hash"] != _sha256(data):
            findings.append(f"{resource['name']}: {resource['path']} does not match its stated hash")
    return findings


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _as_stated(resource: dict, data: bytes) -> bool:
    """True when data has the bytes and hash the resource's descriptor states (both required)."""
    return resource.get("bytes") == len(data) and resource.get("hash") == _sha256(data)


Parsed = dict[str, tuple[list[str], list[list[str]]]]   # combined CSV path -> (header, rows)


def _parsed(folder: Path, path: str, parsed: Parsed) -> tuple[list[str], list[list[str]]]:
    """The header and rows of a validated combined CSV, read once for both byte checks."""
    if path not in parsed:
        with (folder / path).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        parsed[path] = (rows[0] if rows else [], rows[1:])
    return parsed[path]


def check_excel_variants(folder: Path, descriptor: dict, parsed: Parsed | None = None) -> list[str]:
    """Each `NAME-excel` resource must be the exporter's rendering of the validated `NAME`
    resource, with the bytes and hash its descriptor states."""
    parsed = {} if parsed is None else parsed
    resources = {r["name"]: r for r in descriptor.get("resources", [])}
    findings = []
    for name, variant in resources.items():
        if not name.endswith(EXCEL_SUFFIX):
            continue
        canonical = resources.get(name[: -len(EXCEL_SUFFIX)])
        data = (folder / variant["path"]).read_bytes()
        if canonical is None:
            findings.append(f"{name}: no resource {name[: -len(EXCEL_SUFFIX)]} to compare with")
            continue
        schema = json.loads((folder / canonical["schema"]).read_text(encoding="utf-8"))
        _, rows = _parsed(folder, canonical["path"], parsed)
        expected = excel_csv_text(schema, rows, csv_lines(rows)).encode("utf-8-sig")
        if data != expected:
            findings.append(f"{name}: {variant['path']} differs from {canonical['path']} "
                            "rendered for Excel")
        elif not _as_stated(variant, data):
            findings.append(f"{name}: {variant['path']} does not match its stated bytes/hash")
    return findings


def check_plan_slices(folder: Path, descriptor: dict, parsed: Parsed | None = None) -> list[str]:
    """Each plan's slice must be the validated combined CSV's rows of that plan (its first
    column, plan_id), byte for byte, with the bytes and hash its descriptor states."""
    parsed = {} if parsed is None else parsed
    resources = descriptor.get("resources", [])
    canonical = {r["schema"]: r for r in resources if _is_canonical_table(r)}
    expected: dict[str, dict[str, bytes]] = {}
    findings = []
    for resource in resources:
        if SLICE_KEY not in resource:
            continue
        table = canonical.get(resource.get("schema"))
        if table is None:
            findings.append(f"{resource['name']}: no combined table to compare with")
            continue
        if table["path"] not in expected:
            expected[table["path"]] = _slices(*_parsed(folder, table["path"], parsed))
        data = (folder / resource["path"]).read_bytes()
        header = expected[table["path"]]["\0header"]
        if data != expected[table["path"]].get(resource[SLICE_KEY], header):
            findings.append(f"{resource['name']}: {resource['path']} is not the rows of plan "
                            f"{resource[SLICE_KEY]} in {table['path']}")
        elif not _as_stated(resource, data):
            findings.append(f"{resource['name']}: {resource['path']} does not match its stated bytes/hash")
    return findings


def _slices(header: list[str], rows: list[list[str]]) -> dict[str, bytes]:
    """The CSV text of each plan's rows of a combined CSV (and its header alone)."""
    groups: dict[str, list[list[str]]] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    slices = {plan: csv_text(header, rows).encode("utf-8") for plan, rows in groups.items()}
    slices["\0header"] = csv_text(header, []).encode("utf-8")
    return slices


class BackgroundValidation:
    """validate_package in a separate Python process (`python -m pipeline.validate`), so that
    the tables are validated while the caller writes the linked data; `result()` waits and
    returns or raises as validate_package would. A fresh interpreter, not a fork: safe
    whatever threads the caller runs, and independent of how the caller was started. The
    descriptor is fixed at the start: later changes to datapackage.json do not reach it."""

    def __init__(self, folder: Path, package_descriptor: dict):
        self.folder = folder
        handle, name = tempfile.mkstemp(prefix="datapackage-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(package_descriptor, out, ensure_ascii=False)
        self.descriptor_file = Path(name)
        environment = {**os.environ, "PYTHONPATH": os.pathsep.join(
            filter(None, [str(PACKAGE_ROOT), os.environ.get("PYTHONPATH")]))}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeline.validate", str(folder), name],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environment)

    def result(self) -> tuple[int, int, int]:
        try:
            stdout, stderr = self.process.communicate()
        finally:
            self.descriptor_file.unlink(missing_ok=True)
        try:
            reply = json.loads(stdout)
        except ValueError:
            last = (stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1]
            raise ValidationFailed(f"the validation process stopped unexpectedly "
                                   f"(exit code {self.process.returncode}: {last}); nothing was "
                                   "published", [], self.folder / "datapackage.json") from None
        if "failed" in reply:
            failed = reply["failed"]
            raise ValidationFailed(failed["message"], failed["findings"], failed["path"])
        return reply["checked"], reply["variants"], reply["slices"]

    def cancel(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()
        self.descriptor_file.unlink(missing_ok=True)


def _main(folder: str, descriptor_file: str) -> None:
    """`python -m pipeline.validate FOLDER DESCRIPTOR.json`: one JSON line on stdout."""
    descriptor = json.loads(Path(descriptor_file).read_text(encoding="utf-8"))
    try:
        checked, variants, slices = validate_package(Path(folder), descriptor)
        reply = {"checked": checked, "variants": variants, "slices": slices}
    except ValidationFailed as failure:
        reply = {"failed": {"message": failure.message, "findings": failure.findings,
                            "path": str(failure.path) if failure.path else None}}
    print(json.dumps(reply, ensure_ascii=False))


if __name__ == "__main__":
    _main(*sys.argv[1:3])

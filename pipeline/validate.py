"""Validation of a written publication with frictionless (schemas, keys, bytes, hashes).

The Excel variants (`excel/*.csv`) hold the same cells as the canonical CSVs, all typed as
text. Rather than having frictionless read every row a second time, each variant is checked to
be exactly what the exporter makes from its validated CSV, byte for byte, with its stated size
and sha256."""

from __future__ import annotations

import copy
import csv
import multiprocessing
import hashlib
import io
import json
from pathlib import Path

from .errors import ValidationFailed
from .export.csv import EXCEL_SUFFIX, excel_csv_text

MAX_FINDINGS = 50


def validate_package(folder: Path, package_descriptor: dict | None = None) -> tuple[int, int]:
    """Validate folder/datapackage.json (or the given descriptor of files in folder); returns
    the number of resources checked and, of those, the Excel variants.

    Raises ValidationFailed with one readable line per finding."""
    from frictionless import Package  # imported here: it is slow to import

    descriptor = folder / "datapackage.json"
    if package_descriptor is None:
        package_descriptor = json.loads(descriptor.read_text(encoding="utf-8"))
    package = Package(copy.deepcopy(package_descriptor), basepath=str(folder))
    variants = [name for name in package.resource_names if name.endswith(EXCEL_SUFFIX)]
    for name in variants:
        package.remove_resource(name)
    report = package.validate()
    findings = []
    for task in report.tasks:
        for error in task.errors:
            where = [task.name or task.place]
            if getattr(error, "row_number", None):
                where.append(f"row {error.row_number}")
            if getattr(error, "field_name", None):
                where.append(f"column {error.field_name}")
            findings.append(f"{', '.join(map(str, where))}: {error.type}: {error.message}")
    findings += [f"package: {error.type}: {error.message}" for error in report.errors]
    if not findings:
        findings = check_excel_variants(folder, package_descriptor)
    if not findings:
        return len(report.tasks) + len(variants), len(variants)
    shown = findings[:MAX_FINDINGS]
    if len(findings) > MAX_FINDINGS:
        shown.append(f"… and {len(findings) - MAX_FINDINGS} more")
    raise ValidationFailed(f"frictionless found {len(findings)} problem(s); nothing was published",
                           shown, descriptor)


def check_excel_variants(folder: Path, descriptor: dict) -> list[str]:
    """Each `NAME-excel` resource must be the exporter's rendering of the validated `NAME`
    resource, with the bytes and hash its descriptor states."""
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
        with (folder / canonical["path"]).open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            next(reader, None)
            expected = excel_csv_text(schema, reader).encode("utf-8-sig")
        if data != expected:
            findings.append(f"{name}: {variant['path']} differs from {canonical['path']} "
                            "rendered for Excel")
        elif variant.get("bytes") != len(data) or \
                variant.get("hash") != "sha256:" + hashlib.sha256(data).hexdigest():
            findings.append(f"{name}: {variant['path']} does not match its stated bytes/hash")
    return findings


class BackgroundValidation:
    """validate_package in a forked process, so that the tables are validated while the
    caller writes the linked data; `result()` waits and returns or raises as validate_package
    would. Without fork, validation runs in `result()`. The descriptor is fixed at the start:
    later changes to the folder's datapackage.json do not reach the validation."""

    def __init__(self, folder: Path, package_descriptor: dict):
        self.folder, self.descriptor = folder, copy.deepcopy(package_descriptor)
        self.process = self.reply = None
        if "fork" in multiprocessing.get_all_start_methods():
            self.reply, sender = multiprocessing.Pipe(duplex=False)
            context = multiprocessing.get_context("fork")
            self.process = context.Process(target=_validate_and_send, daemon=True,
                                           args=(folder, package_descriptor, sender))
            self.process.start()
            sender.close()

    def result(self) -> tuple[int, int]:
        if self.process is None:
            return validate_package(self.folder, self.descriptor)
        try:
            kind, value = self.reply.recv()
        except EOFError:
            kind, value = "stopped", f"exit code {self.process.exitcode}"
        finally:
            self.process.join()
            self.reply.close()
        if kind == "ok":
            return value
        if kind == "failed":
            raise value
        raise ValidationFailed(f"the validation process stopped unexpectedly ({value}); "
                               "nothing was published", [], self.folder / "datapackage.json")

    def cancel(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()
            self.process.join()


def _validate_and_send(folder: Path, package_descriptor: dict, sender) -> None:
    try:
        sender.send(("ok", validate_package(folder, package_descriptor)))
    except ValidationFailed as failure:
        sender.send(("failed", failure))
    except Exception as error:  # noqa: BLE001 (reported in the parent as one line)
        sender.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        sender.close()

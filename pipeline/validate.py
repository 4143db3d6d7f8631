"""Validation of a written publication with frictionless (schemas, keys, bytes, hashes)."""

from __future__ import annotations

from pathlib import Path

from .errors import ValidationFailed

MAX_FINDINGS = 50


def validate_package(folder: Path) -> int:
    """Validate folder/datapackage.json; returns the number of resources checked.

    Raises ValidationFailed with one readable line per finding."""
    from frictionless import validate  # imported here: it is slow to import

    descriptor = folder / "datapackage.json"
    report = validate(str(descriptor))
    if report.valid:
        return len(report.tasks)
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
    shown = findings[:MAX_FINDINGS]
    if len(findings) > MAX_FINDINGS:
        shown.append(f"… and {len(findings) - MAX_FINDINGS} more")
    raise ValidationFailed(f"frictionless found {len(findings)} problem(s); nothing was published",
                           shown, descriptor)
